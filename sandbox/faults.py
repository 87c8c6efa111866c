"""Faults injected into API requests: which kinds exist, and the plan that decides which request meets one."""

from __future__ import annotations

import hashlib
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .routing import Request

NETWORK_FAULTS = ("drop", "timeout", "commit_drop", "commit_timeout")
# A 429 or 503 that tells the client when to come back (the header's value is the plan's `retry_after`, 1 s
# unless set); a plain 429 or 503 carries no Retry-After unless `retry_after` is set.
WITH_RETRY_AFTER = ("429_retry_after", "503_retry_after")
FAULT_KINDS = (429, *WITH_RETRY_AFTER, 500, 502, 503, 504, *NETWORK_FAULTS)


def request_key(request: Request) -> str:
    """What makes two requests the same one: a client's retry sends the same method, path, query and body."""
    query = "&".join(f"{k}={v}" for k, values in sorted(request.query.items()) for v in values)
    return f"{request.method} {request.path}?{query} {hashlib.sha256(request.body).hexdigest()[:16]}"


@dataclass
class FaultPlan:
    """Faults injected into API requests.

    Most fire before the request reaches the emulated API, so a faulted write never happens; the
    `commit_drop` and `commit_timeout` kinds let the API process the request and then lose its answer
    (the connection closed at once, or after `timeout_ms`), as a network failure after the write would.

    With a `seed`, whether a request is faulted, and how, depends only on the seed, the request (method,
    path, query, body) and how many times that same request came before: the schedule does not depend on
    the order in which concurrent requests arrive, so a failing run can be replayed with its seed.
    `max_per_request` caps the faults one request meets in a row (1: every retry gets through);
    `cycle` hands out the kinds in turn instead of at random, so a short run meets each kind.
    """

    rate: float = 0.0
    statuses: list[int | str] = field(default_factory=lambda: [503])  # entries of FAULT_KINDS
    latency_ms: float = 0.0  # added to every API request
    timeout_ms: float = 15000.0  # how long a "timeout" fault holds the connection before closing it
    retry_after: float | None = None  # Retry-After header (seconds) on faulted 429/503
    methods: list[str] | None = None  # limit faults to these HTTP methods
    seed: int | None = None
    max_per_request: int | None = None
    cycle: bool = False
    rng: random.Random = field(default_factory=random.Random, repr=False)
    _seen: Counter[str] = field(default_factory=Counter, repr=False)
    _faulted: Counter[str] = field(default_factory=Counter, repr=False)
    _handed_out: int = field(default=0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    SETTINGS = (
        "rate",
        "statuses",
        "latency_ms",
        "timeout_ms",
        "retry_after",
        "methods",
        "seed",
        "max_per_request",
        "cycle",
    )

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> FaultPlan:
        unknown = set(body) - set(cls.SETTINGS)
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}; known: {sorted(cls.SETTINGS)}")
        plan = cls(**body)
        if not 0.0 <= plan.rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        for status in plan.statuses:
            if status not in FAULT_KINDS and not (isinstance(status, int) and 400 <= status <= 599):
                raise ValueError(f"status {status!r} is not an HTTP error status or one of {FAULT_KINDS}")
        plan.rng = random.Random(plan.seed)
        return plan

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.SETTINGS}

    def _uniform(self, key: str, occurrence: int, salt: str) -> float:
        if self.seed is None:
            return self.rng.random()
        digest = hashlib.sha256(f"{self.seed}|{salt}|{occurrence}|{key}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    def draw(self, method: str, key: str | None = None) -> int | str | None:
        if self.rate <= 0 or (self.methods and method not in self.methods):
            return None
        key = key or method
        with self._lock:
            occurrence = self._seen[key]
            self._seen[key] += 1
            if self.max_per_request is not None and self._faulted[key] >= self.max_per_request:
                self._faulted[key] = 0  # this try gets through: the next fault of this request may come later
                return None
            if self._uniform(key, occurrence, "rate") >= self.rate:
                self._faulted[key] = 0
                return None
            self._faulted[key] += 1
            if self.cycle:
                self._handed_out += 1
                return self.statuses[(self._handed_out - 1) % len(self.statuses)]
            return self.statuses[int(self._uniform(key, occurrence, "kind") * len(self.statuses))]
