"""`make bench`'s scale table: plain CLI runs at N numbers and L ms per request, against bounds from the same run.

For each N a sandbox is seeded with N extra owned numbers (+8150900xxxxx, a generated seed file passed with
`--seed`; the default seed is untouched) with LiveAgent's real limit (180 a minute per key) and L ms added to
every request on both APIs. Each run is a new stack: first `up`, no-op `up`, `up` after one console edit,
`preview`, `preview --refresh=false`, `destroy`, then back to back (first `up`, no-op `up`, `preview` with no
pause). Between the single phases the bench waits until LiveAgent's window has room for the next phase, so
each phase's time is its own; the back-to-back row waits for nothing. Per phase: wall time (median and spread of
the runs), calls per API split into reads and writes, 429s, connections opened, the most requests in flight and
the peak RSS of the CLI's process tree (sampled from /proc). A sequential script replays the first `up`'s
requests one at a time in the same run (the baseline). Bounds, from the same run:
  chain   the longest chain of dependent calls × L (a constant per phase, see CHAIN);
  rate    LiveAgent's calls beyond the first 180, at 180 a minute in a sliding window: call 181 no sooner than a
          minute after call 1 (so 253 calls need 60 s, not the 24 s that 73 calls at 3 a second would suggest);
  pool    all calls × L ÷ the concurrency available (min of the engine's --parallel and the plugin's workers);
  engine  the same N's `preview --refresh=false` (start-up, program, checks, plan: 3 API calls), the CLI's floor.

    python -m benchmarks.scale                    # N = 1 10 50 200, L = 100 ms, 3 runs, and N = 1 10 at L = 0
    python -m benchmarks.scale --quick            # N = 1 10, 1 run
    python -m benchmarks.scale --numbers 1 10 50 --runs 1
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import yaml

from deploy.cli import PROJECT_DIR, TOOLS_BIN
from deploy.sandbox_process import running_sandbox
from liveagent_provider.client import LiveAgentClient, LiveAgentSettings
from liveagent_provider.rate_limit import SlidingWindow
from provider_kit.plugin import provider_workers
from stack import api_settings
from tests.conftest import base_config
from tests.engine import EngineStack
from tests.sandbox_client import SEED_ACCOUNT_SID, SEED_API_KEY, SEED_AUTH_TOKEN, Sandbox

RESULTS = PROJECT_DIR / "benchmarks" / "results"  # committed: the table the README quotes
SMOKE_RESULTS = RESULTS / "local"  # gitignored: `--quick` runs and the other benchmarks
APIS = ("twilio", "liveagent")
PHASES = (
    "first up",
    "no-op up",
    "up after a console edit",
    "preview",
    "preview --refresh=false",
    "destroy",
    "back to back (up, no-op up, preview)",
)
# The longest chain of calls that wait for one another, per phase: a first `up` looks the trunk up, creates it,
# looks the number up, attaches it, lists departments, looks the LiveAgent number up, creates it (the 6,
# plus the trunk's lookup); a refresh reads every resource at once, then checks and diffs run.
CHAIN = {
    "first up": 7,
    "no-op up": 2,
    "up after a console edit": 3,
    "preview": 2,
    "preview --refresh=false": 1,
    "destroy": 3,
    "back to back (up, no-op up, preview)": 11,
}
RATE = (180, 60.0)


def numbers(count: int) -> list[str]:
    return [f"+815090{i:06d}" for i in range(count)]  # 050-9000-0000 on: valid Japanese IP-phone numbers


def seed_file(count: int, directory: Path) -> Path:
    seed = yaml.safe_load((PROJECT_DIR / "sandbox" / "seed.yaml").read_text(encoding="utf-8"))
    seed["twilio"]["phone_numbers"] += [
        {"phone_number": e164, "friendly_name": f"Bench {e164}"} for e164 in numbers(count)
    ]
    path = directory / f"seed-{count}.yaml"
    path.write_text(yaml.safe_dump(seed, allow_unicode=True), encoding="utf-8")
    return path


def config_for(sandbox: Sandbox, count: int) -> dict[str, Any]:
    config = base_config(sandbox)
    # The suite lifts the client's LiveAgent limit so that it is not paced; the bench measures the real one.
    config["liveagent"].pop("rateLimit", None)
    config["numbers"] = [
        {"number": e164, "name": f"Line {i + 1}", "department": ("Support", "Sales")[i % 2], "dialPrefix": i + 1}
        for i, e164 in enumerate(numbers(count))
    ]
    return config


class TreeRss:
    """Peak resident memory of a process and all its descendants, sampled from /proc every 200 ms."""

    def __init__(self, pid: int):
        self.pid, self.peak = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.wait(0.2):  # cheap on a busy 2-core machine: /proc/PID/task/*/children, not all of /proc
            tree, frontier, total = set(), [self.pid], 0
            while frontier:
                pid = frontier.pop()
                if pid in tree:
                    continue
                tree.add(pid)
                try:
                    total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
                    for task in os.listdir(f"/proc/{pid}/task"):
                        frontier += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
                except OSError:
                    continue
            self.peak = max(self.peak, total)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def cli(stack: EngineStack, *args: str) -> tuple[float, int]:
    """A plain CLI run in the project folder; (seconds, peak RSS bytes of its process tree)."""
    command = [str(TOOLS_BIN / "pulumi"), *args, "--stack", stack.name, "--non-interactive"]
    env = {**os.environ, **stack.env}
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=stack.project_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    sampler = TreeRss(process.pid)
    output, _ = process.communicate(timeout=3600)
    seconds, peak = time.monotonic() - started, sampler.stop()
    if process.returncode != 0:
        raise RuntimeError(f"pulumi {' '.join(args)} failed:\n{output[-3000:]}")
    return seconds, peak


def counted(sandbox: Sandbox) -> dict[str, Any]:
    calls: dict[str, Any] = {}
    for api in APIS:
        counters = sandbox.counters(api)
        calls[api] = {
            "reads": counters["reads"],
            "writes": counters["writes"],
            "429s": sum(n for status, n in counters["by_status"].items() if status.startswith("429")),
            "connections": counters["connections"],
            "max_in_flight": counters["max_in_flight"],
        }
    return calls


class Pacer:
    """Before a single phase, wait until LiveAgent's window has room for it (the bench's own bookkeeping).

    What a phase needs is what it used the last time it ran at this N (`expect`), else what it used at a smaller
    N scaled up, else a generous guess."""

    def __init__(self) -> None:
        self.spent: list[tuple[float, int]] = []
        self.used: dict[tuple[str, int], int] = {}

    def expect(self, phase: str, count: int) -> int:
        if (phase, count) in self.used:
            return self.used[phase, count]
        smaller = [n for p, n in self.used if p == phase and n < count]
        if smaller:  # not run at this N yet: scaled from the largest N it ran at, with a margin
            n = max(smaller)
            return int(self.used[phase, n] * count / n * 1.2) + 5
        return 4 * count + 5

    def wait_for(self, expected: int) -> None:
        while True:
            now = time.monotonic()
            recent = sum(n for at, n in self.spent if now - at < RATE[1] + 1)
            if recent + expected <= RATE[0] or recent == 0:
                return
            time.sleep(1.0)

    def record(self, calls: int) -> None:
        self.spent.append((time.monotonic(), calls))


def replay(sandbox: Sandbox, journal: list[dict[str, Any]]) -> float:
    """The baseline: the same requests, in the order they arrived, one at a time, LiveAgent paced at 180 a minute."""
    sessions = {api: requests.Session() for api in APIS}
    sessions["twilio"].auth = (SEED_ACCOUNT_SID, SEED_AUTH_TOKEN)
    sessions["liveagent"].headers["apikey"] = SEED_API_KEY
    limiter = SlidingWindow(*RATE)
    started = time.monotonic()
    for entry in journal:
        api = entry["api"]
        base = sandbox.twilio_url if api == "twilio" else sandbox.liveagent_url
        stamp = limiter.acquire() if api == "liveagent" else None
        url = base + entry["path"] + (f"?{entry['query']}" if entry["query"] else "")
        headers = {"Content-Type": entry["content_type"]} if entry["content_type"] else {}
        sessions[api].request(entry["method"], url, data=entry["body"].encode(), headers=headers, timeout=60)
        if stamp is not None:
            limiter.settle(stamp)
    return time.monotonic() - started


def one_run(
    sandbox: Sandbox, work: Path, count: int, latency_ms: float, env: dict[str, str], pacer: Pacer
) -> dict[str, Any]:
    sandbox.reset()
    for api in APIS:
        sandbox.faults(api, latency_ms=latency_ms)
    stack = EngineStack(work / "single", env=env)
    stack.configure(config_for(sandbox, count))
    phases: dict[str, Any] = {}

    def phase(name: str, action: Callable[[], tuple[float, int]], journal: bool = False) -> None:
        pacer.wait_for(pacer.expect(name, count))
        sandbox.clear_counters()
        if journal:
            for base in (sandbox.twilio_url, sandbox.liveagent_url):
                requests.post(f"{base}/__sandbox/journal", json={"on": True}, timeout=10).raise_for_status()
        seconds, rss = action()
        calls = counted(sandbox)
        pacer.record(calls["liveagent"]["reads"] + calls["liveagent"]["writes"])
        pacer.used[name, count] = calls["liveagent"]["reads"] + calls["liveagent"]["writes"]
        phases[name] = {"seconds": seconds, "peak_rss_mb": rss / 2**20, "calls": calls}

    phase("first up", lambda: cli(stack, "up", "--yes", "--skip-preview"), journal=True)
    journal = []
    for api, base in zip(APIS, (sandbox.twilio_url, sandbox.liveagent_url), strict=True):
        entries = requests.get(f"{base}/__sandbox/journal", timeout=10).json()["requests"]
        journal += [{**entry, "api": api} for entry in entries]
    journal.sort(key=lambda entry: entry["at"])
    phase("no-op up", lambda: cli(stack, "up", "--yes", "--skip-preview"))
    edited = sandbox.liveagent_numbers()[numbers(count)[0]]["id"]
    # The edit as a script with the same key would make it: through the client, so it counts in the shared limit.
    console = LiveAgentClient(LiveAgentSettings(sandbox.liveagent_url, SEED_API_KEY))
    current = console.get_number(edited) or {}
    for output_only in ("dial_out_prefix_formatted", "department", "status_message"):
        current.pop(output_only, None)
    console.update_number(edited, {**current, "name": "Edited in the console"})
    phase("up after a console edit", lambda: cli(stack, "up", "--yes", "--skip-preview"))
    phase("preview", lambda: cli(stack, "preview"))
    phase("preview --refresh=false", lambda: cli(stack, "preview", "--refresh=false"))
    phase("destroy", lambda: cli(stack, "destroy", "--yes", "--skip-preview"))

    sandbox.reset()
    pacer.wait_for(pacer.expect(PHASES[-1], count))
    for api in APIS:
        sandbox.faults(api, latency_ms=latency_ms)
    back = EngineStack(work / "back", env=env)
    back.configure(config_for(sandbox, count))
    sandbox.clear_counters()
    started, peak = time.monotonic(), 0
    for args in (("up", "--yes", "--skip-preview"), ("up", "--yes", "--skip-preview"), ("preview",)):
        peak = max(peak, cli(back, *args)[1])
    calls = counted(sandbox)
    pacer.record(calls["liveagent"]["reads"] + calls["liveagent"]["writes"])
    pacer.used[PHASES[-1], count] = calls["liveagent"]["reads"] + calls["liveagent"]["writes"]
    phases["back to back (up, no-op up, preview)"] = {
        "seconds": time.monotonic() - started,
        "peak_rss_mb": peak / 2**20,
        "calls": calls,
    }
    sandbox.clear_counters()
    cli(back, "destroy", "--yes", "--skip-preview")
    calls = counted(sandbox)
    pacer.record(calls["liveagent"]["reads"] + calls["liveagent"]["writes"])

    # What per-step state writes cost: the same first `up` with the engine writing the state once, at the end
    # (PULUMI_SKIP_CHECKPOINTS, not adopted: see the README). A diagnostic, not a phase.
    sandbox.reset()
    for api in APIS:
        sandbox.faults(api, latency_ms=latency_ms)
    bare = EngineStack(work / "bare", env={**env, "PULUMI_SKIP_CHECKPOINTS": "true"})
    bare.configure(config_for(sandbox, count))
    pacer.wait_for(pacer.expect("first up", count))
    unchecked = cli(bare, "up", "--yes", "--skip-preview")[0]
    cli(bare, "destroy", "--yes", "--skip-preview")
    calls = counted(sandbox)
    pacer.record(calls["liveagent"]["reads"] + calls["liveagent"]["writes"])

    sandbox.reset()
    for api in APIS:
        sandbox.faults(api, latency_ms=latency_ms)
    pacer.wait_for(sum(1 for entry in journal if entry["api"] == "liveagent"))
    baseline = replay(sandbox, journal)
    pacer.record(sum(1 for entry in journal if entry["api"] == "liveagent"))
    return {
        "phases": phases,
        "sequential_baseline_s": baseline,
        "baseline_calls": len(journal),
        "first_up_without_checkpoints_s": unchecked,
    }


def concurrency() -> int:
    launcher = (TOOLS_BIN / "pulumi-resource-pulumi-python").read_text(encoding="utf-8", errors="replace")
    workers = provider_workers() if "dynamic_provider_host" in launcher else 4
    return min(4 * (os.cpu_count() or 1), workers)  # the engine's default --parallel is 4 × GOMAXPROCS


def bounds(phase: str, result: dict[str, Any], latency_s: float, available: int, engine_s: float) -> dict[str, float]:
    calls = result["calls"]
    total = sum(calls[api]["reads"] + calls[api]["writes"] for api in APIS)
    liveagent = calls["liveagent"]["reads"] + calls["liveagent"]["writes"]
    return {
        "chain": CHAIN[phase] * latency_s,
        # A sliding window of 180 a minute: call 181 goes no sooner than a minute after call 1, 361 two minutes.
        "rate": ((liveagent - 1) // RATE[0]) * RATE[1] if liveagent else 0.0,
        "pool": total * latency_s / available,
        # The CLI's own time for this stack with (almost) no API waits: start-up, the program, checks, plan.
        # (not for that row itself; back to back: three commands)
        "engine": 0.0 if phase == "preview --refresh=false" else engine_s * (3 if phase == PHASES[-1] else 1),
    }


def summarise(runs: list[dict[str, Any]], latency_ms: float, available: int) -> dict[str, Any]:
    table: dict[str, Any] = {}
    engine = statistics.median(run["phases"]["preview --refresh=false"]["seconds"] for run in runs)
    for phase in PHASES:
        seconds = [run["phases"][phase]["seconds"] for run in runs]
        last = runs[-1]["phases"][phase]
        limit = bounds(phase, last, latency_ms / 1000, available, engine)
        median = statistics.median(seconds)
        table[phase] = {
            "median_s": round(median, 2),
            "spread_s": round(max(seconds) - min(seconds), 2),
            "calls": last["calls"],
            "peak_rss_mb": round(max(run["phases"][phase]["peak_rss_mb"] for run in runs), 1),
            "bounds_s": {name: round(value, 2) for name, value in limit.items()},
            "ratio_to_bound": {name: round(median / value, 2) if value else None for name, value in limit.items()},
        }
    baseline = statistics.median(run["sequential_baseline_s"] for run in runs)
    return {
        "phases": table,
        "sequential_baseline_s": round(baseline, 2),
        "first_up_without_checkpoints_s": round(
            statistics.median(run["first_up_without_checkpoints_s"] for run in runs), 2
        ),
        "baseline_calls": runs[-1]["baseline_calls"],
        "runs": runs,
    }


def calls_text(calls: dict[str, Any]) -> str:
    parts = []
    for api, short in (("twilio", "T"), ("liveagent", "LA")):
        c = calls[api]
        parts.append(f"{short} {c['reads']}r/{c['writes']}w" + (f" {c['429s']}×429" if c["429s"] else ""))
    return ", ".join(parts)


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"Machine: {results['machine']}; provider concurrency available: {results['concurrency']} "
        f"(engine --parallel {results['engine_parallel']}, plugin workers {results['plugin_workers']}); "
        f"{results['runs']} run(s) per cell.",
        "",
    ]
    for latency, by_n in results["table"].items():
        ns = list(by_n)
        lines += [
            f"### L = {latency} ms",
            "",
            "| phase | " + " | ".join(f"N={n}" for n in ns) + " |",
            "| --- |" + " --- |" * len(ns),
        ]
        for phase in PHASES:
            cells = []
            for n in ns:
                row = by_n[n]["phases"][phase]
                bound = max(row["bounds_s"].items(), key=lambda item: item[1])
                cells.append(
                    f"{row['median_s']} s ±{row['spread_s']}, {calls_text(row['calls'])}, "
                    f"{row['peak_rss_mb']:.0f} MB; ×{row['ratio_to_bound'][bound[0]] or '–'} of {bound[0]} bound"
                )
            lines.append(f"| {phase} | " + " | ".join(cells) + " |")
        cells = [
            f"{by_n[n]['sequential_baseline_s']} s ({by_n[n]['baseline_calls']} calls); baseline ÷ first up = "
            f"{by_n[n]['sequential_baseline_s'] / by_n[n]['phases']['first up']['median_s']:.2f}"
            for n in ns
        ]
        lines.append("| sequential baseline (first up's calls) | " + " | ".join(cells) + " |")
        cells = [f"{by_n[n]['first_up_without_checkpoints_s']} s" for n in ns]
        lines += ["| first up without per-step checkpoints (diagnostic) | " + " | ".join(cells) + " |", ""]
        cells = []
        for n in ns:
            conn = by_n[n]["phases"]["first up"]["calls"]
            cells.append(
                ", ".join(
                    f"{api}: {conn[api]['connections']} conn, {conn[api]['max_in_flight']} in flight" for api in APIS
                )
            )
        lines += ["| first up: connections / most in flight | " + " | ".join(cells) + " |", ""]
    lines += [
        "Bounds per cell (s): "
        + json.dumps(
            {
                lat: {n: {p: by_n[n]["phases"][p]["bounds_s"] for p in PHASES[:2]} for n in by_n}
                for lat, by_n in results["table"].items()
            }
        ),
        "",
    ]
    lines += ["### Goals", ""] + [f"- {goal}" for goal in results["goals"]]
    return "\n".join(lines) + "\n"


def goals(table: dict[str, Any]) -> list[str]:
    out: list[str] = []
    at = table.get("100") or {}

    def verdict(ok: bool, text: str, limit: str = "") -> None:
        out.append(f"{'met' if ok else 'NOT met'}: {text}" + ("" if ok or not limit else f" (stopped by {limit})"))

    def binding(row: dict[str, Any]) -> str:
        name, value = max(row["bounds_s"].items(), key=lambda item: item[1])
        return f"the {name} bound, {value} s" if value else "engine overhead"

    def first_up_limits(cell: dict[str, Any]) -> str:
        row, unchecked = cell["phases"]["first up"], cell["first_up_without_checkpoints_s"]
        return (
            f"{binding(row)}, and per-step state writes: {row['median_s'] - unchecked:.1f} s of the "
            f"{row['median_s']} s (the same first up without them: {unchecked} s)"
        )

    if "50" in at and "1" in at:
        first50, first1 = at["50"]["phases"]["first up"], at["1"]["phases"]["first up"]
        speedup = at["50"]["sequential_baseline_s"] / first50["median_s"]
        verdict(
            speedup >= 5,
            f"first up N=50 is {speedup:.2f}× faster than the sequential baseline of its "
            f"{at['50']['baseline_calls']} calls (goal ≥ 5×)",
            first_up_limits(at["50"]),
        )
        ratio = first50["median_s"] / first1["median_s"]
        verdict(ratio <= 2, f"first up N=50 is {ratio:.2f}× N=1's (goal ≤ 2×)", first_up_limits(at["50"]))
        noop50, noop1 = at["50"]["phases"]["no-op up"], at["1"]["phases"]["no-op up"]
        calls = sum(noop50["calls"][api]["reads"] + noop50["calls"][api]["writes"] for api in APIS)
        writes = sum(noop50["calls"][api]["writes"] for api in APIS)
        verdict(
            calls <= 15,
            f"no-op up N=50 makes {calls} calls (goal ≤ 15)",
            "refresh reads each resource (issue 14 item 3)",
        )
        verdict(writes == 0, f"no-op up N=50 writes {writes} times (goal 0)")
        ratio = noop50["median_s"] / noop1["median_s"]
        verdict(ratio <= 1.5, f"no-op up N=50 is {ratio:.2f}× N=1's (goal ≤ 1.5×)", binding(noop50))
        b2b = at["50"]["phases"]["back to back (up, no-op up, preview)"]["calls"]["liveagent"]["429s"]
        verdict(b2b == 0, f"back-to-back runs at N=50 met {b2b} LiveAgent 429s (goal 0)")
    if "200" in at and "1" in at:
        first200 = at["200"]["phases"]["first up"]
        verdict(first200["calls"]["liveagent"]["429s"] == 0, "first up N=200: 0 LiveAgent 429s")
        rate = first200["bounds_s"]["rate"]
        if rate:
            ratio = first200["median_s"] / rate
            verdict(
                ratio <= 1.2,
                f"first up N=200 is {ratio:.2f}× its LiveAgent rate bound (goal ≤ 1.2×)",
                first_up_limits(at["200"]),
            )
        rss = first200["peak_rss_mb"] / at["1"]["phases"]["first up"]["peak_rss_mb"]
        verdict(rss <= 2, f"peak RSS at N=200 is {rss:.2f}× N=1's (goal ≤ 2×)")
    if not out:
        out.append("goals need N=1 and N=50 (and N=200) at L=100 ms: not run")
    return out


def plot(results: dict[str, Any], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("plot: matplotlib is not installed (requirements-dev.txt); no PNG")
        return False
    by_n = results["table"].get("100") or next(iter(results["table"].values()))
    ns = sorted(int(n) for n in by_n)
    fig, axis = plt.subplots(figsize=(8, 5))
    for phase, style in (("first up", "o-"), ("no-op up", "s-")):
        axis.plot(ns, [by_n[str(n)]["phases"][phase]["median_s"] for n in ns], style, label=f"{phase} (ours)")
    axis.plot(ns, [by_n[str(n)]["sequential_baseline_s"] for n in ns], "x--", label="sequential baseline (first up)")
    for bound, style in (("chain", ":"), ("rate", "-."), ("pool", "--")):
        axis.plot(
            ns,
            [by_n[str(n)]["phases"]["first up"]["bounds_s"][bound] for n in ns],
            style,
            label=f"first up: {bound} bound",
        )
    axis.set_xlabel("N numbers")
    axis.set_ylabel("seconds")
    axis.set_xscale("symlog")
    axis.set_title(f"pulumi up against the sandbox, L = 100 ms ({results['machine']})", fontsize=9)
    axis.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return True


def write(results: dict[str, Any], out: Path, final: bool) -> None:
    results["goals"] = goals(results["table"])
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    (out / "scale.md").write_text(markdown(results), encoding="utf-8")
    if final:
        plotted = plot(results, out / "scale.png")
        print(markdown(results))
        print(f"written: {out}/scale.md, scale.json" + (", scale.png" if plotted else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--numbers", type=int, nargs="+", default=[1, 10, 50, 200])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--large-runs", type=int, default=None, help="runs at N >= 100 (default: --runs)")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--zero-latency-numbers", type=int, nargs="*", default=[1, 10], help="N also run at L = 0")
    parser.add_argument("--quick", action="store_true", help="N = 1 10, 1 run, no L = 0 runs (a smoke run)")
    parser.add_argument("--out", type=Path, default=None, help=f"default {RESULTS} ({SMOKE_RESULTS} with --quick)")
    parser.add_argument(
        "--render", type=Path, default=None, help="no runs: tables, goals, plot again from this scale.json's runs"
    )
    args = parser.parse_args(argv)
    if args.render:
        results = json.loads(args.render.read_text(encoding="utf-8"))
        for latency, by_n in results["table"].items():
            for n, cell in by_n.items():
                by_n[n] = summarise(cell["runs"], float(latency), results["concurrency"])
        write(results, args.out or args.render.parent, final=True)
        return 0
    if args.quick:
        args.numbers, args.runs, args.zero_latency_numbers = [1, 10], 1, []
    # A smoke run never replaces the committed results the README quotes.
    args.out = args.out or (SMOKE_RESULTS if args.quick else RESULTS)
    for name in api_settings.ENVIRONMENT:
        os.environ.pop(name, None)
    available = concurrency()
    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}",
        "concurrency": available,
        "engine_parallel": 4 * (os.cpu_count() or 1),
        "plugin_workers": provider_workers(),
        "runs": args.runs if args.large_runs in (None, args.runs) else f"{args.runs} ({args.large_runs} at N ≥ 100)",
        "table": {},
    }
    plan = [(args.latency_ms, n) for n in args.numbers] + [(0.0, n) for n in args.zero_latency_numbers]
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        # The LiveAgent limiter's shared count lives here, not in the user's cache: runs of the bench stand alone.
        env = {"XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        os.environ.update(env)  # the bench's own console edit counts in the same limit
        pacer = Pacer()
        for latency, count in plan:
            seed = seed_file(count, Path(tmp))
            repeats = args.runs if count < 100 or args.large_runs is None else args.large_runs
            with running_sandbox("--seed", str(seed)) as urls:
                sandbox = Sandbox(urls["twilio"], urls["liveagent"])
                runs = []
                for run in range(repeats):
                    runs.append(one_run(sandbox, Path(tmp) / f"{latency}-{count}-{run}", count, latency, env, pacer))
                    first = runs[-1]["phases"]["first up"]
                    print(
                        f"L={latency:g} ms N={count} run {run + 1}/{repeats}: first up {first['seconds']:.1f} s, "
                        f"baseline {runs[-1]['sequential_baseline_s']:.1f} s",
                        flush=True,
                    )
            results["table"].setdefault(f"{latency:g}", {})[str(count)] = summarise(runs, latency, available)
            write(results, args.out, final=False)  # a long run that stops part way keeps what it measured
    write(results, args.out, final=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
