//! The translation table's checks: every key in both languages, the same
//! placeholders, English plurals, no English control label in Chinese
//! lesson text.

use super::*;

fn placeholders(s: &str) -> Vec<usize> {
    let mut v: Vec<usize> = (0..10)
        .filter(|i| s.contains(&format!("{{{i}}}")))
        .collect();
    v.sort();
    v
}

#[test]
fn english_counts_take_their_plural_forms() {
    assert_eq!(
        trf(Lang::En, T::EnsembleBadgeObservers, &["3", "1"]),
        "3 servers and 1 observer"
    );
    assert_eq!(
        trf(Lang::En, T::EnsembleBadgeObservers, &["3", "2"]),
        "3 servers and 2 observers"
    );
    assert_eq!(
        trf(Lang::Zh, T::EnsembleBadgeObservers, &["3", "1"]),
        "3 台服务器和 1 个观察者"
    );
    assert_eq!(trf(Lang::En, T::DataTree, &["1"]), "Data tree (1 znode)");
    assert_eq!(trf(Lang::En, T::DataTree, &["0"]), "Data tree (0 znodes)");
    assert_eq!(
        trf(Lang::En, T::Omitted, &["1", "300"]),
        "1 older message in this window is not drawn (the newest 300 are): zoom in to see them all"
    );
    assert_eq!(
        plurals("{a|b} {0|x|y", &["1"]),
        "{a|b} {0|x|y",
        "not a form: as written"
    );
    // A count of things in English is followed by its plural form, not
    // by a fixed plural ("1 observers").
    const COUNTED: [&str; 16] = [
        "servers",
        "observers",
        "voters",
        "messages",
        "events",
        "znodes",
        "connections",
        "requests",
        "sessions",
        "proposals",
        "packets",
        "clients",
        "lines",
        "lessons",
        "steps",
        "violations",
    ];
    let mut fixed = Vec::new();
    for (key, en, _) in ROWS {
        for i in 0..10 {
            let Some(at) = en.find(&format!("{{{i}}} ")) else {
                continue;
            };
            let word: String = en[at + 4..]
                .chars()
                .take_while(|c| c.is_alphabetic())
                .collect();
            if COUNTED.contains(&word.as_str()) {
                fixed.push(format!("{key:?}: {{{i}}} {word}"));
            }
        }
    }
    assert!(
        fixed.is_empty(),
        "counts without a singular:\n{}",
        fixed.join("\n")
    );
}

#[test]
fn controls_in_lesson_texts_take_the_labels_of_the_table() {
    assert_eq!(
        fill_controls("click server 1, then {control:crash}.", Lang::En),
        "click server 1, then Crash."
    );
    assert_eq!(
        fill_controls("点击服务器 1，然后点“{control:crash}”。", Lang::Zh),
        "点击服务器 1，然后点“崩溃”。"
    );
    assert_eq!(
        fill_controls("{control:nope} {control:", Lang::En),
        "{control:nope} {control:"
    );
}

