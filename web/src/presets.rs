//! The scenario list: `static/scenarios/index.json` (served as
//! `scenarios/index.json`), hand-kept; a test checks that it lists exactly
//! the files of `static/scenarios/` with their `name`s, and a Chinese
//! name (`zh`) for each: the picker and the badge show the name in the
//! user's language.

use serde_json::Value;

/// One entry of the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preset {
    /// Path under `scenarios/`.
    pub file: String,
    /// The scenario's `name`.
    pub name: String,
    /// Its name in Simplified Chinese.
    pub zh: String,
    /// "preset", "museum" or "findings".
    pub group: String,
}

impl Preset {
    /// Its name in `lang`.
    pub fn name_in(&self, lang: crate::i18n::Lang) -> &str {
        match lang {
            crate::i18n::Lang::Zh => &self.zh,
            crate::i18n::Lang::En => &self.name,
        }
    }
}

/// Reads the index; an error names what is wrong.
pub fn parse_index(text: &str) -> Result<Vec<Preset>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("index.json: {e}"))?;
    if v.get("zablab_index").and_then(Value::as_u64) != Some(1) {
        return Err("index.json: zablab_index must be 1".to_string());
    }
    let list = v
        .get("scenarios")
        .and_then(Value::as_array)
        .ok_or("index.json: no scenarios list")?;
    list.iter()
        .enumerate()
        .map(|(i, e)| {
            let field = |k: &str| {
                e.get(k)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or(format!("index.json: scenarios[{i}].{k} missing"))
            };
            let file = field("file")?;
            if file.contains("..") || file.starts_with('/') || !file.ends_with(".json") {
                return Err(format!(
                    "index.json: scenarios[{i}].file {file:?} is not a scenario path"
                ));
            }
            Ok(Preset {
                file,
                name: field("name")?,
                zh: field("zh")?,
                group: field("group")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_index_lists_exactly_the_scenario_files_with_their_names() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../static/scenarios");
        let index = parse_index(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
        let mut on_disk = Vec::new();
        for sub in ["", "museum", "findings"] {
            for e in std::fs::read_dir(dir.join(sub)).unwrap() {
                let p = e.unwrap().path();
                let name = p.file_name().unwrap().to_str().unwrap().to_string();
                if p.is_file() && name.ends_with(".json") && name != "index.json" {
                    on_disk.push(if sub.is_empty() {
                        name
                    } else {
                        format!("{sub}/{name}")
                    });
                }
            }
        }
        let mut listed: Vec<String> = index.iter().map(|p| p.file.clone()).collect();
        listed.sort();
        on_disk.sort();
        assert_eq!(
            listed, on_disk,
            "static/scenarios/index.json is out of date"
        );
        for p in &index {
            let text = std::fs::read_to_string(dir.join(&p.file)).unwrap();
            let s = zablab_core::Scenario::from_json(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", p.file));
            assert_eq!(s.name, p.name, "{}", p.file);
            let cjk = p.zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            assert!(cjk, "{}: no Chinese name ({:?})", p.file, p.zh);
            let want = p.file.split_once('/').map_or("preset", |(d, _)| d);
            assert_eq!(p.group, want, "{}", p.file);
        }
    }

    #[test]
    fn a_bad_index_is_an_error() {
        assert!(parse_index("[]").is_err());
        assert!(parse_index(r#"{"zablab_index": 1, "scenarios": [{"file": "../x.json", "name": "x", "group": "preset"}]}"#).is_err());
        assert!(parse_index(r#"{"zablab_index": 1, "scenarios": [{"file": "x.json"}]}"#).is_err());
        let no_zh = r#"{"zablab_index": 1, "scenarios": [{"file": "x.json", "name": "x", "group": "preset"}]}"#;
        assert_eq!(
            parse_index(no_zh).unwrap_err(),
            "index.json: scenarios[0].zh missing"
        );
    }
}
