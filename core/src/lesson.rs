//! Lessons: a scenario v1 plus steps of narration, highlights, questions
//! whose answer the simulation computes, and "try it yourself" moments.
//! The format is documented for teachers in `docs/LESSONS.md`; the web app
//! plays lessons, `tests/lessons.rs` replays every one.
//!
//! Contract:
//! - Every text is given in English and Simplified Chinese ([`Text`]).
//! - A question's correct answer is never written in the lesson: it is the
//!   value of its [`Probe`] on the simulation at reveal time. The lesson
//!   states what its explanation describes (`expect`); [`walk`] fails when
//!   the simulation no longer answers that, so a lesson whose story drifts
//!   from the model breaks the build.
//! - A step may switch the bug-museum flags (`variants`): the lesson then
//!   replays its scenario from time 0 with those flags, to the step's time
//!   (so a learner sees a bug fire, then the same schedule hold).
//! - A "try it yourself" step lets the learner act; when they do not (or in
//!   tests), its `default_actions` are applied, and the lesson continues
//!   from whatever the simulation then is.
//!
//! Nothing here touches a browser; it must never panic on a bad file
//! (errors name the lesson and the step).
//!
//! Layout: this file is the lesson format, its checks and the headless
//! walk; `probe` is what a question asks of the simulation.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::scenario::{ActionKind, Scenario};
use crate::sim::Simulation;

mod probe;

pub use probe::{probe, Probe};

/// The format version (`"zablab_lesson": 1`).
pub const LESSON_VERSION: u64 = 1;

/// A text in every language the app speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    /// The text in `lang` ("en" or "zh"), English otherwise.
    pub fn get(&self, lang: &str) -> &str {
        if lang == "zh" {
            &self.zh
        } else {
            &self.en
        }
    }
}

/// One lesson file (`static/lessons/*.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    pub zablab_lesson: u64,
    /// Stable id, also the file name without `.json` (`02-vote-order`).
    pub id: String,
    /// Position in the course.
    pub order: u32,
    /// How long it takes in class.
    pub minutes: u32,
    pub title: Text,
    pub summary: Text,
    /// The scenario, inline (a scenario v1 object).
    pub scenario: serde_json::Value,
    pub steps: Vec<Step>,
}

/// One step: narration shown once the simulation reached `at_ms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Virtual time the simulation runs to (and pauses at) before this
    /// step is shown. Absent: where the previous step left it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_ms: Option<u64>,
    pub text: Text,
    #[serde(default, skip_serializing_if = "Highlight::is_empty")]
    pub highlight: Highlight,
    /// Replay the scenario from 0 with these bug-museum flags first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variants: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<Question>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub try_it: Option<TryIt>,
}

/// What the player points at during a step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Highlight {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub servers: Vec<u32>,
    /// A message type as drawn (`PROPOSAL`, `NOTIFICATION`, `DIFF`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A zxid, as `0x100000002`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zxid: Option<String>,
    /// Text a log line contains (the player shows matching lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    /// A property name of the invariants panel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    /// A client (its recipe view, its reads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
}

impl Highlight {
    pub fn is_empty(&self) -> bool {
        *self == Highlight::default()
    }
}

/// A question asked before the reveal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub prompt: Text,
    pub choices: Vec<Choice>,
    /// What decides the answer, evaluated at reveal time.
    pub probe: Probe,
    /// Run the simulation to here before revealing (the question is asked
    /// at the step's time, the answer is what happens next).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reveal_at_ms: Option<u64>,
    /// The value the explanation describes (checked by [`walk`]).
    pub expect: String,
    pub explanation: Text,
    /// What to point at with the explanation.
    #[serde(default, skip_serializing_if = "Highlight::is_empty")]
    pub evidence: Highlight,
}

/// One answer a learner can pick: `value` is compared with the probe's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub value: String,
    pub label: Text,
}

/// A moment where the learner acts; `default_actions` happen if they don't.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TryIt {
    pub prompt: Text,
    /// Scenario v1 actions without `at_ms` (they happen at the step's time).
    pub default_actions: Vec<serde_json::Value>,
}

/// Why a lesson cannot be played.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LessonError {
    #[error("lesson file: {0}")]
    Json(String),
    #[error("lesson {lesson}: {what}")]
    Invalid { lesson: String, what: String },
    #[error("lesson {lesson}, step {step}: {what}")]
    Step {
        lesson: String,
        step: usize,
        what: String,
    },
}

impl Lesson {
    /// Parses and checks a lesson (both languages present, known version,
    /// a valid scenario, every question's `expect` among its choices).
    pub fn from_json(text: &str) -> Result<Lesson, LessonError> {
        let l: Lesson = serde_json::from_str(text).map_err(|e| LessonError::Json(e.to_string()))?;
        l.check()?;
        Ok(l)
    }

    fn invalid(&self, what: impl Into<String>) -> LessonError {
        LessonError::Invalid {
            lesson: self.id.clone(),
            what: what.into(),
        }
    }

    fn step_err(&self, step: usize, what: impl Into<String>) -> LessonError {
        LessonError::Step {
            lesson: self.id.clone(),
            step: step + 1,
            what: what.into(),
        }
    }

    fn check(&self) -> Result<(), LessonError> {
        if self.zablab_lesson != LESSON_VERSION {
            return Err(self.invalid(format!(
                "zablab_lesson is {}, this build reads {LESSON_VERSION}",
                self.zablab_lesson
            )));
        }
        if self.steps.is_empty() {
            return Err(self.invalid("a lesson needs at least one step"));
        }
        let texts = |t: &Text| !t.en.trim().is_empty() && !t.zh.trim().is_empty();
        if !texts(&self.title) || !texts(&self.summary) {
            return Err(self.invalid("title and summary need English and Chinese"));
        }
        self.base_scenario()?;
        let mut last = 0;
        for (i, s) in self.steps.iter().enumerate() {
            if !texts(&s.text) {
                return Err(self.step_err(i, "text needs English and Chinese"));
            }
            if let Some(t) = s.at_ms {
                if t < last && s.variants.is_none() {
                    return Err(self.step_err(
                        i,
                        format!(
                            "at_ms {t} is before the previous step's {last} (use back, not a step)"
                        ),
                    ));
                }
                last = t;
            }
            if let Some(q) = &s.question {
                if !texts(&q.prompt) || !texts(&q.explanation) {
                    return Err(self.step_err(i, "question texts need English and Chinese"));
                }
                if q.choices.len() < 2 || q.choices.iter().any(|c| !texts(&c.label)) {
                    return Err(self.step_err(i, "a question needs two or more labelled choices"));
                }
                if !q.choices.iter().any(|c| c.value == q.expect) {
                    return Err(self.step_err(
                        i,
                        format!("expect \"{}\" is not one of the choices", q.expect),
                    ));
                }
                if let Some(r) = q.reveal_at_ms {
                    if s.at_ms.is_some_and(|t| r < t) {
                        return Err(self.step_err(i, "reveal_at_ms is before the step's at_ms"));
                    }
                    last = last.max(r);
                }
            }
            if let Some(t) = &s.try_it {
                if !texts(&t.prompt) {
                    return Err(self.step_err(i, "try_it prompt needs English and Chinese"));
                }
                for a in &t.default_actions {
                    parse_live_action(a).map_err(|e| self.step_err(i, e))?;
                }
            }
        }
        Ok(())
    }

    /// The lesson's scenario as written.
    pub fn base_scenario(&self) -> Result<Scenario, LessonError> {
        Scenario::from_json(&self.scenario.to_string())
            .map_err(|e| self.invalid(format!("scenario: {e}")))
    }

    /// The scenario with `variants` as its bug-museum flags.
    pub fn scenario_with(&self, variants: &[String]) -> Result<Scenario, LessonError> {
        let mut s = self.base_scenario()?;
        s.ensemble.variants = variants.to_vec();
        Ok(s)
    }
}

