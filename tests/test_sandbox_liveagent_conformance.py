"""The LiveAgent emulator against liveagent-api.md, field by field."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from tests.sandbox_client import SEED_API_KEY, Sandbox

# liveagent-api.md §4: the PhoneNumber schema (S1), JSON key -> JSON type.
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
    assert body["department"]["name"] == "Support"
    assert body["port"] == "5060", "port is a string"
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


def test_get_list_filters_sort_and_cursor(sandbox: Sandbox) -> None:
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
    names = [n["name"] for n in page]
    while "X-Next-Cursor" in response.headers:
        response = api(
            sandbox,
            "GET",
            "/phone_numbers",
            params={
                "_perPage": 2,
                "_sortField": "name",
                "_sortDir": "DESC",
                "_cursor": response.headers["X-Next-Cursor"],
            },
        )
        names += [n["name"] for n in response.json()]
    assert names == ["n4", "n3", "n2", "n1", "n0"]
    exact = api(sandbox, "GET", "/phone_numbers", params={"_filters": json.dumps([["number", "E", "+815012345672"]])})
    assert [n["name"] for n in exact.json()] == ["n2"]
    assert api(sandbox, "GET", "/phone_numbers", params={"_page": 1}).status_code == 400, "no _page on phone_numbers"


def test_put_is_json_and_replaces_the_whole_object(sandbox: Sandbox) -> None:
    number = create(sandbox, ivr="{}").json()
    full = {k: v for k, v in number.items() if k not in ("dial_out_prefix_formatted", "department", "status_message")}
    updated = api(sandbox, "PUT", f"/phone_numbers/{number['id']}", json={**full, "name": "Renamed"})
    assert updated.status_code == 200
    assert_phone_number(updated.json())
    assert updated.json()["name"] == "Renamed" and updated.json()["ivr"] == "{}"
    partial = api(
        sandbox, "PUT", f"/phone_numbers/{number['id']}", json={"type": "S", "number": "+815012345678", "status": "A"}
    )
    assert "ivr" not in partial.json() and "host" not in partial.json(), "PUT replaces; omitted fields are cleared"
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
