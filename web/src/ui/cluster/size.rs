//! The cluster SVG's size on screen, kept by a ResizeObserver: the view
//! draws in a viewBox of that size, so that a font size in the layout is
//! the size a person sees. A change re-renders the component; reading the
//! size in each frame would force a layout of the page after Yew's DOM
//! changes (see `diagram.rs`'s width).

use wasm_bindgen::prelude::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// `(width, height)` in CSS pixels, None before the first report (or when
/// the element has no box).
#[hook]
pub fn use_size(node: NodeRef) -> Option<(f64, f64)> {
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
                        if w < 1.0 || h < 1.0 {
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
