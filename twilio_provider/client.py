"""A thin Twilio REST client: Basic auth, form encoding, both pagination styles, bounded retries."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

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

from .errors import TwilioApiError

# The three public hosts this project talks to; a base URL may replace each (the sandbox serves all
# three as path prefixes of one server).
PUBLIC_HOSTS = {
    "trunking": "https://trunking.twilio.com",
    "api": "https://api.twilio.com",
    "voice": "https://voice.twilio.com",
}
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Twilio documents a 429 as not processed (error 20429), so it is retried for every request, creates
# included. A 5xx may come after the work was done: it is retried where doing it twice changes nothing,
# which for Twilio includes the POSTs that update a resource; a create is never sent again from here
# (`takeover.create_once` looks the resource up first).
ALWAYS_RETRYABLE = frozenset({429})
IDEMPOTENT = frozenset({"GET", "HEAD", "DELETE", "PUT", "OPTIONS"})
STATUS_PAGE = "https://status.twilio.com"


class _TwilioRetry(Retry):
    # Sent again after a 5xx or a lost answer. A POST to an existing resource's URL updates it: the same
    # fields set twice are set once.
    repeatable = IDEMPOTENT | {"POST"}

    def increment(self, *args: Any, **kwargs: Any) -> Retry:  # type: ignore[override]  # passes all on
        require_engine()  # each retry is a request again: none once the CLI that asked for it has gone
        return super().increment(*args, **kwargs)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if self.total is not None and self.total <= 0:
            return False
        if status_code in ALWAYS_RETRYABLE:
            return True
        return status_code in RETRY_STATUSES and method.upper() in self.repeatable


class _CreateRetry(_TwilioRetry):
    repeatable = IDEMPOTENT


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str  # in every v2010 path; the Basic-auth user unless an API key is used
    secret: str = field(repr=False)  # the auth token, or the API key's secret
    base_url: str | None = None  # None: Twilio's public hosts
    timeout: tuple[float, float] = (5.0, rules.READ_TIMEOUT_S)  # connect, read
    retries: int = 6
    backoff_factor: float = 0.3
    backoff_max: float = 8.0
    key_sid: str | None = None  # SK…: API-key auth
    source: str = "configured credentials"  # where they came from, for errors (never the values)

    def host(self, service: str) -> str:
        if self.base_url:
            return f"{self.base_url.rstrip('/')}/{service}"
        return PUBLIC_HOSTS[service]


def boolean(value: bool) -> str:
    return "true" if value else "false"


class TwilioClient:
    def __init__(self, settings: TwilioSettings, session: requests.Session | None = None):
        self.settings = settings
        self.session = session or requests.Session()
        self.create_session = requests.Session()
        self.gate = CredentialGate()
        self.outage = Outage()
        self.snapshots = Snapshots()
        # One pool of connections per host for the process, sized to the calls the plugin serves at once, shared
        # by the two retry policies (an adapter holds its policy; its pool manager can be another's).
        pool = None
        for chosen, policy in ((self.session, _TwilioRetry), (self.create_session, _CreateRetry)):
            chosen.auth = (settings.key_sid or settings.account_sid, settings.secret)
            chosen.headers["Accept"] = "application/json"
            adapter = HTTPAdapter(pool_maxsize=provider_workers(), max_retries=self._retry(policy))
            if pool is None:
                pool = adapter.poolmanager
            else:
                adapter.poolmanager = pool
            chosen.mount("http://", adapter)
            chosen.mount("https://", adapter)

    def _retry(self, policy: type[_TwilioRetry]) -> _TwilioRetry:
        settings = self.settings
        return policy(
            total=settings.retries,
            connect=settings.retries,
            read=settings.retries,
            status=settings.retries,
            backoff_factor=settings.backoff_factor,
            backoff_max=settings.backoff_max,
            backoff_jitter=0.3,
            status_forcelist=RETRY_STATUSES,
            # A read error or timeout may come after Twilio has done the request: only what may be repeated
            # is sent again then. Connection failures (nothing sent) are retried for every method.
            allowed_methods=policy.repeatable,
            respect_retry_after_header=True,
            raise_on_status=False,
        )

    def url(self, service: str, path: str) -> str:
        return self.settings.host(service) + path

    def _map_public(self, url: str) -> str:
        """Next-page URLs name Twilio's public hosts; send them to the configured base instead."""
        parts = urlsplit(url)
        for service, public in PUBLIC_HOSTS.items():
            if f"{parts.scheme}://{parts.netloc}" == public:
                base = urlsplit(self.settings.host(service))
                return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, ""))
        return url

    def request(
        self,
        method: str,
        url: str,
        data: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        create: bool = False,
    ) -> Any:
        """`create`: a POST that makes a resource, sent again only after a 429 (see ALWAYS_RETRYABLE)."""
        if method != "GET":
            require_engine()
        session = self.create_session if create else self.session
        not_sent = self.outage.refusal("Twilio")
        if not_sent:
            raise TwilioApiError(0, None, not_sent, method, _safe(url))
        started = time.monotonic()
        writing = self.snapshots.writing() if method != "GET" else nullcontext()
        with self.gate.request(), writing:
            try:
                response = session.request(method, url, data=data, params=params, timeout=self.settings.timeout)
            except requests.RequestException as exc:
                failed = TwilioApiError(0, None, f"no answer ({exc.__class__.__name__})", method, _safe(url))
                if not create:  # a create is not sent again on a lost answer: `takeover.create_once` looks first
                    failed.hint = gave_up("Twilio", 0, time.monotonic() - started, STATUS_PAGE)
                    self.outage.record(failed)
                raise failed from None
            try:
                body = response.json() if response.content else None
            except ValueError:
                body = response.text
            error = None
            if response.status_code >= 400:
                error = TwilioApiError.from_body(response.status_code, body or response.reason, method, _safe(url))
                if response.status_code in AUTH_FAILURES:
                    error.hint = f"Twilio did not accept the {self.settings.source}: correct or replace it"
                elif response.status_code in RETRY_STATUSES and not create:
                    error.hint = gave_up("Twilio", response.status_code, time.monotonic() - started, STATUS_PAGE)
            self.gate.answered(response.status_code, error)
        if error is not None:
            raise error
        return body

    def get(self, service: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", self.url(service, path), params=params)

    def post(self, service: str, path: str, data: Mapping[str, Any]) -> Any:
        """A POST that updates a resource (or does something else that may be repeated)."""
        return self.request("POST", self.url(service, path), data=dict(data))

    def create(self, service: str, path: str, data: Mapping[str, Any]) -> Any:
        """A POST that makes a resource."""
        return self.request("POST", self.url(service, path), data=dict(data), create=True)

    def delete(self, service: str, path: str) -> None:
        self.request("DELETE", self.url(service, path))

    def fetch_or_none(self, service: str, path: str) -> Any:
        try:
            return self.get(service, path)
        except TwilioApiError as error:
            if error.not_found:
                return None
            raise

    def delete_if_exists(self, service: str, path: str) -> bool:
        try:
            self.delete(service, path)
            return True
        except TwilioApiError as error:
            if error.not_found:
                return False
            raise

    def paginate(
        self, service: str, path: str, key: str, params: Mapping[str, Any] | None = None, page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        """Every item of a list, following v1 `meta.next_page_url` or v2010 `next_page_uri`."""
        url: str | None = self.url(service, path)
        query: Mapping[str, Any] | None = {**(params or {}), "PageSize": page_size}
        while url:
            body = self.request("GET", url, params=query)
            yield from body.get(key, [])
            query = None  # next-page links carry their own query
            if "meta" in body:
                next_url = body["meta"].get("next_page_url")
                url = self._map_public(next_url) if next_url else None
            else:
                next_uri = body.get("next_page_uri")
                url = self.settings.host(service) + next_uri if next_uri else None


def _safe(url: str) -> str:
    """The URL as shown in errors: no query string, never credentials."""
    parts = urlsplit(url)
    return (
        urlunsplit((parts.scheme, parts.hostname or "", parts.path, "", ""))
        if parts.port is None
        else urlunsplit((parts.scheme, f"{parts.hostname}:{parts.port}", parts.path, "", ""))
    )
