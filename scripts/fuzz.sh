#!/usr/bin/env bash
# Fuzzes the parsers of untrusted input for a bounded time: `scripts/fuzz.sh [seconds-per-target]`
# (default 30). Installs cargo-fuzz when missing, builds the four targets of fuzz/ (libFuzzer,
# AddressSanitizer, debug assertions on, so overflows count as crashes) with the stable toolchain
# (RUSTC_BOOTSTRAP=1 unlocks the nightly flags cargo-fuzz passes), then runs each target from its
# committed seeds (fuzz/seeds/TARGET) plus the corpus grown by earlier runs (fuzz/corpus/TARGET,
# not committed). Prints the runs and crashes per target; exits non-zero when a target crashed,
# leaving the input in fuzz/artifacts/TARGET/ (replay: RUSTC_BOOTSTRAP=1 cargo fuzz run -a TARGET FILE).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
SECONDS_PER_TARGET="${1:-30}"
TARGETS=(resident_id credit_code form_schema catalogue_import)

say() { printf '\033[1;34m[fuzz]\033[0m %s\n' "$*"; }

if ! [[ "$SECONDS_PER_TARGET" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: scripts/fuzz.sh [seconds-per-target]" >&2
    exit 2
fi
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1

if [ "$(cargo fuzz --version 2>/dev/null || true)" != "cargo-fuzz ${CARGO_FUZZ_VERSION}" ]; then
    say "installing cargo-fuzz ${CARGO_FUZZ_VERSION}"
    cargo install cargo-fuzz --version "${CARGO_FUZZ_VERSION}" --locked
fi

say "building ${TARGETS[*]} (release, AddressSanitizer, debug assertions)"
cargo fuzz build --debug-assertions

mkdir -p fuzz/target/logs
stamp=fuzz/target/logs/started
touch "$stamp"
summary=()
crashed=0
for target in "${TARGETS[@]}"; do
    say "$target: ${SECONDS_PER_TARGET} s"
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
    log="fuzz/target/logs/$target.log"
    set +e
    cargo fuzz run --debug-assertions "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -print_final_stats=1 > "$log" 2>&1
    status=$?
    set -e
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1)
    crashes=$(find "fuzz/artifacts/$target" -type f -newer "$stamp" | wc -l)
    if [ "$status" != 0 ] && [ "$crashes" = 0 ]; then crashes=1; fi
    if [ "$crashes" != 0 ]; then
        crashed=1
        tail -40 "$log"
    fi
    corpus=$(find "fuzz/corpus/$target" -type f | wc -l)
    summary+=("$(printf '%-17s %12s runs  %2d crashes  corpus %5d' "$target" "${runs:-?}" "$crashes" "$corpus")")
done

say "summary (${SECONDS_PER_TARGET} s per target; logs in fuzz/target/logs/)"
printf '  %s\n' "${summary[@]}"
exit "$crashed"
