"""`make resilience`: first `pulumi up`s through injected faults, each checked against the config afterwards.

Each run is a new stack of N numbers on a reset sandbox: a plain `pulumi up --yes` with faults injected into
a share of the requests on both APIs, then, with the faults off, the sandbox compared with the config field
by field (nothing missing, nothing made twice) and a further `pulumi up --yes` that must write nothing, then
`pulumi destroy`. The same runs without faults give the baseline for time and calls. The fault schedule is
seeded per run (the sandbox's FaultPlan): a run that fails is replayed with `--seed` and `--runs 1`.

    make resilience RESILIENCE_ARGS="--runs 10 --numbers 10 --rate 0.2"   # = python -m tests.resilience …
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from deploy.cli import PROJECT_DIR
from deploy.sandbox_process import running_sandbox
from sandbox.faults import FAULT_KINDS
from stack import api_settings
from tests.conftest import base_config
from tests.converged import mismatches
from tests.engine import EngineStack, strip_ansi
from tests.sandbox_client import Sandbox

APIS = ("twilio", "liveagent")
NUMBERS = (  # the sandbox's seed numbers (sandbox/seed.yaml), all owned by its account
    "+815012345678 +815012345679 +815012345680 +815012345681 +815012345682 +815012345683 +815012345684 "
    "+815012345685 +14155550100 +14155550101 +442071838750 +6531581234"
).split()
# The clients wait this long for an answer; a "timeout" fault holds the connection longer, so the client
# meets a real read timeout (not a closed connection) and retries.
CLIENT_TIMEOUT_S = 2.0
FAULT_HOLD_MS = 2600.0


def config_for(sandbox: Sandbox, numbers: int) -> dict[str, Any]:
    if not 1 <= numbers <= len(NUMBERS):
        raise SystemExit(f"--numbers must be 1 to {len(NUMBERS)} (the sandbox's seed numbers)")
    config = base_config(sandbox)
    config["numbers"] = [
        {"number": e164, "name": f"Line {i + 1}", "department": ("Support", "Sales")[i % 2], "dialPrefix": i + 1}
        for i, e164 in enumerate(NUMBERS[:numbers])
    ]
    for api in APIS:
        config[api]["timeoutSeconds"] = CLIENT_TIMEOUT_S
    return config


def fault_plan(rate: float, seed: int, **extra: Any) -> dict[str, Any]:
    return {
        "rate": rate,
        "statuses": list(FAULT_KINDS),
        "seed": seed,
        "timeout_ms": FAULT_HOLD_MS,
        "retry_after": 1,
        **extra,
    }


@dataclass
class RunReport:
    seed: int | None
    converged_in_one_up: bool
    seconds: float
    calls: dict[str, int]
    faults: dict[str, dict[str, int]]
    mismatches: list[str]
    writes_after: int
    error: str = ""
    recovered_by_next_up: bool | None = None  # asked only when the first `up` failed
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.converged_in_one_up and not self.mismatches and self.writes_after == 0


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join(strip_ansi(text).strip().splitlines()[-lines:])


def one_run(sandbox: Sandbox, work: Path, numbers: int, plan: dict[str, Any] | None) -> RunReport:
    """A first `up` through `plan`'s faults (None: none), checked; the stack is destroyed afterwards."""
    sandbox.reset()
    config = config_for(sandbox, numbers)
    stack = EngineStack(work)
    stack.configure(config)
    for api in APIS:
        sandbox.faults(api, **(plan or {}))
    started = time.monotonic()
    first = stack.run("up", "--yes", "--non-interactive", timeout=1800)
    seconds = time.monotonic() - started
    counters = {api: sandbox.counters(api) for api in APIS}
    for api in APIS:
        sandbox.faults(api)
    report = RunReport(
        seed=(plan or {}).get("seed"),
        converged_in_one_up=first.returncode == 0,
        seconds=seconds,
        calls={api: int(counters[api]["total"]) for api in APIS},
        faults={api: dict(counters[api]["faults"]) for api in APIS},
        mismatches=[],
        writes_after=-1,
        error="" if first.returncode == 0 else _tail(first.stdout + first.stderr),
    )
    if first.returncode != 0:
        report.recovered_by_next_up = stack.run("up", "--yes", "--non-interactive", timeout=1800).returncode == 0
    report.mismatches = mismatches(sandbox, config)
    sandbox.clear_counters()
    again = stack.run("up", "--yes", "--non-interactive", timeout=1800)
    report.writes_after = sandbox.writes() if again.returncode == 0 else -1
    destroyed = stack.run("destroy", "--yes", "--non-interactive", "--remove", timeout=1800)
    if destroyed.returncode != 0:
        report.mismatches.append("destroy failed: " + _tail(destroyed.stdout + destroyed.stderr, 5))
    return report


