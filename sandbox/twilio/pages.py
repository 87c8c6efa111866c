"""Twilio's two paging styles: Trunking and Voice v1 (`meta.next_page_url`, absolute URLs) and API
2010-04-01 (`next_page_uri` and friends at the top level, host-relative URIs)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from ..routing import Request, Response
from .params import error


class Window:
    """The page a request asks for, and the links to its neighbours."""

    def __init__(self, request: Request, items: list[dict[str, Any]], path: str, extra: dict[str, str] | None):
        self.size = int(request.query.get("PageSize", ["50"])[0])
        if not 1 <= self.size <= 1000:
            raise error(400, 20001, f"PageSize must be between 1 and 1000; got {self.size}")
        self.page = int(request.query.get("Page", ["0"])[0])
        if self.page < 0:
            raise error(400, 20001, "Page must not be negative")
        token = request.query.get("PageToken", [None])[0]
        if token is not None:
            if not re.fullmatch(r"PT\d+", token):
                raise error(400, 20001, f"Invalid PageToken {token!r}")
            self.offset = int(token[2:])
        else:
            self.offset = self.page * self.size
        self.items = items[self.offset : self.offset + self.size]
        self.has_next = self.offset + self.size < len(items)
        self.path = path
        self.extra = dict(extra or {})

    def link(self, page_number: int, page_offset: int | None) -> str:
        query = {**self.extra, "PageSize": str(self.size), "Page": str(page_number)}
        if page_offset is not None:
            query["PageToken"] = f"PT{page_offset}"
        return f"{self.path}?{urlencode(query)}"

    @property
    def first(self) -> str:
        return self.link(0, None)

    @property
    def current(self) -> str:
        return self.link(self.page, self.offset if self.page else None)

    @property
    def next(self) -> str | None:
        return self.link(self.page + 1, self.offset + self.size) if self.has_next else None

    @property
    def previous(self) -> str | None:
        return self.link(self.page - 1, max(self.offset - self.size, 0)) if self.page > 0 else None


def page_v1(
    request: Request, items: list[dict[str, Any]], key: str, public_path: str, extra: dict[str, str] | None = None
) -> Response:
    window = Window(request, items, public_path, extra)
    meta = {
        "first_page_url": window.first,
        "url": window.current,
        "page_size": window.size,
        "key": key,
        "page": window.page,
        "next_page_url": window.next,
        "previous_page_url": window.previous,
    }
    return Response(200, {key: window.items, "meta": meta})


def page_v2010(
    request: Request, items: list[dict[str, Any]], key: str, uri_path: str, extra: dict[str, str] | None = None
) -> Response:
    window = Window(request, items, uri_path, extra)
    return Response(
        200,
        {
            key: window.items,
            "first_page_uri": window.first,
            "uri": window.current,
            "next_page_uri": window.next,
            "previous_page_uri": window.previous,
            "page": window.page,
            "page_size": window.size,
            "start": window.offset,
            "end": window.offset + max(len(window.items) - 1, 0),
        },
    )
