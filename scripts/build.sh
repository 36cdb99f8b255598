#!/usr/bin/env bash
# Builds the release site (wasm + CSS + assets in target/site) and the server binary.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # binaryen's wasm-opt first
cargo leptos build --release
