#!/usr/bin/env bash
# Installs what building and testing need, skipping whatever is already there:
# the wasm32 target, the pinned cargo-leptos, wasm-bindgen CLI and cargo-deny, the npm packages of end2end/
# (Playwright, mailparser and binaryen's wasm-opt), the Chinese PDF font, poppler and zbar (tests
# read licences with them), aiosmtpd (the test SMTP server), moto (the test S3 server),
# schemathesis (the API attack suite; a failed install only skips that suite) and, with
# --browser, Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen pin in app/Cargo.toml
CARGO_DENY_VERSION=0.20.2

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

if ! command -v cargo >/dev/null; then
    echo "cargo is missing: install Rust with rustup first (https://rustup.rs)" >&2
    exit 1
fi
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null || true)" != "cargo-leptos ${CARGO_LEPTOS_VERSION}" ]; then
    say "installing cargo-leptos ${CARGO_LEPTOS_VERSION} (about 12 minutes, once)"
    cargo install cargo-leptos --version "${CARGO_LEPTOS_VERSION}" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen ${WASM_BINDGEN_VERSION}" ]; then
    say "installing wasm-bindgen-cli ${WASM_BINDGEN_VERSION}"
    cargo install wasm-bindgen-cli --version "${WASM_BINDGEN_VERSION}"
fi

if [ "$(cargo deny --version 2>/dev/null || true)" != "cargo-deny ${CARGO_DENY_VERSION}" ]; then
    say "installing cargo-deny ${CARGO_DENY_VERSION} (licences, bans, sources, advisories; about 8 minutes, once)"
    cargo install cargo-deny --version "${CARGO_DENY_VERSION}" --locked
fi

if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -x end2end/node_modules/.bin/playwright ] \
    || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing npm packages of end2end/ (Playwright, binaryen)"
    (cd end2end && npm ci --no-audit --no-fund)
fi

# The Chinese font PDFs embed (WenQuanYi Micro Hei, Apache-2.0 / GPL-3 with font exception).
if [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] && [ -z "${BJM_PDF_FONT:-}" ]; then
    say "installing Debian's fonts-wqy-microhei (the Chinese font of PDF documents)"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
    $SUDO apt-get update -qq || true
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei
fi

# The tools tests read licences with: poppler (pdftotext, pdffonts, pdftoppm) and zbar (zbarimg).
if ! command -v pdftotext >/dev/null || ! command -v zbarimg >/dev/null; then
    say "installing Debian's poppler-utils and zbar-tools (PDF text, fonts and QR codes in tests)"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
    $SUDO apt-get update -qq || true
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils zbar-tools
fi

# The SMTP server tests send real mail to (aiosmtpd, from PyPI).
if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
    say "installing aiosmtpd from PyPI (the test SMTP server)"
    python3 -m pip install --quiet --user aiosmtpd 2>/dev/null || python3 -m pip install --quiet aiosmtpd
fi

# The S3-compatible server the object-store tests store files in (moto, from PyPI).
if ! python3 -c 'import moto.server, flask, flask_cors' 2>/dev/null; then
    say "installing moto[server] from PyPI (the test S3 server)"
    python3 -m pip install --quiet --user 'moto[server]' 2>/dev/null || python3 -m pip install --quiet 'moto[server]'
fi

# The API attack suite (scripts/schemathesis.sh): schemathesis, from PyPI. Optional.
if ! python3 -c 'import schemathesis' 2>/dev/null; then
    say "installing schemathesis from PyPI (the API attack suite)"
    python3 -m pip install --quiet --user schemathesis 2>/dev/null \
        || python3 -m pip install --quiet schemathesis \
        || say "could not install schemathesis: scripts/test.sh will skip the API attack suite"
fi

if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null; then
    say "installing Debian's chromium"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
    $SUDO apt-get update -qq || true
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
