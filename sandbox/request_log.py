"""The counters of an emulator: what a test reads to prove, for example, that a no-op `pulumi up` wrote nothing."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from .routing import Request


class RequestLog:
    """Counters a test reads to prove, for example, that a no-op `pulumi up` wrote nothing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.total = 0
            self.reads = 0
            self.writes = 0
            self.by_route: Counter[str] = Counter()
            self.by_status: Counter[str] = Counter()
            self.by_route_status: Counter[str] = Counter()
            self.recent: list[dict[str, Any]] = []
            self.faults: Counter[str] = Counter()  # injected, by kind (the commit kinds included)
            self.connections = 0  # TCP connections accepted: a client that reuses its pool opens few
            self.in_flight = 0
            self.max_in_flight = 0  # the most API requests held at once (latency included)
            self.journal: list[dict[str, Any]] | None = None  # every API request in full, while switched on

    def record(self, method: str, route: str, status: int | str, params: list[str]) -> None:
        with self._lock:
            self.total += 1
            if method in ("GET", "HEAD"):
                self.reads += 1
            else:
                self.writes += 1
            self.by_route[route] += 1
            self.by_status[str(status)] += 1
            self.by_route_status[f"{route} {status}"] += 1
            self.recent.append({"method": method, "route": route, "status": status, "params": params})
            del self.recent[:-500]

    def keep(self, request: Request) -> None:
        """Into the journal (if on): what a replay needs to send the same request again."""
        with self._lock:
            if self.journal is not None:
                query = urlencode([(k, v) for k, values in request.query.items() for v in values])
                self.journal.append(
                    {
                        "at": time.time(),
                        "method": request.method,
                        "path": request.path,
                        "query": query,
                        "content_type": request.headers.get("content-type", ""),
                        "body": request.body.decode("utf-8", "replace"),
                    }
                )

    def connected(self) -> None:
        with self._lock:
            self.connections += 1

    @contextlib.contextmanager
    def serving(self) -> Iterator[None]:
        """Counts an API request as in flight from its arrival to its answer."""
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            yield
        finally:
            with self._lock:
                self.in_flight -= 1

    def fault(self, kind: int | str) -> None:
        with self._lock:
            self.faults[str(kind)] += 1

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "faults": dict(self.faults),
                "connections": self.connections,
                "max_in_flight": self.max_in_flight,
                "total": self.total,
                "reads": self.reads,
                "writes": self.writes,
                "by_route": dict(self.by_route),
                "by_status": dict(self.by_status),
                "by_route_status": dict(self.by_route_status),
                "recent": list(self.recent),
            }
