//! An element's size on screen, kept by a ResizeObserver, for the views
//! that draw at the size a person sees (the cluster SVG's viewBox, the
//! space-time canvas's width). A change re-renders the component; reading
//! the size in each frame instead (`clientWidth`) forced a layout of the
//! page right after Yew's DOM changes (a third of a frame's script while
//! playing). Only reads sizes; draws nothing.

use wasm_bindgen::prelude::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// `(width, height)` in CSS pixels: None before the first report that
/// `accept` takes (a report it refuses keeps the last size: e.g. the
/// cluster ignores a box collapsed to nothing while it is hidden).
#[hook]
pub fn use_observed_size(node: NodeRef, accept: fn(f64, f64) -> bool) -> Option<(f64, f64)> {
    let size = use_mut_ref(|| None::<(f64, f64)>);
    let redraw = use_force_update();
    {
        let size = size.clone();
        use_effect_with((), move |_| {
            let observer = node.cast::<web_sys::Element>().and_then(|el| {
                let on_resize =
                    Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                        let entry: web_sys::ResizeObserverEntry = entries.get(0).unchecked_into();
                        let r = entry.content_rect();
                        let (w, h) = (r.width(), r.height());
                        if !accept(w, h) {
                            return;
                        }
                        let changed = size
                            .borrow()
                            .is_none_or(|(ow, oh)| (w - ow).abs() > 0.5 || (h - oh).abs() > 0.5);
                        if changed {
                            *size.borrow_mut() = Some((w, h));
                            redraw.force_update();
                        }
                    });
                let observer =
                    web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok()?;
                observer.observe(&el);
                Some((observer, on_resize))
            });
            move || {
                if let Some((observer, _closure)) = observer {
                    observer.disconnect();
                }
            }
        });
    }
    let s = *size.borrow();
    s
}
