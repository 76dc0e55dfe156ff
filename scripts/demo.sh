#!/usr/bin/env bash
# Install Brady in a virtualenv and run the demo on the embedded default
# (a SQLite file and a blob folder in ./brady-demo). Safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet -e .
scripts/ensure-js.sh  # the Ed25519 fallback each production's verify.html embeds
.venv/bin/brady demo "${1:-brady-demo}" --serve
