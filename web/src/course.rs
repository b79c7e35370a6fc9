//! The course: `static/lessons/index.json` (served as `lessons/index.json`,
//! hand-kept; a test checks that it lists exactly the lesson files), the
//! lessons it lists as they arrive, and lesson links
//! (`#lesson=<id>&step=<n>&lang=<en|zh>`). Pure: the app fetches, this
//! module reads; every problem is a sentence for the user, never a panic.

use std::rc::Rc;

use serde_json::Value;
use zablab_core::lesson::Lesson;

use crate::i18n::Lang;
use crate::share::param;

/// One lesson of the course, parsed and checked.
#[derive(Debug, Clone)]
pub struct Entry {
    pub lesson: Rc<Lesson>,
    /// Its scenario switches bug-museum flags on (a museum lesson).
    pub museum: bool,
}

/// What the app knows of the course so far.
#[derive(Debug, Clone, Default)]
pub struct Course {
    /// The index's files, once read.
    pub files: Option<Vec<String>>,
    /// Why the index could not be read.
    pub error: Option<String>,
    /// Lessons read, in course order once every file arrived.
    pub lessons: Vec<Entry>,
    /// Files that could not be read or are not valid lessons, with why.
    pub broken: Vec<String>,
    received: usize,
}

impl Course {
    /// Every listed file arrived (or the index failed): links can resolve.
    pub fn ready(&self) -> bool {
        self.error.is_some()
            || self
                .files
                .as_ref()
                .is_some_and(|f| self.received >= f.len())
    }

    /// The index arrived, or why not.
    pub fn index(&mut self, r: Result<Vec<String>, String>) {
        match r {
            Ok(files) => self.files = Some(files),
            Err(e) => self.error = Some(e),
        }
    }

    /// A lesson file arrived (its text), or why not.
    pub fn add(&mut self, file: &str, r: Result<String, String>) {
        self.received += 1;
        let parsed = r.and_then(|text| Lesson::from_json(&text).map_err(|e| e.to_string()));
        match parsed {
            Ok(l) => {
                let museum = l
                    .base_scenario()
                    .is_ok_and(|s| !s.ensemble.variants.is_empty());
                self.lessons.push(Entry {
                    lesson: Rc::new(l),
                    museum,
                });
            }
            Err(e) => self.broken.push(format!("{file}: {e}")),
        }
        if self.ready() {
            zablab_core::sorting::sort_by(&mut self.lessons, &|a, b| {
                (a.lesson.order, &a.lesson.id).cmp(&(b.lesson.order, &b.lesson.id))
            });
        }
    }

    pub fn find(&self, id: &str) -> Option<Rc<Lesson>> {
        self.lessons
            .iter()
            .find(|e| e.lesson.id == id)
            .map(|e| e.lesson.clone())
    }

    /// The lesson after `id` in course order.
    pub fn after(&self, id: &str) -> Option<Rc<Lesson>> {
        let i = self.lessons.iter().position(|e| e.lesson.id == id)?;
        self.lessons.get(i + 1).map(|e| e.lesson.clone())
    }
}

/// Reads the index: `{"zablab_lessons": 1, "lessons": ["02-vote-order.json", …]}`.
pub fn parse_index(text: &str) -> Result<Vec<String>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("lessons/index.json: {e}"))?;
    if v.get("zablab_lessons").and_then(Value::as_u64) != Some(1) {
        return Err("lessons/index.json: zablab_lessons must be 1".to_string());
    }
    let list = v
        .get("lessons")
        .and_then(Value::as_array)
        .ok_or("lessons/index.json: no lessons list")?;
    list.iter()
        .enumerate()
        .map(|(i, f)| match f.as_str() {
            Some(f) if valid_file(f) => Ok(f.to_string()),
            _ => Err(format!(
                "lessons/index.json: lessons[{i}] is not a lesson file name"
            )),
        })
        .collect()
}

fn valid_file(f: &str) -> bool {
    f.ends_with(".json")
        && f.len() > 5
        && f.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.')
        && !f.contains("..")
}

/// A lesson link: which lesson, which step (1-based, as the link says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonLink {
    pub id: String,
    pub step: usize,
}

/// Why a lesson link cannot be followed (the UI words it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkProblem {
    /// `step=` is not a step number (1, 2, …).
    BadStep(String),
    /// `lesson=` is empty or not an id.
    BadId,
}

