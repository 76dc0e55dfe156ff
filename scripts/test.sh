#!/usr/bin/env bash
# Everything the tests need, then the tests: a virtualenv with the pinned
# dependencies, a PostgreSQL server, Debian's Chromium for the browser tests, the
# pinned JavaScript that productions' verify.html embeds, Go for the interop checks,
# then ruff, the import contracts (import-linter), mypy --strict and pytest. Exits
# non-zero if anything fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet -e '.[test]'
scripts/ensure-postgres.sh
# A real S3 server (Ceph's radosgw, one node, from Debian's packages) for the blob-store
# tests; its endpoint and keys come back in an env file (docs/s3-test-server.md).
scripts/ensure-s3.sh
set -a; . "${BRADY_S3_ENV:-/tmp/brady-s3.env}"; set +a
scripts/ensure-chromium.sh
scripts/ensure-js.sh
scripts/ensure-tesseract.sh
scripts/install-go-interop.sh

.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy
.venv/bin/lint-imports --no-cache
# Whole files to a worker: a module's world is built once and its tests run in order
# (pytest 9 ignores xdist_group marks, so --dist loadgroup split them).
.venv/bin/pytest -n 2 --dist loadfile "$@"
