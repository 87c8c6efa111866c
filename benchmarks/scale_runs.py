"""The runs of `benchmarks.scale`: a sandbox seeded with N numbers, plain CLI commands timed phase by phase, what
each phase cost per API, and the sequential replay of the first `up`'s requests that the table compares with."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import yaml

from deploy.cli import PROJECT_DIR, TOOLS_BIN
from liveagent_provider.client import LiveAgentClient, LiveAgentSettings
from liveagent_provider.rate_limit import SlidingWindow
from tests.conftest import base_config
from tests.engine import EngineStack
from tests.sandbox_client import SEED_ACCOUNT_SID, SEED_API_KEY, SEED_AUTH_TOKEN, Sandbox

from . import scale_state

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
BACK_TO_BACK = PHASES[-1]
RATE = (180, 60.0)  # LiveAgent's limit: requests per window per key, window in seconds
UP = ("up", "--yes", "--skip-preview")
DESTROY = ("destroy", "--yes", "--skip-preview")


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


def timed_cli(stack: EngineStack, *args: str) -> tuple[float, int]:
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


def calls_by_api(sandbox: Sandbox) -> dict[str, Any]:
    """What the sandbox counted since its counters were cleared, per API."""
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


def liveagent_calls(calls: dict[str, Any]) -> int:
    return int(calls["liveagent"]["reads"] + calls["liveagent"]["writes"])


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

    def record(self, calls: int, phase: str | None = None, count: int = 0) -> None:
        """`calls` LiveAgent calls spent just now; with a `phase`, what it used at `count` numbers (for `expect`)."""
        self.spent.append((time.monotonic(), calls))
        if phase is not None:
            self.used[phase, count] = calls


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


class Run:
    """One run at N numbers and L ms per request: every phase, the diagnostic and the baseline."""

    def __init__(self, sandbox: Sandbox, work: Path, count: int, latency_ms: float, env: dict[str, str], pacer: Pacer):
        self.sandbox, self.work, self.count, self.latency_ms = sandbox, work, count, latency_ms
        self.env, self.pacer = env, pacer

    def fresh_stack(self, folder: str, env: dict[str, str] | None = None) -> EngineStack:
        """The sandbox reset, L ms added to every request of both APIs, and a new stack of N numbers."""
        self.sandbox.reset()
        for api in APIS:
            self.sandbox.faults(api, latency_ms=self.latency_ms)
        stack = EngineStack(self.work / folder, env=env or self.env)
        stack.configure(config_for(self.sandbox, self.count))
        return stack

    def spent(self, phase: str | None = None) -> dict[str, Any]:
        """What the commands since the counters were cleared called, recorded with the pacer."""
        calls = calls_by_api(self.sandbox)
        self.pacer.record(liveagent_calls(calls), phase, self.count)
        return calls

    def measure(self) -> dict[str, Any]:
        phases, journal, after_first_up = self.single_phases()
        phases[BACK_TO_BACK] = self.back_to_back()
        unchecked = self.first_up_without_checkpoints()
        return {
            "phases": phases,
            **after_first_up,
            "sequential_baseline_s": self.baseline(journal),
            "baseline_calls": len(journal),
            "first_up_without_checkpoints_s": unchecked,
        }

    def single_phases(self) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
        """Each single phase on one stack, paced apart; the first `up`'s requests, in the order they came; and
        what the first `up` left (`after_first_up`)."""
        stack = self.fresh_stack("single")
        phases: dict[str, Any] = {}

        def phase(name: str, action: Callable[[], tuple[float, int]], journal: bool = False) -> None:
            self.pacer.wait_for(self.pacer.expect(name, self.count))
            self.sandbox.clear_counters()
            if journal:
                for base in (self.sandbox.twilio_url, self.sandbox.liveagent_url):
                    requests.post(f"{base}/__sandbox/journal", json={"on": True}, timeout=10).raise_for_status()
            seconds, rss = action()
            phases[name] = {"seconds": seconds, "peak_rss_mb": rss / 2**20, "calls": self.spent(name)}

        phase("first up", lambda: timed_cli(stack, *UP), journal=True)
        journal = self.journal()
        after_first_up = self.after_first_up(stack)
        phase("no-op up", lambda: timed_cli(stack, *UP))
        self.edit_in_console()
        phase("up after a console edit", lambda: timed_cli(stack, *UP))
        phase("preview", lambda: timed_cli(stack, "preview"))
        phase("preview --refresh=false", lambda: timed_cli(stack, "preview", "--refresh=false"))
        phase("destroy", lambda: timed_cli(stack, *DESTROY))
        return phases, journal, after_first_up

    def after_first_up(self, stack: EngineStack) -> dict[str, Any]:
        """The checkpoint's bytes and where they go; and how many numbers the LiveAgent account holds (the seed's
        and the stack's: the pages a no-op `up` may list)."""
        state = scale_state.measure(stack.backend, stack.name)
        return {
            "state_bytes": state["bytes"],
            "state_breakdown": state,
            "liveagent_numbers": len(self.sandbox.liveagent_numbers()),
        }

    def journal(self) -> list[dict[str, Any]]:
        """The requests both APIs received since their journals were switched on, in the order they came."""
        journal = []
        for api, base in zip(APIS, (self.sandbox.twilio_url, self.sandbox.liveagent_url), strict=True):
            entries = requests.get(f"{base}/__sandbox/journal", timeout=10).json()["requests"]
            journal += [{**entry, "api": api} for entry in entries]
        journal.sort(key=lambda entry: entry["at"])
        return journal

    def edit_in_console(self) -> None:
        """The first number renamed, as a script with the same key would: through the client, so that it counts
        in the shared limit."""
        edited = self.sandbox.liveagent_numbers()[numbers(self.count)[0]]["id"]
        console = LiveAgentClient(LiveAgentSettings(self.sandbox.liveagent_url, SEED_API_KEY))
        current = console.get_number(edited) or {}
        for output_only in ("dial_out_prefix_formatted", "department", "status_message"):
            current.pop(output_only, None)
        console.update_number(edited, {**current, "name": "Edited in the console"})

    def back_to_back(self) -> dict[str, Any]:
        """First `up`, no-op `up` and `preview` on a new stack with no pause, timed as one; then its destroy."""
        back = self.fresh_stack("back")
        self.pacer.wait_for(self.pacer.expect(BACK_TO_BACK, self.count))
        self.sandbox.clear_counters()
        started, peak = time.monotonic(), 0
        for args in (UP, UP, ("preview",)):
            peak = max(peak, timed_cli(back, *args)[1])
        row = {"seconds": time.monotonic() - started, "peak_rss_mb": peak / 2**20, "calls": self.spent(BACK_TO_BACK)}
        self.sandbox.clear_counters()
        timed_cli(back, *DESTROY)
        self.spent()
        return row

    def first_up_without_checkpoints(self) -> float:
        """What per-step state writes cost: the same first `up` with the engine writing the state once, at the
        end (PULUMI_SKIP_CHECKPOINTS, not adopted: see the README). A diagnostic, not a phase."""
        bare = self.fresh_stack("bare", env={**self.env, "PULUMI_SKIP_CHECKPOINTS": "true"})
        self.pacer.wait_for(self.pacer.expect("first up", self.count))
        unchecked = timed_cli(bare, *UP)[0]
        timed_cli(bare, *DESTROY)
        self.spent()
        return unchecked

    def baseline(self, journal: list[dict[str, Any]]) -> float:
        """The first `up`'s requests replayed one at a time against a reset sandbox (`replay`)."""
        self.sandbox.reset()
        for api in APIS:
            self.sandbox.faults(api, latency_ms=self.latency_ms)
        liveagent = sum(1 for entry in journal if entry["api"] == "liveagent")
        self.pacer.wait_for(liveagent)
        seconds = replay(self.sandbox, journal)
        self.pacer.record(liveagent)
        return seconds
