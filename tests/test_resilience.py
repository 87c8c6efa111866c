"""Faults real APIs produce, ridden out within one `pulumi up`; an API that stays down, one clear message.

The short version of `make resilience` (tests/resilience.py): every request meets one fault before it gets
through, the kinds handed out in turn, so each kind is met at least once on each API within one small run.
"""

from __future__ import annotations

import re

from sandbox.faults import FAULT_KINDS
from tests.conftest import base_config
from tests.engine import strip_ansi
from tests.resilience import APIS, CLIENT_TIMEOUT_S, fault_plan, one_run
from tests.sandbox_client import Sandbox


def test_every_fault_kind_on_both_apis_is_ridden_out_in_one_up(sandbox: Sandbox, tmp_path) -> None:
    run = one_run(sandbox, tmp_path, numbers=4, plan=fault_plan(1.0, seed=5, max_per_request=1, cycle=True))
    assert run.error == "" and run.converged_in_one_up, run.error
    assert run.mismatches == [], "the sandbox differs from the config, or something was made twice"
    assert run.writes_after == 0, "a further `up` wrote again"
    for api in APIS:
        assert set(run.faults[api]) == {str(kind) for kind in FAULT_KINDS}, f"{api} did not meet every fault kind"


def test_an_api_that_stays_down_stops_the_run_with_one_message_naming_it(make_stack, sandbox: Sandbox) -> None:
    config = base_config(sandbox)
    config["liveagent"]["timeoutSeconds"] = CLIENT_TIMEOUT_S
    stack = make_stack(config)
    stack.up()
    sandbox.faults("liveagent", rate=1.0, statuses=["drop"])
    sandbox.clear_counters()
    done = stack.run("up", "--yes", "--non-interactive")
    output = strip_ansi(done.stdout + done.stderr)
    assert done.returncode != 0
    diagnostics = output.split("Diagnostics:")[-1].splitlines()
    # One per resource that read LiveAgent (besides the stack's own "preview failed"), each naming the API and
    # what to run: the first to give up, and any other either giving up too or not sent at all.
    errors = [line.strip() for line in diagnostics if "error:" in line and "error: preview failed" not in line]
    assert any(re.search(r"LiveAgent at \S+ \(from [^)]+\) did not answer through", e) for e in errors), output
    for error in errors:
        assert "LiveAgent" in error and "did not answer" in error and "run `pulumi up` again" in error, error
        assert "Traceback" not in error, error
    # Bounded: the refresh's reads (once one has given up, another still retrying stops, and none waiting is
    # sent) and the program's probe, each 6 tries at most; nothing written.
    assert sandbox.counters("liveagent")["total"] <= 3 * 6
    assert sandbox.counters("liveagent")["writes"] == 0
    assert sandbox.counters("liveagent")["writes"] == 0

    sandbox.faults("liveagent")
    assert stack.run("up", "--yes", "--non-interactive").returncode == 0, "the next `up` carries on"


def test_a_preview_against_an_api_that_does_not_answer_says_so_before_planning(make_stack, sandbox: Sandbox) -> None:
    config = base_config(sandbox)
    stack = make_stack(config)
    sandbox.faults("twilio", rate=1.0, statuses=[503])
    done = stack.run("preview", "--non-interactive")
    output = strip_ansi(done.stdout + done.stderr)
    assert done.returncode != 0
    assert re.search(r"Twilio at \S+ \(from [^)]+\) kept answering HTTP 503 through", output), output
    assert "run `pulumi up` again" in output, output
    assert sandbox.counters("liveagent")["writes"] == 0 and sandbox.counters("twilio")["writes"] == 0
