"""The one exception type for every LiveAgent API error."""

from __future__ import annotations


class LiveAgentApiError(Exception):
    def __init__(self, status: int, message: str, method: str, url: str):
        self.status = status
        self.message = message
        self.method = method
        self.url = url
        self.hint: str | None = None  # what to fix, when the failure is the caller's (e.g. a refused key)
        super().__init__(message)

    @property
    def not_found(self) -> bool:
        return self.status == 404

    def __str__(self) -> str:
        if self.hint:  # the fix first: a refused key fails every resource of the run with this line
            return f"{self.hint} (HTTP {self.status} on {self.method} {self.url}: {self.message})"
        return f"LiveAgent {self.method} {self.url} failed with HTTP {self.status}: {self.message}"


class PageFull(LiveAgentApiError):
    """More numbers match a filter than one page shows (the docs give no way to the next page)."""
