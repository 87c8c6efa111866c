"""`make preview|up` are the plain CLI: every engine message, error and exit code reaches the user."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.conftest import base_config
from tests.engine import strip_ansi
from tests.sandbox_client import Sandbox


def shown(done: subprocess.CompletedProcess[str]) -> str:
    return strip_ansi(done.stdout + done.stderr)


def test_preview_of_a_bad_config_names_the_key_and_exits_non_zero(make_stack: Any, sandbox: Sandbox) -> None:
    config = base_config(sandbox)
    config["numbers"][1]["dialPrefix"] = 1000
    stack = make_stack(config)
    sandbox.clear_counters()
    done = stack.make("preview")
    assert done.returncode != 0
    assert "twilio-liveagent:numbers[1].dialPrefix: 1000 is outside 1–999" in shown(done), shown(done)
    assert "Traceback" not in shown(done)
    assert sandbox.writes() == 0


def test_up_with_an_unknown_department_stops_at_its_preview_with_zero_writes(make_stack: Any, sandbox: Sandbox) -> None:
    config = base_config(sandbox)
    config["numbers"][0]["department"] = "Nobody"
    stack = make_stack(config)
    sandbox.clear_counters()
    done = stack.make("up", "--yes")
    assert done.returncode != 0
    assert "Nobody" in shown(done) and "Support" in shown(done), shown(done)  # the unknown one, and what exists
    assert "Traceback" not in shown(done), shown(done)
    assert sandbox.writes() == 0, "the preview inside `pulumi up` must stop before any API write"


def test_a_second_up_while_one_runs_prints_the_lock_message(make_stack: Any, sandbox: Sandbox, tmp_path: Path) -> None:
    stack = make_stack(base_config(sandbox))
    sandbox.faults("twilio", latency_ms=400)  # a slow first run that holds the lock
    sandbox.faults("liveagent", latency_ms=400)
    command, env = stack.make_command("up", "--yes")
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        locks = stack.backend / ".pulumi" / "locks"
        deadline = time.monotonic() + 60
        while not any(locks.rglob("*.json")) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert any(locks.rglob("*.json")), "the first up never took the lock"
        second = stack.make("up", "--yes")
        assert second.returncode != 0
        text = shown(second)
        assert "the stack is currently locked" in text, text
        assert "pulumi cancel" in text, text
    finally:
        first_output, _ = first.communicate(timeout=300)
        sandbox.faults("twilio")
        sandbox.faults("liveagent")
    assert first.returncode == 0, first_output


def test_expect_no_changes_fails_after_a_console_edit_and_json_lists_the_change(
    make_stack: Any, sandbox: Sandbox
) -> None:
    stack = make_stack(base_config(sandbox))
    stack.up()
    converged = stack.make("preview", "--expect-no-changes")
    assert converged.returncode == 0, "converged: no changes expected"
    assert "[diff:" not in shown(converged), "a converged stack's refresh shows no change either"
    [trunk] = sandbox.trunks()
    sandbox.twilio("POST", f"/trunking/v1/Trunks/{trunk['sid']}", FriendlyName="Hand made")
    drifted = stack.make("preview", "--expect-no-changes")
    assert drifted.returncode != 0
    assert "no changes were expected for preview but changes were proposed" in shown(drifted), shown(drifted)
    as_json = stack.make("preview", "--json")
    plan = json.loads(as_json.stdout)
    updates = [step for step in plan["steps"] if step["op"] == "update"]
    assert [step["urn"].rsplit("::", 1)[1] for step in updates] == ["sip-trunk-trunk"], updates
    step = updates[0]
    assert step["oldState"]["outputs"]["friendly_name"] == "Hand made", "the drift refreshed from the console"
    assert step["newState"]["inputs"]["friendly_name"] == "LiveAgent test", "the config it goes back to"
