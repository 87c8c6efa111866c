"""The account's LiveAgent numbers as the SIP number provider looks them up, and dial prefixes made free.

A number's natural key is its E.164 and no two numbers hold one dial prefix, so before a number is created or
given a prefix the provider asks who has them; these lookups share one listing of the account per run, read page
by page (docs/liveagent-api.md §2.4).
"""

from __future__ import annotations

from typing import Any

from provider_kit.base import stack_numbers
from provider_kit.diff import as_int
from stack import rules

from .client import LiveAgentClient
from .errors import LiveAgentApiError

NUMBER_TYPE = "S"  # a SIP number (the admin panel's "SIP phone number")
# Fields a response adds, and `status`, which a whole-object PUT does not change: none of them is sent back.
NOT_PUT = ("dial_out_prefix_formatted", "department", "status_message", "status")
ACCOUNT_NUMBERS = ("account numbers",)


def writable_fields(current: dict[str, Any]) -> dict[str, Any]:
    """A number as a PUT takes it back: without the fields a response adds, and without `status`."""
    return {k: v for k, v in current.items() if k not in NOT_PUT}


def account_numbers(client: LiveAgentClient) -> list[dict[str, Any]]:
    """Every number of the account from one listing (ceil(N / NUMBERS_PAGE) requests) that the lookups of a run
    share (a `lookups` snapshot: "absent" and "free" answers hold past our own writes; "present" and "held" are
    confirmed fresh before they are acted on)."""
    found: list[dict[str, Any]] = client.snapshots.get(ACCOUNT_NUMBERS, lambda: client.find_numbers({}), lookups=True)
    return found


def _candidates(client: LiveAgentClient, column: str, value: Any, fresh: bool) -> list[dict[str, Any]]:
    """Numbers to search for one with `column` = `value`: the run's listing of the account; `fresh`: one filtered
    listing now, which a filter keeps short. The caller compares each row itself (a filter's match is not
    documented, §2.5)."""
    return client.find_numbers({column: value}) if fresh else account_numbers(client)


def find_number(client: LiveAgentClient, number: str, fresh: bool = False) -> dict[str, Any] | None:
    """The LiveAgent number with exactly this E.164 (a filter's first hit could be another number); `fresh`:
    as it is now, not as the run's listing has it."""
    for found in _candidates(client, "number", number, fresh):
        if rules.same_number(found.get("number"), number):
            return found
    return None


def still_there(client: LiveAgentClient, listed: dict[str, Any], number: str) -> dict[str, Any] | None:
    """A number a listing showed, as it is now: read by its id (a filter may not match how it was typed), else
    (gone, or no longer this number) looked for afresh."""
    current = client.get_number(str(listed["id"]))
    if current is not None and rules.same_number(current.get("number"), number):
        return current
    return find_number(client, number, fresh=True)


def numbers_on_host(client: LiveAgentClient, host: Any) -> dict[str, dict[str, Any]]:
    """The SIP numbers on `host` by id, from one listing that every read of the run shares."""
    if not isinstance(host, str) or not host:
        return {}

    def listing() -> dict[str, dict[str, Any]]:
        return {str(n["id"]): n for n in client.find_numbers({"host": host, "type": NUMBER_TYPE})}

    found: dict[str, dict[str, Any]] = client.snapshots.get(("numbers on host", host), listing)
    return found


def prefix_holder(client: LiveAgentClient, prefix: int, own_number: str, fresh: bool = False) -> dict[str, Any] | None:
    """The other number that holds this dial prefix, if any; `fresh`: as it is now, not as last listed."""
    for found in _candidates(client, "dial_out_prefix", prefix, fresh):
        if as_int(found.get("dial_out_prefix")) == prefix and not rules.same_number(found.get("number"), own_number):
            return found
    return None


def in_this_stack(holder: dict[str, Any], props: dict[str, Any]) -> bool:
    """Whether a number (one holding a prefix) is one of this stack's, which may be moved aside. The stack's numbers
    come with the provider's configuration (`provider_kit.base.stack_numbers`), once for all."""
    return any(rules.same_number(holder.get("number"), number) for number in stack_numbers())


def prefix_taken_message(holder: dict[str, Any], props: dict[str, Any]) -> str:
    """The error for a dial prefix held by a number that this stack does not manage."""
    return (
        f"dial prefix {as_int(props['dial_prefix'])} is held by LiveAgent number {holder.get('number')} (id "
        f"{holder.get('id')}, name {holder.get('name')!r}), which this stack does not manage. Give "
        f"{props['number']} another dialPrefix in the stack config (twilio-liveagent:numbers), or change that "
        "number's prefix in LiveAgent"
    )


def free_prefix(client: LiveAgentClient, props: dict[str, Any]) -> None:
    """Make the dial prefix this number wants free: a number of this stack that holds it (prefixes swapped,
    or given to another number in the config) moves to a spare prefix until its own update gives it its
    configured one, so a swap converges in one `up`; any other holder is an error naming it."""
    prefix = as_int(props["dial_prefix"])
    for _ in range(5):  # another number's update may take the spare prefix first: ask again
        holder = prefix_holder(client, prefix, props["number"], fresh=True)
        if holder is None:
            return
        if not in_this_stack(holder, props):
            raise LiveAgentApiError(409, prefix_taken_message(holder, props), "PUT", client.settings.api_base)
        # As it is now, not as listed: its own update runs at the same time and may have moved it already.
        current = client.get_number(str(holder["id"]))
        # Moved where no config put it: the run's lookup listings would not know who holds the spare prefix.
        with client.snapshots.unsettled():
            spare = client.available_prefix()
            if current is None or as_int(current.get("dial_out_prefix")) != prefix or spare == prefix:
                continue  # it left the prefix meanwhile: look again
            # Its password too, in case GET does not echo it and the PUT would clear it: the numbers of a stack
            # share one termination credential, and its own update sends its password again anyway.
            password = current.get("password") or props.get("password")
            try:
                client.update_number(
                    str(holder["id"]), {**writable_fields(current), "dial_out_prefix": spare, "password": password}
                )
                return
            except LiveAgentApiError as error:
                if error.status not in (400, 409):
                    raise
    raise LiveAgentApiError(409, f"dial prefix {prefix} could not be freed", "PUT", client.settings.api_base)
