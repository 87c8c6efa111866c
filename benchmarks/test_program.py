"""Benchmark: wall time and API calls of our program on the real engine (up, no-op up, destroy).

Results go to benchmarks/results/local/program.json; they describe this machine, they are not pass/fail goals
except that a no-op up writes nothing.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from deploy.sandbox_process import running_sandbox
from tests.conftest import base_config
from tests.engine import EngineStack
from tests.sandbox_client import Sandbox

RESULTS = Path(__file__).resolve().parent / "results" / "local"


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return round(time.perf_counter() - start, 2)


def test_program_timings(tmp_path: Path) -> None:
    results: dict[str, object] = {}
    with running_sandbox("--liveagent-rate-limit", "0") as urls:
        sandbox = Sandbox(urls["twilio"], urls["liveagent"])
        config = base_config(sandbox)
        config["numbers"] = [
            {"number": f"+8150123456{78 + i}", "name": f"n{i}", "department": "Support", "dialPrefix": i + 1}
            for i in range(8)
        ]
        stack = EngineStack(tmp_path)
        stack.configure(config)
        results["first up (8 numbers) s"] = _timed(stack.up)
        sandbox.clear_counters()
        noop = [_timed(stack.up) for _ in range(3)]
        results["no-op up s (median of 3)"] = statistics.median(noop)
        results["no-op up API reads per run"] = (
            sandbox.counters("twilio")["reads"] + sandbox.counters("liveagent")["reads"]
        ) / 3
        assert sandbox.writes() == 0
        results["destroy s"] = _timed(stack.destroy)
    for name, value in results.items():
        print(f"{name}: {value}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "program.json").write_text(json.dumps(results, indent=2))
