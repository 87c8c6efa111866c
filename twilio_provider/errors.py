"""The one exception type for every Twilio API error."""

from __future__ import annotations

from typing import Any


class TwilioApiError(Exception):
    """A Twilio API call failed; carries what a person needs to act on it."""

    def __init__(
        self, status: int, code: int | None, message: str, method: str, url: str, more_info: str | None = None
    ):
        self.status = status
        self.code = code
        self.message = message
        self.method = method
        self.url = url
        self.more_info = more_info
        self.hint: str | None = None  # what to fix, when the failure is the caller's (e.g. refused credentials)
        super().__init__(message)

    @classmethod
    def from_body(cls, status: int, body: Any, method: str, url: str) -> TwilioApiError:
        if isinstance(body, dict):
            code = body.get("code")
            return cls(
                status,
                int(code) if isinstance(code, (int, float)) else None,
                str(body.get("message") or body.get("detail") or "no message"),
                method,
                url,
                body.get("more_info"),
            )
        return cls(status, None, str(body)[:300] or "empty response", method, url)

    @property
    def not_found(self) -> bool:
        return self.status == 404

    def __str__(self) -> str:
        code = f" (Twilio error {self.code})" if self.code else ""
        more = f"; see {self.more_info}" if self.more_info else ""
        if self.hint:  # the fix first: a refused credential fails every resource of the run with this line
            return f"{self.hint} (HTTP {self.status}{code} on {self.method} {self.url}: {self.message})"
        return f"Twilio {self.method} {self.url} failed with HTTP {self.status}{code}: {self.message}{more}"
