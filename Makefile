# The two commands of the README, and a few helpers.
.PHONY: run test build setup lint e2e

## Build the release and run the portal on http://127.0.0.1:3000 with SQLite and demo data.
run:
	scripts/run.sh

## Run every test: lints, unit, integration (SQLite and PostgreSQL) and end-to-end.
test:
	scripts/test.sh

build:
	scripts/setup.sh && scripts/build.sh

setup:
	scripts/setup.sh --browser

lint:
	cargo fmt --all --check && cargo clippy --workspace --all-targets -- -D warnings \
	  && cargo clippy -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings
