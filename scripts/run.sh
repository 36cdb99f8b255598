#!/usr/bin/env bash
# `make run`: set up, build the release, and start the portal with SQLite and demo data.
# PORT / BJM_BIND / DATABASE_URL / BJM_DEMO and the rest of the README's table apply.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
export BJM_DEMO="${BJM_DEMO:-true}"
export BJM_SITE_ROOT="${BJM_SITE_ROOT:-target/site}"
exec target/release/server serve
