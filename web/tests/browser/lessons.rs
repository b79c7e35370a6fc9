//! The lesson player, on the fixture lesson (web/tests/fixture-lesson.json):
//! a course, questions answered by the run, try-its, presenter mode and keys,
//! lesson links.

use super::*;

const FIXTURE: &str = include_str!("../fixture-lesson.json");

/// Mounts the app with the fixture as its course (no fetch) and
/// `fragment` in the URL.
async fn mount_course(fragment: &str) -> Mounted {
    let window = web_sys::window().unwrap();
    let url = format!("{}{fragment}", window.location().pathname().unwrap());
    let _ = window.history().unwrap().replace_state_with_url(
        &wasm_bindgen::JsValue::NULL,
        "",
        Some(&url),
    );
    let document = window.document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let props = zablab_web::app::AppProps {
        course: Some(vec![FIXTURE.to_string()]),
    };
    let handle =
        yew::Renderer::<zablab_web::App>::with_root_and_props(root.clone(), props).render();
    settle().await;
    Mounted {
        root,
        handle: Some(handle),
    }
}

fn phase(r: &Element) -> String {
    find(r, "[data-testid=lesson]")
        .get_attribute("data-phase")
        .unwrap_or_default()
}

/// Waits until the lesson shows `want` (a running step plays at its own
/// pace), then lets the other components catch up (Yew may render a new
/// component before the props updates of the others); fails saying where
/// it is instead.
async fn wait_phase(r: &Element, want: &str) {
    for _ in 0..300 {
        if r.query_selector("[data-testid=lesson]").unwrap().is_some() && phase(r) == want {
            sleep(Duration::from_millis(60)).await;
            return;
        }
        sleep(Duration::from_millis(20)).await;
    }
    panic!("the lesson is not {want}: {}", phase(r));
}

fn attr(r: &Element, selector: &str, name: &str) -> String {
    find(r, selector).get_attribute(name).unwrap_or_default()
}

fn fragment() -> String {
    web_sys::window().unwrap().location().hash().unwrap()
}

#[wasm_bindgen_test]
async fn the_course_opens_a_lesson_that_runs_asks_and_marks_the_computed_answer() {
    let app = mount_course("").await;
    let r = &app.root;
    click(r, "[data-testid=course]").await;
    let outline = text(r, "[data-testid=course-outline]");
    assert!(
        outline.contains("99. Fixture: a test lesson") && outline.contains("3 min"),
        "{outline}"
    );
    click(r, "[data-testid=open-fixture]").await;
    assert_eq!(count(r, "[data-testid=course-outline]"), 0);
    assert_eq!(text(r, "[data-testid=lesson-position]"), "Step 1 of 4");
    select(r, "[data-testid=speed]", "100").await;
    wait_phase(r, "asking").await;
    assert_eq!(text(r, "[data-testid=time]"), "1.500 s");
    assert_eq!(
        text(r, "[data-testid=lesson-text]"),
        "Servers 1 and 2 started first."
    );
    assert_eq!(
        count(r, "svg.cluster g.server.lesson-mark"),
        2,
        "servers 1 and 2 pointed at"
    );
    assert_eq!(
        count(r, "[data-testid=lesson-answer]"),
        0,
        "no answer before the pick"
    );
    // Pick server 1 (wrong): the run goes to the reveal and the simulation
    // answers.
    click(r, "[data-testid=choice-0]").await;
    wait_phase(r, "revealed").await;
    assert_eq!(text(r, "[data-testid=time]"), "3.000 s");
    assert_eq!(attr(r, "[data-testid=lesson-answer]", "data-value"), "2");
    assert_eq!(attr(r, ".choice.correct", "data-value"), "2");
    assert!(find(r, "[data-testid=choice-0]")
        .class_list()
        .contains("wrong"));
    assert!(text(r, "[data-testid=lesson-answer]").contains("The simulation says server 2"));
    assert!(text(r, "[data-testid=lesson-explanation]").contains("server 2"));
    // The evidence: server 2, and the log on "LEADING".
    assert_eq!(count(r, "svg.cluster g.server.lesson-mark"), 1);
    assert!(find(r, "[data-testid=server-2]")
        .class_list()
        .contains("lesson-mark"));
    assert!(text(r, "[data-testid=lesson-log]").contains("LEADING"));
    assert!(text(r, "[data-testid=log-filter]").contains("LEADING"));
    assert_eq!(fragment(), "#lesson=fixture&step=1&lang=en");
    // Next runs to 30 s (the bug fires on the way); Next again jumps there.
    click(r, "[data-testid=lesson-next]").await;
    assert_eq!(text(r, "[data-testid=lesson-position]"), "Step 2 of 4");
    click(r, "[data-testid=lesson-next]").await;
    wait_phase(r, "asking").await;
    assert_eq!(text(r, "[data-testid=time]"), "30.000 s");
    assert!(find(r, "[data-testid=prop-ProcessConsistency]")
        .class_list()
        .contains("lesson-mark"));
    assert_eq!(fragment(), "#lesson=fixture&step=2&lang=en");
    // Back: step 1 from its start, asking again.
    click(r, "[data-testid=lesson-back]").await;
    assert_eq!(phase(r), "asking");
    assert_eq!(text(r, "[data-testid=time]"), "1.500 s");
    assert_eq!(text(r, "[data-testid=lesson-position]"), "Step 1 of 4");
    assert_eq!(count(r, ".choice.correct"), 0);
}

