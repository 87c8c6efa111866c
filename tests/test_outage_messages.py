"""A bad day read as answers: a bad config is reported even while the APIs do not answer, and an API that does
not answer is one message naming it, its URL and where that came from, all within seconds."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

from tests.conftest import base_config
from tests.engine import EngineStack, strip_ansi
from tests.sandbox_client import Sandbox

# Generous ceilings for a loaded 2-core machine; the retries alone used to take 36 s (new stack) to 125 s.
CONFIG_ERROR_CEILING_S = 30.0
OUTAGE_CEILING_S = 40.0


def closed_port() -> int:
    """A local port nothing listens on: a connection there is refused, as with a sandbox that is not running."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def unreachable(config: dict[str, Any]) -> dict[str, Any]:
    config["twilio"]["apiBaseUrl"] = f"http://127.0.0.1:{closed_port()}"
    config["liveagent"]["url"] = f"http://127.0.0.1:{closed_port()}"
    return config


def preview(stack: EngineStack) -> tuple[int, str, float]:
    started = time.monotonic()
    done = stack.run("preview", "--non-interactive")
    return done.returncode, strip_ansi(done.stdout + done.stderr), time.monotonic() - started


def errors(shown: str) -> list[str]:
    """The error lines a user reads (the first line of each, and the lines it goes on with)."""
    diagnostics = shown.split("Diagnostics:")[-1]
    return [line.strip() for line in diagnostics.splitlines() if line.strip() and "Twilio: " not in line]


def assert_quiet(shown: str) -> None:
    for noise in ("Traceback", "Resource monitor has terminated", "_provider.errors", "property "):
        assert noise not in shown, shown


def deployed_then_unreachable(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> tuple[EngineStack, dict[str, Any], dict[str, Any]]:
    """A stack converged on the sandbox, its config, and the same config with both APIs' URLs unreachable."""
    config = base_config(sandbox)
    stack = make_stack(config)
    stack.cli("up", "--yes", "--skip-preview")
    return stack, config, unreachable(base_config(sandbox, config["trunk"]["domainPrefix"]))


def test_a_bad_config_is_reported_first_while_the_apis_do_not_answer(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    stack, config, broken = deployed_then_unreachable(make_stack, sandbox)
    broken["numbers"][0]["dialPrefix"] = 1000
    stack.configure(broken)
    sandbox.clear_counters()
    code, shown, seconds = preview(stack)
    assert code != 0
    assert "twilio-liveagent:numbers[0].dialPrefix: 1000 is outside 1–999" in shown, shown
    assert not [line for line in errors(shown) if line.startswith("error:") and "did not answer" in line], shown
    assert_quiet(shown)
    assert seconds < CONFIG_ERROR_CEILING_S, f"{seconds:.0f} s"
    assert sandbox.writes() == 0
    stack.configure(config)  # for the fixture's destroy


def test_an_api_that_does_not_answer_is_one_message_naming_it_and_its_url(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    config = unreachable(base_config(sandbox))
    stack = make_stack(config)
    code, shown, seconds = preview(stack)
    assert code != 0
    for api, key in (("Twilio", "pulumi-python:twilio.apiBaseUrl"), ("LiveAgent", "pulumi-python:liveagent.url")):
        told = [line for line in errors(shown) if line.startswith((f"error: {api} at", f"{api} at"))]
        assert len(told) == 1, f"one message for {api}:\n{shown}"
        assert f"(from the stack config's {key})" in told[0] and "make sandbox" in told[0], told[0]
    assert_quiet(shown)
    assert seconds < OUTAGE_CEILING_S, f"{seconds:.0f} s"


def test_an_existing_stack_whose_apis_do_not_answer_keeps_its_state_and_says_so(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    stack, config, broken = deployed_then_unreachable(make_stack, sandbox)
    before = stack.export()
    stack.configure(broken)
    code, shown, seconds = preview(stack)
    assert code != 0
    assert "refresh: Twilio did not answer" in shown and "refresh: LiveAgent did not answer" in shown, shown
    assert len([line for line in errors(shown) if " at http://127.0.0.1:" in line]) == 2, shown
    assert_quiet(shown)
    assert seconds < OUTAGE_CEILING_S, f"{seconds:.0f} s"
    stack.configure(config)
    assert stack.export() == before, "a preview keeps the state as it was"
