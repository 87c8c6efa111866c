"""LiveAgent's per-key rate limit, as the emulator keeps it."""

from __future__ import annotations

import collections
import threading
import time
from typing import Any


class RateLimiter:
    """A sliding window per API key: LiveAgent allows 180 requests a minute per key."""

    def __init__(self, requests: int, window_s: float):
        self.requests = requests
        self.window_s = window_s
        self._hits: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        if self.requests <= 0:
            return True
        now = time.monotonic()
        with self._lock:
            hits = self._hits[key]
            while hits and now - hits[0] >= self.window_s:
                hits.popleft()
            if len(hits) >= self.requests:
                return False
            hits.append(now)
            return True

    def retry_after(self, key: str) -> float:
        with self._lock:
            hits = self._hits[key]
            return max(0.0, self.window_s - (time.monotonic() - hits[0])) if hits else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"requests": self.requests, "window_s": self.window_s}
