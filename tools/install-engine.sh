#!/usr/bin/env bash
# Installs the pinned Pulumi engine into .tools/bin: the CLI built from Go modules (tools/pulumi),
# plus the dynamic-provider plugin script shipped in the pinned sdk/v3 module, and, where no official
# Python language host is found on PATH, this project's (tools/pulumi_language_python.py).
# Builds are cached outside the clone, keyed by version and go.sum, so a fresh clone does not rebuild.
set -euo pipefail
# shellcheck source=tools/lib.sh
source "$(dirname "$0")/lib.sh"
pinned_tool pulumi github.com/pulumi/pulumi/pkg/v3

version_at_least() {  # $1 >= $2, both without a leading v
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

link_into_bin() {
  for file in "$1"/*; do ln -sfn "$file" "$bin/$(basename "$file")"; done
}

# Pulumi's own Python language host, wherever it is on PATH (outside .tools/bin), always wins; otherwise
# .tools/bin gets a launcher of this project's host, run by the project's virtualenv (which has grpcio
# and the pulumi SDK's generated stubs).
install_language_host() {
  local host="$bin/pulumi-language-python" official="" dir
  local IFS=:
  for dir in $PATH; do
    [ "$(readlink -f "$dir" 2>/dev/null)" = "$(readlink -f "$bin")" ] && continue
    if [ -x "$dir/pulumi-language-python" ] && ! grep -qs "tools/pulumi_language_python.py" "$dir/pulumi-language-python"; then
      official="$dir/pulumi-language-python"
      break
    fi
  done
  if [ -z "$official" ] && [ -L "$host" ] && [ -x "$host" ] && ! grep -qs "tools/pulumi_language_python.py" "$host"; then
    official=$(readlink -f "$host")  # linked in beside an installed Pulumi above
  fi
  if [ -n "$official" ]; then
    [ "$official" = "$(readlink -f "$host")" ] || ln -sfn "$official" "$host"
    echo "language host: $official (Pulumi's own)"
    return
  fi
  [ -x "$root/venv/bin/python" ] || { echo "language host: $root/venv is missing: run \`make venv\` first" >&2; exit 1; }
  rm -f "$host"
  cat >"$host" <<LAUNCHER
#!/bin/sh
# Written by tools/install-engine.sh: this project's Python language host, used because no official
# pulumi-language-python was found on PATH. Install Pulumi the usual way and re-run \`make engine\` to use Pulumi's.
exec "$root/venv/bin/python" "$root/tools/pulumi_language_python.py" -use-executor "$bin/pulumi-language-python-exec" "\$@"
LAUNCHER
  chmod 0755 "$host"
  echo "language host: $host (this project's, tools/pulumi_language_python.py; no official one on PATH)"
}

# The dynamic-provider plugin: the SDK's own launcher script, which runs `python -m pulumi.dynamic` in the project's
# virtualenv, with that module run by tools/dynamic_provider_host.py instead: the same server with more than the
# SDK's 4 worker threads (README, Speed at scale). $1 is the SDK's script; where it has no such line it goes in as it is.
install_provider_host() {
  local host="$bin/pulumi-resource-pulumi-python" sdk_script="$1"
  rm -f "$host"  # a hard link into the cache: never written through
  if ! grep -q -- '-u -m pulumi.dynamic' "$sdk_script"; then
    cp -p "$sdk_script" "$host"
    echo "provider host: $sdk_script does not run \`python -m pulumi.dynamic\`; installed unchanged (4 calls at a time)"
    return
  fi
  {
    echo '#!/bin/sh'
    echo '# Written by tools/install-engine.sh from the pinned SDK'"'"'s script: the same, running tools/dynamic_provider_host.py.'
    sed -e '1d' -e "s#-u -m pulumi.dynamic#-u \"$root/tools/dynamic_provider_host.py\"#" "$sdk_script"
  } >"$host.tmp"
  chmod 0755 "$host.tmp" && mv "$host.tmp" "$host"
  echo "provider host: $host (tools/dynamic_provider_host.py)"
}

# A Pulumi installed the usual way (with its language hosts beside it) is used as it is.
if [ -z "${PULUMI_FORCE_BUILD:-}" ] && ambient=$(command -v pulumi 2>/dev/null) && [ "$ambient" != "$bin/pulumi" ]; then
  ambient_version=$(PULUMI_SKIP_UPDATE_CHECK=true "$ambient" version 2>/dev/null | sed 's/^v//')
  if [ -n "$ambient_version" ] && version_at_least "$ambient_version" "$version"; then
    link_into_bin "$(dirname "$(readlink -f "$ambient")")"
    echo "engine: using $ambient (v$ambient_version >= v$version)"
    install_language_host
    install_provider_host "$(dirname "$(readlink -f "$ambient")")/pulumi-resource-pulumi-python"
    exit 0
  fi
fi

if [ -x "$cache/bin/pulumi" ] && [ -x "$cache/bin/pulumi-resource-pulumi-python" ]; then
  place_into_bin "$cache/bin"/*
  echo "engine: pulumi v$version from cache $cache"
  install_language_host
  install_provider_host "$cache/bin/pulumi-resource-pulumi-python"
  exit 0
fi

# The release's own scripts, as Pulumi's release packaging copies them next to the binaries.
install_release_scripts() {
  local sdk_dir
  sdk_dir=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
  install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$staging/bin/"
  install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$staging/bin/"
}

command -v go >/dev/null || { echo "engine: Go is needed to build the Pulumi CLI (see README)" >&2; exit 1; }
echo "engine: building pulumi v$version from Go modules (a few minutes, once per machine)"
start=$(date +%s)
build_into_cache github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
  "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" install_release_scripts
place_into_bin "$cache/bin"/*
echo "engine: built pulumi v$version in $(( $(date +%s) - start ))s into $cache"
install_language_host
install_provider_host "$cache/bin/pulumi-resource-pulumi-python"