/// A `try_it` default action: a scenario v1 action without `at_ms`.
pub fn parse_live_action(v: &serde_json::Value) -> Result<ActionKind, String> {
    let mut obj = match v {
        serde_json::Value::Object(m) => m.clone(),
        _ => return Err("a default action is a JSON object".to_string()),
    };
    obj.insert("at_ms".to_string(), serde_json::Value::from(0u64));
    let wrapped = serde_json::json!({
        "zablab": 1, "seed": 1,
        "ensemble": {"participants": [1]},
        "actions": [serde_json::Value::Object(obj)]
    });
    // Server ids and clients are checked against the lesson's own run when
    // the action is applied (`Simulation::act` refuses an unknown server or
    // client), so the action is read alone (`from_json_unlinked`).
    match Scenario::from_json_unlinked(&wrapped.to_string()) {
        Ok(s) => Ok(s.actions[0].kind.clone()),
        Err(e) if e.to_string().contains("not in the ensemble") => {
            // Reparse without the ensemble check: ids are validated later.
            let mut w = wrapped;
            w["ensemble"]["participants"] = serde_json::json!((1..=99).collect::<Vec<u32>>());
            Scenario::from_json_unlinked(&w.to_string())
                .map(|s| s.actions[0].kind.clone())
                .map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// One question's outcome in a walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub step: usize,
    pub expect: String,
    pub got: String,
    pub at_ms: u64,
}

/// Plays a lesson headless as a learner who never acts (every `try_it`
/// takes its default actions): runs to each step, evaluates each question
/// at its reveal time. Errors when a question's probe does not give its
/// `expect`, when a default action is refused, or when a safety property
/// fails in a step without bug-museum flags.
pub fn walk(lesson: &Lesson) -> Result<Vec<Answer>, LessonError> {
    let mut variants: Vec<String> = lesson.base_scenario()?.ensemble.variants.clone();
    let mut sim = Simulation::new(lesson.scenario_with(&variants)?)
        .map_err(|e| lesson.invalid(format!("scenario: {e}")))?;
    let mut answers = Vec::new();
    for (i, s) in lesson.steps.iter().enumerate() {
        if let Some(v) = &s.variants {
            variants = v.clone();
            sim = Simulation::new(lesson.scenario_with(&variants)?)
                .map_err(|e| lesson.step_err(i, format!("scenario: {e}")))?;
        }
        if let Some(t) = s.at_ms {
            sim.run_until(t);
        }
        if let Some(t) = &s.try_it {
            for a in &t.default_actions {
                let kind = parse_live_action(a).map_err(|e| lesson.step_err(i, e))?;
                sim.act(kind)
                    .map_err(|e| lesson.step_err(i, format!("default action refused: {e}")))?;
            }
        }
        if let Some(q) = &s.question {
            if let Some(r) = q.reveal_at_ms {
                sim.run_until(r);
            }
            let got = probe(&sim, &q.probe);
            if got != q.expect {
                return Err(lesson.step_err(
                    i,
                    format!(
                        "the question \"{}\" expects \"{}\" but the simulation answers \"{got}\" at {} ms",
                        q.prompt.en,
                        q.expect,
                        sim.now_ms()
                    ),
                ));
            }
            answers.push(Answer {
                step: i,
                expect: q.expect.clone(),
                got,
                at_ms: sim.now_ms(),
            });
        }
        if variants.is_empty() {
            if let Some(v) = sim.violations().first() {
                return Err(lesson.step_err(
                    i,
                    format!(
                        "{} fired without a bug-museum flag: {}",
                        v.property, v.detail
                    ),
                ));
            }
        }
    }
    Ok(answers)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = r#"{"zablab_lesson":1,"id":"t","order":1,"minutes":1,
      "title":{"en":"T","zh":"T"},"summary":{"en":"S","zh":"S"},
      "scenario":{"zablab":1,"seed":1,"ensemble":{"participants":[1,2,3]},"until_ms":20000,
        "actions":[{"at_ms":0,"do":"start","servers":[1,2,3]}]},
      "steps":[
        {"at_ms":2000,"text":{"en":"a","zh":"甲"},
         "question":{"prompt":{"en":"Who leads?","zh":"谁是领导者？"},
           "choices":[{"value":"1","label":{"en":"s1","zh":"s1"}},{"value":"2","label":{"en":"s2","zh":"s2"}},{"value":"3","label":{"en":"s3","zh":"s3"}}],
           "probe":{"what":"leader"},"expect":"3",
           "explanation":{"en":"highest sid","zh":"最大的 sid"}}},
        {"text":{"en":"b","zh":"乙"},
         "try_it":{"prompt":{"en":"Crash the leader","zh":"让领导者崩溃"},"default_actions":[{"do":"crash","server":"leader"}]},
         "question":{"prompt":{"en":"Who leads now?","zh":"现在谁是领导者？"},
           "choices":[{"value":"1","label":{"en":"s1","zh":"s1"}},{"value":"2","label":{"en":"s2","zh":"s2"}}],
           "probe":{"what":"leader"},"reveal_at_ms":4000,"expect":"2",
           "explanation":{"en":"next highest","zh":"次大的"}}},
        {"text":{"en":"c","zh":"丙"},
         "question":{"prompt":{"en":"Epochs of 2?","zh":"2 的 epoch？"},
           "choices":[{"value":"2","label":{"en":"2","zh":"2"}},{"value":"1","label":{"en":"1","zh":"1"}}],
           "probe":{"what":"current_epoch","server":2},"expect":"2",
           "explanation":{"en":"new epoch","zh":"新 epoch"}}}]}"#;

    #[test]
    fn a_lesson_walks_and_its_answers_come_from_the_simulation() {
        let l = Lesson::from_json(TINY).unwrap();
        let a = walk(&l).unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!((a[0].got.as_str(), a[1].got.as_str()), ("3", "2"));
        // A story that no longer matches the model fails, naming the step.
        let wrong = TINY.replace(r#""expect":"2""#, r#""expect":"1""#);
        let e = walk(&Lesson::from_json(&wrong).unwrap()).unwrap_err();
        assert!(
            e.to_string().contains("step 2") && e.to_string().contains("answers \"2\""),
            "{e}"
        );
    }

    #[test]
    fn bad_lessons_are_refused_with_the_reason() {
        let no_zh = TINY.replace(r#""zh":"甲""#, r#""zh":"""#);
        assert!(Lesson::from_json(&no_zh)
            .unwrap_err()
            .to_string()
            .contains("step 1"));
        let bad_expect = TINY.replace(r#""expect":"3""#, r#""expect":"9""#);
        assert!(Lesson::from_json(&bad_expect)
            .unwrap_err()
            .to_string()
            .contains("not one of the choices"));
        let bad_action = TINY.replace(r#""do":"crash","server":"leader""#, r#""do":"explode""#);
        assert!(Lesson::from_json(&bad_action)
            .unwrap_err()
            .to_string()
            .contains("unknown action"));
        assert!(matches!(Lesson::from_json("{"), Err(LessonError::Json(_))));
    }
}
