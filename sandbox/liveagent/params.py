"""The LiveAgent emulator's parameters and errors: the PhoneNumber's fields and their types, the query parameters
each listing takes, `_filters`, and the form and JSON bodies a number is written with."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from ..routing import ApiError, Request

TYPES = ["A", "C", "T", "T-O", "S"]
STATUSES = ["A", "I"]
# Writable PhoneNumber fields and their JSON types; output-only fields are listed apart.
WRITABLE: dict[str, type | tuple[type, ...]] = {
    "type": str,
    "number": str,
    "name": str,
    "departmentid": str,
    "dial_out_prefix": int,
    "record_in_call": bool,
    "record_out_call": bool,
    "status": str,
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
OUTPUT_ONLY = ("id", "dial_out_prefix_formatted", "department", "status_message")
LIST_PARAMS = {"_perPage", "_cursor", "_sortField", "_sortDir", "_filters", "additionalObjects"}
DEPARTMENT_LIST_PARAMS = {"_page", "_perPage", "_from", "_to", "_sortDir", "_sortField", "_filters"}
# What `additionalObjects` may ask a phone-number listing to embed.
ADDITIONAL_OBJECTS = {"department"}
# The official client sends booleans in a form as Python writes them ("True"); other clients as "true" or 1.
FORM_BOOLEANS = {"true": True, "1": True, "y": True, "false": False, "0": False, "n": False}


def _ordered(a: Any, b: Any) -> tuple[Any, Any]:
    """Two values compared as numbers when both are, else as text (dates as "YYYY-MM-DD hh:mm:ss" sort)."""
    try:
        return float(a), float(b)
    except (TypeError, ValueError):
        return str(a), str(b)


def _compare(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda a, b: test(*_ordered(a, b))


# `[column, operator, value]` filters: equality, like, and the comparisons (also in the date form "D>=").
FILTER_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "E": lambda a, b: str(a) == str(b),
    "=": lambda a, b: str(a) == str(b),
    "NE": lambda a, b: str(a) != str(b),
    "!=": lambda a, b: str(a) != str(b),
    "L": lambda a, b: str(b).lower().strip("%") in str(a).lower(),
    "IN": lambda a, b: str(a) in [str(x) for x in (b if isinstance(b, list) else str(b).split(","))],
    ">": _compare(lambda a, b: a > b),
    ">=": _compare(lambda a, b: a >= b),
    "<": _compare(lambda a, b: a < b),
    "<=": _compare(lambda a, b: a <= b),
}
FILTER_OPERATORS.update({"D" + op: FILTER_OPERATORS[op] for op in ("=", ">", ">=", "<", "<=")})


def fail(status: int, message: str) -> ApiError:
    return ApiError(status, {"message": message})


def query_params(request: Request, allowed: set[str]) -> dict[str, str]:
    """The query parameters, each one's last value; one not in `allowed` is an error."""
    unknown = sorted(set(request.query) - allowed)
    if unknown:
        raise fail(400, f"Unknown query parameter(s): {', '.join(unknown)}")
    return {key: values[-1] for key, values in request.query.items()}


def filtered(rows: list[dict[str, Any]], raw: str | None) -> list[dict[str, Any]]:
    """The rows that pass `_filters`: a JSON object of columns and values, or an array of [column, operator, value]."""
    if not raw:
        return rows
    try:
        filters = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise fail(400, f"_filters is not valid JSON: {exc}") from exc
    if isinstance(filters, dict):
        conditions = [(column, "E", value) for column, value in filters.items()]
    elif isinstance(filters, list) and all(isinstance(f, list) and len(f) == 3 for f in filters):
        conditions = [tuple(f) for f in filters]
    else:
        raise fail(400, "_filters must be a JSON object or an array of [column, operator, value]")
    for column, operator, value in conditions:
        if operator not in FILTER_OPERATORS:
            raise fail(400, f"Unsupported filter operator {operator!r}")
        rows = [row for row in rows if FILTER_OPERATORS[operator](row.get(column, ""), value)]
    return rows


def form_fields(request: Request) -> dict[str, Any]:
    """The fields of a new number, from a POST's form body, typed as the PhoneNumber model has them."""
    if request.content_type != "application/x-www-form-urlencoded":
        raise fail(400, "Data is missing: POST /phone_numbers takes an application/x-www-form-urlencoded body")
    form = request.form()
    unknown = sorted(set(form) - set(WRITABLE))
    if unknown:
        raise fail(400, f"Unknown field(s): {', '.join(unknown)}")
    missing = [name for name in ("type", "number", "status") if name not in form]
    if missing:
        raise fail(400, f"Data is missing: {', '.join(missing)}")
    fields: dict[str, Any] = {}
    for name, values in form.items():
        value = values[-1]
        if WRITABLE[name] is int:
            if not re.fullmatch(r"\d+", value):
                raise fail(400, f"{name} must be an integer; got {value!r}")
            fields[name] = int(value)
        elif WRITABLE[name] is bool:
            if value.lower() not in FORM_BOOLEANS:
                raise fail(400, f"{name} must be a boolean; got {value!r}")
            fields[name] = FORM_BOOLEANS[value.lower()]
        else:
            fields[name] = value
    return fields


def json_fields(request: Request, number_id: str) -> dict[str, Any]:
    """The fields of a number, from a PUT's JSON body (the whole PhoneNumber), each of the model's type."""
    if request.content_type != "application/json":
        raise fail(400, "PUT /phone_numbers/{id} takes an application/json body holding the whole PhoneNumber")
    try:
        body = request.json()
    except json.JSONDecodeError as exc:
        raise fail(400, f"Body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise fail(400, "Body must be a PhoneNumber object")
    if "id" in body and str(body["id"]) != number_id:
        raise fail(400, "id in the body does not match the URL")
    unknown = sorted(set(body) - set(WRITABLE) - set(OUTPUT_ONLY))
    if unknown:
        raise fail(400, f"Unknown field(s): {', '.join(unknown)}")
    fields: dict[str, Any] = {}
    for name, expected in WRITABLE.items():
        if name not in body or body[name] is None:
            continue
        value = body[name]
        if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise fail(400, f"{name} must be an integer; got {value!r}")
        if expected is not int and not isinstance(value, expected):
            raise fail(400, f"{name} must be a {getattr(expected, '__name__', expected)}; got {value!r}")
        fields[name] = value
    return fields
