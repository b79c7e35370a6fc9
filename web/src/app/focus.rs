//! Where the keyboard focus goes, as a person expects it around dialogs
//! and answers: a dialog that opens takes the focus (its first control,
//! or the element it marks `data-autofocus`, such as a long dialog's title),
//! Tab and Shift+Tab stay inside an open modal dialog, and a dialog that
//! closes gives the focus back to what had it (the button that opened
//! it). A 4lw answer is scrolled into view next to the console where it
//! was asked. Which dialog is open is the model's (`Model::dialog`); this
//! file only moves the browser's focus and scroll, after a render.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use crate::browser;

/// What can take the focus inside a dialog.
const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), \
    select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/// A move of the focus to do after the next render.
#[derive(Debug, Default)]
pub struct Focus {
    /// The element that had the focus when the first dialog opened.
    opener: Option<HtmlElement>,
    /// The dialog to move into, once drawn.
    into: Option<&'static str>,
    /// Give the focus back to the opener.
    back: bool,
    /// Bring the newest 4lw answer into view.
    answer: bool,
}

impl Focus {
    /// The open dialog went from `before` to `after`.
    pub fn dialog_changed(&mut self, before: Option<&'static str>, after: Option<&'static str>) {
        if before == after {
            return;
        }
        if before.is_none() {
            self.opener = active();
        }
        match after {
            Some(d) => {
                self.into = Some(d);
                self.back = false;
            }
            None => {
                self.into = None;
                self.back = true;
            }
        }
    }

    /// A four-letter word was asked: show its answer.
    pub fn answer_asked(&mut self) {
        self.answer = true;
    }

    /// After a render: the moves asked for.
    pub fn after_render(&mut self) {
        if let Some(d) = self.into {
            if let Some(dialog) = find(&format!("[data-dialog='{d}']")) {
                // A long dialog (help) starts where its reading starts.
                let marked = dialog
                    .query_selector("[data-autofocus]")
                    .ok()
                    .flatten()
                    .and_then(|e| e.dyn_into::<HtmlElement>().ok());
                let first = marked.or_else(|| focusables(&dialog).into_iter().next());
                let target = first.or_else(|| dialog.dyn_into::<HtmlElement>().ok());
                if let Some(t) = target {
                    let _ = t.focus();
                }
                self.into = None;
            }
        }
        if self.back {
            self.back = false;
            if let Some(el) = self.opener.take().filter(|e| e.is_connected()) {
                let _ = el.focus();
            }
        }
        if self.answer {
            if let Some(out) = find(".fourlw-out") {
                let opts = web_sys::ScrollIntoViewOptions::new();
                opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
                out.scroll_into_view_with_scroll_into_view_options(&opts);
                self.answer = false;
            }
        }
    }
}

/// Tab in an open modal dialog: wraps from its last control to its first
/// (Shift: the other way) and brings a focus that left it back. True
/// when it moved the focus (the key's default is then prevented).
pub fn trap_tab(shift: bool) -> bool {
    // The topmost: drawn last.
    let modals = browser::document().and_then(|d| d.query_selector_all("[aria-modal='true']").ok());
    let Some(dialog) = modals
        .and_then(|l| l.item(l.length().checked_sub(1)?))
        .and_then(|n| n.dyn_into::<Element>().ok())
    else {
        return false;
    };
    let items = focusables(&dialog);
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return true;
    };
    // Where the focus is among them: outside the dialog, or on an element
    // of it that Tab does not stop at (a title it was given), counts as
    // before the first.
    let now = active();
    let at = now.as_ref().and_then(|a| items.iter().position(|e| e == a));
    let to = match at {
        None => Some(if shift { last } else { first }),
        Some(0) if shift => Some(last),
        Some(i) if !shift && i + 1 == items.len() => Some(first),
        Some(_) => None,
    };
    to.map(|t| t.focus()).is_some()
}

fn find(selector: &str) -> Option<Element> {
    browser::document()?.query_selector(selector).ok().flatten()
}

fn active() -> Option<HtmlElement> {
    browser::document()?
        .active_element()?
        .dyn_into::<HtmlElement>()
        .ok()
}

/// The dialog's controls a Tab reaches, in order (the drawn ones).
fn focusables(dialog: &Element) -> Vec<HtmlElement> {
    let Ok(list) = dialog.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok())
        .filter(|e| e.offset_width() > 0 || e.offset_height() > 0)
        .collect()
}
