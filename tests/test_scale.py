"""Speed at scale: more than 4 provider calls at once, one LiveAgent rate limit across processes, pooled connections."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from deploy.cli import PROJECT_DIR, TOOLS_BIN
from liveagent_provider.client import LiveAgentClient, LiveAgentSettings
from provider_kit.plugin import PROVIDER_WORKERS_ENV
from tests.engine import EngineStack, changes
from tests.sandbox_client import SEED_ACCOUNT_SID, SEED_API_KEY, SEED_AUTH_TOKEN, Sandbox
from twilio_provider.client import TwilioClient, TwilioSettings

sys.path.insert(0, str(PROJECT_DIR / "tools"))
import dynamic_provider_host  # noqa: E402

FIFTY_NUMBERS_PROJECT = "name: twilio-liveagent\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n"


def _fifty_numbers(tmp: Path, sandbox: Sandbox, name: str, env: dict[str, str] | None = None) -> EngineStack:
    stack = EngineStack(
        tmp / name,
        project_file=FIFTY_NUMBERS_PROJECT,
        main=PROJECT_DIR / "tests" / "programs" / "fifty_numbers.py",
        env=env,
    )
    stack.configure(
        {
            "liveagent": {
                "url": sandbox.liveagent_url,
                "apiKey": SEED_API_KEY,
                "rateLimit": {"requests": 100000, "windowSeconds": 60},
            }
        },
        secret={"liveagent"},
    )
    return stack


def _destroy_in_flight(stack: EngineStack, sandbox: Sandbox) -> tuple[int, float]:
    """The most LiveAgent requests in flight at once during `destroy --parallel 16` of 50 numbers, and its seconds.

    A destroy's deletes are steps the engine runs in parallel (as are creates, updates and a refresh's reads,
    which one listing now answers); an `up`'s `check` and `diff` calls are made one at a time by the engine's
    step generator whatever the provider's pool (README, Speed at scale)."""
    done = stack.run("up", "--yes", "--non-interactive", "--skip-preview")
    assert done.returncode == 0, done.stdout + done.stderr
    sandbox.faults("liveagent", latency_ms=200)
    sandbox.clear_counters()
    started = time.monotonic()
    done = stack.run("destroy", "--yes", "--non-interactive", "--parallel", "16", "--skip-preview")
    seconds = time.monotonic() - started
    sandbox.faults("liveagent")
    assert done.returncode == 0, done.stdout + done.stderr
    assert sandbox.liveagent_numbers() == {}
    return int(sandbox.counters("liveagent")["max_in_flight"]), seconds


def test_more_than_four_provider_calls_reach_the_api_at_once(tmp_path: Path, sandbox: Sandbox) -> None:
    assert "dynamic_provider_host" in (TOOLS_BIN / "pulumi-resource-pulumi-python").read_text(), "run `make engine`"
    stacks = []
    try:
        stacks.append(_fifty_numbers(tmp_path, sandbox, "sdk", env={PROVIDER_WORKERS_ENV: "4"}))
        at_four, four_s = _destroy_in_flight(stacks[-1], sandbox)
        stacks.append(_fifty_numbers(tmp_path, sandbox, "ours"))
        ours, ours_s = _destroy_in_flight(stacks[-1], sandbox)
    finally:
        sandbox.faults("liveagent")
        for stack in stacks:
            stack.stack.destroy()
    print(f"in flight: {at_four} with 4 workers ({four_s:.1f} s), {ours} with ours ({ours_s:.1f} s)")
    assert at_four <= 4, "the SDK's own pool size holds when asked for"
    assert ours > 4, f"at most {ours} requests in flight: the provider still serves 4 calls at a time"


