"""The one exception type for every Twilio API error, and how Twilio's error bodies read."""

from __future__ import annotations

from typing import Any, Self

import requests

from provider_kit.http import ApiError, response_body


class TwilioApiError(ApiError):
    """A Twilio API call failed; carries what a person needs to act on it."""

    api = "Twilio"

    @classmethod
    def from_response(cls, response: requests.Response, method: str, url: str) -> Self:
        return cls.from_body(response.status_code, response_body(response) or response.reason, method, url)

    @classmethod
    def from_body(cls, status: int, body: Any, method: str, url: str) -> Self:
        """Twilio's error body: `{"code": 20404, "message": "…", "more_info": "https://…"}` (Voice v1: `detail`)."""
        if isinstance(body, dict):
            code = body.get("code")
            return cls(
                status,
                str(body.get("message") or body.get("detail") or "no message"),
                method,
                url,
                code=int(code) if isinstance(code, (int, float)) else None,
                more_info=body.get("more_info"),
            )
        return cls(status, str(body)[:300] or "empty response", method, url)

    @classmethod
    def no_answer(cls, error: requests.RequestException, method: str, url: str) -> Self:
        return cls(0, f"no answer ({error.__class__.__name__})", method, url)
