#!/usr/bin/env bash
# Build the Go interop checker, tests/interop/go/brady_interop.go, into
# .go/bin/brady-interop. It verifies our signed notes, checkpoints and proofs
# with Go's golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog.
#
# No Go module proxy is reachable, so Go and x/mod both come from Debian
# (golang-go, golang-golang-x-mod-dev, which puts x/mod's source under
# /usr/share/gocode/src) and the program is built in GOPATH mode.
#
# Idempotent: installs the packages only when missing (needs root or sudo),
# rebuilds only when the source is newer than the binary.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$repo/tests/interop/go/brady_interop.go"
out="$repo/.go/bin/brady-interop"
gopath=/usr/share/gocode
xmod="$gopath/src/golang.org/x/mod/sumdb/note/note.go"

need=()
command -v go >/dev/null 2>&1 || need+=(golang-go)
[[ -f "$xmod" ]] || need+=(golang-golang-x-mod-dev)

if ((${#need[@]})); then
    echo "install-go-interop: installing ${need[*]}" >&2
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "install-go-interop: need root (or sudo) to apt-get install ${need[*]}" >&2
            exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    # A fresh image may have no package lists yet; refresh them once if the
    # install fails for want of them.
    if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${need[@]}"; then
        "${sudo[@]}" apt-get update -q
        "${sudo[@]}" apt-get install -y -q --no-install-recommends "${need[@]}"
    fi
fi

command -v go >/dev/null 2>&1 || { echo "install-go-interop: go not on PATH after install" >&2; exit 1; }
[[ -f "$xmod" ]] || { echo "install-go-interop: $xmod missing after install" >&2; exit 1; }

if [[ -x "$out" && "$out" -nt "$src" && "$out" -nt "${BASH_SOURCE[0]}" ]]; then
    echo "install-go-interop: $out is up to date" >&2
    exit 0
fi

mkdir -p "$repo/.go/bin" "$repo/.go/cache"
cd "$repo"
# GOPATH mode: imports resolve from Debian's source tree, no network needed.
GO111MODULE=off GOPATH="$gopath" GOCACHE="$repo/.go/cache" GOFLAGS= GOPROXY=off \
    go build -o "$out" "$src"
echo "install-go-interop: built $out ($(go version))" >&2
