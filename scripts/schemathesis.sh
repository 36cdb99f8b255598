#!/usr/bin/env bash
# Attack suite, part 2: schemathesis (PyPI) against the OpenAPI description of the JSON API.
#
# Starts the server on a free loopback port with a fresh SQLite database and demo data in a
# temporary directory, creates an API token for the approvals feed (`server create-feed-token`),
# then runs schemathesis on every operation of /api/v1/openapi.json with the check
# `not_a_server_error` (positive and negative data, bounded examples). Exits non-zero on any
# 5xx (or any other schemathesis failure). Prints requests, failures and time; the full output
# is in target/schemathesis.log, reports (JUnit, NDJSON) in target/schemathesis/.
#
#   SERVER_BIN=target/release/server   use this binary (default: `cargo build -p server`, debug)
#   SCHEMATHESIS_MAX_EXAMPLES=100      test cases per operation and phase (default 100)
#   SCHEMATHESIS_SEED=1234             replay a run (default: random, printed)
#   SCHEMATHESIS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/st_empty
#                                      run against an (empty) PostgreSQL database instead
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$HOME/.local/bin:$PATH"

say() { printf '\n\033[1;34m[schemathesis]\033[0m %s\n' "$*"; }

if ! python3 -c 'import schemathesis' 2>/dev/null; then
    echo "schemathesis is not installed (python3 -m pip install schemathesis; scripts/setup.sh does)" >&2
    exit 3
fi

max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-100}"
seed="${SCHEMATHESIS_SEED:-$(python3 -c 'import random; print(random.randrange(1, 2**31))')}"
target_dir="${CARGO_TARGET_DIR:-target}"
mkdir -p target

bin="${SERVER_BIN:-}"
if [ -z "$bin" ]; then
    say "building the server (debug)"
    cargo build -p server --locked
    bin="$target_dir/debug/server"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
data=$(mktemp -d)
export BJM_DATA_DIR="$data" DATABASE_URL="${SCHEMATHESIS_DATABASE_URL:-sqlite://$data/bjm.db}"
export BJM_BIND="127.0.0.1:$port"
export BJM_DEMO=true BJM_SITE_ROOT="${BJM_SITE_ROOT:-target/site}" RUST_LOG="${RUST_LOG:-warn}"
unset PORT

# The feed needs a token: created before the server starts (the command applies the migrations).
token=$("$bin" create-feed-token "schemathesis" | tail -n 1)
case "$token" in
    bjm_feed_*) ;;
    *) echo "server create-feed-token printed no token: $token" >&2; exit 1 ;;
esac

"$bin" serve > target/schemathesis-server.log 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true; wait $server_pid 2>/dev/null || true; rm -rf "$data"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 300); do
    if python3 -c "import urllib.request; urllib.request.urlopen('$base/readyz', timeout=1)" 2>/dev/null; then break; fi
    if ! kill -0 $server_pid 2>/dev/null; then cat target/schemathesis-server.log; echo "server did not start" >&2; exit 1; fi
    sleep 0.3
done

say "schemathesis $(python3 -m schemathesis.cli --version | awk '{print $NF}') against $base/api/v1/openapi.json (max $max_examples examples, seed $seed)"
rm -rf target/schemathesis
start=$(date +%s)
set +e
python3 -m schemathesis.cli run "$base/api/v1/openapi.json" \
    --checks not_a_server_error \
    --phases examples,coverage,fuzzing \
    --mode all \
    --max-examples "$max_examples" \
    --seed "$seed" \
    --workers 2 \
    --request-timeout 30 \
    --header "Authorization: Bearer $token" \
    --report junit,ndjson --report-dir target/schemathesis \
    2>&1 | tee target/schemathesis.log
status=${PIPESTATUS[0]}
set -e
elapsed=$(( $(date +%s) - start ))

# Requests and server errors, counted from the NDJSON event stream (every interaction recorded).
read -r requests server_errors < <(python3 - target/schemathesis <<'PY'
import json, pathlib, sys
requests = errors = 0
for path in pathlib.Path(sys.argv[1]).glob("*.ndjson"):
    for line in path.read_text(errors="replace").splitlines():
        def walk(node):
            global requests, errors
            if isinstance(node, dict):
                response = node.get("response")
                if "request" in node and isinstance(response, dict) and "status_code" in response:
                    requests += 1
                    if response["status_code"] >= 500:
                        errors += 1
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)
        try:
            walk(json.loads(line))
        except ValueError:
            pass
print(requests, errors)
PY
)
say "result: exit $status, $requests requests, $server_errors answered 5xx, ${elapsed}s (seed $seed)"
printf 'schemathesis: %s requests, %s server errors, %ss, seed %s, exit %s\n' \
    "$requests" "$server_errors" "$elapsed" "$seed" "$status" > target/schemathesis-summary.txt
if [ "$status" != 0 ] || [ "$server_errors" != 0 ]; then
    echo "--- server log (target/schemathesis-server.log) ---"; tail -30 target/schemathesis-server.log
    exit 1
fi
