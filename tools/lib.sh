# Sourced by tools/install-*.sh: a tool pinned by a Go module of tools/, built once per machine into a cache
# outside the clone (keyed by its version and go.sum, so a fresh clone does not rebuild), and put into .tools/bin.
# shellcheck shell=bash

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$root/.tools/bin"

# pinned_tool NAME MODULE: the pin of MODULE in tools/NAME/go.mod. Sets tools_module, version and cache.
pinned_tool() {
  tools_module="$root/tools/$1"
  version=$(grep -oE "$2 v[0-9][0-9.]*" "$tools_module/go.mod" | head -n1 | sed 's/.* v//')
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/twilio-liveagent/$1/$version-$(sha256sum "$tools_module/go.sum" | cut -c1-12)"
  mkdir -p "$bin"
}

# place_into_bin FILE...: as hard links (a copy across file systems), not symlinks: the Pulumi CLI looks for its
# bundled plugins, the language host included, beside its own resolved path, and warns on every run about one that
# is only found on PATH.
place_into_bin() {
  local file
  for file in "$@"; do
    rm -f "$bin/$(basename "$file")"
    ln -f "$file" "$bin/" 2>/dev/null || cp -p "$file" "$bin/"
  done
}

# build_into_cache PACKAGE LDFLAGS [THEN]: `go install` PACKAGE of tools_module into a staging folder (THEN, a
# function, runs after it in the module's folder with $staging set), which then replaces the cache.
build_into_cache() {
  staging="$cache.tmp.$$"
  rm -rf "$staging" && mkdir -p "$staging/bin"
  (
    cd "$tools_module"
    GOFLAGS=-mod=mod GOBIN="$staging/bin" go install -trimpath -ldflags "$2" "$1"
    if [ -n "${3:-}" ]; then "$3"; fi
  )
  rm -rf "$cache" && mv "$staging" "$cache"
}
