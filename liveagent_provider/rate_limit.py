"""LiveAgent's 180 requests a minute per API key, kept by every thread and every process that uses the key.

The API's own rate-limit headers are not documented (docs/liveagent-api.md §2.7: only the limit, 180 a minute per
key, is), so the client keeps count itself: the send times of the last window are kept in a small file under the
user's cache directory (`$XDG_CACHE_HOME/twilio-liveagent/rate-limit/`, never in the repository), one file per
account, key and limit, read and written under an exclusive `fcntl.flock`. A `pulumi up` run right after another,
or beside it, therefore waits for the window the earlier one used instead of meeting 429s. Where that directory
cannot be written, the count is kept in this process only (as before), and stderr says so once.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from provider_kit.retry import Limiter

_LIMITERS: dict[tuple[str, str, int, float], Limiter] = {}
_LIMITERS_LOCK = threading.Lock()
# The server counts arrival times, which jitter against our send times: keep a margin.
MARGIN_S = 0.5


# Each request, and each retry of it, is counted from when it is sent until its answer has come, then from the
# answer's time on: the API counts a request when it handles it, which may be well after it was sent (a burst of
# 180 queues at the server), and never after its answer. Counting from the send time alone let request 181 of a
# burst in a minute after request 1 was sent, before a minute had passed since the server handled it: a 429.


class SlidingWindow:
    """Send times in this process only."""

    def __init__(self, requests: int, window_s: float, margin_s: float = MARGIN_S):
        self.requests = requests
        self.window_s = window_s + margin_s
        self._sent: list[float] = []
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Waits for a slot; returns the stamp to `settle` once the answer has come."""
        if self.requests <= 0:
            return 0.0
        while True:
            with self._lock:
                now = time.monotonic()
                self._sent = sorted(at for at in self._sent if now - at < self.window_s)
                if len(self._sent) < self.requests:
                    self._sent.append(now)
                    return now
                wait = self.window_s - (now - self._sent[len(self._sent) - self.requests])
            time.sleep(max(wait, 0.005))

    def settle(self, stamp: float) -> None:
        if self.requests <= 0:
            return
        with self._lock:
            if stamp in self._sent:
                self._sent[self._sent.index(stamp)] = time.monotonic()


class FileWindow:
    """Send times (wall clock, one per line) in a file every process of this user shares, under `flock`."""

    def __init__(self, path: Path, requests: int, window_s: float, margin_s: float = MARGIN_S):
        self.path = path
        self.requests = requests
        self.window_s = window_s + margin_s
        self._lock = threading.Lock()  # one thread of this process at the file at a time; flock for the others

    def acquire(self) -> float:
        """Waits for a slot; returns the stamp to `settle` once the answer has come."""
        if self.requests <= 0:
            return 0.0
        while True:
            stamp, wait = self._try()
            if wait <= 0:
                return stamp
            time.sleep(max(wait, 0.005))

    def settle(self, stamp: float) -> None:
        """The request sent at `stamp` has its answer: from now on it counts from now."""
        if self.requests <= 0:
            return
        with self._lock, open(self.path, "a+", encoding="ascii") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            now = time.time()
            sent = _times(handle.read(), now, self.window_s)
            if stamp in sent:
                sent[sent.index(stamp)] = now
                self._write(handle, sorted(sent))

    def _try(self) -> tuple[float, float]:
        """Takes a slot and returns (its stamp, 0), or (0, how long to wait for one)."""
        with self._lock, open(self.path, "a+", encoding="ascii") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
            handle.seek(0)
            now = round(time.time(), 3)  # as the file keeps it, so `settle` finds it
            sent = sorted(_times(handle.read(), now, self.window_s))
            if len(sent) < self.requests:
                self._write(handle, [*sent, now])
                return now, 0.0
            return 0.0, self.window_s - (now - sent[len(sent) - self.requests])

    @staticmethod
    def _write(handle: IO[str], sent: list[float]) -> None:
        handle.seek(0)
        handle.truncate()
        handle.write("".join(f"{at:.3f}\n" for at in sent))
        handle.flush()


def _times(text: str, now: float, window_s: float) -> list[float]:
    """The send times still in the window; a torn or foreign line is skipped, a time ahead of the clock
    (the clock was set back) counts as now."""
    kept = []
    for line in text.split():
        try:
            at = float(line)
        except ValueError:
            continue
        at = min(at, now)
        if now - at < window_s:
            kept.append(at)
    return kept


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    cache = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "twilio-liveagent" / "rate-limit"


def _new_limiter(base_url: str, key_id: str, requests: int, window_s: float) -> Limiter:
    directory = state_dir()
    name = hashlib.sha256(f"{base_url}|{key_id}|{requests}|{window_s}".encode()).hexdigest()[:24]
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = directory / f"{name}.times"
        with open(path, "a", encoding="ascii"):
            pass
        return FileWindow(path, requests, window_s)
    except OSError as error:
        print(
            f"LiveAgent rate limit: {directory} cannot be written ({error.strerror}); counting in this process only",
            file=sys.stderr,
            flush=True,
        )
        return SlidingWindow(requests, window_s)


def shared_limiter(base_url: str, key_id: str, requests: int, window_s: float) -> Limiter:
    """One limiter per account, API key and limit in this process, sharing its count with other processes."""
    key = (base_url, key_id, requests, window_s)
    with _LIMITERS_LOCK:
        limiter = _LIMITERS.get(key)
        if limiter is None:
            limiter = _LIMITERS[key] = SlidingWindow(requests, window_s) if requests <= 0 else _new_limiter(*key)
        return limiter
