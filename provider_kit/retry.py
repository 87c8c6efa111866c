"""When a request to either API is sent again: the retry policy table, and urllib3's `Retry` that follows it."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

import requests
from urllib3.exceptions import InvalidHeader, MaxRetryError, NewConnectionError, ResponseError
from urllib3.util.retry import Retry

from .plugin import require_engine

if TYPE_CHECKING:
    from urllib3.connectionpool import ConnectionPool
    from urllib3.response import BaseHTTPResponse

# The retry policy of both APIs (README, "Faults and outages", shows it to users):
#
# | what came back                                 | reads, updates, deletes | creates            |
# | ---------------------------------------------- | ----------------------- | ------------------ |
# | 429                                            | sent again              | sent again         |
# | 500, 502, 503, 504                             | sent again              | not sent again (1) |
# | no connection made (refused, connect timeout)  | sent again              | sent again         |
# | the answer lost (dropped, read timeout, other) | sent again              | not sent again (1) |
# | anything else (401, 403, 404, 409, …)          | not sent again          | not sent again     |
#
# Both APIs document a 429 as not processed, and a request whose connection was never made never left, so
# those are sent again whatever they ask for. A 5xx or a lost answer may come after the API did the work: a
# read, an update (the same fields set twice are set once) or a delete may be repeated, while a create would
# make a second resource. (1) `takeover.create_once` looks such a create up by its natural key before it is
# sent again. How often and how fast each API's requests are retried: TWILIO_RETRY and LIVEAGENT_RETRY below.
#
# A connection refused (nothing listens there: a local sandbox that is not running, a wrong port) is tried
# REFUSED_TRIES times in all, not the policy's: it is answered at once, so the usual schedule would only make
# the user wait ~20 s for the message that names the address; they are REFUSED_WAIT_S apart. A refusal that
# lasts a second is not a blip.
REFUSED_TRIES = 4
REFUSED_WAIT_S = 0.3  # between those tries: the answer is immediate, so is the next try
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
NOT_PROCESSED = frozenset({429})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how fast one API's requests are sent again (which ones: the table above)."""

    tries: int  # in all, the first included
    backoff_s: float  # retry n waits backoff_s × 2^(n-1), plus up to jitter_s, and at most backoff_max_s
    backoff_max_s: float
    jitter_s: float
    first_retry_at_once: bool  # the first retry does not wait (urllib3's own schedule)
    retry_after_max_s: int  # a Retry-After, which replaces the backoff, is cut to this
    budget_s: float | None = None  # no retry starts once this long has passed since the request began

    def wait_before(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (1 for the first) when the answer gave no Retry-After."""
        if retry <= 1 and self.first_retry_at_once:
            return 0.0
        return min(self.backoff_max_s, self.backoff_s * 2.0 ** (retry - 1) + random.uniform(0, self.jitter_s))


# Each API keeps the numbers it was released with (README, "Faults and outages"): Twilio's client began on urllib3's
# Retry (its schedule: at once, then 0.6 s doubling to 8 s; its Retry-After cap of 6 hours), LiveAgent's on tenacity
# (0.5 s doubling to 10 s, a Retry-After up to 30 s, no retry after 120 s).
# RetryPolicy(tries, backoff_s, backoff_max_s, jitter_s, first_retry_at_once, retry_after_max_s, budget_s):
TWILIO_RETRY = RetryPolicy(7, 0.3, 8.0, 0.3, True, Retry.DEFAULT_RETRY_AFTER_MAX)
LIVEAGENT_RETRY = RetryPolicy(6, 0.5, 10.0, 0.5, False, 30, 120.0)


def retries_status(status: int, repeatable: bool) -> bool:
    """Whether an answer with this status is sent again (`repeatable`: the request is not a create)."""
    return status in NOT_PROCESSED or (status in RETRIED_STATUSES and repeatable)


def never_sent(error: requests.RequestException) -> bool:
    """No connection was made, so the API never saw the request (requests' ConnectTimeout, or urllib3's
    NewConnectionError as the reason a try failed)."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(error, requests.ConnectTimeout) or isinstance(reason, NewConnectionError)


def refused(error: BaseException | None) -> bool:
    """A try whose connection was refused: no one listens at that address."""
    return isinstance(error, NewConnectionError) and isinstance(error.__cause__, ConnectionRefusedError)


def retries_lost_answer(error: requests.RequestException, repeatable: bool) -> bool:
    """Whether a request that got no answer is sent again."""
    return repeatable or never_sent(error)


class Limiter(Protocol):
    """A client-side rate limit (liveagent_provider/rate_limit.py): `acquire` waits for a slot and returns its
    stamp; `settle(stamp)` says the answer has come."""

    def acquire(self) -> float: ...

    def settle(self, stamp: float) -> None: ...


class Tries:
    """The request each thread is sending, as the retry hooks see it: when it began, whether it may be repeated,
    and the rate-limit slot of its try in flight.

    urllib3 sends every retry of a request within the one `session.request` call, on the caller's thread, so
    the hooks find their request in a thread-local. Every try, the first and each retry, takes a slot when it
    is sent and settles it when its answer (or its failure) has come, as the limiter counts them.
    """

    def __init__(self, policy: RetryPolicy, limiter: Limiter | None = None, halted: Callable[[], bool] | None = None):
        self.policy = policy
        self.limiter = limiter
        # True once another request of the process has given up on the API: a request still retrying stops too.
        self.halted = halted or (lambda: False)
        self._current = threading.local()

    @contextmanager
    def request(self, began: float, repeatable: bool) -> Iterator[None]:
        current = self._current
        current.began, current.repeatable = began, repeatable
        self.sending()
        try:
            yield
        finally:
            self.answered()

    @property
    def repeatable(self) -> bool:
        return bool(getattr(self._current, "repeatable", False))

    def out_of_time(self) -> bool:
        budget = self.policy.budget_s
        return budget is not None and time.monotonic() - getattr(self._current, "began", 0.0) >= budget

    def sending(self) -> None:
        if self.limiter is not None:
            self._current.slot = self.limiter.acquire()

    def answered(self) -> None:
        slot, self._current.slot = getattr(self._current, "slot", None), None
        if slot is not None and self.limiter is not None:
            self.limiter.settle(slot)

    def retry(self) -> PolicyRetry:
        """The `max_retries` of the API's HTTPAdapter."""
        retry = PolicyRetry(
            total=self.policy.tries - 1,
            allowed_methods=None,  # every method: `increment` and `is_retry` decide by the table instead
            retry_after_max=self.policy.retry_after_max_s,
            respect_retry_after_header=True,
            raise_on_status=False,  # the last answer is returned, and the client makes it the API's error
        )
        retry.tries = self
        return retry


class PolicyRetry(Retry):
    """urllib3's Retry following the table above; each retry passes the engine check and the rate limit, and
    none starts once the policy's time budget is spent."""

    tries: Tries

    def new(self, **kw: Any) -> Self:
        fresh = super().new(**kw)
        fresh.tries = self.tries
        return fresh

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        return retries_status(status_code, self.tries.repeatable)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        self.tries.answered()
        if error is not None and not self._is_connection_error(error) and not self.tries.repeatable:
            raise error.with_traceback(_stacktrace)  # the request may have been done: it is not sent again
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        if refused(error) and sum(refused(try_.error) for try_ in retry.history) >= REFUSED_TRIES:
            raise MaxRetryError(_pool, url, error)  # type: ignore[arg-type]  # as urllib3's own increment
        if self.tries.halted():
            reason = error or ResponseError("another request gave up on this API")
            raise MaxRetryError(_pool, url, reason)  # type: ignore[arg-type]
        if self.tries.out_of_time():
            reason = error or ResponseError(f"no retry after {self.tries.policy.budget_s:.0f} s")
            raise MaxRetryError(_pool, url, reason)  # type: ignore[arg-type]  # as urllib3's own increment
        return retry

    def get_backoff_time(self) -> float:
        if self.history and refused(self.history[-1].error):
            return REFUSED_WAIT_S
        return self.tries.policy.wait_before(len(self.history))

    def parse_retry_after(self, retry_after: str) -> float:
        try:
            return super().parse_retry_after(retry_after)
        except InvalidHeader:
            return 0.0  # neither seconds nor a date: the backoff instead

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        super().sleep(response)  # the answer's Retry-After when it has one, else get_backoff_time()
        require_engine()  # a retry is a request again: none once the CLI that asked for it has gone
        self.tries.sending()
