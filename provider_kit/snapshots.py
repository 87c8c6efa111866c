"""Snapshots: lists read once that answer many resources' reads and lookups, never past a write of this process
(the HTTP core counts those)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any


class Snapshots:
    """Lists that one run reads once and answers many resources' reads and lookups from.

    A refresh reads each resource on its own; a list (a trunk's numbers, the numbers on one SIP host) answers
    all of them in a number of calls that does not grow with the stack. A snapshot serves for a few seconds
    and never past a write of this process (`written` counts them), so a read after our own write sees it;
    what is missing from a snapshot is read on its own, so a resource changed by hand is still seen.

    `lookups=True` marks a listing that only answers "is X there, who holds Y" before a resource is first
    written (check and create). It serves past this process's writes: those put each resource where its own
    config says, and no two resources want the same thing, so another resource's write cannot change the
    answer. A caller that acts on a "present" or "held" answer confirms it fresh first, and a write that moves
    something anywhere else (a spare dial prefix) runs inside `unsettled()`: until it has ended, lookups ask
    fresh, and afterwards every lookup listing is taken again.
    """

    TTL_S = 10.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}
        self._taken: dict[Hashable, tuple[float, int | None, Any]] = {}
        self._unsettled = 0
        self._settled = 0  # moves ended: a listing fetched across one is not kept
        self.written = 0

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Around a write: a snapshot taken while it was in flight is not used afterwards either."""
        self.written += 1
        try:
            yield
        finally:
            self.written += 1

    def get(self, key: Hashable, fetch: Callable[[], Any], lookups: bool = False) -> Any:
        if lookups and self._unsettled:
            return fetch()
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:  # concurrent reads of one key wait for the first one's list instead of each fetching it
            with self._lock:
                taken = self._taken.get(key)
            if taken and taken[1] in (None, self.written) and time.monotonic() - taken[0] < self.TTL_S:
                return taken[2]
            settled, written = self._settled, (None if lookups else self.written)
            value = fetch()
            with self._lock:
                if not (lookups and (self._unsettled or self._settled != settled)):
                    self._taken[key] = (time.monotonic(), written, value)
            return value

    @contextmanager
    def unsettled(self) -> Iterator[None]:
        """Around a write that moves something where no config put it: lookup listings are not trusted while
        it is in flight (whatever its outcome), and are all taken again after it."""
        with self._lock:
            self._unsettled += 1
        try:
            yield
        finally:
            with self._lock:
                self._unsettled -= 1
                self._settled += 1
                self._taken = {k: v for k, v in self._taken.items() if v[1] is not None}
