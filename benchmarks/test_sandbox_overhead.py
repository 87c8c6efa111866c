"""Benchmark: the emulators' own overhead per request (goal: median under 2 ms on this machine).

Run with `make bench`; results are printed and written to bench-results/sandbox_overhead.json.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import requests

from deploy.sandbox_process import running_sandbox
from tests.sandbox_client import SEED_ACCOUNT_SID, SEED_API_KEY, SEED_AUTH_TOKEN

GOAL_MS = 2.0
SAMPLES = 1000
RESULTS = Path(__file__).resolve().parent.parent / "bench-results"


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


def test_median_request_overhead_is_under_2_ms() -> None:
    results = {}
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
    for name, timings in cases.items():
        results[name] = {
            "median_ms": round(statistics.median(timings), 3),
            "p95_ms": round(sorted(timings)[int(len(timings) * 0.95)], 3),
            "samples": len(timings),
        }
        print(f"{name}: median {results[name]['median_ms']} ms, p95 {results[name]['p95_ms']} ms")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sandbox_overhead.json").write_text(json.dumps(results, indent=2))
    for name, result in results.items():
        assert result["median_ms"] < GOAL_MS, f"{name}: median {result['median_ms']} ms is over {GOAL_MS} ms"
