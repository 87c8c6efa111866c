"""Resources a refresh could not read because their API did not answer: kept as they were, never planned on.

Every `pulumi up` and `preview` refreshes first (`refresh: always`), and the refresh runs before the program.
When an API does not answer, a refresh that failed on it would stop the command there, minutes of retries
later, and a bad stack config would never be reported. So a read that gets no answer keeps the resource as
its state has it (one line on stderr says so) and the refresh completes; the program then reports a bad config
first, or else its preflight reports the API, once. Should the API answer again by the time a resource is
planned, its diff refuses to plan on the unread state and says to run the command again.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

from pulumi.dynamic import ReadResult

from .http import ApiError

_unread: dict[tuple[str, str], str] = {}
_lock = threading.Lock()


class NotRefreshed(RuntimeError):
    """A resource whose refresh got no answer is about to be planned: the message says to run again."""


def read_or_keep(read: Callable[[], ReadResult], kind: str, resource_id: str, props: dict[str, Any]) -> ReadResult:
    """The read's result; or, when its API does not answer, the resource as its state has it."""
    try:
        return read()
    except ApiError as error:
        if error.status != 0:
            raise
        with _lock:
            _unread[(kind, resource_id)] = error.api
        print(f"refresh: {kind} {resource_id} kept as it was: {error}", file=sys.stderr, flush=True)
        return ReadResult(resource_id, props)


def refuse_unread(kind: str, resource_id: str) -> None:
    """Before a diff: a resource this process could not refresh is not planned from a guess."""
    with _lock:
        api = _unread.get((kind, resource_id))
    if api is not None:
        raise NotRefreshed(
            f"{api} did not answer when this run refreshed {resource_id}, so it is not planned from what the "
            f"state last held: run the command again once {api} answers"
        )
