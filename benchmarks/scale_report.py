"""What `benchmarks.scale` makes of its runs: the bounds of each phase, medians and spreads, the goals met or not,
and the table, JSON and plot written into the results folder."""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from liveagent_provider.client import NUMBERS_PAGE

from .scale_runs import APIS, BACK_TO_BACK, PHASES, RATE, liveagent_calls
from .scale_state import LINEAR_GOAL, PER_NUMBER_GOAL, grown, increment, largest

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
        "engine": 0.0 if phase == "preview --refresh=false" else engine_s * (3 if phase == BACK_TO_BACK else 1),
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
        **after_first_up(runs),
        "runs": runs,
    }


def after_first_up(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The checkpoint's bytes (median) and breakdown (the last run's), and the LiveAgent account's size; None
    where the runs did not measure them (a scale.json from before they were)."""
    measured = all("state_bytes" in run for run in runs)
    return {
        "state_bytes": statistics.median(run["state_bytes"] for run in runs) if measured else None,
        "state_breakdown": runs[-1]["state_breakdown"] if measured else None,
        "liveagent_numbers": runs[-1].get("liveagent_numbers"),
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
        lines += ["| first up: connections / most in flight | " + " | ".join(cells) + " |"]
        cells = [f"{by_n[n]['state_bytes']:.0f} B" if by_n[n].get("state_bytes") else "–" for n in ns]
        lines += ["| checkpoint after the first up | " + " | ".join(cells) + " |", ""]
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
    lines += state_section(results["table"])
    lines += ["### Goals", ""] + [f"- {goal}" for goal in results["goals"]]
    return "\n".join(lines) + "\n"


def state_section(table: dict[str, Any]) -> list[str]:
    """Checkpoint bytes per N, per added number, and where N=10's go (per resource type, per repeated field)."""
    measured = {lat: {n: c for n, c in by_n.items() if c.get("state_breakdown")} for lat, by_n in table.items()}
    latency = next((lat for lat in ("100", *measured) if "10" in measured.get(lat, {})), None)
    if latency is None:
        return ["### State per number", "", "No N=10 checkpoint measured in this run.", ""]
    states = {n: cell["state_breakdown"] for n, cell in measured[latency].items()}
    ns = sorted(states, key=int)
    sizes = ", ".join(f"N={n} {states[n]['bytes']} B" for n in ns)
    steps = ", ".join(
        f"N={a}→{b} {increment(states[a], states[b], int(b) - int(a))['total']:.0f} B"
        for a, b in zip(ns, ns[1:], strict=False)
    )
    state = states["10"]
    lines = [
        "### State per number",
        "",
        f"Checkpoint after the first up (the last run's), L = {latency} ms: {sizes}; per added number: {steps or '–'}.",
        "",
    ]
    for a, b in zip(ns, ns[1:], strict=False):
        lines += [f"Per added number, N={a}→{b}: {largest(increment(states[a], states[b], int(b) - int(a)), 12)}.", ""]
    lines += [
        f"Where N=10's {state['bytes']} B go ({state['resources']} resources; the fields cut across the types):",
        "",
        "| part | resources | bytes | share |",
        "| --- | --- | --- | --- |",
    ]
    for kind, entry in sorted(state["by_type"].items(), key=lambda item: -item[1]["bytes"]):
        lines.append(f"| {kind} | {entry['resources']} | {entry['bytes']} | {entry['bytes'] / state['bytes']:.1%} |")
    for field, count in state["fields"].items():
        lines.append(f"| field: {field} | all | {count} | {count / state['bytes']:.1%} |")
    return [*lines, ""]


def verdict(ok: bool, text: str, limit: str = "") -> str:
    """A goal as met or not; one not met names what stopped it."""
    return f"{'met' if ok else 'NOT met'}: {text}" + ("" if ok or not limit else f" (stopped by {limit})")


def binding(row: dict[str, Any]) -> str:
    name, value = max(row["bounds_s"].items(), key=lambda item: item[1])
    return f"the {name} bound, {value} s" if value else "engine overhead"


def first_up_limits(cell: dict[str, Any]) -> str:
    row, unchecked = cell["phases"]["first up"], cell["first_up_without_checkpoints_s"]
    return (
        f"{binding(row)}, and per-step state writes: {row['median_s'] - unchecked:.1f} s of the "
        f"{row['median_s']} s (the same first up without them: {unchecked} s)"
    )


@dataclass(frozen=True)
class Goal:
    needs: tuple[str, ...]  # the cells it compares, N at L = 100 ms
    title: str  # what it asks, printed when a cell was not run or a run did not measure it
    check: Callable[[dict[str, Any]], str]