#[wasm_bindgen_test]
async fn a_question_after_a_try_it_is_answered_by_the_learners_run() {
    let app = mount_course("#lesson=fixture&step=4").await;
    let r = &app.root;
    wait_phase(r, "trying").await;
    assert_eq!(text(r, "[data-testid=time]"), "30.000 s");
    assert_eq!(count(r, "[data-testid=lesson-next]"), 0, "Skip, or act");
    let l = leader(r).unwrap();
    let other = if l == 1 { 2 } else { 1 };
    // The learner crashes a follower, not the leader.
    click(r, &format!("[data-testid=server-{other}]")).await;
    click(r, "[data-testid=crash]").await;
    wait_phase(r, "asking").await;
    assert!(text(r, "[data-testid=lesson-try]").contains("You acted"));
    select(r, "[data-testid=speed]", "100").await;
    click(r, "[data-testid=choice-0]").await;
    wait_phase(r, "revealed").await;
    // The answer is the run's: the old leader still leads, not the
    // lesson's expected server 2.
    assert_eq!(
        attr(r, "[data-testid=lesson-answer]", "data-value"),
        l.to_string()
    );
    assert_eq!(attr(r, ".choice.correct", "data-value"), l.to_string());
    assert!(text(r, "[data-testid=lesson-differs]").contains("server 2"));
    // R (the rewind button): the step again, without the crash.
    click(r, "[data-testid=lesson-rewind]").await;
    assert_eq!(phase(r), "trying");
    assert_ne!(
        text(r, &format!("[data-testid=server-{other}-state]")),
        "DOWN"
    );
}

#[wasm_bindgen_test]
async fn skip_applies_the_try_its_default_actions() {
    let app = mount_course("#lesson=fixture&step=4").await;
    let r = &app.root;
    wait_phase(r, "trying").await;
    let l = leader(r).unwrap();
    click(r, "[data-testid=lesson-skip]").await;
    assert_eq!(phase(r), "asking");
    assert_eq!(text(r, &format!("[data-testid=server-{l}-state]")), "DOWN");
    assert!(!text(r, "[data-testid=lesson-try]").contains("You acted"));
}

#[wasm_bindgen_test]
async fn presenter_mode_shows_the_lesson_large_and_the_keys_drive_it() {
    let app = mount_course("#lesson=fixture&step=1").await;
    let r = &app.root;
    wait_phase(r, "asking").await;
    key("p").await;
    assert_eq!(count(r, ".lesson-presenter"), 1);
    assert_eq!(count(r, "svg.cluster"), 1);
    for gone in [
        "[data-testid=play]",
        "[data-testid=tab-server]",
        "[data-testid=spacetime]",
        "[data-testid=presets]",
    ] {
        assert_eq!(count(r, gone), 0, "{gone} is hidden in a presented lesson");
    }
    key("2").await; // picks server 2
    assert_eq!(attr(r, "[data-testid=choice-1]", "aria-pressed"), "true");
    key(" ").await; // jumps to the reveal
    wait_phase(r, "revealed").await;
    assert!(text(r, "[data-testid=lesson-answer]").starts_with("Right"));
    key("ArrowRight").await; // the next step (running)
    key(" ").await; // there at once
    wait_phase(r, "asking").await;
    assert_eq!(attr(r, "[data-testid=lesson]", "data-step"), "2");
    key("ArrowLeft").await;
    assert_eq!(attr(r, "[data-testid=lesson]", "data-step"), "1");
    assert_eq!(phase(r), "asking");
    key("1").await;
    key("r").await; // rewind: asking again, no pick
    assert_eq!(phase(r), "asking");
    assert_eq!(count(r, ".choice.picked"), 0);
    key("p").await;
    assert_eq!(count(r, ".lesson-presenter"), 0);
    assert_eq!(count(r, "[data-testid=play]"), 1);
}

#[wasm_bindgen_test]
async fn a_lesson_link_in_chinese_and_a_broken_one() {
    let app = mount_course("#lesson=fixture&step=2&lang=zh").await;
    let r = &app.root;
    wait_phase(r, "asking").await;
    assert_eq!(text(r, "[data-testid=lesson-title]"), "测试课程");
    assert_eq!(text(r, "[data-testid=lesson-position]"), "第 2 步，共 4 步");
    assert_eq!(text(r, "[data-testid=lesson-next]"), "揭晓");
    assert_eq!(
        find(r, ".zablab").get_attribute("lang").as_deref(),
        Some("zh")
    );
    assert_eq!(fragment(), "#lesson=fixture&step=2&lang=zh");
    // Back to English: the link follows.
    select(r, "[data-testid=language]", "en").await;
    assert_eq!(fragment(), "#lesson=fixture&step=2&lang=en");
    drop(app);
    let app = mount_course("#lesson=nope&step=1").await;
    let r = &app.root;
    sleep(Duration::from_millis(50)).await;
    assert!(text(r, "[data-testid=error]").contains("“nope”"));
    assert_eq!(count(r, "[data-testid=lesson]"), 0);
    assert_eq!(count(r, "svg.cluster g.server"), 3, "a working ensemble");
    drop(app);
    let app = mount_course("#lesson=fixture&step=two").await;
    assert!(text(&app.root, "[data-testid=error]").contains("“two” is not a step number"));
}
