"""A thin LiveAgent API v3 client: apikey header, form POST, JSON PUT, retries, a shared rate limit."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from tenacity import Retrying, retry_if_exception, stop_after_attempt, stop_after_delay, wait_exponential_jitter
from tenacity.wait import wait_base
from urllib3.exceptions import NewConnectionError

from provider_kit.base import (
    AUTH_FAILURES,
    CredentialGate,
    Outage,
    Snapshots,
    gave_up,
    provider_workers,
    require_engine,
)
from stack import rules

from .errors import LiveAgentApiError, PageFull
from .rate_limit import shared_limiter

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
# A preview checks every number's department; departments change rarely, so a 30 s cache saves the
# per-key request budget (LiveAgent allows 180 a minute) for the calls that matter.
DEPARTMENTS_TTL_S = 30.0
NUMBERS_PAGE = 100  # rows asked for in one phone-number listing (liveagent-api.md §2.4: one _perPage=100 call)
_DEPARTMENTS: dict[tuple[str, object], tuple[float, list[dict[str, Any]]]] = {}
_DEPARTMENTS_LOCK = threading.Lock()


@dataclass(frozen=True)
class LiveAgentSettings:
    url: str  # the account URL, e.g. https://example.ladesk.com
    api_key: str = field(repr=False)
    rate_requests: int = rules.LIVEAGENT_RATE_LIMIT[0]
    rate_window_s: float = rules.LIVEAGENT_RATE_LIMIT[1]
    timeout: tuple[float, float] = (5.0, rules.READ_TIMEOUT_S)  # connect, read
    attempts: int = 6
    max_retry_s: float = 120.0
    source: str = "configured API key"  # where it came from, for errors (never the value)

    @property
    def api_base(self) -> str:
        return self.url.rstrip("/") + "/api/v3"


class _Retryable(Exception):
    def __init__(self, error: Exception, retry_after: float | None = None):
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


class _wait_retry_after(wait_base):
    """Honour Retry-After when the server sends one; otherwise exponential backoff with jitter."""

    def __init__(self) -> None:
        self.backoff = wait_exponential_jitter(multiplier=0.5, max=10.0, jitter=0.5)

    def __call__(self, retry_state: Any) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(error, _Retryable) and error.retry_after is not None:
            return min(error.retry_after, 30.0)
        return float(self.backoff(retry_state))


class LiveAgentClient:
    def __init__(self, settings: LiveAgentSettings, session: requests.Session | None = None):
        self.settings = settings
        self.session = session or _pooled_session()
        self.session.headers.update({"apikey": settings.api_key, "Accept": "application/json"})
        key_id = hashlib.sha256(settings.api_key.encode()).hexdigest()[:16]
        self.limiter = shared_limiter(settings.api_base, key_id, settings.rate_requests, settings.rate_window_s)
        self.gate = CredentialGate()
        self.outage = Outage()
        self.snapshots = Snapshots()

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        if method != "GET":
            require_engine()
        writing = self.snapshots.writing() if method != "GET" else nullcontext()
        with self.gate.request(), writing:
            stamp = self.limiter.acquire()
            try:
                response = self._request(method, url, **kwargs)
            finally:
                self.limiter.settle(stamp)
            error = None
            if response.status_code in AUTH_FAILURES:
                error = LiveAgentApiError(response.status_code, _message(response), method, url)
                error.hint = (
                    f"LiveAgent did not accept the {self.settings.source}: correct or replace it (a wrong key, "
                    "or one without the phone-number and department permissions)"
                )
            self.gate.answered(response.status_code, error)
        if error is not None:
            raise error
        return self._checked(response, method, url)

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self.session.request(method, url, timeout=self.settings.timeout, **kwargs)
        except requests.ConnectionError as exc:
            error = LiveAgentApiError(0, f"connection failed ({exc.__class__.__name__})", method, url)
            # A connection lost after the request was sent may have created the number: a POST is sent
            # again only when it never left (no connection could be made).
            if method != "POST" or _never_sent(exc):
                raise _Retryable(error) from exc
            raise error from None
        except requests.Timeout as exc:
            error = LiveAgentApiError(0, f"no answer in time ({exc.__class__.__name__})", method, url)
            if method != "POST":
                raise _Retryable(error) from exc
            raise error from None

    @staticmethod
    def _checked(response: requests.Response, method: str, url: str) -> requests.Response:
        if response.status_code >= 400:
            error = LiveAgentApiError(response.status_code, _message(response), method, url)
            retry_after = response.headers.get("Retry-After")
            # 429 is never processed; 5xx only repeated where repeating cannot duplicate a number.
            if response.status_code == 429 or (response.status_code in RETRYABLE_STATUSES and method != "POST"):
                raise _Retryable(error, float(retry_after) if retry_after and retry_after.isdigit() else None)
            raise error
        return response

    def _send_with_retries(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.attempts) | stop_after_delay(self.settings.max_retry_s),
            wait=_wait_retry_after(),
            retry=retry_if_exception(lambda e: isinstance(e, _Retryable)),
            reraise=True,
        )
        url = self.settings.api_base + path
        not_sent = self.outage.refusal("LiveAgent")
        if not_sent:
            raise LiveAgentApiError(0, not_sent, method, url)
        started = time.monotonic()
        try:
            return retrying(self._send, method, url, **kwargs)
        except _Retryable as final:
            error = final.error
            if isinstance(error, LiveAgentApiError):
                error.hint = gave_up("LiveAgent", error.status, time.monotonic() - started, self.settings.url)
                if error.status == 0:
                    self.outage.record(error)
            raise error from None

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._send_with_retries(method, path, **kwargs)
        return response.json() if response.content else None

    # -- phone numbers
    def find_numbers(self, filters: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The numbers matching `_filters`, from one page of `NUMBERS_PAGE` rows: the docs name `_cursor` but
        not how a response gives the next one, and a filter on a number or prefix matches a handful. A full
        page may hide more, so it is an error rather than a guess."""
        params = {"_filters": json.dumps(dict(filters)), "_perPage": NUMBERS_PAGE}
        found: list[dict[str, Any]] = self.request("GET", "/phone_numbers", params=params) or []
        if len(found) >= NUMBERS_PAGE:
            raise PageFull(
                0,
                f"{len(found)} or more LiveAgent numbers match {json.dumps(dict(filters))}, more than one page "
                "shows; the filter did not narrow the list as expected",
                "GET",
                self.settings.api_base + "/phone_numbers",
            )
        return found

    def get_number(self, number_id: str) -> dict[str, Any] | None:
        try:
            body: dict[str, Any] = self.request("GET", f"/phone_numbers/{number_id}")
            return body
        except LiveAgentApiError as error:
            if error.not_found:
                return None
            raise

    def add_number(self, form: Mapping[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = self.request("POST", "/phone_numbers", data=dict(form))
        return body

    def update_number(self, number_id: str, number: Mapping[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = self.request("PUT", f"/phone_numbers/{number_id}", json=dict(number))
        return body

    def update_status(self, number_id: str, status: str) -> dict[str, Any]:
        """A number's status changes only here (documented: PUT /phone_numbers/{id}/status, form `status`)."""
        body: dict[str, Any] = self.request("PUT", f"/phone_numbers/{number_id}/status", data={"status": status})
        return body

    def available_prefix(self) -> int:
        """A dial prefix no number holds now (documented: GET /phone_numbers/availablePrefix)."""
        return int(self.request("GET", "/phone_numbers/availablePrefix")["prefix"])

    def delete_number(self, number_id: str) -> bool:
        try:
            self.request("DELETE", f"/phone_numbers/{number_id}")
            return True
        except LiveAgentApiError as error:
            if error.not_found:
                return False
            raise

    def departments(self) -> list[dict[str, Any]]:
        """All departments; one listing serves every resource of the process for a short while."""
        key = (self.settings.api_base, self.limiter)
        with _DEPARTMENTS_LOCK:
            cached = _DEPARTMENTS.get(key)
            if cached and cached[0] > time.monotonic():
                return list(cached[1])
            found = self._list_departments()
            _DEPARTMENTS[key] = (time.monotonic() + DEPARTMENTS_TTL_S, found)
            return list(found)

    def _list_departments(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            rows = self.request("GET", "/departments", params={"_page": page, "_perPage": 100})
            found.extend(rows or [])
            if not rows or len(rows) < 100:
                return found
            page += 1


def _pooled_session() -> requests.Session:
    """A session whose one pool keeps as many connections as the plugin serves calls at once (requests keeps 10)."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_maxsize=provider_workers())
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _message(response: requests.Response) -> str:
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = response.text
    return str(body.get("message") if isinstance(body, dict) else (body or response.reason))


def _never_sent(error: requests.ConnectionError) -> bool:
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(error, requests.ConnectTimeout) or isinstance(reason, NewConnectionError)
