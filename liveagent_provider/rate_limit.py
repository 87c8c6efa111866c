"""A client-side sliding-window limiter shared by every thread of the provider process.

LiveAgent allows 180 requests a minute per API key; a large stack waits its turn instead of
bouncing off 429s.
"""

from __future__ import annotations

import collections
import threading
import time

_LIMITERS: dict[tuple[str, str, int, float], SlidingWindow] = {}
_LIMITERS_LOCK = threading.Lock()


class SlidingWindow:
    def __init__(self, requests: int, window_s: float, margin_s: float = 0.5):
        self.requests = requests
        # The server counts arrival times, which jitter against our send times: keep a margin.
        self.window_s = window_s + margin_s
        self._sent: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if self.requests <= 0:
            return
        while True:
            with self._lock:
                now = time.monotonic()
                while self._sent and now - self._sent[0] >= self.window_s:
                    self._sent.popleft()
                if len(self._sent) < self.requests:
                    self._sent.append(now)
                    return
                wait = self.window_s - (now - self._sent[0])
            time.sleep(max(wait, 0.005))


def shared_limiter(base_url: str, key_id: str, requests: int, window_s: float) -> SlidingWindow:
    """One limiter per account, API key and limit, whoever asks for it in this process."""
    key = (base_url, key_id, requests, window_s)
    with _LIMITERS_LOCK:
        limiter = _LIMITERS.get(key)
        if limiter is None:
            limiter = _LIMITERS[key] = SlidingWindow(requests, window_s)
        return limiter
