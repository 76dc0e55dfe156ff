#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (Playwright drives it
# through executable_path; nothing is downloaded at test time).
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
sudo=()
[[ $(id -u) -ne 0 ]] && sudo=(sudo)
echo "ensure-chromium: installing Chromium from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get install -y --no-install-recommends chromium >/dev/null \
    || { "${sudo[@]}" apt-get update >/dev/null \
         && "${sudo[@]}" apt-get install -y --no-install-recommends chromium >/dev/null; }
command -v chromium >/dev/null
