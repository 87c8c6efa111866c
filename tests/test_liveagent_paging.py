"""`GET /phone_numbers` page by page (docs/liveagent-api.md §2.4): the LiveAgent emulator's cursor contract, and the
client reading a whole account through it. Fast: the emulator runs in this process, behind a requests adapter."""

from __future__ import annotations

import base64
import json
import math
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from liveagent_provider.client import NUMBERS_PAGE, LiveAgentClient, LiveAgentSettings
from liveagent_provider.errors import LiveAgentApiError
from sandbox.liveagent import LiveAgentEmulator
from sandbox.liveagent.paging import MAX_PER_PAGE
from sandbox.routing import Request, Response

KEY = "k" * 32
URL = "http://liveagent.test"


def emulator(numbers: int) -> LiveAgentEmulator:
    emulated = LiveAgentEmulator({"api_key": KEY}, rate_limit=(0, 60.0))
    for index in range(numbers):
        number_id = f"{index * 7919 % 100003:08x}"  # ids not in the order the numbers were made
        emulated.state["phone_numbers"][number_id] = {
            "id": number_id,
            "type": "S",
            "number": f"+8150000{index:05d}",
            "status": "A",
            "name": "even" if index % 2 == 0 else "odd",
        }
    return emulated


def get(emulated: LiveAgentEmulator, **query: Any) -> Response:
    request = Request("GET", "/api/v3/phone_numbers", {k: [str(v)] for k, v in query.items()}, {"apikey": KEY}, b"")
    return emulated.dispatch(request)


def walk(emulated: LiveAgentEmulator, **query: Any) -> tuple[list[str], int]:
    """Every id a cursor walk lists, and how many requests it took."""
    ids: list[str] = []
    for requests_made in range(1, 100):
        answer = get(emulated, **query)
        assert answer.status == 200, answer.body
        assert isinstance(answer.body, list)
        ids += [row["id"] for row in answer.body]
        if "next_page_cursor" not in answer.headers:
            return ids, requests_made
        query["_cursor"] = answer.headers["next_page_cursor"]
    raise AssertionError("the cursor chain did not end")


@pytest.mark.parametrize("numbers, size", [(250, 100), (200, 100), (7, 3), (1, 10), (0, 10), (12, 1)])
def test_a_cursor_walk_lists_every_number_once_in_id_order_and_ends(numbers: int, size: int) -> None:
    emulated = emulator(numbers)
    ids, made = walk(emulated, _perPage=size)
    assert ids == sorted(emulated.state["phone_numbers"]), "no number left out or listed twice, ids ascending"
    assert made == max(1, math.ceil(numbers / size)), "no header after the last row"


def test_the_cursor_is_base64_of_the_last_id_and_filters_go_with_each_page() -> None:
    emulated = emulator(9)
    first = get(emulated, _perPage=2, _filters=json.dumps({"name": "even"}))
    assert isinstance(first.body, list)
    cursor = first.headers["next_page_cursor"]
    assert json.loads(base64.b64decode(cursor)) == {"id": first.body[-1]["id"]}
    ids, _ = walk(emulated, _perPage=2, _filters=json.dumps({"name": "even"}))
    evens = sorted(k for k, n in emulated.state["phone_numbers"].items() if n["name"] == "even")
    assert ids == evens
    # A cursor a client makes itself, as the article shows (`{"id":"5"}`), asks for the higher ids.
    after = sorted(emulated.state["phone_numbers"])[3]
    made = base64.b64encode(json.dumps({"id": after}).encode()).decode()
    rest = get(emulated, _perPage=100, _cursor=made).body
    assert isinstance(rest, list) and [r["id"] for r in rest] == sorted(emulated.state["phone_numbers"])[4:]


@pytest.mark.parametrize("per_page", ["0", "-1", "abc", "1.5", str(MAX_PER_PAGE + 1), "1000"])
def test_a_per_page_out_of_range_is_refused_not_capped(per_page: str) -> None:
    answer = get(emulator(3), _perPage=per_page)
    assert answer.status == 400 and "_perPage" in str(answer.body)


@pytest.mark.parametrize("cursor", ["c2", "bm90IGpzb24=", base64.b64encode(b'{"page": 2}').decode(), ""])
def test_a_malformed_cursor_is_refused(cursor: str) -> None:
    answer = get(emulator(3), _cursor=cursor)
    assert answer.status == 400 and answer.body == {"message": "Invalid _cursor"}


