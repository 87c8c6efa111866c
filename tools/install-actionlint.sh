#!/usr/bin/env bash
# Installs the pinned actionlint into .tools/bin, built from its Go module (tools/actionlint), as
# tools/install-engine.sh builds the Pulumi CLI. The build is cached outside the clone, keyed by version and
# go.sum, so a fresh clone does not rebuild. `make test` runs it over .github/workflows (tests/test_ci_workflows.py).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools_module="$root/tools/actionlint"
version=$(grep -oE 'github.com/rhysd/actionlint v[0-9][0-9.]*' "$tools_module/go.mod" | head -n1 | sed 's/.* v//')
bin="$root/.tools/bin"
key="$version-$(sha256sum "$tools_module/go.sum" | cut -c1-12)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/twilio-liveagent/actionlint/$key"

mkdir -p "$bin"

place_into_bin() {
  rm -f "$bin/actionlint"
  ln -f "$1/actionlint" "$bin/" 2>/dev/null || cp -p "$1/actionlint" "$bin/"
}

if [ -x "$cache/bin/actionlint" ]; then
  place_into_bin "$cache/bin"
  echo "actionlint: v$version from cache $cache"
  exit 0
fi

command -v go >/dev/null || { echo "actionlint: Go is needed to build it (see README)" >&2; exit 1; }
echo "actionlint: building v$version from its Go module"
staging="$cache.tmp.$$"
rm -rf "$staging" && mkdir -p "$staging/bin"
(
  cd "$tools_module"
  # The version is stamped in, as its release builds do, so `actionlint -version` names the pin.
  GOFLAGS=-mod=mod GOBIN="$staging/bin" go install -trimpath \
    -ldflags "-s -w -X github.com/rhysd/actionlint.version=v$version" \
    github.com/rhysd/actionlint/cmd/actionlint
)
rm -rf "$cache" && mv "$staging" "$cache"
place_into_bin "$cache/bin"
echo "actionlint: built v$version into $cache"
