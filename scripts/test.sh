#!/usr/bin/env bash
# `make test`: every test of the project, on a fresh machine too.
#   1. formatting and clippy (warnings are errors); cargo deny: licences, bans and sources, then
#      advisories when the RustSec database can be fetched (SKIPPED with a clear message offline)
#   2. unit tests (domain, i18n, tokens, TOTP, …)
#   3. HTTP integration tests against SQLite, then the same tests against PostgreSQL
#      (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres; skipped with a
#      clear message when no PostgreSQL answers), then, alone, the fault test that restarts the
#      local PostgreSQL under load (as root with Debian's pg_ctlcluster; skipped otherwise)
#   4. end-to-end tests: Playwright in Debian's Chromium against the release server, started here
#      on a free port with a fresh SQLite database and demo data.
#   5. attack suite: schemathesis (PyPI) against the OpenAPI description of the JSON API on the
#      release server (scripts/schemathesis.sh; skipped with a clear message when schemathesis
#      cannot be installed). The property-based case life-cycle test runs with the
#      integration tests (step 3).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
# A one-shot run gains nothing from incremental caches, and they are several GB of the debug
# target: a CI run once stopped on "No space left on device" while writing one.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

say() { printf '\n\033[1;34m[test]\033[0m %s\n' "$*"; }
summary=()

# Sums the "N passed" / "N failed" of cargo test output.
count() { grep -E '^test result:' "$1" | awk '{p+=$4; f+=$6} END {printf "%d passed, %d failed", p, f}'; }

# The debug, wasm and release builds together take about 20 GB of target/.
free_gb=$(df -Pk . | awk 'NR==2 {print int($4/1048576)}')
if [ "$free_gb" -lt 20 ]; then
    say "WARNING: only ${free_gb} GB free on this disk; the builds need about 20 GB"
fi

scripts/setup.sh --browser
# setup.sh installed moto: the object-store tests run instead of skipping.
export BJM_TEST_REQUIRE_MOTO=1

say "format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p app --lib --locked --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

say "cargo deny (deny.toml)"
cargo deny --locked check --hide-inclusion-graph bans licenses sources
# The RustSec advisory database is a git repository on GitHub: CI machines fetch it, offline
# machines skip the check and say so.
if timeout 20 git ls-remote --quiet https://github.com/rustsec/advisory-db HEAD >/dev/null 2>&1; then
    cargo deny --locked check --hide-inclusion-graph advisories
    summary+=("cargo deny:  bans, licenses, sources, advisories ok")
else
    say "cargo deny advisories SKIPPED (advisory database unreachable)"
    summary+=("cargo deny:  bans, licenses, sources ok; advisories SKIPPED (advisory database unreachable)")
fi

say "unit tests"
cargo test --workspace --lib --bins --locked 2>&1 | tee target/unit-tests.log
summary+=("unit:        $(count target/unit-tests.log)")

say "integration tests on SQLite"
BJM_TEST_BACKEND=sqlite cargo test -p server --tests --locked 2>&1 | tee target/sqlite-tests.log
summary+=("SQLite:      $(count target/sqlite-tests.log)")

postgres_up() {
    python3 - "$TEST_DATABASE_URL" <<'PY'
import socket, sys, urllib.parse
url = urllib.parse.urlparse(sys.argv[1])
try:
    socket.create_connection((url.hostname or "127.0.0.1", url.port or 5432), timeout=2).close()
except OSError:
    sys.exit(1)
PY
}
if postgres_up; then
    say "integration tests on PostgreSQL ($TEST_DATABASE_URL)"
    BJM_TEST_BACKEND=postgres cargo test -p server --tests --locked 2>&1 | tee target/postgres-tests.log
    summary+=("PostgreSQL:  $(count target/postgres-tests.log)")
    # The fault suite's PostgreSQL restart: it restarts the local cluster, so it runs alone.
    if [ "$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null \
        && [[ "$TEST_DATABASE_URL" =~ @(127\.0\.0\.1|localhost)[:/] ]]; then
        say "fault suite: PostgreSQL restarted under load"
        BJM_TEST_BACKEND=postgres cargo test -p server --test integration --locked -- --ignored \
            --exact faults::postgres_restarted_under_load_the_server_recovers_without_restart \
            2>&1 | tee target/postgres-restart.log
        summary+=("PG restart:  $(count target/postgres-restart.log)")
    else
        say "PostgreSQL restart test SKIPPED (needs root, pg_ctlcluster and a local server)"
        summary+=("PG restart:  SKIPPED (needs root, pg_ctlcluster and a local PostgreSQL)")
    fi
else
    say "PostgreSQL tests SKIPPED: no PostgreSQL answers at $TEST_DATABASE_URL (set TEST_DATABASE_URL)"
    summary+=("PostgreSQL:  SKIPPED (no server at $TEST_DATABASE_URL)")
fi

say "end-to-end tests (release build, Chromium)"
scripts/build.sh
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
e2e_data=$(mktemp -d)
# A real SMTP server (aiosmtpd from PyPI) receives the portal's mail into a Maildir, which the
# browser tests read.
smtp_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
mkdir -p "$e2e_data/maildir/new" "$e2e_data/maildir/cur" "$e2e_data/maildir/tmp"
python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$e2e_data/maildir" \
    > target/e2e-smtp.log 2>&1 &
smtp_pid=$!
BJM_DATA_DIR="$e2e_data" BJM_DEMO=true BJM_SITE_ROOT=target/site BJM_BIND="127.0.0.1:$port" \
    BJM_SMTP_HOST=127.0.0.1 BJM_SMTP_PORT="$smtp_port" BJM_SMTP_TLS=none \
    DATABASE_URL="sqlite://$e2e_data/bjm.db" target/release/server serve > target/e2e-server.log 2>&1 &
server_pid=$!
trap 'kill $server_pid $smtp_pid 2>/dev/null || true; rm -rf "$e2e_data"' EXIT
for _ in $(seq 1 100); do
    if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/readyz', timeout=1)" 2>/dev/null; then break; fi
    if ! kill -0 $server_pid 2>/dev/null; then cat target/e2e-server.log; echo "server did not start" >&2; exit 1; fi
    sleep 0.3
done
set +e
(cd end2end && BASE_URL="http://127.0.0.1:$port" OUTBOX_DIR="$e2e_data/maildir/new" npx playwright test) 2>&1 | tee target/e2e-tests.log
e2e_status=${PIPESTATUS[0]}
set -e
if [ "$e2e_status" != 0 ]; then echo "--- server log (target/e2e-server.log) ---"; tail -50 target/e2e-server.log; fi
summary+=("end2end:     $(grep -Eo '[0-9]+ (passed|failed|flaky)' target/e2e-tests.log | paste -sd, -)")

say "attack suite: schemathesis against the JSON API"
attack_status=0
if python3 -c 'import schemathesis' 2>/dev/null; then
    set +e
    SERVER_BIN=target/release/server scripts/schemathesis.sh
    attack_status=$?
    set -e
    summary+=("$(cat target/schemathesis-summary.txt 2>/dev/null || echo "schemathesis: did not run (exit $attack_status)")")
else
    say "schemathesis SKIPPED: not installed and could not be installed (python3 -m pip install schemathesis)"
    summary+=("schemathesis: SKIPPED (not installed)")
fi

say "summary"
printf '  %s\n' "${summary[@]}"
if [ "$e2e_status" != 0 ]; then exit "$e2e_status"; fi
exit "$attack_status"
