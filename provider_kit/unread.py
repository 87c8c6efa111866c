"""A refresh that gets no answer from an API keeps that API's resources as the state has them.

Every `pulumi up` and `preview` refreshes first (`refresh: always`), and the refresh runs before the program.
A refresh that failed on an API that does not answer would stop the command there, and a bad stack config
would never be reported. So a read that gets no answer keeps its resource as the state last had it, and the
refresh completes; the program then reports a bad config first, or else its preflight reports the API, once.
One line per API says so during the refresh (so a `pulumi refresh` on its own does not pass for a fresh one).

The engine also diffs each refreshed resource during the refresh, so a diff cannot tell a refresh from a plan
to refuse planning on what was not read. Should the API come back between the refresh and the preflight, the
plan uses the resources as last read: drift made since is repaired by the next `up`, and a write to a
resource that is gone fails on its own.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

from pulumi.dynamic import ReadResult

from .http import ApiError

_told: set[str] = set()
_lock = threading.Lock()


def read_or_keep(read: Callable[[], ReadResult], resource_id: str, props: dict[str, Any]) -> ReadResult:
    """The read's result; or, when its API does not answer, the resource as its state has it."""
    try:
        return read()
    except ApiError as error:
        if error.status != 0:
            raise
        with _lock:
            first = error.api not in _told
            _told.add(error.api)
        if first:
            print(
                f"refresh: {error.api} did not answer; what this stack has there is kept as the state last had it",
                file=sys.stderr,
                flush=True,
            )
        return ReadResult(resource_id, props)
