# Sourced by scripts/setup, scripts/test and scripts/serve: the pinned tool
# versions and a PATH where they come first (npm's wasm-opt before any
# system binaryen, which is too old for modern Rust wasm).
ZABLAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130
WASM_PACK_VERSION=0.15.1
BINARYEN_VERSION=132
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export CHROMIUM CHROMEDRIVER
export PATH="$ZABLAB_ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
