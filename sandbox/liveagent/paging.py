"""How the LiveAgent emulator pages a cursor listing (`GET /phone_numbers`): `_perPage`, `_cursor` in, the
`next_page_cursor` header out (docs/liveagent-api.md §2.4)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from .params import fail

# No largest `_perPage` is documented: the emulator takes 100, below the one value a third party is seen to
# send, so a client that asks for more fails here rather than against a real account (§2.4).
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 10  # the descriptor's default [C] S1
NEXT_PAGE_HEADER = "next_page_cursor"


def per_page(raw: str | None) -> int:
    """`_perPage` as a whole number from 1 to MAX_PER_PAGE; anything else is refused, not capped."""
    if raw is None:
        return DEFAULT_PER_PAGE
    if not re.fullmatch(r"\d+", raw) or not 1 <= int(raw) <= MAX_PER_PAGE:
        raise fail(400, f"_perPage must be a whole number from 1 to {MAX_PER_PAGE}; got {raw!r}")
    return int(raw)


def encode_cursor(last_id: str) -> str:
    """The cursor after the record `last_id`: base64 of {"id": "…"}, as LiveAgent's article shows it."""
    return base64.b64encode(json.dumps({"id": last_id}, separators=(",", ":")).encode()).decode()


def decode_cursor(raw: str) -> str:
    """The id a cursor continues after; a cursor that is not base64 of {"id": "…"} is refused."""
    try:
        body = json.loads(base64.b64decode(raw, validate=True))
    except (binascii.Error, ValueError):
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("id"), str | int) or str(body["id"]) == "":
        raise fail(400, "Invalid _cursor")
    return str(body["id"])


def cursor_page(
    rows: list[dict[str, Any]], cursor: str | None, size: int, by_id: bool
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """One page of `rows` (already filtered and sorted) and its headers. A cursor names the last id loaded and
    asks for the higher ids, so it only continues the id-ascending order (`by_id`); the header is sent while
    rows remain after the page."""
    if cursor is not None:
        if not by_id:
            raise fail(400, "_cursor continues only the default order (_sortField id, _sortDir ASC)")
        after = decode_cursor(cursor)
        rows = [row for row in rows if str(row["id"]) > after]
    page = rows[:size]
    headers = {NEXT_PAGE_HEADER: encode_cursor(str(page[-1]["id"]))} if len(rows) > size else {}
    return page, headers
