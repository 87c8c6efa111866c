"""The one exception type for every LiveAgent API error."""

from __future__ import annotations


class LiveAgentApiError(Exception):
    def __init__(self, status: int, message: str, method: str, url: str):
        self.status = status
        self.message = message
        self.method = method
        self.url = url
        super().__init__(str(self))

    @property
    def not_found(self) -> bool:
        return self.status == 404

    def __str__(self) -> str:
        hint = " (check liveagent.apiKey and its phone permissions)" if self.status in (401, 403) else ""
        return f"LiveAgent {self.method} {self.url} failed with HTTP {self.status}: {self.message}{hint}"