/// The lesson link a fragment carries, if it has `lesson=`.
pub fn lesson_link(fragment: &str) -> Option<Result<LessonLink, LinkProblem>> {
    let id = param(fragment, "lesson")?;
    if id.is_empty()
        || !id
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    {
        return Some(Err(LinkProblem::BadId));
    }
    let step = match param(fragment, "step") {
        None => 1,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if n >= 1 => n,
            _ => return Some(Err(LinkProblem::BadStep(s.to_string()))),
        },
    };
    Some(Ok(LessonLink {
        id: id.to_string(),
        step,
    }))
}

/// The fragment of a lesson link (step 1-based).
pub fn encode_link(id: &str, step: usize, lang: Lang) -> String {
    format!("lesson={id}&step={step}&lang={}", lang.code())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::Path;

    /// A small lesson for the player's tests: an election question, a
    /// try_it (crash the leader) with a question answered by the run, and
    /// a bug-flag step (the ZOOKEEPER-2845 museum schedule).
    pub const FIXTURE: &str = include_str!("../tests/fixture-lesson.json");

    #[test]
    fn the_index_lists_exactly_the_lesson_files() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../static/lessons");
        let index = parse_index(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".json") && n != "index.json")
            .collect();
        on_disk.sort();
        let mut listed = index.clone();
        listed.sort();
        assert_eq!(listed, on_disk, "static/lessons/index.json is out of date");
        let mut course = Course::default();
        course.index(Ok(index.clone()));
        for f in &index {
            let text = std::fs::read_to_string(dir.join(f)).unwrap();
            course.add(f, Ok(text));
        }
        assert!(course.ready());
        assert_eq!(course.broken, Vec::<String>::new());
        for e in &course.lessons {
            assert!(
                index.contains(&format!("{}.json", e.lesson.id)),
                "{}: the id is the file name",
                e.lesson.id
            );
        }
    }

    #[test]
    fn the_fixture_walks_to_the_answers_it_explains() {
        let l = Lesson::from_json(FIXTURE).unwrap();
        let got: Vec<String> = zablab_core::lesson::walk(&l)
            .unwrap()
            .into_iter()
            .map(|a| a.got)
            .collect();
        assert_eq!(got, ["2", "yes", "no", "2"]);
    }

    #[test]
    fn a_bad_index_or_lesson_is_said_not_panicked() {
        assert!(parse_index("[]").is_err());
        assert!(parse_index(r#"{"zablab_lessons": 1, "lessons": ["../x.json"]}"#).is_err());
        assert!(parse_index(r#"{"zablab_lessons": 1, "lessons": [3]}"#).is_err());
        assert_eq!(
            parse_index(r#"{"zablab_lessons": 1, "lessons": []}"#),
            Ok(vec![])
        );
        let mut c = Course::default();
        c.index(Ok(vec!["a.json".into(), "b.json".into()]));
        c.add("a.json", Ok("{".into()));
        assert!(!c.ready());
        c.add("b.json", Ok(FIXTURE.into()));
        assert!(c.ready());
        assert_eq!(c.lessons.len(), 1);
        assert!(
            c.broken[0].starts_with("a.json: lesson file"),
            "{:?}",
            c.broken
        );
        assert!(c.find("fixture").is_some());
        assert!(c.after("fixture").is_none());
        let mut failed = Course::default();
        failed.index(Err("HTTP 404".into()));
        assert!(failed.ready());
    }

    #[test]
    fn lesson_links_round_trip_and_broken_ones_say_why() {
        let frag = encode_link("02-vote-order", 3, Lang::Zh);
        assert_eq!(frag, "lesson=02-vote-order&step=3&lang=zh");
        assert_eq!(
            lesson_link(&format!("#{frag}")),
            Some(Ok(LessonLink {
                id: "02-vote-order".into(),
                step: 3
            }))
        );
        assert_eq!(lesson_link("lesson=x").unwrap().unwrap().step, 1);
        assert_eq!(lesson_link("s=abc&t=4"), None);
        assert_eq!(
            lesson_link("lesson=x&step=0"),
            Some(Err(LinkProblem::BadStep("0".into())))
        );
        assert_eq!(
            lesson_link("lesson=x&step=two"),
            Some(Err(LinkProblem::BadStep("two".into())))
        );
        assert_eq!(lesson_link("lesson=&step=1"), Some(Err(LinkProblem::BadId)));
        assert_eq!(lesson_link("lesson=a/b"), Some(Err(LinkProblem::BadId)));
    }
}