def goals(table: dict[str, Any]) -> list[str]:
    at = table.get("100") or {}
    out = []
    for goal in GOALS:
        missing = [n for n in goal.needs if n not in at]
        out.append(f"not run: {goal.title} (needs N={', '.join(missing)} at L=100 ms)" if missing else goal.check(at))
    return out


def not_measured(title: str) -> str:
    return f"not measured in this run: {title}"


def total_calls(row: dict[str, Any]) -> int:
    return sum(row["calls"][api]["reads"] + row["calls"][api]["writes"] for api in APIS)


def noop_call_budget(cell: dict[str, Any]) -> int | None:
    """15 calls, and one per page of the numbers the LiveAgent account holds (counted in the sandbox after the
    first `up`: the seed's and the stack's), which a no-op `up` may list; None where the run did not count them."""
    held = cell.get("liveagent_numbers")
    return None if held is None else 15 + max(1, math.ceil(held / NUMBERS_PAGE))


def _speedup_50(at: dict[str, Any]) -> str:
    speedup = at["50"]["sequential_baseline_s"] / at["50"]["phases"]["first up"]["median_s"]
    return verdict(
        speedup >= 5,
        f"first up N=50 is {speedup:.2f}× faster than the sequential baseline of its "
        f"{at['50']['baseline_calls']} calls (goal ≥ 5×)",
        first_up_limits(at["50"]),
    )


def _first_up_50_vs_1(at: dict[str, Any]) -> str:
    ratio = at["50"]["phases"]["first up"]["median_s"] / at["1"]["phases"]["first up"]["median_s"]
    return verdict(ratio <= 2, f"first up N=50 is {ratio:.2f}× N=1's (goal ≤ 2×)", first_up_limits(at["50"]))


def _first_up_50_vs_engine(at: dict[str, Any]) -> str:
    row = at["50"]["phases"]["first up"]
    ratio = row["median_s"] / row["bounds_s"]["engine"]
    return verdict(
        ratio <= 1.6,
        f"first up N=50 is {ratio:.2f}× its engine bound, {row['bounds_s']['engine']} s (goal ≤ 1.6×)",
        first_up_limits(at["50"]),
    )


def _noop_calls(n: str) -> Callable[[dict[str, Any]], str]:
    def check(at: dict[str, Any]) -> str:
        row, budget = at[n]["phases"]["no-op up"], noop_call_budget(at[n])
        text = f"no-op up N={n} makes {total_calls(row)} calls"
        if budget is None:
            return not_measured(f"{text} (goal ≤ 15 + one per page of the LiveAgent account: its size was not counted)")
        pages = budget - 15
        goal = f"goal ≤ {budget}: 15 + {pages} page(s) of {NUMBERS_PAGE} for {at[n]['liveagent_numbers']} numbers"
        return verdict(total_calls(row) <= budget, f"{text} ({goal})", f"its calls: {calls_text(row['calls'])}")

    return check


def _noop_writes_50(at: dict[str, Any]) -> str:
    writes = sum(at["50"]["phases"]["no-op up"]["calls"][api]["writes"] for api in APIS)
    return verdict(writes == 0, f"no-op up N=50 writes {writes} times (goal 0)")


def _noop_time(n: str, limit: float) -> Callable[[dict[str, Any]], str]:
    def check(at: dict[str, Any]) -> str:
        row = at[n]["phases"]["no-op up"]
        ratio = row["median_s"] / at["1"]["phases"]["no-op up"]["median_s"]
        return verdict(ratio <= limit, f"no-op up N={n} is {ratio:.2f}× N=1's (goal ≤ {limit:g}×)", binding(row))

    return check


def _back_to_back_50(at: dict[str, Any]) -> str:
    b2b = at["50"]["phases"][BACK_TO_BACK]["calls"]["liveagent"]["429s"]
    return verdict(b2b == 0, f"back-to-back runs at N=50 met {b2b} LiveAgent 429s (goal 0)")


def _first_up_200_429s(at: dict[str, Any]) -> str:
    met = at["200"]["phases"]["first up"]["calls"]["liveagent"]["429s"]
    return verdict(met == 0, f"first up N=200 met {met} LiveAgent 429s (goal 0)")


def _first_up_200_vs_rate(at: dict[str, Any]) -> str:
    row = at["200"]["phases"]["first up"]
    text = "first up N=200 ≤ 1.2× its LiveAgent rate bound"
    if not row["bounds_s"]["rate"]:
        return not_measured(f"{text} (no rate bound: {liveagent_calls(row['calls'])} LiveAgent calls fit one window)")
    ratio = row["median_s"] / row["bounds_s"]["rate"]
    return verdict(
        ratio <= 1.2,
        f"first up N=200 is {ratio:.2f}× its LiveAgent rate bound (goal ≤ 1.2×)",
        first_up_limits(at["200"]),
    )


