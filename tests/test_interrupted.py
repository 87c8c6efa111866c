"""A first `pulumi up` killed with SIGKILL at five points: the README's recovery converges it, nothing doubled.

The CLI alone is killed, as a CI runner or a closed laptop leaves it: its provider processes must stop
on their own, and `pulumi cancel` then `pulumi up` must end with exactly one of everything.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest

from deploy.cli import TOOLS_BIN, pulumi_env
from tests.conftest import base_config
from tests.engine import EngineStack, strip_ansi
from tests.sandbox_client import Sandbox

NUMBERS = [f"+8150123456{n}" for n in range(78, 86)] + ["+14155550100", "+14155550101"]
# Writes of a first up of this config: trunk, list, credential, link, origination URL, dialing permissions,
# and per number an attachment and a LiveAgent number (26); kill points spread over them.
KILL_AFTER_WRITES = [1, 5, 9, 15, 22]


def ten_numbers(sandbox: Sandbox) -> dict[str, Any]:
    config = base_config(sandbox)
    config["numbers"] = [
        {"number": number, "name": f"Line {i}", "department": "Support" if i % 2 else "Sales", "dialPrefix": i}
        for i, number in enumerate(NUMBERS, start=1)
    ]
    return config


def up_killed_after(stack: EngineStack, sandbox: Sandbox, writes: int) -> None:
    command = [str(TOOLS_BIN / "pulumi"), "up", "--yes", "--non-interactive", "--stack", stack.name]
    cli = subprocess.Popen(
        command,
        cwd=stack.project_dir,
        env={**pulumi_env(), **stack.env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while sandbox.writes() < writes:
        assert cli.poll() is None, "the run ended before the kill point"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    # From the kill on, every write is answered 429, so the writes in flight keep retrying for a while, as
    # they would against a rate-limited API: an orphaned provider would land them once the faults are gone.
    for api in ("twilio", "liveagent"):
        sandbox.faults(api, rate=1.0, statuses=[429], retry_after=1, methods=["POST", "PUT", "DELETE"])
    os.kill(cli.pid, signal.SIGKILL)
    cli.wait()


def orphan_writes(sandbox: Sandbox) -> int:
    """Writes that reach the APIs once the CLI has been dead for a few seconds (must be none)."""
    time.sleep(8)  # the providers check their engine every second and stop after three misses
    for api in ("twilio", "liveagent"):
        sandbox.faults(api)
    sandbox.clear_counters()
    time.sleep(6)
    return sandbox.writes()


def run_ok(stack: EngineStack, *args: str) -> str:
    done = stack.run(*args, "--non-interactive")
    assert done.returncode == 0, strip_ansi(done.stdout + done.stderr)
    return strip_ansi(done.stdout + done.stderr)


def assert_exactly_the_config(sandbox: Sandbox, config: dict[str, Any]) -> None:
    twilio = sandbox.state("twilio")
    [trunk] = twilio["trunks"].values()
    assert len(twilio["credential_lists"]) == 1 and len(twilio["credentials"]) == 1
    assert len(twilio["origination_urls"]) == 1
    attached = {n["phone_number"] for n in twilio["phone_numbers"].values() if n["trunk_sid"] == trunk["sid"]}
    assert attached == set(NUMBERS)
    numbers = sandbox.liveagent_numbers()
    assert set(numbers) == set(NUMBERS) and len(sandbox.state("liveagent")["phone_numbers"]) == len(NUMBERS)
    assert {numbers[e["number"]]["dial_out_prefix"] for e in config["numbers"]} == set(range(1, 11))


@pytest.mark.parametrize("writes", KILL_AFTER_WRITES)
def test_a_killed_first_up_is_recovered_by_cancel_and_up(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox, writes: int
) -> None:
    config = ten_numbers(sandbox)
    permissions_before = {
        c["iso_code"]: c["low_risk_numbers_enabled"] for c in sandbox.state("twilio")["countries"].values()
    }
    stack = make_stack(config)
    for api in ("twilio", "liveagent"):
        sandbox.faults(api, latency_ms=150)  # slow enough to be killed mid-run
    sandbox.clear_counters()
    up_killed_after(stack, sandbox, writes)
    assert orphan_writes(sandbox) == 0, "a provider whose CLI has gone must stop writing"

    # The README's recovery, "Interrupted runs": release the lock, run up again.
    cancelled = stack.run("cancel", "--yes", "--non-interactive")
    if "failed to load checkpoint: EOF" in cancelled.stderr:
        # The kill landed while the file backend wrote its own attributes file (Pulumi writes it in place):
        # the README's third command for this case.
        for attributes in stack.backend.rglob("*.json.attrs"):
            if attributes.stat().st_size == 0:
                attributes.unlink()
        cancelled = stack.run("cancel", "--yes", "--non-interactive")
    assert cancelled.returncode == 0, strip_ansi(cancelled.stdout + cancelled.stderr)
    run_ok(stack, "up", "--yes")
    assert_exactly_the_config(sandbox, config)
    sandbox.clear_counters()
    run_ok(stack, "up", "--yes")
    assert sandbox.writes() == 0

    run_ok(stack, "destroy", "--yes")
    twilio = sandbox.state("twilio")
    assert twilio["trunks"] == {} and twilio["credential_lists"] == {} and sandbox.liveagent_numbers() == {}
    after = {c["iso_code"]: c["low_risk_numbers_enabled"] for c in twilio["countries"].values()}
    assert after == permissions_before, "dialing permissions back to what they were before the stack"
