//! Every lesson in `static/lessons/` replays: each question's answer is
//! computed by the simulation at reveal time and must be the one its
//! explanation describes (`expect`). A lesson whose story no longer
//! matches the model fails here, naming the lesson and the step.

use std::path::PathBuf;

use zablab_core::lesson::{self, Lesson, Probe};

fn lessons() -> Vec<(String, Lesson)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("static/lessons");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).expect("static/lessons exists") {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".json") || name == "index.json" {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let l = Lesson::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            format!("{}.json", l.id),
            name,
            "{name}: the id is the file name"
        );
        out.push((name, l));
    }
    out.sort_by_key(|(_, l)| l.order);
    out
}

#[test]
fn every_lesson_replays_to_the_answers_it_explains() {
    let all = lessons();
    let mut failures = Vec::new();
    for (name, l) in &all {
        match lesson::walk(l) {
            Ok(answers) => println!(
                "{name}: {} question(s), answers {:?}",
                answers.len(),
                answers.iter().map(|a| a.got.as_str()).collect::<Vec<_>>()
            ),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_course_has_its_lessons_in_order_each_with_a_question() {
    let all = lessons();
    // The course: lessons 1-12, then at least five bug-museum lessons.
    for n in 1..=12 {
        assert!(
            all.iter().any(|(_, l)| l.order == n),
            "lesson {n} is missing"
        );
    }
    let museum = all
        .iter()
        .filter(|(_, l)| !l.base_scenario().unwrap().ensemble.variants.is_empty())
        .count();
    assert!(museum >= 5, "{museum} bug-museum lessons");
    let orders: Vec<u32> = all.iter().map(|(_, l)| l.order).collect();
    let mut dedup = orders.clone();
    dedup.dedup();
    assert_eq!(orders, dedup, "two lessons share an order");
    for (name, l) in &all {
        assert!(
            (2..=6).contains(&l.minutes),
            "{name}: {} minutes",
            l.minutes
        );
        assert!(
            l.steps.iter().any(|s| s.question.is_some()),
            "{name}: no question"
        );
    }
}

/// A bug-museum lesson shows the invariant fire with the flag on and hold
/// with it off: a question sees the property violated under the flag, and
/// after a step that switches the flags off, a question sees it hold.
#[test]
fn museum_lessons_show_the_bug_fire_then_hold() {
    for (name, l) in lessons() {
        let flagged = !l.base_scenario().unwrap().ensemble.variants.is_empty();
        if !flagged {
            continue;
        }
        let mut on = false;
        let mut off = false;
        let mut flags_on = true;
        for s in &l.steps {
            if let Some(v) = &s.variants {
                flags_on = !v.is_empty();
            }
            if let Some(q) = &s.question {
                let fires = match &q.probe {
                    Probe::Violated { .. } => Some(q.expect == "yes"),
                    Probe::FirstViolation => Some(q.expect != "none"),
                    _ => None,
                };
                match (flags_on, fires) {
                    (true, Some(true)) => on = true,
                    (false, Some(false)) => off = true,
                    _ => {}
                }
            }
        }
        assert!(on && off, "{name}: needs a question seeing the bug fire (flag on) and one seeing it hold (flags off)");
    }
}
