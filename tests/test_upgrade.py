"""A stack deployed by an earlier release keeps working: one `pulumi up` of this code takes it over.

The earlier release kept the API credentials in project config, and the default provider kept that whole
config in state; here the stack moves them to the environment, as a team moving to CI secrets does, and
one `pulumi up` leaves a checkpoint that holds none of them.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from deploy.cli import PROJECT_DIR
from tests.conftest import base_config
from tests.engine import EngineStack, changes
from tests.sandbox_client import SEED_API_KEY, SEED_AUTH_TOKEN, Sandbox
from tests.test_credentials import assert_nowhere, key_env

# The last main before each field, rule and path was declared once (and before the language host).
EARLIER_RELEASE = "d7a7bfb"


def earlier_tree(tmp: Path, release: str = EARLIER_RELEASE) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(PROJECT_DIR), "archive", "--format=tar", release],
        capture_output=True,
        check=True,
    ).stdout
    tree = tmp / f"earlier-{release}"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    return tree


def identities(states: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    """Every resource's id in each collection of each emulator, and where each Twilio number is attached."""
    found = []
    for state in states:
        found.append({name: sorted(items) for name, items in state.items() if isinstance(items, dict)})
    found.append({sid: number["trunk_sid"] for sid, number in states[0]["phone_numbers"].items()})
    return found


def test_a_stack_of_the_earlier_release_is_taken_over_with_no_replacement(tmp_path: Path, sandbox: Sandbox) -> None:
    config: dict[str, Any] = base_config(sandbox)
    backend = tmp_path / "state"
    earlier = EngineStack(tmp_path / "old", name="upgrade", backend=backend, source=earlier_tree(tmp_path))
    earlier.configure(config, api_namespace="twilio-liveagent")  # where that release read them
    earlier.up()
    assert SEED_AUTH_TOKEN in earlier.cli("stack", "export", "--show-secrets"), "what this release stops keeping"
    before = sandbox.state("twilio"), sandbox.state("liveagent")

    # The same stack, its config file carried over, now run by this release's code.
    shutil.copy(earlier.project_dir / "Pulumi.upgrade.yaml", tmp_path / "Pulumi.upgrade.yaml")
    (tmp_path / "new" / "project").mkdir(parents=True)
    shutil.copy(tmp_path / "Pulumi.upgrade.yaml", tmp_path / "new" / "project" / "Pulumi.upgrade.yaml")
    sid, secret = sandbox.new_twilio_api_key()
    current = EngineStack(tmp_path / "new", name="upgrade", backend=backend, env=key_env(sid, secret, SEED_API_KEY))
    for old in ("twilio", "liveagent"):
        current.cli("config", "rm", f"twilio-liveagent:{old}")
    current.cli("config", "set", "--path", "pulumi-python:twilio.apiBaseUrl", sandbox.twilio_url)
    current.cli("config", "set", "--path", "pulumi-python:liveagent.url", sandbox.liveagent_url)
    try:
        taken_over = changes(current.up().summary.resource_changes or {})
        # The provider that reads the settings at each command, and the dialing permissions' baseline.
        assert taken_over.pop("create", 0) == 2, taken_over
        assert set(taken_over) <= {"update"}, f"no other create, no replace or delete when upgrading: {taken_over}"
        checkpoint = next(backend.rglob("stacks/*/upgrade.json")).read_text(encoding="utf-8")
        exports = {
            "export": current.cli("stack", "export"),
            "--show-secrets": current.cli("stack", "export", "--show-secrets"),
        }
        assert_nowhere([SEED_AUTH_TOKEN, SEED_API_KEY, secret], {"checkpoint": checkpoint, **exports})
        after = sandbox.state("twilio"), sandbox.state("liveagent")
        assert identities(after) == identities(before), "the same trunk, list, credential, URL and numbers"
        sandbox.clear_counters()
        assert changes(current.up().summary.resource_changes or {}) == {}, "converged after one up"
        assert sandbox.writes() == 0
    finally:
        current.stack.destroy()


# The last release before the loose root modules moved into packages (stack/, provider_kit/).
LAST_RELEASE = "8a267bb"


def test_a_stack_of_the_last_release_is_carried_on_with_no_replacement(tmp_path: Path, sandbox: Sandbox) -> None:
    config: dict[str, Any] = base_config(sandbox)
    backend = tmp_path / "state"
    last = EngineStack(tmp_path / "old", name="carry", backend=backend, source=earlier_tree(tmp_path, LAST_RELEASE))
    last.configure(config)
    last.up()
    before = sandbox.state("twilio"), sandbox.state("liveagent")

    shutil.copy(last.project_dir / "Pulumi.carry.yaml", tmp_path / "Pulumi.carry.yaml")
    (tmp_path / "new" / "project").mkdir(parents=True)
    shutil.copy(tmp_path / "Pulumi.carry.yaml", tmp_path / "new" / "project" / "Pulumi.carry.yaml")
    current = EngineStack(tmp_path / "new", name="carry", backend=backend)
    try:
        sandbox.clear_counters()
        carried = changes(current.up().summary.resource_changes or {})
        # The provider takes the stack's numbers as its input (they were in every LiveAgent number's state).
        assert carried == {"update": 1}, f"the new tree's code reads the old state as its own: {carried}"
        assert sandbox.writes() == 0, "nothing written by the first up of the new tree"
        after = sandbox.state("twilio"), sandbox.state("liveagent")
        assert identities(after) == identities(before), "the same trunk, list, credential, URL and numbers"
        checkpoint = next(backend.rglob("stacks/*/carry.json")).read_text(encoding="utf-8")
        assert '"stack_numbers"' not in checkpoint, "every number's copy of the stack's numbers is gone"
        assert changes(current.up().summary.resource_changes or {}) == {}
        assert sandbox.writes() == 0
    finally:
        current.stack.destroy()