def _rss_200(at: dict[str, Any]) -> str:
    big, small = at["200"]["phases"]["first up"]["peak_rss_mb"], at["1"]["phases"]["first up"]["peak_rss_mb"]
    limit = f"the CLI's process tree: {big:.0f} MB against {small:.0f} MB"
    if at["200"].get("state_bytes") and at["1"].get("state_bytes"):
        limit += (
            f", holding a checkpoint of {at['200']['state_bytes'] / 1e6:.1f} MB against "
            f"{at['1']['state_bytes'] / 1e3:.0f} KB"
        )
    return verdict(big / small <= 2, f"peak RSS at N=200 is {big / small:.2f}× N=1's (goal ≤ 2×)", limit)


STATE_PER_NUMBER = f"checkpoint bytes per added number from N=10 to N=50 after the first up ≤ {PER_NUMBER_GOAL} B"
STATE_LINEAR = f"checkpoint bytes per added number from N=10 to 50 within {LINEAR_GOAL}× those from N=1 to 10"


def state_steps(at: dict[str, Any]) -> tuple[dict[str, float], dict[str, float]] | None:
    """Bytes per added number from N=1 to 10 and from 10 to 50 (the last runs' checkpoints); None where a cell
    lacks them (a scale.json from before they were measured)."""
    cells = [at[n].get("state_breakdown") for n in ("1", "10", "50")]
    if any(cell is None for cell in cells):
        return None
    one, ten, fifty = cells
    return increment(one, ten, 9), increment(ten, fifty, 40)


def _state_per_number(at: dict[str, Any]) -> str:
    steps = state_steps(at)
    if steps is None:
        return not_measured(STATE_PER_NUMBER)
    step = steps[1]
    resources = (at["50"]["state_breakdown"]["resources"] - at["10"]["state_breakdown"]["resources"]) / 40
    return verdict(
        step["total"] <= PER_NUMBER_GOAL,
        f"the checkpoint grows by {step['total']:.0f} B per added number from N=10 to 50 (goal ≤ {PER_NUMBER_GOAL} B)",
        f"{resources:g} resources per number; per number: {largest(step)}",
    )


def _state_linear(at: dict[str, Any]) -> str:
    steps = state_steps(at)
    if steps is None:
        return not_measured(STATE_LINEAR)
    small, large = steps
    ratio = large["total"] / small["total"] if small["total"] > 0 else float("inf")
    return verdict(
        ratio <= LINEAR_GOAL,
        f"bytes per added number: {small['total']:.0f} B from N=1 to 10, {large['total']:.0f} B from 10 to 50, "
        f"{ratio:.2f}× (goal ≤ {LINEAR_GOAL}×)",
        f"what grew per number: {grown(small, large)}",
    )


# Issue 14's goals, then issue 26's (one rule for a no-op up's calls at every N).
GOALS = (
    Goal(("50",), "first up N=50 ≥ 5× faster than the sequential baseline", _speedup_50),
    Goal(("1", "50"), "first up N=50 ≤ 2× N=1's", _first_up_50_vs_1),
    Goal(("50",), "first up N=50 ≤ 1.6× its engine bound", _first_up_50_vs_engine),
    Goal(("50",), "no-op up N=50 ≤ 15 calls + one per LiveAgent page", _noop_calls("50")),
    Goal(("50",), "no-op up N=50 writes nothing", _noop_writes_50),
    Goal(("1", "50"), "no-op up N=50 ≤ 1.5× N=1's", _noop_time("50", 1.5)),
    Goal(("50",), "back-to-back runs at N=50 meet no LiveAgent 429", _back_to_back_50),
    Goal(("200",), "first up N=200 meets no LiveAgent 429", _first_up_200_429s),
    Goal(("200",), "first up N=200 ≤ 1.2× its LiveAgent rate bound", _first_up_200_vs_rate),
    Goal(("1", "200"), "no-op up N=200 ≤ 1.3× N=1's", _noop_time("200", 1.3)),
    Goal(("200",), "no-op up N=200 ≤ 15 calls + one per LiveAgent page", _noop_calls("200")),
    Goal(("1", "200"), "peak RSS at N=200 ≤ 2× N=1's", _rss_200),
    Goal(("1", "10", "50"), STATE_PER_NUMBER, _state_per_number),
    Goal(("1", "10", "50"), STATE_LINEAR, _state_linear),
)


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
