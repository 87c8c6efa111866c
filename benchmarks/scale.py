"""`make bench`'s scale table: plain CLI runs at N numbers and L ms per request, against bounds from the same run.

For each N a sandbox is seeded with N extra owned numbers (+8150900xxxxx, a generated seed file passed with
`--seed`; the default seed is untouched) with LiveAgent's real limit (180 a minute per key) and L ms added to
every request on both APIs. Each run is a new stack: first `up`, no-op `up`, `up` after one console edit,
`preview`, `preview --refresh=false`, `destroy`, then back to back (first `up`, no-op `up`, `preview` with no
pause). Between the single phases the bench waits until LiveAgent's window has room for the next phase, so
each phase's time is its own; the back-to-back row waits for nothing. Per phase: wall time (median and spread of
the runs), calls per API split into reads and writes, 429s, connections opened, the most requests in flight and
the peak RSS of the CLI's process tree (sampled from /proc). A sequential script replays the first `up`'s
requests one at a time in the same run (the baseline). After the first `up`: the checkpoint's bytes, per resource
type and per field every resource repeats (scale_state), and the numbers the LiveAgent account holds. Bounds, from
the same run:
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
import tempfile
from pathlib import Path
from typing import Any

from deploy.cli import PROJECT_DIR, TOOLS_BIN
from deploy.sandbox_process import running_sandbox
from provider_kit.plugin import provider_workers
from stack import api_settings
from tests.sandbox_client import Sandbox

from .scale_report import summarise, write
from .scale_runs import Pacer, Run, seed_file

RESULTS = PROJECT_DIR / "benchmarks" / "results"  # committed: the table the README quotes
SMOKE_RESULTS = RESULTS / "local"  # gitignored: `--quick` runs and the other benchmarks


def concurrency() -> int:
    launcher = (TOOLS_BIN / "pulumi-resource-pulumi-python").read_text(encoding="utf-8", errors="replace")
    workers = provider_workers() if "dynamic_provider_host" in launcher else 4
    return min(4 * (os.cpu_count() or 1), workers)  # the engine's default --parallel is 4 × GOMAXPROCS


def _parser() -> argparse.ArgumentParser:
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
    return parser


def render(scale_json: Path, out: Path | None) -> None:
    """The tables, goals and plot again, from the runs a scale.json holds."""
    results = json.loads(scale_json.read_text(encoding="utf-8"))
    for latency, by_n in results["table"].items():
        for n, cell in by_n.items():
            by_n[n] = summarise(cell["runs"], float(latency), results["concurrency"])
    write(results, out or scale_json.parent, final=True)


def measure(args: argparse.Namespace) -> None:
    """Every cell of the plan (N numbers at L ms), each in a sandbox of its own, written as it is measured."""
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
                    work = Path(tmp) / f"{latency}-{count}-{run}"
                    runs.append(Run(sandbox, work, count, latency, env, pacer).measure())
                    first = runs[-1]["phases"]["first up"]
                    print(
                        f"L={latency:g} ms N={count} run {run + 1}/{repeats}: first up {first['seconds']:.1f} s, "
                        f"baseline {runs[-1]['sequential_baseline_s']:.1f} s",
                        flush=True,
                    )
            results["table"].setdefault(f"{latency:g}", {})[str(count)] = summarise(runs, latency, available)
            write(results, args.out, final=False)  # a long run that stops part way keeps what it measured
    write(results, args.out, final=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.render:
        render(args.render, args.out)
        return 0
    if args.quick:
        args.numbers, args.runs, args.zero_latency_numbers = [1, 10], 1, []
    # A smoke run never replaces the committed results the README quotes.
    args.out = args.out or (SMOKE_RESULTS if args.quick else RESULTS)
    measure(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
