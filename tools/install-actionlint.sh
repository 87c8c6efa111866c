#!/usr/bin/env bash
# Installs the pinned actionlint into .tools/bin, built from its Go module (tools/actionlint), as
# tools/install-engine.sh builds the Pulumi CLI (the shared steps: tools/lib.sh). `make test` runs it over
# .github/workflows (tests/test_ci_workflows.py).
set -euo pipefail
# shellcheck source=tools/lib.sh
source "$(dirname "$0")/lib.sh"
pinned_tool actionlint github.com/rhysd/actionlint

if [ -x "$cache/bin/actionlint" ]; then
  place_into_bin "$cache/bin/actionlint"
  echo "actionlint: v$version from cache $cache"
  exit 0
fi

command -v go >/dev/null || { echo "actionlint: Go is needed to build it (see README)" >&2; exit 1; }
echo "actionlint: building v$version from its Go module"
# The version is stamped in, as its release builds do, so `actionlint -version` names the pin.
build_into_cache github.com/rhysd/actionlint/cmd/actionlint "-s -w -X github.com/rhysd/actionlint.version=v$version"
place_into_bin "$cache/bin/actionlint"
echo "actionlint: built v$version into $cache"