def test_the_launcher_falls_back_to_the_sdk_server_when_its_shape_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    applied = dynamic_provider_host.patched_source(16)
    assert isinstance(applied, tuple) and applied[2] == [], "the pinned SDK: every edit applies"
    monkeypatch.setattr(dynamic_provider_host, "EXPECTED", "futures.ThreadPoolExecutor(max_workers=5)")
    partly = dynamic_provider_host.patched_source(16)
    assert isinstance(partly, tuple), "the other edits still apply without the workers one"
    assert len(partly[2]) == 1 and "not once (4 provider calls at a time)" in partly[2][0]
    monkeypatch.setattr(dynamic_provider_host, "DIFF_EXPECTED", "no such line")
    monkeypatch.setattr(dynamic_provider_host, "ERROR_EXPECTED", "no such line either")
    monkeypatch.setattr(dynamic_provider_host, "CHECK_EXPECTED", "nor that one")
    reason = dynamic_provider_host.patched_source(16)
    assert isinstance(reason, str) and "not once" in reason
    # Run as the plugin is: it still serves (prints its port), after one line saying what did not apply.
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(PROJECT_DIR / "tools")!r})
        import dynamic_provider_host as host
        host.EXPECTED = "no such line"
        host.DIFF_EXPECTED = "no such line either"
        host.ERROR_EXPECTED = "nor this one"
        host.CHECK_EXPECTED = "nor that one"
        host.main()
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-u", "-c", script],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        port = process.stdout.readline().strip()
        notice = process.stderr.readline()
    finally:
        process.kill()
        process.wait()
    assert port.isdigit(), port
    assert "(4 provider calls at a time)" in notice and "running the SDK's server unchanged" in notice
    assert "pulumi 3." in notice


LIMITED_PROCESS = """
import sys
from dataclasses import replace
from liveagent_provider.client import LiveAgentClient, LiveAgentSettings
from provider_kit.retry import LIVEAGENT_RETRY
retry = replace(LIVEAGENT_RETRY, tries=1, budget_s=1.0)
settings = LiveAgentSettings(sys.argv[1], sys.argv[2], rate_requests=10, rate_window_s=3.0, retry=retry)
client = LiveAgentClient(settings)
for _ in range(10):
    client.request("GET", "/departments", params={"_page": 1, "_perPage": 100})
"""


def test_back_to_back_processes_share_the_liveagent_rate_limit(tmp_path: Path, sandbox: Sandbox) -> None:
    sandbox.rate_limit(10, 3.0)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-c", LIMITED_PROCESS, sandbox.liveagent_url, SEED_API_KEY]
    try:
        started = time.monotonic()
        for _ in range(2):  # one after the other: the second waits for the window the first used
            done = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr
        side_by_side = [subprocess.Popen(command, cwd=PROJECT_DIR, env=env) for _ in range(2)]
        assert [process.wait(timeout=60) for process in side_by_side] == [0, 0]
        seconds = time.monotonic() - started
    finally:
        sandbox.rate_limit(0, 60)
    counters = sandbox.counters("liveagent")
    assert "429" not in counters["by_status"], counters["by_status"]
    assert counters["total"] == 40
    assert seconds >= 3 * 3.0, "40 requests at 10 per 3 s cannot take less than three windows"
    assert list((tmp_path / "cache" / "twilio-liveagent" / "rate-limit").glob("*.times"))


def _parallel(calls: int, action: Any) -> None:
    with ThreadPoolExecutor(max_workers=calls) as pool:
        list(pool.map(lambda _: action(), range(calls)))


def test_each_api_keeps_one_pool_of_connections_across_threads(sandbox: Sandbox) -> None:
    sandbox.faults("liveagent", latency_ms=50)
    sandbox.faults("twilio", latency_ms=50)
    try:
        liveagent = LiveAgentClient(LiveAgentSettings(sandbox.liveagent_url, SEED_API_KEY, rate_requests=100000))
        twilio = TwilioClient(TwilioSettings(SEED_ACCOUNT_SID, SEED_AUTH_TOKEN, base_url=sandbox.twilio_url))
        sandbox.clear_counters()
        for _ in range(3):  # three rounds of 16 calls at once: the second and third reuse the first's connections
            _parallel(16, lambda: liveagent.request("GET", "/departments"))
            _parallel(16, lambda: twilio.get("trunking", "/v1/Trunks"))
        twilio.create("trunking", "/v1/Trunks", {"FriendlyName": "pooled"})  # creates share the same pool
        connections = {api: sandbox.counters(api)["connections"] for api in ("liveagent", "twilio")}
    finally:
        sandbox.faults("liveagent")
        sandbox.faults("twilio")
    assert connections["liveagent"] <= 16, connections
    assert connections["twilio"] <= 16, connections


def test_a_no_op_up_opens_few_connections(make_stack: Any, sandbox: Sandbox) -> None:
    from tests.conftest import base_config

    stack = make_stack(base_config(sandbox))
    stack.up()
    sandbox.clear_counters()
    assert changes(stack.up().summary.resource_changes or {}) == {}
    for api in ("liveagent", "twilio"):
        counters = sandbox.counters(api)
        assert counters["connections"] < counters["total"], (api, counters)
