//! Trigonometry for drawing, from the browser's `Math` in wasm (smaller
//! than compiling libm in) and from std natively (tests). Display only:
//! nothing in the simulation uses floating point.

#[cfg(target_arch = "wasm32")]
pub fn cos(x: f64) -> f64 {
    js_sys::Math::cos(x)
}

#[cfg(target_arch = "wasm32")]
pub fn sin(x: f64) -> f64 {
    js_sys::Math::sin(x)
}

#[cfg(target_arch = "wasm32")]
pub fn atan2(y: f64, x: f64) -> f64 {
    js_sys::Math::atan2(y, x)
}

#[cfg(not(target_arch = "wasm32"))]
pub fn cos(x: f64) -> f64 {
    x.cos()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn sin(x: f64) -> f64 {
    x.sin()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn atan2(y: f64, x: f64) -> f64 {
    y.atan2(x)
}
