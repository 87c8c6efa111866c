"""A thin Twilio REST client on the HTTP core: Basic auth, form encoding, Twilio's hosts and both pagination styles."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from provider_kit.http import HttpClient, HttpSettings, response_body
from provider_kit.retry import TWILIO_RETRY, RetryPolicy

from .errors import TwilioApiError

# The three public hosts this project talks to; a base URL may replace each (the sandbox serves all
# three as path prefixes of one server).
PUBLIC_HOSTS = {
    "trunking": "https://trunking.twilio.com",
    "api": "https://api.twilio.com",
    "voice": "https://voice.twilio.com",
}
STATUS_PAGE = "https://status.twilio.com"


@dataclass(frozen=True)
class TwilioSettings(HttpSettings):
    account_sid: str  # in every v2010 path; the Basic-auth user unless an API key is used
    secret: str = field(repr=False)  # the auth token, or the API key's secret
    base_url: str | None = None  # None: Twilio's public hosts
    key_sid: str | None = None  # SK…: API-key auth
    retry: RetryPolicy = field(default=TWILIO_RETRY, kw_only=True)
    source: str = field(default="configured credentials", kw_only=True)

    @property
    def endpoint(self) -> str:
        return self.base_url or PUBLIC_HOSTS["api"]

    def host(self, service: str) -> str:
        if self.base_url:
            return f"{self.base_url.rstrip('/')}/{service}"
        return PUBLIC_HOSTS[service]


class TwilioClient(HttpClient):
    error = TwilioApiError
    settings: TwilioSettings

    def __init__(self, settings: TwilioSettings, session: requests.Session | None = None):
        super().__init__(settings, STATUS_PAGE, session)
        self.session.auth = (settings.key_sid or settings.account_sid, settings.secret)

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
        """`create`: a POST that makes a resource (retried only where that cannot make two, see provider_kit.retry)."""
        return response_body(self.send(method, url, create=create, data=data, params=params))

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
