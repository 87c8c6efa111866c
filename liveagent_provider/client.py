"""A thin LiveAgent API v3 client on the HTTP core: apikey header, form POST, JSON PUT, a shared rate limit."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from provider_kit.http import HttpClient, HttpSettings, safe_url
from provider_kit.retry import LIVEAGENT_RETRY, RetryPolicy
from stack import rules

from .errors import LiveAgentApiError
from .rate_limit import shared_limiter

# A preview checks every number's department; departments change rarely, so a 30 s cache saves the
# per-key request budget (LiveAgent allows 180 a minute) for the calls that matter.
DEPARTMENTS_TTL_S = 30.0
# Rows asked for in each request of a phone-number listing: no largest `_perPage` is documented, and 100 is
# below the one value seen in use (docs/liveagent-api.md §2.4).
NUMBERS_PAGE = 100
NEXT_PAGE_HEADER = "next_page_cursor"  # the answer's header that holds the next request's `_cursor` (§2.4)
_DEPARTMENTS: dict[tuple[str, object], tuple[float, list[dict[str, Any]]]] = {}
_DEPARTMENTS_LOCK = threading.Lock()


@dataclass(frozen=True)
class LiveAgentSettings(HttpSettings):
    url: str  # the account URL, e.g. https://example.ladesk.com
    api_key: str = field(repr=False)
    rate_requests: int = rules.LIVEAGENT_RATE_LIMIT[0]
    rate_window_s: float = rules.LIVEAGENT_RATE_LIMIT[1]
    retry: RetryPolicy = field(default=LIVEAGENT_RETRY, kw_only=True)
    source: str = field(default="configured API key", kw_only=True)

    @property
    def endpoint(self) -> str:
        return self.url

    @property
    def api_base(self) -> str:
        return self.url.rstrip("/") + "/api/v3"


class LiveAgentClient(HttpClient):
    error = LiveAgentApiError
    settings: LiveAgentSettings

    def __init__(self, settings: LiveAgentSettings, session: requests.Session | None = None):
        key_id = hashlib.sha256(settings.api_key.encode()).hexdigest()[:16]
        # Every try of every request, retries included, waits for a slot of this limit (provider_kit.retry.Tries).
        self.limiter = shared_limiter(settings.api_base, key_id, settings.rate_requests, settings.rate_window_s)
        super().__init__(settings, settings.url, session, self.limiter)
        self.session.headers["apikey"] = settings.api_key

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """In API v3 a POST makes a resource (a phone number here), so it is retried as a create."""
        response = self.send(method, self.settings.api_base + path, create=method == "POST", **kwargs)
        return response.json() if response.content else None

    # -- phone numbers
    def find_numbers(self, filters: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Every number matching `_filters`, `NUMBERS_PAGE` a request: each answer's `next_page_cursor` header is
        the next request's `_cursor`, until an answer has none or no rows (docs/liveagent-api.md §2.4). A short
        page is not taken for the end, since only the header says more follow."""
        url = self.settings.api_base + "/phone_numbers"
        params: dict[str, Any] = {"_filters": json.dumps(dict(filters)), "_perPage": NUMBERS_PAGE}
        found: list[dict[str, Any]] = []
        sent: set[str] = set()
        while True:
            response = self.send("GET", url, params=params)
            rows = response.json() if response.content else []
            found.extend(rows or [])
            cursor = response.headers.get(NEXT_PAGE_HEADER)
            if not rows or not cursor:
                return found
            if cursor in sent:  # a cursor that comes round again would page forever
                raise LiveAgentApiError(200, f"the cursor {cursor!r} came back a second time", "GET", safe_url(url))
            sent.add(cursor)
            params = {**params, "_cursor": cursor}  # the cursor holds only an id: the filter goes again

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
