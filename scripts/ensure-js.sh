#!/usr/bin/env bash
# Install the build-time JavaScript that every production's verify.html embeds: the pinned
# @noble/ed25519, the Ed25519 fallback for browsers whose WebCrypto lacks it. `npm ci` from
# js/package-lock.json into js/node_modules (gitignored; nothing of it is committed).
# Without it productions are still built, and their page relies on the browser's Ed25519.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../js"

if ! command -v npm >/dev/null 2>&1; then
    sudo=()
    [[ $(id -u) -ne 0 ]] && sudo=(sudo)
    echo "ensure-js: installing Node.js and npm from Debian's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get install -y --no-install-recommends nodejs npm >/dev/null \
        || { "${sudo[@]}" apt-get update >/dev/null \
             && "${sudo[@]}" apt-get install -y --no-install-recommends nodejs npm >/dev/null; }
fi
# Already installed from this very lock file: nothing to do (npm ci would reinstall).
if [[ -f node_modules/.package-lock.json ]] \
    && node -e 'const [a, b] = [require("./package-lock.json"), require("./node_modules/.package-lock.json")];
        const p = (l) => JSON.stringify(Object.entries(l.packages).filter(([k]) => k));
        process.exit(p(a) === p(b) ? 0 : 1)' 2>/dev/null; then
    exit 0
fi
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
test -f node_modules/@noble/ed25519/index.js
