#!/usr/bin/env bash
# Make sure Debian's Tesseract (with its English data) is installed, so the document
# tests can read scanned pages; brady.linking.documents runs the `tesseract` program.
set -euo pipefail

have_eng() {
    local langs
    langs="$(tesseract --list-langs 2>/dev/null)" && grep -qx eng <<<"$langs"
}

if command -v tesseract >/dev/null 2>&1 && have_eng; then
    exit 0
fi
sudo=()
[[ $(id -u) -ne 0 ]] && sudo=(sudo)
echo "ensure-tesseract: installing Tesseract from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
packages=(tesseract-ocr tesseract-ocr-eng)
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null \
    || { "${sudo[@]}" apt-get update >/dev/null \
         && "${sudo[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null; }
command -v tesseract >/dev/null && have_eng
