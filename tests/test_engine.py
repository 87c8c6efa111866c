"""The engine itself: the pinned CLI runs preview, up, refresh and destroy on this project."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from deploy.cli import PROJECT_DIR, pulumi_binary
from tests.conftest import base_config
from tests.engine import changes
from tests.wiring import resource_count


def pinned_version() -> str:
    go_mod = (PROJECT_DIR / "tools" / "pulumi" / "go.mod").read_text()
    found = re.search(r"github.com/pulumi/pulumi/pkg/v3 (v[\d.]+)", go_mod)
    assert found, "tools/pulumi/go.mod must pin github.com/pulumi/pulumi/pkg/v3"
    return found.group(1)


def test_engine_is_the_pinned_pulumi_cli() -> None:
    binary = pulumi_binary()
    printed = subprocess.run(
        [str(binary), "version"],
        capture_output=True,
        text=True,
        check=True,
        env={"PULUMI_SKIP_UPDATE_CHECK": "true", "PATH": "/usr/bin:/bin"},
    ).stdout.strip()
    assert printed == pinned_version()
    assert (binary.resolve().parent / "pulumi-resource-pulumi-python").exists()


def test_tools_module_pins_one_release_for_pkg_and_sdk() -> None:
    go_mod = (PROJECT_DIR / "tools" / "pulumi" / "go.mod").read_text()
    sdk = re.search(r"github.com/pulumi/pulumi/sdk/v3 (v[\d.]+)", go_mod)
    assert sdk and sdk.group(1) == pinned_version()
    assert (PROJECT_DIR / "tools" / "pulumi" / "go.sum").exists()


def test_preview_up_second_up_refresh_destroy(make_stack, sandbox, tmp_path: Path) -> None:
    config = base_config(sandbox)
    stack = make_stack(config)

    preview = stack.preview()
    assert changes(preview.change_summary) == {"create": resource_count(config)}
    assert sandbox.writes() == 0, "a preview must not write"

    first = stack.up()
    assert changes(first.summary.resource_changes or {}) == {"create": resource_count(config)}
    assert len(sandbox.trunks()) == 1

    sandbox.clear_counters()
    second = stack.up()
    assert changes(second.summary.resource_changes or {}) == {}
    assert sandbox.writes() == 0, "a second up must change nothing"

    refreshed = stack.refresh()
    assert changes(refreshed.summary.resource_changes or {}) == {}

    stack.destroy()
    assert sandbox.trunks() == []
    assert sandbox.liveagent_numbers() == {}