def test_a_cursor_under_another_sort_is_refused() -> None:
    emulated = emulator(5)
    sorted_by_name = get(emulated, _perPage=2, _sortField="name")
    cursor = sorted_by_name.headers["next_page_cursor"]  # more follow in that order too
    assert get(emulated, _perPage=2, _sortField="name", _cursor=cursor).status == 400
    assert get(emulated, _perPage=2, _sortDir="DESC", _cursor=cursor).status == 400
    assert get(emulated, _perPage=2, _sortField="id", _sortDir="ASC", _cursor=cursor).status == 200


class EmulatorAdapter(BaseAdapter):
    """Hands the client's requests to an emulator in this process, and counts them."""

    def __init__(self, emulated: LiveAgentEmulator) -> None:
        super().__init__()
        self.emulated = emulated
        self.sent: list[dict[str, list[str]]] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        query = parse_qs(parts.query, keep_blank_values=True)
        self.sent.append(query)
        body = request.body.encode() if isinstance(request.body, str) else (request.body or b"")
        headers = {k.lower(): v for k, v in request.headers.items()}
        answer = self.emulated.dispatch(Request(request.method or "GET", parts.path, query, headers, body))
        response = requests.Response()
        response.status_code = answer.status
        response._content = b"" if answer.body is None else json.dumps(answer.body).encode()
        response.headers = CaseInsensitiveDict({"Content-Type": "application/json", **answer.headers})
        response.url, response.request = request.url or "", request
        return response

    def close(self) -> None:
        pass


def client_on(emulated: LiveAgentEmulator) -> tuple[LiveAgentClient, EmulatorAdapter]:
    client = LiveAgentClient(LiveAgentSettings(URL, KEY, rate_requests=0))
    adapter = EmulatorAdapter(emulated)
    client.session.mount(URL, adapter)  # the longest prefix wins over the client's own http:// adapter
    return client, adapter


def test_the_client_reads_250_numbers_in_ceil_250_over_a_page_requests() -> None:
    emulated = emulator(250)
    client, adapter = client_on(emulated)
    listed = client.find_numbers({})
    assert sorted(n["number"] for n in listed) == sorted(n["number"] for n in emulated.state["phone_numbers"].values())
    assert len(listed) == 250 and len(adapter.sent) == math.ceil(250 / NUMBERS_PAGE)
    assert all(query["_perPage"] == [str(NUMBERS_PAGE)] and query["_filters"] == ["{}"] for query in adapter.sent)
    assert ["_cursor" in query for query in adapter.sent] == [False, True, True]


def test_a_filtered_lookup_pages_with_its_filter_and_a_short_page_is_not_the_end() -> None:
    emulated = emulator(250)
    client, adapter = client_on(emulated)
    assert len(client.find_numbers({"name": "odd"})) == 125 and len(adapter.sent) == 2
    assert all(query["_filters"] == ['{"name": "odd"}'] for query in adapter.sent)

    # A LiveAgent that answers fewer rows than asked (a cap of its own) still hands a cursor: the client follows it.
    def capped(request: Request) -> Response:
        request.query["_perPage"] = ["7"]
        return dispatch(request)

    dispatch = emulated.dispatch
    emulated.dispatch = capped  # type: ignore[method-assign]
    adapter.sent.clear()
    assert len(client.find_numbers({})) == 250 and len(adapter.sent) == math.ceil(250 / 7)


def test_an_empty_page_ends_the_listing_and_a_cursor_that_comes_back_is_an_error() -> None:
    emulated = emulator(3)
    client, adapter = client_on(emulated)

    def header_on_every_page(request: Request) -> Response:  # a LiveAgent that sends the header on the last page
        answer = dispatch(request)
        return Response(answer.status, answer.body, {"next_page_cursor": "eyJpZCI6Ijk5OTk5OTk5In0="})

    dispatch = emulated.dispatch
    emulated.dispatch = header_on_every_page  # type: ignore[method-assign]
    assert len(client.find_numbers({})) == 3 and len(adapter.sent) == 2, "the empty page after it ends the walk"

    def same_cursor(request: Request) -> Response:
        return Response(200, [{"id": "1", "number": "+815000000001"}], {"next_page_cursor": "c2FtZQ=="})

    emulated.dispatch = same_cursor  # type: ignore[method-assign]
    with pytest.raises(LiveAgentApiError) as looping:
        client.find_numbers({})
    assert "came back a second time" in str(looping.value)
