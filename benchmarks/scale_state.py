"""The stack's checkpoint after a first `up`, measured: its bytes, and where they go (per resource type, and in
the fields that repeat in every resource). The local backend writes compact JSON (Go's json.Marshal), so the size
of a value's compact encoding is the bytes it takes in the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Fields that every resource repeats, measured across all resources: (label, where, keys). `where` is the
# resource itself, or its inputs and outputs (the dynamic provider's pickle, encrypted as a secret).
FIELDS = (
    ("__provider (the pickled provider, inputs + outputs)", ("inputs", "outputs"), ("__provider",)),
    ("urn + parent", (), ("urn", "parent")),
    ("stackTrace + sourcePosition", (), ("stackTrace", "sourcePosition")),
)
PER_NUMBER_GOAL = 6144  # bytes of checkpoint per added number (issue 26)
LINEAR_GOAL = 1.05  # the increment per number from N = 10 to 50 within this factor of N = 1 to 10's


def size(value: Any) -> int:
    """Bytes of `value` in the checkpoint file."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def member(key: str, value: Any) -> int:
    """Bytes of `"key":value` in an object."""
    return size(key) + 1 + size(value)


def checkpoint_file(backend: Path, stack: str) -> Path:
    """The stack's checkpoint under a file:// backend folder: .pulumi/stacks/<project>/<stack>.json."""
    (found,) = (backend / ".pulumi" / "stacks").glob(f"*/{stack}.json")
    return found


def breakdown(checkpoint: dict[str, Any]) -> dict[str, Any]:
    """Bytes of the whole checkpoint, per resource type (with the count of each) and per repeated field."""
    resources = checkpoint["checkpoint"]["latest"]["resources"]
    by_type: dict[str, dict[str, int]] = {}
    for resource in resources:
        entry = by_type.setdefault(resource["type"], {"resources": 0, "bytes": 0})
        entry["resources"] += 1
        entry["bytes"] += size(resource)
    fields = {label: 0 for label, _, _ in FIELDS}
    for label, where, keys in FIELDS:
        for resource in resources:
            holders = [resource.get(name) or {} for name in where] if where else [resource]
            fields[label] += sum(member(key, holder[key]) for holder in holders for key in keys if key in holder)
    return {"bytes": size(checkpoint), "resources": len(resources), "by_type": by_type, "fields": fields}


def measure(backend: Path, stack: str) -> dict[str, Any]:
    return breakdown(json.loads(checkpoint_file(backend, stack).read_bytes()))


def parts(state: dict[str, Any]) -> dict[str, int]:
    """Each resource type's bytes and each repeated field's, by name (the fields cut across the types)."""
    return {**{kind: entry["bytes"] for kind, entry in state["by_type"].items()}, **state["fields"]}


def increment(low: dict[str, Any], high: dict[str, Any], numbers: int) -> dict[str, float]:
    """Bytes per added number between two checkpoints `numbers` numbers apart, in total and per part."""
    before, after = parts(low), parts(high)
    step = {name: (after[name] - before.get(name, 0)) / numbers for name in after}
    return {"total": (high["bytes"] - low["bytes"]) / numbers, **step}


def largest(step: dict[str, float], count: int = 6) -> str:
    """The parts that grow most per number, largest first."""
    ranked = sorted(((v, k) for k, v in step.items() if k != "total" and v >= 0.5), reverse=True)[:count]
    return "; ".join(f"{name} {value:.0f} B" for value, name in ranked)


def grown(small: dict[str, float], large: dict[str, float], count: int = 4) -> str:
    """The parts whose bytes per number grew most from one interval to the next (what is not linear)."""
    ranked = sorted(((large[k] - small.get(k, 0.0), k) for k in large if k != "total"), reverse=True)[:count]
    return "; ".join(f"{name} {small.get(name, 0.0):.0f} → {large[name]:.0f} B" for _, name in ranked)
