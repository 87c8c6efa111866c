"""Creates that are safe to repeat: before making a resource, each provider looks for it by its natural key.

What it finds is taken over when the stack says so (`adopt: true`, the way to start from a setup made by
hand in the consoles) or when it is exactly what this create would make: a leftover of a run that was
killed after the API made the resource and before the state recorded it, or of an answer lost on the way
back. Anything else stops the create with an error that names the resource, its id, what differs, and the
switch; where the natural key is known at preview, `check` asks the same question, so the error comes
before anything is written.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
# A create answered with one of these, or not answered at all (0), may have been done all the same.
UNCERTAIN = frozenset({0, 500, 502, 503, 504})

ADOPT = "adopt"  # the input every resource carries: the stack's top-level `adopt` (or a number's own)
# Set by `check` when a new resource will take over one that exists, so the preview shows it (with --diff):
# `+ taking_over: "TK… (exists already: taken over, not made again)"`. A record in state afterwards; never compared.
TAKING_OVER = "taking_over"


def taking_over(found_id: str) -> str:
    return f"{found_id} (exists already: taken over, not made again)"


class AlreadyExists(Exception):
    """A resource with this natural key exists, was not made by this stack, and differs from the config."""


def differs_message(kind: str, key: str, found_id: str, differences: Sequence[str], where: str, also: str = "") -> str:
    """The error of a resource found by its natural key that differs from the config, naming the `adopt` switch;
    `also`: another switch that covers this resource alone, e.g. a number's own `adopt`."""
    return (
        f"{kind} {key} already exists in {where} (id {found_id}) and differs from the stack config in "
        f"{', '.join(differences)}. To manage it from this stack, set `adopt: true` in the stack config "
        f"(pulumi config set adopt true){also} and run `pulumi up` again; the config's values then replace "
        f"those fields. Or delete it in the {where} console"
    )


def may_take(adopt: object, differences: Sequence[str]) -> bool:
    return bool(adopt) or not differences


def why_not_taken(
    kind: str, key: str, found_id: str, differences: Sequence[str], adopt: object, where: str, also: str = ""
) -> str | None:
    """Why a resource found by its natural key may not be taken over, or None when it may."""
    return None if may_take(adopt, differences) else differs_message(kind, key, found_id, differences, where, also)


def take_or_refuse(kind: str, key: str, found_id: str, differences: Sequence[str], adopt: object, where: str) -> None:
    reason = why_not_taken(kind, key, found_id, differences, adopt, where)
    if reason:
        raise AlreadyExists(reason)


def create_once(
    make: Callable[[], T], find: Callable[[], T | None], attempts: int = 7, wait_s: float = 0.5, wait_max_s: float = 8.0
) -> T:
    """Run a create whose failure may hide a success (a 5xx, a dropped connection, a lost answer).

    After such a failure the resource is looked up by its natural key: found, the create did happen and
    that is the result; not found, the create is sent again. Never a duplicate, and never a failed run
    for a fault the API recovers from within these tries: `attempts` (7) in all, waiting `wait_s` (0.5 s)
    doubled after each and at most `wait_max_s` (8 s), with no jitter and no time budget. That is this
    function's own schedule, the same for both APIs; it is not the clients' (`provider_kit/retry.py`: 7 tries
    for a Twilio request, 6 within 120 s for a LiveAgent one, each with its own backoff). Each try is one
    request as the client sends a create, which retries it only where it cannot make two: a 429, or no
    connection made.
    """
    for attempt in range(attempts):
        try:
            return make()
        except Exception as error:  # noqa: BLE001 - only the API errors below are looked at
            if getattr(error, "status", None) not in UNCERTAIN or attempt == attempts - 1:
                raise
            found = find()
            if found is not None:
                return found
            time.sleep(min(wait_max_s, wait_s * 2**attempt))
    raise AssertionError("unreachable")
