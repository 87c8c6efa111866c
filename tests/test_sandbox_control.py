"""The sandbox as a product: a process that starts, reports, injects faults, keeps state and stops cleanly."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from deploy.cli import PROJECT_DIR
from deploy.sandbox_process import running_sandbox
from tests.sandbox_client import SEED_ACCOUNT_SID, SEED_AUTH_TOKEN, Sandbox

AUTH = (SEED_ACCOUNT_SID, SEED_AUTH_TOKEN)


def test_starts_prints_one_json_line_and_stops_cleanly_on_sigterm() -> None:
    process = subprocess.Popen([sys.executable, "-m", "sandbox"], cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    urls = json.loads(process.stdout.readline())
    assert set(urls) == {"twilio", "liveagent"}
    assert requests.get(f"{urls['twilio']}/trunking/v1/Trunks", auth=AUTH, timeout=5).status_code == 200
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_state_survives_a_restart_with_state_dir(tmp_path: Path) -> None:
    with running_sandbox(state_dir=tmp_path) as urls:
        sid = requests.post(
            f"{urls['twilio']}/trunking/v1/Trunks", data={"FriendlyName": "kept"}, auth=AUTH, timeout=5
        ).json()["sid"]
    with running_sandbox(state_dir=tmp_path) as urls:
        assert requests.get(f"{urls['twilio']}/trunking/v1/Trunks/{sid}", auth=AUTH, timeout=5).status_code == 200
    with running_sandbox() as urls:
        assert requests.get(f"{urls['twilio']}/trunking/v1/Trunks/{sid}", auth=AUTH, timeout=5).status_code == 404


def test_counters_split_reads_and_writes_by_route_and_status(sandbox: Sandbox) -> None:
    sandbox.twilio("POST", "/trunking/v1/Trunks", FriendlyName="a")
    sandbox.twilio("GET", "/trunking/v1/Trunks")
    requests.get(f"{sandbox.twilio_url}/trunking/v1/Trunks/TK{'0' * 32}", auth=AUTH, timeout=5)
    counters = sandbox.counters("twilio")
    assert (counters["total"], counters["reads"], counters["writes"]) == (3, 2, 1)
    assert counters["by_route"] == {"CreateTrunk": 1, "ListTrunk": 1, "FetchTrunk": 1}
    assert counters["by_status"] == {"201": 1, "200": 1, "404": 1}
    assert counters["by_route_status"]["FetchTrunk 404"] == 1


def test_reset_returns_to_the_seed(sandbox: Sandbox) -> None:
    sandbox.twilio("POST", "/trunking/v1/Trunks", FriendlyName="gone soon")
    sandbox.reset()
    assert sandbox.trunks() == []
    assert sandbox.counters("twilio")["total"] == 0
    assert len(sandbox.numbers_by_e164()) == 12


def test_injected_statuses_follow_rate_and_seed(sandbox: Sandbox) -> None:
    sandbox.faults("twilio", rate=0.5, statuses=[429, 503], seed=7)
    first = [
        requests.get(f"{sandbox.twilio_url}/trunking/v1/Trunks", auth=AUTH, timeout=5).status_code for _ in range(200)
    ]
    sandbox.faults("twilio", rate=0.5, statuses=[429, 503], seed=7)
    second = [
        requests.get(f"{sandbox.twilio_url}/trunking/v1/Trunks", auth=AUTH, timeout=5).status_code for _ in range(200)
    ]
    assert first == second, "the same seed gives the same faults"
    assert set(first) == {200, 429, 503}
    assert 60 <= first.count(200) <= 140
    faulted = requests.get(f"{sandbox.twilio_url}/trunking/v1/Trunks", auth=AUTH, timeout=5)
    while faulted.status_code == 200:
        faulted = requests.get(f"{sandbox.twilio_url}/trunking/v1/Trunks", auth=AUTH, timeout=5)
    assert set(faulted.json()) == {"code", "message", "more_info", "status"}


def test_a_seeded_schedule_does_not_depend_on_the_order_requests_arrive_in(sandbox: Sandbox) -> None:
    """Concurrent providers send requests in a different order each run; each request's fate stays the same."""
    paths = [f"/trunking/v1/Trunks/TK{i:032x}" for i in range(40)]

    def fates(order: list[str]) -> dict[str, list[int]]:
        sandbox.faults("twilio", rate=0.5, statuses=[500, 502, 503, 504], seed=3)
        seen: dict[str, list[int]] = {path: [] for path in paths}
        for path in order:
            seen[path].append(requests.get(f"{sandbox.twilio_url}{path}", auth=AUTH, timeout=5).status_code)
        return seen

    forward = fates([path for path in paths for _ in range(3)])
    backward = fates([path for _ in range(3) for path in reversed(paths)])
    assert forward == backward
    assert {status for statuses in forward.values() for status in statuses} == {404, 500, 502, 503, 504}


def test_max_per_request_lets_every_retry_through(sandbox: Sandbox) -> None:
    sandbox.faults("twilio", rate=1.0, statuses=[503], max_per_request=1)
    url = f"{sandbox.twilio_url}/trunking/v1/Trunks"
    assert [requests.get(url, auth=AUTH, timeout=5).status_code for _ in range(4)] == [503, 200, 503, 200]
    assert sandbox.counters("twilio")["faults"] == {"503": 2}


def test_faulted_writes_are_not_applied(sandbox: Sandbox) -> None:
    sandbox.faults("twilio", rate=1.0, statuses=[503])
    response = requests.post(
        f"{sandbox.twilio_url}/trunking/v1/Trunks", data={"FriendlyName": "x"}, auth=AUTH, timeout=5
    )
    assert response.status_code == 503
    sandbox.faults("twilio")
    assert sandbox.trunks() == []


def test_dropped_connections_and_timeouts(sandbox: Sandbox) -> None:
    sandbox.faults("twilio", rate=1.0, statuses=["drop"])
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{sandbox.twilio_url}/trunking/v1/Trunks", auth=AUTH, timeout=5)
    sandbox.faults("twilio", rate=1.0, statuses=["timeout"], timeout_ms=3000)
    with pytest.raises(requests.Timeout):
        requests.get(f"{sandbox.twilio_url}/trunking/v1/Trunks", auth=AUTH, timeout=0.5)
    sandbox.faults("twilio")


def test_latency_is_added_to_every_request(sandbox: Sandbox) -> None:
    sandbox.faults("liveagent", latency_ms=200)
    start = time.monotonic()
    requests.get(f"{sandbox.liveagent_url}/api/v3/ping", headers={"apikey": "x"}, timeout=5)
    assert time.monotonic() - start >= 0.2


def test_bad_fault_settings_are_refused(sandbox: Sandbox) -> None:
    response = requests.post(f"{sandbox.twilio_url}/__sandbox/faults", json={"rate": 2}, timeout=5)
    assert response.status_code == 400
    response = requests.post(f"{sandbox.twilio_url}/__sandbox/faults", json={"statusez": [500]}, timeout=5)
    assert response.status_code == 400 and "statusez" in response.json()["error"]
