//! Thin wrappers over the browser APIs the app uses (clock, URL fragment,
//! downloads, files, fetch, clipboard). Every failure is swallowed or
//! returned as text: nothing here panics.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::i18n::Lang;

/// `performance.now()` in ms (0 where there is no window, e.g. natively).
pub fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

pub fn document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|w| w.document())
}

/// The URL fragment without `#`.
pub fn fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.trim_start_matches('#').to_string())
        .unwrap_or_default()
}

/// The query string's parameters, in order: `?a&b=1` is `("a", None)`,
/// `("b", Some("1"))`.
fn query_params() -> Vec<(String, Option<String>)> {
    let q = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    parse_query(&q)
}

fn parse_query(q: &str) -> Vec<(String, Option<String>)> {
    q.trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (p.to_string(), None),
        })
        .collect()
}

/// Whether the query string has `name` (`?name` or `?name=…`).
pub fn query_has(name: &str) -> bool {
    query_params().iter().any(|(n, _)| n == name)
}

/// The value of `name` in the query string (`?name=value`), if any.
pub fn query_value(name: &str) -> Option<String> {
    query_params()
        .into_iter()
        .find_map(|(n, v)| if n == name { v } else { None })
}

/// The page's wasm memory in MB (it only grows).
pub fn wasm_memory_mb() -> u32 {
    let bytes = wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_or(0, |b| b.byte_length())
        })
        .unwrap_or(0);
    bytes / (1024 * 1024)
}

/// Puts `frag` in the address bar (no reload, no `hashchange`; an empty
/// one drops the `#`) and returns the whole link.
pub fn set_fragment(frag: &str) -> String {
    let hash = if frag.is_empty() {
        String::new()
    } else {
        format!("#{frag}")
    };
    let Some(w) = web_sys::window() else {
        return hash;
    };
    let loc = w.location();
    let base = format!(
        "{}{}{}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default(),
        loc.search().unwrap_or_default()
    );
    let link = format!("{base}{hash}");
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&link));
    }
    link
}

/// Best effort: the clipboard may be refused (no permission, no focus).
pub fn copy(text: &str) {
    let Some(w) = web_sys::window() else { return };
    let nav = w.navigator();
    let clip = js_sys::Reflect::get(&nav, &JsValue::from_str("clipboard")).ok();
    let Some(clip) = clip.filter(|c| !c.is_undefined()) else {
        return;
    };
    if let Ok(f) = js_sys::Reflect::get(&clip, &JsValue::from_str("writeText")) {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            if let Ok(p) = f.call1(&clip, &JsValue::from_str(text)) {
                if let Ok(p) = p.dyn_into::<js_sys::Promise>() {
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = JsFuture::from(p).await;
                    });
                }
            }
        }
    }
}

/// Offers `text` as a file download.
pub fn download(name: &str, mime: &str, text: &str) {
    let _ = try_download(name, mime, text);
}

fn try_download(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let doc = document().ok_or(JsValue::NULL)?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.style().set_property("display", "none")?;
    let body = doc.body().ok_or(JsValue::NULL)?;
    body.append_child(&a)?;
    a.click();
    body.remove_child(&a)?;
    // Revoke later: Chromium reads the blob after the click returns.
    let revoke = url.clone();
    let cb = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&revoke);
    });
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 10_000);
    }
    Ok(())
}

fn js_text(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            js_sys::Reflect::get(&e, &JsValue::from_str("message"))
                .ok()?
                .as_string()
        })
        .unwrap_or_else(|| "unknown error".to_string())
}

/// Reads a picked file as text.
pub fn read_file(file: web_sys::File, done: impl FnOnce(Result<String, String>) + 'static) {
    wasm_bindgen_futures::spawn_local(async move {
        let r = JsFuture::from(file.text())
            .await
            .map_err(js_text)
            .and_then(|v| v.as_string().ok_or_else(|| "not text".to_string()));
        done(r);
    });
}

/// GETs `url` (relative to the page) as text.
pub fn fetch_text(url: &str, done: impl FnOnce(Result<String, String>) + 'static) {
    let Some(w) = web_sys::window() else {
        done(Err("no window".to_string()));
        return;
    };
    let p = w.fetch_with_str(url);
    let url = url.to_string();
    wasm_bindgen_futures::spawn_local(async move {
        let r = async {
            let resp: web_sys::Response = JsFuture::from(p)
                .await
                .map_err(js_text)?
                .dyn_into()
                .map_err(js_text)?;
            if !resp.ok() {
                return Err(format!("{url}: HTTP {}", resp.status()));
            }
            let text = JsFuture::from(resp.text().map_err(js_text)?)
                .await
                .map_err(js_text)?;
            text.as_string().ok_or_else(|| format!("{url}: not text"))
        }
        .await;
        done(r);
    });
}

/// The page's language and presenter mode on `<html>` (screen readers,
/// CSS for the overlay outside the app).
pub fn set_root_state(lang: Lang, presenter: bool) {
    if let Some(root) = document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.code());
        let _ = root.set_attribute("data-presenter", if presenter { "on" } else { "off" });
    }
}

#[cfg(test)]
mod tests {
    use super::parse_query;

    #[test]
    fn the_query_string_splits_into_names_and_values() {
        let own = |n: &str, v: Option<&str>| (n.to_string(), v.map(str::to_string));
        assert_eq!(
            parse_query("?opening=settled&test-panic&memory-warn-mb=90&a=b=c"),
            vec![
                own("opening", Some("settled")),
                own("test-panic", None),
                own("memory-warn-mb", Some("90")),
                own("a", Some("b=c")),
            ]
        );
        assert!(parse_query("").is_empty() && parse_query("?").is_empty());
    }
}
