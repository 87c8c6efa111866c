"""Benchmark: the emulators' cost per request, as a ratio to a bare HTTP server measured in the same run
(goal: a median at most 1.5 times the bare server's; an absolute time on this shared machine means little).

Run with `make bench`; results are printed and written to benchmarks/results/local/sandbox_overhead.json.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

from deploy.sandbox_process import running_sandbox
from tests.sandbox_client import SEED_ACCOUNT_SID, SEED_API_KEY, SEED_AUTH_TOKEN

GOAL_RATIO = 1.5
SAMPLES = 1000
RESULTS = Path(__file__).resolve().parent / "results" / "local"


def _measure(session: requests.Session, method: str, url: str, **kwargs: object) -> list[float]:
    for _ in range(50):  # warm up connections and caches
        session.request(method, url, timeout=5, **kwargs)  # type: ignore[arg-type]
    timings = []
    for _ in range(SAMPLES):
        start = time.perf_counter()
        response = session.request(method, url, timeout=5, **kwargs)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code < 400
    return timings


def bare_server_timings() -> list[float]:
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("bare_server.py"))], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        return _measure(requests.Session(), "GET", url + "/bare")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_median_request_cost_is_at_most_one_and_a_half_times_a_bare_server() -> None:
    results = {}
    baseline = statistics.median(bare_server_timings())
    with running_sandbox("--liveagent-rate-limit", "0") as urls:
        twilio = requests.Session()
        twilio.auth = (SEED_ACCOUNT_SID, SEED_AUTH_TOKEN)
        sid = twilio.post(f"{urls['twilio']}/trunking/v1/Trunks", data={"FriendlyName": "bench"}, timeout=5).json()[
            "sid"
        ]
        liveagent = requests.Session()
        liveagent.headers["apikey"] = SEED_API_KEY
        cases = {
            "twilio FetchTrunk": _measure(twilio, "GET", f"{urls['twilio']}/trunking/v1/Trunks/{sid}"),
            "twilio UpdateTrunk": _measure(
                twilio, "POST", f"{urls['twilio']}/trunking/v1/Trunks/{sid}", data={"FriendlyName": "bench"}
            ),
            "liveagent getDepartmentList": _measure(liveagent, "GET", f"{urls['liveagent']}/api/v3/departments"),
        }
    print(f"bare server: median {baseline:.3f} ms")
    for name, timings in cases.items():
        median = statistics.median(timings)
        results[name] = {
            "median_ms": round(median, 3),
            "p95_ms": round(sorted(timings)[int(len(timings) * 0.95)], 3),
            "ratio_to_bare_server": round(median / baseline, 2),
            "samples": len(timings),
        }
        print(f"{name}: median {results[name]['median_ms']} ms ({results[name]['ratio_to_bare_server']}x bare)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sandbox_overhead.json").write_text(json.dumps(results, indent=2))
    results["bare server"] = {"median_ms": round(baseline, 3)}
    for name, result in results.items():
        ratio = result.get("ratio_to_bare_server", 1.0)
        assert ratio <= GOAL_RATIO, f"{name}: median {result['median_ms']} ms is {ratio}x a bare server's"
