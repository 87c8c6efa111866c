"""The HTTP core both API clients are built on: one pooled session per API with the retry policy of retry.py,
one error type to render what failed, and the safeguards around each request (credential gate, outage breaker,
engine check, snapshot write counting).

A client subclasses `HttpClient` with only what its API does its own way: authentication, paging, a rate
limit, and how an error body reads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from stack import rules

from .plugin import provider_workers, require_engine
from .retry import Limiter, RetryPolicy, Tries, retries_lost_answer, retries_status
from .snapshots import Snapshots

AUTH_FAILURES = frozenset({401, 403})
CONNECT_TIMEOUT_S = 5.0


@dataclass(frozen=True, kw_only=True)
class HttpSettings:
    """What the core reads of an API's settings; each API's settings add its account and credentials."""

    timeout: tuple[float, float] = (CONNECT_TIMEOUT_S, rules.READ_TIMEOUT_S)  # connect, read
    retry: RetryPolicy
    source: str  # where the credentials came from, for errors (never the values)
    url_source: str = ""  # where the base URL came from: a variable, a config key, or the API's own hosts

    @property
    def endpoint(self) -> str:
        """The base URL requests go to, as errors name it."""
        return ""


class ApiError(Exception):
    """An API call failed; carries what a person needs to act on it. Each API's one error type subclasses it
    with its name and how its answers read."""

    api = "the API"
    credentials_note = ""  # what else to check when the API refuses the credentials

    def __init__(
        self, status: int, message: str, method: str, url: str, code: int | None = None, more_info: str | None = None
    ):
        self.status = status  # 0: no answer
        self.message = message
        self.method = method
        self.url = url
        self.code = code  # the API's own error code, where it has one
        self.more_info = more_info
        self.hint: str | None = None  # what to do, when the failure is not the resource's (credentials, an outage)
        super().__init__(message)

    @classmethod
    def from_response(cls, response: requests.Response, method: str, url: str) -> Self:
        """The error an answer of 400 or more reads as."""
        raise NotImplementedError

    @classmethod
    def no_answer(cls, error: requests.RequestException, method: str, url: str) -> Self:
        """The error of a request that got no answer."""
        raise NotImplementedError

    @property
    def not_found(self) -> bool:
        return self.status == 404

    def __str__(self) -> str:
        code = f" ({self.api} error {self.code})" if self.code else ""
        if self.hint and self.status == 0:  # no answer: what was asked is all there is to add
            return f"{self.hint} (no answer to {self.method} {self.url})"
        if self.hint:  # the fix first: a refused credential fails every resource of the run with this line
            return f"{self.hint} (HTTP {self.status}{code} on {self.method} {self.url}: {self.message})"
        more = f"; see {self.more_info}" if self.more_info else ""
        return f"{self.api} {self.method} {self.url} failed with HTTP {self.status}{code}: {self.message}{more}"


class CredentialGate:
    """Until an API has answered once, a client's requests go one at a time; once it has refused the
    credentials (401/403), nothing more is sent: a wrong key costs one request and gives one error."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._accepted = False
        self._rejection: Exception | None = None

    @contextmanager
    def request(self) -> Iterator[None]:
        if self._rejection is not None:
            raise self._rejection
        if self._accepted:
            yield
            return
        with self._lock:
            if self._rejection is not None:
                raise self._rejection
            yield

    def answered(self, status: int, error: Exception | None = None) -> None:
        if status in AUTH_FAILURES and error is not None:
            self._rejection = error
        elif status:
            self._accepted = True


class Outage:
    """Once one request has given up on an API that does not answer, the others of this process do not wait
    through the same retries: they fail at once, pointing to that first error (a refresh of a stack with many
    resources would otherwise spend minutes repeating one message)."""

    def __init__(self, api: str) -> None:
        self.api = api
        self._first: Exception | None = None

    def why_not_sent(self) -> str | None:
        """Why a request is not sent, or None: it is sent."""
        if self._first is None:
            return None
        return f"not sent: {self.api} did not answer a moment ago (the first error: {self._first})"

    def record(self, error: Exception) -> None:
        self._first = self._first or error


LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0"})


