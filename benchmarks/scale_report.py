"""What `benchmarks.scale` makes of its runs: the bounds of each phase, medians and spreads, the goals met or not,
and the table, JSON and plot written into the results folder."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from .scale_runs import APIS, BACK_TO_BACK, PHASES, RATE

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


def goals(table: dict[str, Any]) -> list[str]:
    at = table.get("100") or {}
    out = [*_goals_at_50(at), *_goals_at_200(at)]
    return out or ["goals need N=1 and N=50 (and N=200) at L=100 ms: not run"]


def _goals_at_50(at: dict[str, Any]) -> list[str]:
    if "50" not in at or "1" not in at:
        return []
    first50, first1 = at["50"]["phases"]["first up"], at["1"]["phases"]["first up"]
    speedup = at["50"]["sequential_baseline_s"] / first50["median_s"]
    ratio = first50["median_s"] / first1["median_s"]
    noop50, noop1 = at["50"]["phases"]["no-op up"], at["1"]["phases"]["no-op up"]
    calls = sum(noop50["calls"][api]["reads"] + noop50["calls"][api]["writes"] for api in APIS)
    writes = sum(noop50["calls"][api]["writes"] for api in APIS)
    noop_ratio = noop50["median_s"] / noop1["median_s"]
    b2b = at["50"]["phases"][BACK_TO_BACK]["calls"]["liveagent"]["429s"]
    return [
        verdict(
            speedup >= 5,
            f"first up N=50 is {speedup:.2f}× faster than the sequential baseline of its "
            f"{at['50']['baseline_calls']} calls (goal ≥ 5×)",
            first_up_limits(at["50"]),
        ),
        verdict(ratio <= 2, f"first up N=50 is {ratio:.2f}× N=1's (goal ≤ 2×)", first_up_limits(at["50"])),
        verdict(
            calls <= 15,
            f"no-op up N=50 makes {calls} calls (goal ≤ 15)",
            "refresh reads each resource (issue 14 item 3)",
        ),
        verdict(writes == 0, f"no-op up N=50 writes {writes} times (goal 0)"),
        verdict(noop_ratio <= 1.5, f"no-op up N=50 is {noop_ratio:.2f}× N=1's (goal ≤ 1.5×)", binding(noop50)),
        verdict(b2b == 0, f"back-to-back runs at N=50 met {b2b} LiveAgent 429s (goal 0)"),
    ]


def _goals_at_200(at: dict[str, Any]) -> list[str]:
    if "200" not in at or "1" not in at:
        return []
    first200 = at["200"]["phases"]["first up"]
    found = [verdict(first200["calls"]["liveagent"]["429s"] == 0, "first up N=200: 0 LiveAgent 429s")]
    rate = first200["bounds_s"]["rate"]
    if rate:
        ratio = first200["median_s"] / rate
        found.append(
            verdict(
                ratio <= 1.2,
                f"first up N=200 is {ratio:.2f}× its LiveAgent rate bound (goal ≤ 1.2×)",
                first_up_limits(at["200"]),
            )
        )
    rss = first200["peak_rss_mb"] / at["1"]["phases"]["first up"]["peak_rss_mb"]
    found.append(verdict(rss <= 2, f"peak RSS at N=200 is {rss:.2f}× N=1's (goal ≤ 2×)"))
    return found


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
