"""The scale bench's report logic (benchmarks/scale_report.py, scale_state.py) on made-up runs: no engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.scale_report import goals, markdown, noop_call_budget, summarise
from benchmarks.scale_runs import APIS, PHASES
from benchmarks.scale_state import breakdown, measure

DYNAMIC = "pulumi-python:dynamic/liveagent:Number"


def checkpoint(count: int, pickle_per_number: int = 0) -> dict[str, Any]:
    """A checkpoint of `count` numbers, two resources each; the pickle grows by `pickle_per_number` per number."""
    pickle = {"ciphertext": "p" * (100 + pickle_per_number * count)}
    resources: list[dict[str, Any]] = [{"urn": "urn:stack", "type": "pulumi:pulumi:Stack", "stackTrace": [1]}]
    for i in range(count):
        resources.append({"urn": f"urn:c{i}", "type": "component:Number", "parent": "urn:stack"})
        resources.append(
            {
                "urn": f"urn:c{i}$d",
                "type": DYNAMIC,
                "parent": f"urn:c{i}",
                "inputs": {"__provider": pickle, "number": i},
                "outputs": {"__provider": pickle, "id": i},
                "sourcePosition": "x",
            }
        )
    return {"version": 3, "checkpoint": {"latest": {"resources": resources}}}


def run(count: int, pickle_per_number: int = 0, with_state: bool = True) -> dict[str, Any]:
    calls = {api: {"reads": 2, "writes": 0, "429s": 0, "connections": 1, "max_in_flight": 1} for api in APIS}
    phase = {"seconds": 3.0, "peak_rss_mb": 100.0, "calls": calls}
    made: dict[str, Any] = {
        "phases": {name: phase for name in PHASES},
        "sequential_baseline_s": 20.0,
        "baseline_calls": 10,
        "first_up_without_checkpoints_s": 2.0,
    }
    if with_state:
        state = breakdown(checkpoint(count, pickle_per_number))
        made.update(state_bytes=state["bytes"], state_breakdown=state, liveagent_numbers=count + 150)
    return made


def table(counts: list[int], **kwargs: Any) -> dict[str, Any]:
    return {"100": {str(n): summarise([run(n, **kwargs)], 100.0, 4) for n in counts}}


def goal(found: list[str], words: str) -> str:
    (line,) = [line for line in found if words in line]
    return line


def test_breakdown_counts_the_file_bytes_per_type_and_field(tmp_path: Path) -> None:
    stacks = tmp_path / ".pulumi" / "stacks" / "project"
    stacks.mkdir(parents=True)
    text = json.dumps(checkpoint(2), separators=(",", ":"))  # as the local backend writes it
    (stacks / "dev.json").write_text(text, encoding="utf-8")
    (stacks / "dev.json.bak").write_text("{}", encoding="utf-8")
    state = measure(tmp_path, "dev")
    assert state["bytes"] == len(text)
    assert state["resources"] == 5
    assert state["by_type"][DYNAMIC]["resources"] == 2
    assert sum(entry["bytes"] for entry in state["by_type"].values()) == len(text) - len(
        '{"version":3,"checkpoint":{"latest":{"resources":[]}}}'
    ) - (5 - 1)  # the commas between resources
    pickle = len('"__provider":{"ciphertext":""}') + 100
    assert state["fields"]["__provider (the pickled provider, inputs + outputs)"] == 4 * pickle
    assert state["fields"]["stackTrace + sourcePosition"] == len('"stackTrace":[1]') + 2 * len('"sourcePosition":"x"')


def test_state_goals_met_when_linear_and_small() -> None:
    found = goals(table([1, 10, 50]))
    assert goal(found, "per added number from N=10 to 50 (goal").startswith("met: ")
    assert goal(found, "from N=1 to 10, ").startswith("met: ")


def test_state_goals_name_what_grows_when_not_linear() -> None:
    found = goals(table([1, 10, 50], pickle_per_number=400))
    per_number, linear = goal(found, "(goal ≤ 6144 B)"), goal(found, "from N=1 to 10, ")
    assert per_number.startswith("NOT met: ") and "__provider" in per_number
    assert linear.startswith("NOT met: ") and "__provider" in linear.split("stopped by what grew per number: ")[1]


def test_goals_not_run_and_not_measured() -> None:
    found = goals(table([1, 10]))
    assert goal(found, "first up N=50 ≤ 1.6× its engine bound") == (
        "not run: first up N=50 ≤ 1.6× its engine bound (needs N=50 at L=100 ms)"
    )
    assert goal(found, "≤ 6144 B").startswith("not run: ")
    old = {"100": {n: summarise([run(int(n), with_state=False)], 100.0, 4) for n in ("1", "10", "50")}}
    assert goal(goals(old), "≤ 6144 B").startswith("not measured in this run: ")
    assert goal(goals(old), "no-op up N=50 makes").startswith("not measured in this run: ")
    assert "No N=10 checkpoint measured" in markdown({**results(old), "goals": goals(old)})


def test_noop_call_budget_is_15_and_a_call_per_page() -> None:
    cell = summarise([run(50)], 100.0, 4)  # 200 numbers in the account: two pages of 100
    assert noop_call_budget(cell) == 17
    assert goal(goals({"100": {"50": cell}}), "no-op up N=50 makes 4 calls").startswith("met: ")


def test_markdown_shows_where_the_state_goes() -> None:
    measured = table([1, 10])
    text = markdown({**results(measured), "goals": goals(measured)})
    assert "### State per number" in text and f"| {DYNAMIC} | 10 |" in text and "N=1→10" in text


def results(by_latency: dict[str, Any]) -> dict[str, Any]:
    return {
        "machine": "test",
        "concurrency": 4,
        "engine_parallel": 4,
        "plugin_workers": 4,
        "runs": 1,
        "table": by_latency,
    }
