//! Browser entry point (Trunk builds this binary to wasm).

fn main() {
    zablab_web::start();
}
