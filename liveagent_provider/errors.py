"""The one exception type for every LiveAgent API error, and how LiveAgent's answers read."""

from __future__ import annotations

from typing import Self

import requests
from urllib3.exceptions import ReadTimeoutError

from provider_kit.http import ApiError, response_body


class LiveAgentApiError(ApiError):
    api = "LiveAgent"
    credentials_note = " (a wrong key, or one without the phone-number and department permissions)"

    @classmethod
    def from_response(cls, response: requests.Response, method: str, url: str) -> Self:
        body = response_body(response)
        message = body.get("message") if isinstance(body, dict) else (body or response.reason)
        return cls(response.status_code, str(message), method, url)

    @classmethod
    def no_answer(cls, error: requests.RequestException, method: str, url: str) -> Self:
        # requests reports a request whose retries ran out as a ConnectionError, whatever its last try met: a
        # read timeout is still told as one.
        if isinstance(getattr(error.args[0] if error.args else None, "reason", None), ReadTimeoutError):
            return cls(0, "no answer in time (ReadTimeout)", method, url)
        if isinstance(error, requests.Timeout) and not isinstance(error, requests.ConnectionError):
            return cls(0, f"no answer in time ({error.__class__.__name__})", method, url)
        return cls(0, f"connection failed ({error.__class__.__name__})", method, url)
