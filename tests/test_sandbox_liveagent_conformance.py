"""The LiveAgent emulator against docs/liveagent-api.md, field by field, and against the request shapes of
QualityUnit's official v3 Python client (`LiveAgent-api-python`, swagger-codegen), encoded here from its docs
and models rather than vendored."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from tests.sandbox_client import SEED_API_KEY, Sandbox

# docs/liveagent-api.md §4: the PhoneNumber object (S1), JSON key -> JSON type.
PHONE_NUMBER_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "type": str,
    "dial_out_prefix": int,
    "dial_out_prefix_formatted": str,
    "record_in_call": bool,
    "record_out_call": bool,
    "number": str,
    "name": str,
    "departmentid": str,
    "department": dict,
    "status": str,
    "status_message": str,
    "host_settings": str,
    "host": str,
    "port": str,
    "user": str,
    "auth_user": str,
    "password": str,
    "proxy_host": str,
    "proxy_port": str,
    "proxy_user": str,
    "providerid": str,
    "ivr": str,
}
DEPARTMENT_FIELDS = {
    "department_id": str,
    "agent_count": (int, float),
    "name": str,
    "online_status": str,
    "agent_ids": list,
    "mailaccount_id": str,
}


def api(sandbox: Sandbox, method: str, path: str, key: str = SEED_API_KEY, **kwargs: Any) -> requests.Response:
    return requests.request(
        method, f"{sandbox.liveagent_url}/api/v3{path}", headers={"apikey": key}, timeout=10, **kwargs
    )


def assert_phone_number(body: dict[str, Any]) -> None:
    assert {"id", "number"} <= set(body), "id and number are required in the model"
    for key, value in body.items():
        assert key in PHONE_NUMBER_FIELDS, f"{key} is not a PhoneNumber field"
        assert isinstance(value, PHONE_NUMBER_FIELDS[key]), f"{key}={value!r} is not {PHONE_NUMBER_FIELDS[key]}"
    assert body.get("type") in (None, "A", "C", "T", "T-O", "S")
    assert body.get("status") in (None, "A", "I")
    if "dial_out_prefix" in body:
        assert 1 <= body["dial_out_prefix"] <= 999
    if "department" in body:
        assert_department(body["department"])


def assert_department(body: dict[str, Any]) -> None:
    assert set(body) == set(DEPARTMENT_FIELDS)
    for key, value in body.items():
        assert isinstance(value, DEPARTMENT_FIELDS[key]), key


def create(sandbox: Sandbox, **fields: Any) -> requests.Response:
    form = {
        "type": "S",
        "number": "+815012345678",
        "status": "A",
        "name": "Tokyo main",
        "departmentid": "d0000001",
        "dial_out_prefix": "1",
        "host": "x.pstn.jp1.twilio.com",
        "user": "xuser",
        "password": "Secret12345A",
    }
    form.update({k: str(v) for k, v in fields.items()})
    return api(sandbox, "POST", "/phone_numbers", data=form)


def test_wrong_or_missing_api_key_is_403_apikey_not_found(sandbox: Sandbox) -> None:
    for headers in ({"apikey": "nope"}, {}):
        response = requests.get(f"{sandbox.liveagent_url}/api/v3/phone_numbers", headers=headers, timeout=10)
        assert response.status_code == 403
        assert response.json() == {"message": "ApiKey not found"}


def test_ping(sandbox: Sandbox) -> None:
    assert api(sandbox, "GET", "/ping").status_code == 200


def test_create_is_form_encoded_and_answers_200_with_the_number(sandbox: Sandbox) -> None:
    response = create(sandbox)
    assert response.status_code == 200  # addNumber documents 200, not 201
    body = response.json()
    assert_phone_number(body)
    assert body["type"] == "S" and body["number"] == "+815012345678" and body["dial_out_prefix"] == 1
    assert body["dial_out_prefix_formatted"] == "01"
    assert body["departmentid"] == "d0000001" and "department" not in body, "embedded only when asked for"
    assert not {"port", "host_settings", "providerid"} & set(body), "no SIP profile is invented"
    json_post = api(sandbox, "POST", "/phone_numbers", json={"type": "S", "number": "+815012345679", "status": "A"})
    assert json_post.status_code == 400, "POST takes application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("fields", "status", "fragment"),
    [
        ({"type": ""}, 400, "type"),
        ({"status": "X"}, 400, "status"),
        ({"dial_out_prefix": "1000"}, 400, "dial_out_prefix"),
        ({"dial_out_prefix": "0"}, 400, "dial_out_prefix"),
        ({"departmentid": "nope"}, 404, "Department was not found"),
        ({"unknown_field": "1"}, 400, "unknown_field"),
    ],
)
def test_create_rejects_bad_fields_with_a_message(
    sandbox: Sandbox, fields: dict[str, str], status: int, fragment: str
) -> None:
    response = create(sandbox, **fields)
    assert response.status_code == status
    assert set(response.json()) == {"message"} and fragment in response.json()["message"]


def test_required_fields_are_type_number_status(sandbox: Sandbox) -> None:
    response = api(sandbox, "POST", "/phone_numbers", data={"number": "+815012345678"})
    assert response.status_code == 400
    assert "type" in response.json()["message"] and "status" in response.json()["message"]


def test_dial_prefix_is_unique_and_the_error_names_the_holder(sandbox: Sandbox) -> None:
    create(sandbox)
    clash = create(sandbox, number="+815012345679")
    assert clash.status_code == 400
    assert "+815012345678" in clash.json()["message"]
    assert api(sandbox, "GET", "/phone_numbers/availablePrefix").json() == {"prefix": 2}


def test_get_list_filters_sort_and_one_page(sandbox: Sandbox) -> None:
    for index in range(5):
        create(sandbox, number=f"+8150123456{70 + index}", dial_out_prefix=10 + index, name=f"n{index}")
    response = api(
        sandbox,
        "GET",
        "/phone_numbers",
        params={"_filters": json.dumps({"type": "S"}), "_perPage": 2, "_sortField": "name", "_sortDir": "DESC"},
    )
    assert response.status_code == 200
    page = response.json()
    assert isinstance(page, list) and [n["name"] for n in page] == ["n4", "n3"]
    # More follow, so the header is there; a cursor continues only the id order (docs/liveagent-api.md §2.4).
    cursor = response.headers["next_page_cursor"]
    assert api(sandbox, "GET", "/phone_numbers", params={"_cursor": cursor, "_sortField": "name"}).status_code == 400
    assert api(sandbox, "GET", "/phone_numbers", params={"_cursor": "c2"}).status_code == 400
    exact = api(sandbox, "GET", "/phone_numbers", params={"_filters": json.dumps([["number", "E", "+815012345672"]])})
    assert [n["name"] for n in exact.json()] == ["n2"]
    assert api(sandbox, "GET", "/phone_numbers", params={"_page": 1}).status_code == 400, "no _page on phone_numbers"


def test_get_list_pages_by_the_next_page_cursor_header(sandbox: Sandbox) -> None:
    # docs/liveagent-api.md §2.4 (S10): the header `next_page_cursor` goes back as `_cursor`, over real HTTP.
    for index in range(5):
        create(sandbox, number=f"+8150123456{70 + index}", dial_out_prefix=10 + index, name=f"n{index}")
    seen: list[str] = []
    params: dict[str, Any] = {"_perPage": 2}
    for _ in range(5):
        response = api(sandbox, "GET", "/phone_numbers", params=params)
        assert response.status_code == 200, response.text
        seen += [n["id"] for n in response.json()]
        if "next_page_cursor" not in response.headers:
            break
        params = {**params, "_cursor": response.headers["next_page_cursor"]}
    assert len(seen) == 5 and seen == sorted(seen), "every number once, in id order"
    assert api(sandbox, "GET", "/phone_numbers", params={"_perPage": 101}).status_code == 400


def test_put_is_json_and_replaces_the_whole_object(sandbox: Sandbox) -> None:
    number = create(sandbox, ivr="{}").json()
    full = {k: v for k, v in number.items() if k not in ("dial_out_prefix_formatted", "department", "status_message")}
    updated = api(sandbox, "PUT", f"/phone_numbers/{number['id']}", json={**full, "name": "Renamed"})
    assert updated.status_code == 200
    assert_phone_number(updated.json())
    assert updated.json()["name"] == "Renamed" and updated.json()["ivr"] == "{}"
    partial = api(
        sandbox, "PUT", f"/phone_numbers/{number['id']}", json={"id": number["id"], "number": "+815012345678"}
    )
    assert partial.status_code == 200, partial.text
    assert "ivr" not in partial.json() and "host" not in partial.json(), "PUT replaces; omitted fields are cleared"
    assert (partial.json()["type"], partial.json()["status"]) == ("S", "A"), "type and status are kept"
    form = api(sandbox, "PUT", f"/phone_numbers/{number['id']}", data={"name": "x"})
    assert form.status_code == 400


def test_status_delete_and_404(sandbox: Sandbox) -> None:
    number = create(sandbox).json()
    inactive = api(sandbox, "PUT", f"/phone_numbers/{number['id']}/status", data={"status": "I"})
    assert inactive.status_code == 200 and inactive.json()["status"] == "I"
    assert api(sandbox, "DELETE", f"/phone_numbers/{number['id']}").status_code == 200
    missing = api(sandbox, "GET", f"/phone_numbers/{number['id']}")
    assert missing.status_code == 404 and missing.json() == {"message": "Phone number not found"}
    assert api(sandbox, "DELETE", f"/phone_numbers/{number['id']}").status_code == 404


def test_departments(sandbox: Sandbox) -> None:
    departments = api(sandbox, "GET", "/departments", params={"_page": 1, "_perPage": 10}).json()
    assert {d["name"] for d in departments} >= {"Support", "Sales"}
    for department in departments:
        assert_department(department)
    one = api(sandbox, "GET", f"/departments/{departments[0]['department_id']}")
    assert one.status_code == 200 and one.json() == departments[0]
    assert api(sandbox, "GET", "/departments/nope").json() == {"message": "Department was not found"}


def test_rate_limit_answers_429_beyond_the_limit_per_key(sandbox: Sandbox) -> None:
    sandbox.rate_limit(5, 60)
    statuses = [api(sandbox, "GET", "/ping").status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429, 429]
    assert api(sandbox, "GET", "/ping").json() == {"message": "Too many requests"}


# -- the official client's requests (LiveAgent-api-python: docs/PhoneNumbersApi.md, models/phone_number.py) ---
# Its ApiClient sends `Content-Type: application/json` on every call without a form, GET and DELETE included;
# form values go through urlencode as Python writes them, so booleans arrive as "True"/"False"; a model is
# serialised without its None attributes, so a PUT carries only what was set (`id` and `number` are required).
OFFICIAL_HEADERS = {"Accept": "application/json", "User-Agent": "Swagger-Codegen/1.0.0/python"}


def official(sandbox: Sandbox, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {**OFFICIAL_HEADERS, "apikey": SEED_API_KEY}
    if "data" not in kwargs:
        headers["Content-Type"] = "application/json"
    return requests.request(method, f"{sandbox.liveagent_url}/api/v3{path}", headers=headers, timeout=10, **kwargs)


def official_add_number(sandbox: Sandbox, **optional: Any) -> requests.Response:
    """add_number(type, number, status, **optional), as its form goes on the wire."""
    form = [("type", "S"), ("number", "+815012345678"), ("status", "A")]
    form += [(name, str(value)) for name, value in optional.items()]
    return official(sandbox, "POST", "/phone_numbers", data=form)


@pytest.mark.parametrize(("sent", "stored"), [(True, True), (False, False), ("true", True), ("1", True), ("0", False)])
def test_official_client_booleans_in_a_form_are_understood(sandbox: Sandbox, sent: Any, stored: bool) -> None:
    response = official_add_number(sandbox, record_in_call=sent, record_out_call=sent, dial_out_prefix=56)
    assert response.status_code == 200, response.text
    assert (response.json()["record_in_call"], response.json()["record_out_call"]) == (stored, stored)
    assert response.json()["dial_out_prefix"] == 56


def test_official_client_every_documented_add_number_field(sandbox: Sandbox) -> None:
    every = {
        "dial_out_prefix": 3,
        "record_in_call": True,
        "record_out_call": False,
        "name": "All fields",
        "departmentid": "d0000001",
        "host_settings": json.dumps({"codec": "PCMU"}),
        "host": "x.pstn.jp1.twilio.com",
        "port": "5060",
        "user": "xuser",
        "auth_user": "xauth",
        "password": "Secret12345A",
        "proxy_host": "proxy.example.com",
        "proxy_port": "5070",
        "proxy_user": "puser",
        "providerid": "twilio",
        "ivr": "{}",
    }
    response = official_add_number(sandbox, **every)
    assert response.status_code == 200, response.text
    assert_phone_number(response.json())
    assert {key: response.json()[key] for key in every} == every


def test_official_client_list_parameters(sandbox: Sandbox) -> None:
    for index in range(3):
        official_add_number(sandbox, number=f"+81501234567{index}", dial_out_prefix=index + 1, departmentid="d0000001")
    for sort_field in ("id", "number", "name", "dial_out_prefix", "type", "status", "departmentid"):
        for direction in ("ASC", "DESC"):
            listed = official(
                sandbox,
                "GET",
                "/phone_numbers",
                params={"_perPage": 10, "_sortDir": direction, "_sortField": sort_field},
            )
            assert listed.status_code == 200, (sort_field, listed.text)
    for operator, value, prefixes in [(">=", "2", [2, 3]), (">", "2", [3]), ("<=", "2", [1, 2]), ("<", 2, [1])]:
        filters = json.dumps([["dial_out_prefix", operator, value], ["type", "E", "S"]])
        listed = official(
            sandbox, "GET", "/phone_numbers", params={"_filters": filters, "_sortField": "dial_out_prefix"}
        )
        assert listed.status_code == 200, listed.text
        assert [n["dial_out_prefix"] for n in listed.json()] == prefixes, operator
    plain = official(sandbox, "GET", "/phone_numbers", params={"_perPage": 10}).json()
    assert all("department" not in n for n in plain), "the department comes only when asked for"
    embedded = official(sandbox, "GET", "/phone_numbers", params={"additionalObjects": "department"}).json()
    assert len(embedded) == 3
    for number in embedded:
        assert_phone_number(number)
        assert number["department"]["department_id"] == number["departmentid"]
    one = official(sandbox, "GET", f"/phone_numbers/{embedded[0]['id']}").json()
    assert "department" not in one


def test_official_client_partial_put_and_the_status_operation(sandbox: Sandbox) -> None:
    number = official_add_number(sandbox, name="Before", host="x.pstn.twilio.com", dial_out_prefix=4).json()
    # PhoneNumber(id=…, number=…, name=…, status="I") serialised: no type; a status the PUT does not change.
    body = {"id": number["id"], "number": number["number"], "name": "After", "dial_out_prefix": 4, "status": "I"}
    updated = official(sandbox, "PUT", f"/phone_numbers/{number['id']}", json=body)
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "After" and updated.json()["type"] == "S"
    assert updated.json()["status"] == "A", "status in the whole-object PUT is ignored"
    inactive = official(sandbox, "PUT", f"/phone_numbers/{number['id']}/status", data=[("status", "I")])
    assert inactive.status_code == 200 and inactive.json()["status"] == "I"
    assert official(sandbox, "GET", f"/phone_numbers/{number['id']}").json()["status"] == "I"
    assert official(sandbox, "GET", "/phone_numbers/availablePrefix").json() == {"prefix": 1}
    assert official(sandbox, "DELETE", f"/phone_numbers/{number['id']}").status_code == 200
    departments = official(sandbox, "GET", "/departments", params={"_page": 1, "_perPage": 10, "_sortDir": "ASC"})
    assert departments.status_code == 200 and {d["name"] for d in departments.json()} >= {"Support", "Sales"}