def summary(faulted: list[RunReport], baseline: list[RunReport], numbers: int, rate: float) -> dict[str, Any]:
    kinds: dict[str, Counter[str]] = {api: Counter() for api in APIS}
    for run in faulted:
        for api in APIS:
            kinds[api].update(run.faults[api])
    calls = {api: sum(run.calls[api] for run in faulted) for api in APIS}
    base_calls = {api: sum(run.calls[api] for run in baseline) / max(1, len(baseline)) for api in APIS}
    injected = {api: sum(kinds[api].values()) for api in APIS}
    median = statistics.median([run.seconds for run in faulted]) if faulted else 0.0
    base_median = statistics.median([run.seconds for run in baseline]) if baseline else 0.0
    return {
        "numbers": numbers,
        "fault_rate": rate,
        "runs": len(faulted),
        "converged_in_one_up": sum(run.converged_in_one_up for run in faulted),
        "mismatches": sum(len(run.mismatches) for run in faulted),
        "duplicates": sum(1 for run in faulted for m in run.mismatches if "twice" in m or ", expected 1" in m),
        "writes_by_the_next_up": sum(max(run.writes_after, 0) for run in faulted),
        "faults_injected": {api: dict(sorted(kinds[api].items())) for api in APIS},
        "kinds_never_injected": {api: sorted({str(k) for k in FAULT_KINDS} - set(kinds[api])) for api in APIS},
        # Each fault is answered by one more request (a retry, or the lookup before a create is sent again).
        "calls_per_run": {api: calls[api] / max(1, len(faulted)) for api in APIS},
        "calls_per_run_without_faults": base_calls,
        "faults_per_run": {api: injected[api] / max(1, len(faulted)) for api in APIS},
        "median_seconds": round(median, 1),
        "median_seconds_without_faults": round(base_median, 1),
        "time_ratio": round(median / base_median, 2) if base_median else None,
        "failed_seeds": [run.seed for run in faulted if not run.ok],
    }


def markdown(result: dict[str, Any]) -> str:
    rows = [
        ("runs converged in one `up`", f"{result['converged_in_one_up']}/{result['runs']}"),
        ("mismatches with the config (field by field)", result["mismatches"]),
        ("resources made twice", result["duplicates"]),
        ("writes by the next `up`", result["writes_by_the_next_up"]),
    ]
    for api in APIS:
        injected = ", ".join(f"{kind} {count}" for kind, count in result["faults_injected"][api].items())
        rows.append((f"{api}: faults injected ({sum(result['faults_injected'][api].values())})", injected or "none"))
        rows.append(
            (
                f"{api}: calls per run, with / without faults",
                f"{result['calls_per_run'][api]:.0f} / {result['calls_per_run_without_faults'][api]:.0f}",
            )
        )
    rows.append(
        (
            "median wall time of a first `up`, with / without faults",
            f"{result['median_seconds']} s / {result['median_seconds_without_faults']} s (×{result['time_ratio']})",
        )
    )
    head = f"N = {result['numbers']} numbers, {result['fault_rate']:.0%} of requests faulted on both APIs\n\n"
    return head + "| | |\n| --- | --- |\n" + "\n".join(f"| {name} | {value} |" for name, value in rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--numbers", type=int, default=10)
    parser.add_argument("--rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1, help="the first run's seed; run i uses seed + i")
    parser.add_argument("--baseline-runs", type=int, default=3, help="runs without faults, for time and calls")
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "benchmarks" / "results" / "local")
    args = parser.parse_args(argv)
    for name in api_settings.ENVIRONMENT:  # a real account's credentials in this shell would win over the sandbox's
        os.environ.pop(name, None)

    faulted: list[RunReport] = []
    baseline: list[RunReport] = []
    with running_sandbox() as urls, tempfile.TemporaryDirectory(prefix="resilience-") as tmp:
        sandbox = Sandbox(urls["twilio"], urls["liveagent"])
        for i in range(args.baseline_runs):
            baseline.append(one_run(sandbox, Path(tmp) / f"base{i}", args.numbers, None))
            print(f"baseline {i + 1}/{args.baseline_runs}: {baseline[-1].seconds:.1f} s", flush=True)
        for i in range(args.runs):
            seed = args.seed + i
            run = one_run(sandbox, Path(tmp) / f"run{i}", args.numbers, fault_plan(args.rate, seed))
            faulted.append(run)
            verdict = "converged" if run.ok else "FAILED"
            injected = sum(sum(kinds.values()) for kinds in run.faults.values())
            print(
                f"run {i + 1}/{args.runs} (seed {seed}): {verdict} in {run.seconds:.1f} s, {injected} faults",
                flush=True,
            )
            if not run.ok:
                print(f'  replay: make resilience RESILIENCE_ARGS="--runs 1 --seed {seed} --numbers {args.numbers}"')
                for line in [*run.mismatches, run.error]:
                    if line:
                        print("  " + line.replace("\n", "\n  "))
    result = summary(faulted, baseline, args.numbers, args.rate)
    args.out.mkdir(parents=True, exist_ok=True)
    detail = {
        "summary": result,
        "runs": [asdict(run) for run in faulted],
        "baseline": [asdict(run) for run in baseline],
    }
    (args.out / "resilience.json").write_text(json.dumps(detail, indent=2), encoding="utf-8")
    (args.out / "resilience.md").write_text(markdown(result), encoding="utf-8")
    print()
    print(markdown(result))
    print(f"written: {args.out / 'resilience.md'} and resilience.json")
    return 0 if not result["failed_seeds"] else 1


if __name__ == "__main__":
    sys.exit(main())