def is_local(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOCAL_HOSTS


def gave_up_message(api: str, status: int, seconds: float, where_to_check: str, settings: HttpSettings) -> str:
    """The hint of an error that retries could not ride out: which API at which URL (and where that URL came
    from), for how long, and what to do next."""
    what = "did not answer" if status == 0 else f"kept answering HTTP {status}"
    at = f" at {settings.endpoint}" if settings.endpoint else ""
    source = f" (from {settings.url_source})" if settings.url_source else ""
    if is_local(settings.endpoint) and status == 0:
        cause = (
            "nothing listens at that local address. If it is the sandbox, start it with `make sandbox`; if not, "
            f"correct {settings.url_source or 'the URL'}"
        )
    elif is_local(settings.endpoint):
        cause = "the server at that local address keeps failing (a sandbox with faults turned on?)"
    else:
        cause = f"it is down, overloaded or out of reach from here (network, proxy, firewall). Check {where_to_check}"
    return (
        f"{api}{at}{source} {what} through {seconds:.0f} s of retries: {cause}. Then run `pulumi up` again: it "
        "carries on from where this run stopped, with nothing made twice"
    )


def safe_url(url: str) -> str:
    """The URL as shown in errors: no query string, never credentials."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def response_body(response: requests.Response) -> Any:
    """An answer's body: its JSON, its text where it is not JSON, None where it is empty."""
    try:
        return response.json() if response.content else None
    except ValueError:
        return response.text


class HttpClient:
    """One API's session, retry policy and safeguards, for a client to build its API's calls on."""

    error: type[ApiError] = ApiError

    def __init__(
        self,
        settings: HttpSettings,
        where_to_check: str,
        session: requests.Session | None = None,
        limiter: Limiter | None = None,
    ):
        self.settings = settings
        self.where_to_check = where_to_check  # named by the message of a request that retries could not save
        self.session = session or requests.Session()
        self.session.headers["Accept"] = "application/json"
        self.gate = CredentialGate()
        self.outage = Outage(self.error.api)
        self.snapshots = Snapshots()
        self._tries = Tries(settings.retry, limiter, halted=lambda: self.outage.why_not_sent() is not None)
        # One client per API and settings in a process (provider_kit.base keeps them), so one pool; it keeps as
        # many connections as the plugin serves calls at once, where requests would keep 10 and drop the rest.
        adapter = HTTPAdapter(pool_maxsize=provider_workers(), max_retries=self._tries.retry())
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def send(self, method: str, url: str, create: bool = False, **kwargs: Any) -> requests.Response:
        """Send a request with the API's retries; an answer of 400 or more, or none, raises the API's error.

        `create`: the request makes a resource, so a 5xx or a lost answer, which may hide its success, is not
        retried (see retry.py's table).
        """
        writing = method != "GET"
        if writing:
            require_engine()
        shown = safe_url(url)
        not_sent = self.outage.why_not_sent()
        if not_sent:
            raise self.error(0, not_sent, method, shown)
        started = time.monotonic()
        with self.gate.request(), self.snapshots.writing() if writing else nullcontext():
            try:
                with self._tries.request(started, repeatable=not create):
                    response = self.session.request(method, url, timeout=self.settings.timeout, **kwargs)
            except requests.RequestException as exc:
                failed = self.error.no_answer(exc, method, shown)
                stopped = self.outage.why_not_sent()
                if stopped:  # another request gave up while this one was retrying
                    failed.hint = stopped
                elif retries_lost_answer(exc, repeatable=not create):  # so its retries ran out
                    failed.hint = gave_up_message(
                        failed.api, 0, time.monotonic() - started, self.where_to_check, self.settings
                    )
                    self.outage.record(failed)
                raise failed from None
            error = self._error(response, method, shown, create, started) if response.status_code >= 400 else None
            self.gate.answered(response.status_code, error)
        if error is not None:
            raise error
        return response

    def _error(self, response: requests.Response, method: str, url: str, create: bool, started: float) -> ApiError:
        error = self.error.from_response(response, method, url)
        status = response.status_code
        if status in AUTH_FAILURES:
            error.hint = (
                f"{error.api} did not accept the {self.settings.source}: correct or replace it{error.credentials_note}"
            )
        elif retries_status(status, repeatable=not create):  # so its retries ran out
            error.hint = gave_up_message(
                error.api, status, time.monotonic() - started, self.where_to_check, self.settings
            )
        return error