/// Every text of every lesson in `static/lessons/`, by language.
fn lesson_texts() -> Vec<(String, &'static str, String)> {
    fn walk(v: &serde_json::Value, file: &str, out: &mut Vec<(String, &'static str, String)>) {
        match v {
            serde_json::Value::Object(o) => {
                for lang in ["en", "zh"] {
                    if let (Some(t), true) = (
                        o.get(lang).and_then(|t| t.as_str()),
                        o.contains_key("en") && o.contains_key("zh"),
                    ) {
                        out.push((file.to_string(), lang, t.to_string()));
                    }
                }
                o.values().for_each(|x| walk(x, file, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, file, out)),
            _ => {}
        }
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../static/lessons");
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".json") && name != "index.json" {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            walk(&v, &name, &mut out);
        }
    }
    assert!(out.len() > 100, "{} lesson texts", out.len());
    out
}

/// A lesson names a control by its placeholder, so the Chinese text
/// says what the Chinese button says: no English control label is
/// left in a Chinese lesson text, and every placeholder is known.
#[test]
fn lessons_name_controls_as_the_app_labels_them() {
    let english: Vec<&str> = CONTROLS.iter().map(|(_, k)| tr(Lang::En, *k)).collect();
    let mut found = Vec::new();
    for (file, lang, text) in lesson_texts() {
        let filled = fill_controls(&text, Lang::from_code(lang));
        if filled.contains("{control:") {
            found.push(format!("{file} ({lang}): unknown control in {text:?}"));
        }
        if lang != "zh" {
            continue;
        }
        for label in &english {
            let whole = filled.match_indices(label).any(|(i, _)| {
                let before = filled[..i].chars().next_back();
                let after = filled[i + label.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            });
            if whole {
                found.push(format!(
                    "{file} (zh): the English label {label:?} in {filled:?}"
                ));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_table_is_complete_and_consistent() {
    for (i, (key, en, zh)) in ROWS.iter().enumerate() {
        assert_eq!(*key as usize, i, "rows in the order of T");
        assert!(!en.trim().is_empty(), "{key:?} has no English text");
        let p = placeholders(en);
        assert_eq!(
            p,
            (0..p.len()).collect::<Vec<_>>(),
            "{key:?}: placeholders {{0}}.. in order"
        );
        if !zh.is_empty() {
            assert_eq!(
                placeholders(zh),
                p,
                "{key:?}: the Chinese text takes the same arguments"
            );
        }
    }
    assert_eq!(
        trf(Lang::En, T::ServerTitle, &["3", "observer"]),
        "Server 3 (observer)"
    );
    assert_eq!(tr(Lang::Zh, T::Play), "播放");
    assert_eq!(Lang::from_code("zh"), Lang::Zh);
    assert_eq!(Lang::from_code("xx"), Lang::En);
}

const ZOOKEEPER_WORDS: [T; 12] = [
    T::Leader,
    T::EpochN,
    T::EpochsShort,
    T::ActionMark,
    T::ZabStateLabel,
    T::AcceptedEpoch,
    T::CurrentEpoch,
    T::LastZxid,
    T::Zxid,
    T::SyncOp,
    T::Learner,
    T::SlowItem,
];

/// Every word of the interface has its Simplified Chinese: a
/// non-empty entry with the same arguments, in Chinese (at least one
/// CJK character, unless it is only ZooKeeper's words or symbols).
#[test]
fn every_key_has_a_chinese_entry() {
    let mut missing = Vec::new();
    for (key, en, zh) in ROWS {
        let cjk = zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        // ZooKeeper's own words (and rows of symbols around them) read
        // the same in both columns.
        let verbatim = zh == en && ZOOKEEPER_WORDS.contains(key);
        if zh.trim().is_empty() || !(cjk || verbatim) {
            missing.push(format!("{key:?}: {zh:?}"));
        }
    }
    assert!(
        missing.is_empty(),
        "no Chinese for:\n{}",
        missing.join("\n")
    );
    assert_eq!(tr(Lang::Zh, T::LessonReveal), "揭晓");
}

/// Components take their words from the table: no string literal with
/// a letter in it is a child text or a label/title attribute in any of
/// the `ui/` sources, `app.rs` or `app/`.
#[test]
fn components_have_no_hard_coded_words() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec!["app.rs".to_string()];
    for sub in ["ui", "app"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let name = e.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".rs") {
                files.push(format!("{sub}/{name}"));
            }
        }
    }
    assert!(files.len() > 15, "{files:?}");
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        for (n, line) in text.lines().enumerate() {
            for pat in [
                "{ \"",
                "aria-label=\"",
                "title=\"",
                "placeholder=\"",
                "label=\"",
            ] {
                let mut rest = line;
                while let Some(i) = rest.find(pat) {
                    let tail = &rest[i + pat.len()..];
                    let lit: String = tail.chars().take_while(|&c| c != '"').collect();
                    // Words (two letters in a row) are text; symbols,
                    // numbers and ZooKeeper's placeholder word are not.
                    let wordy = lit
                        .chars()
                        .collect::<Vec<_>>()
                        .windows(2)
                        .any(|w| w[0].is_alphabetic() && w[1].is_alphabetic());
                    // ZooKeeper's upper-case words (PAUSED, LOOKING) are
                    // protocol vocabulary, not text.
                    let protocol = lit.chars().all(|c| !c.is_lowercase());
                    if wordy && !protocol && lit != "srvr" && lit != "ZabLab" {
                        found.push(format!("{f}:{}: {lit:?}", n + 1));
                    }
                    rest = &tail[lit.len().min(tail.len())..];
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "hard-coded words in components:\n{}",
        found.join("\n")
    );
}
