"""The LiveAgent API v3 emulator: phone numbers, departments and ping, with the per-key rate limit.

Where `docs/liveagent-api.md` marks a behaviour open (§10), the emulator takes the stricter reading and the README
("The sandbox") says which: no next-page cursor is handed out (the docs do not say how one is returned), the
department is embedded only when `additionalObjects` asks for it, `status` in a whole-object PUT is ignored
(`PUT …/status` changes it), and a new number gets no invented `port`, `host_settings` or `providerid`.
"""

from __future__ import annotations

import collections
import copy
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from .server import ApiError, Emulator, Request, Response

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


class RateLimiter:
    """A sliding window per API key: LiveAgent allows 180 requests a minute per key."""

    def __init__(self, requests: int, window_s: float):
        self.requests = requests
        self.window_s = window_s
        self._hits: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        if self.requests <= 0:
            return True
        now = time.monotonic()
        with self._lock:
            hits = self._hits[key]
            while hits and now - hits[0] >= self.window_s:
                hits.popleft()
            if len(hits) >= self.requests:
                return False
            hits.append(now)
            return True

    def retry_after(self, key: str) -> float:
        with self._lock:
            hits = self._hits[key]
            return max(0.0, self.window_s - (time.monotonic() - hits[0])) if hits else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"requests": self.requests, "window_s": self.window_s}


class LiveAgentEmulator(Emulator):
    name = "liveagent"

    def __init__(
        self,
        seed: dict[str, Any],
        save: Callable[[dict[str, Any]], None] | None = None,
        state: dict[str, Any] | None = None,
        rate_limit: tuple[int, float] = (180, 60.0),
    ):
        super().__init__()
        self.seed = seed
        self.api_keys: set[str] = set(seed.get("api_keys") or [seed["api_key"]])
        self._save = save
        self.state: dict[str, Any] = state if state is not None else self._initial_state()
        self.limiter = RateLimiter(*rate_limit)
        self._register_routes()

    def _initial_state(self) -> dict[str, Any]:
        departments = {}
        for entry in self.seed.get("departments", []):
            department_id = entry.get("department_id") or uuid.uuid4().hex[:8]
            departments[department_id] = {
                "department_id": department_id,
                "name": entry["name"],
                "agent_count": entry.get("agent_count", 0),
                "online_status": entry.get("online_status", "F"),
                "agent_ids": entry.get("agent_ids", []),
                "mailaccount_id": entry.get("mailaccount_id", ""),
            }
        return {"phone_numbers": {}, "departments": departments}

    def reset(self) -> None:
        self.state = self._initial_state()
        self.api_keys = set(self.seed.get("api_keys") or [self.seed["api_key"]])

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(self.state)

    def after_write(self) -> None:
        if self._save:
            self._save(self.state)

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"message": message}

    def control(self, request: Request, action: str) -> Response | None:
        if action == "api_keys" and request.method == "POST":
            key = str((request.json() or {}).get("api_key") or secrets.token_hex(16))
            self.api_keys.add(key)
            return Response(201, {"api_key": key})
        if action.startswith("api_keys/") and request.method == "DELETE":
            key = action.removeprefix("api_keys/")
            if key not in self.api_keys:
                return Response(404, {"error": "no such API key"})
            self.api_keys.discard(key)
            return Response(204, None)
        if action == "rate_limit" and request.method == "GET":
            return Response(200, self.limiter.to_json())
        if action == "rate_limit" and request.method in ("POST", "PUT"):
            body = request.json() or {}
            self.limiter = RateLimiter(int(body.get("requests", 180)), float(body.get("window_s", 60.0)))
            return Response(200, self.limiter.to_json())
        return None

    # ---------------------------------------------------------------- plumbing
    def _register_routes(self) -> None:
        def guarded(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
            def run(request: Request) -> Response:
                key = request.headers.get("apikey", "")
                if key not in self.api_keys:
                    raise fail(403, "ApiKey not found")
                if not self.limiter.allow(key):
                    raise ApiError(
                        429,
                        {"message": "Too many requests"},
                        {"Retry-After": str(max(1, round(self.limiter.retry_after(key))))},
                    )
                return handler(request)

            return run

        base = "/api/v3"
        table = [
            ("GET", "/ping", "ping", self.ping),
            ("GET", "/phone_numbers", "getPhoneNumbersList", self.list_numbers),
            ("POST", "/phone_numbers", "addNumber", self.add_number),
            ("GET", "/phone_numbers/availablePrefix", "getAvailablePrefix", self.available_prefix),
            ("GET", "/phone_numbers/{phoneNumberId}", "getPhoneNumber", self.get_number),
            ("PUT", "/phone_numbers/{phoneNumberId}", "updatePhoneNumber", self.update_number),
            ("PUT", "/phone_numbers/{phoneNumberId}/status", "updatePhoneNumberStatus", self.update_status),
            ("DELETE", "/phone_numbers/{phoneNumberId}", "removePhoneNumber", self.remove_number),
            ("GET", "/departments", "getDepartmentList", self.list_departments),
            ("GET", "/departments/{departmentId}", "getSpecificDepartment", self.get_department),
        ]
        for method, path, name, handler in table:
            self.add(method, base + path, name, guarded(handler))

    @staticmethod
    def _query(request: Request, allowed: set[str]) -> dict[str, str]:
        unknown = sorted(set(request.query) - allowed)
        if unknown:
            raise fail(400, f"Unknown query parameter(s): {', '.join(unknown)}")
        return {key: values[-1] for key, values in request.query.items()}

    def _number(self, request: Request) -> dict[str, Any]:
        number = self.state["phone_numbers"].get(request.params["phoneNumberId"])
        if number is None:
            raise fail(404, "Phone number not found")
        return number

    def number_json(self, number: dict[str, Any], embed: frozenset[str] = frozenset()) -> dict[str, Any]:
        """A PhoneNumber; the department object only where `additionalObjects` asked for it."""
        body = {key: number.get(key) for key in WRITABLE if number.get(key) is not None}
        body["id"] = number["id"]
        prefix = number.get("dial_out_prefix")
        if prefix is not None:
            body["dial_out_prefix_formatted"] = f"{prefix:02d}" if prefix < 100 else str(prefix)
        department = self.state["departments"].get(number.get("departmentid") or "")
        if department is not None and "department" in embed:
            body["department"] = dict(department)
        body["status_message"] = "" if number.get("status") == "A" else "Inactive"
        return body

    def _validate(self, fields: dict[str, Any], current_id: str | None) -> None:
        if fields.get("type") not in TYPES:
            raise fail(400, f"type must be one of {', '.join(TYPES)}")
        if fields.get("status") not in STATUSES:
            raise fail(400, "status must be A (active) or I (inactive)")
        number = fields.get("number") or ""
        if not re.fullmatch(r"\+?\d{3,15}", number):
            raise fail(400, f"number {number!r} is not a phone number")
        for other in self.state["phone_numbers"].values():
            if other["id"] != current_id and other["number"] == number:
                raise fail(400, f"Phone number {number} already exists (id {other['id']})")
        prefix = fields.get("dial_out_prefix")
        if prefix is not None:
            if isinstance(prefix, bool) or not isinstance(prefix, int) or not 1 <= prefix <= 999:
                raise fail(400, f"dial_out_prefix must be an integer from 1 to 999; got {prefix!r}")
            for other in self.state["phone_numbers"].values():
                if other["id"] != current_id and other.get("dial_out_prefix") == prefix:
                    raise fail(
                        400,
                        f"dial_out_prefix {prefix} is already used by phone number {other['number']} "
                        f"(id {other['id']})",
                    )
        department = fields.get("departmentid")
        if department and department not in self.state["departments"]:
            raise fail(404, "Department was not found")
        settings = fields.get("host_settings")
        if settings:
            try:
                json.loads(settings)
            except json.JSONDecodeError as exc:
                raise fail(400, f"host_settings must be JSON encoded: {exc}") from exc

    # ---------------------------------------------------------------- routes
    def ping(self, request: Request) -> Response:
        self._query(request, set())
        return Response(200, {"message": "pong"})

    def list_numbers(self, request: Request) -> Response:
        query = self._query(request, LIST_PARAMS)
        per_page = int(query.get("_perPage", "10"))
        if not 1 <= per_page <= 1000:
            raise fail(400, "_perPage must be between 1 and 1000")
        embed = frozenset(filter(None, query.get("additionalObjects", "").split(",")))
        if embed - ADDITIONAL_OBJECTS:
            raise fail(400, f"Unknown additionalObjects: {', '.join(sorted(embed - ADDITIONAL_OBJECTS))}")
        rows = [self.number_json(n, embed) for n in self.state["phone_numbers"].values()]
        rows = self._filter(rows, query.get("_filters"))
        sort_field = query.get("_sortField", "id")
        if sort_field not in (*WRITABLE, "id"):
            raise fail(400, f"_sortField must be a PhoneNumber field; got {sort_field!r}")
        direction = query.get("_sortDir", "ASC").upper()
        if direction not in ("ASC", "DESC"):
            raise fail(400, "_sortDir must be ASC or DESC")
        rows.sort(key=lambda row: (str(row.get(sort_field) or ""), row["id"]), reverse=direction == "DESC")
        if "_cursor" in query:
            # The docs name `_cursor` but not how a response hands one out, so none is handed out here and
            # no value can be valid: a client that pages on must find another documented way.
            raise fail(400, "Invalid _cursor")
        return Response(200, rows[:per_page])

    @staticmethod
    def _filter(rows: list[dict[str, Any]], raw: str | None) -> list[dict[str, Any]]:
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

    def add_number(self, request: Request) -> Response:
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
        self._validate(fields, None)
        number_id = uuid.uuid4().hex[:8]
        # Nothing invented for port, host_settings or providerid: what the admin panel's "Twilio" profile
        # puts there is undocumented, so a number gets them only from its creator.
        number = {"record_in_call": False, "record_out_call": False, **fields, "id": number_id}
        self.state["phone_numbers"][number_id] = number
        return Response(200, self.number_json(number))

    def get_number(self, request: Request) -> Response:
        self._query(request, set())
        return Response(200, self.number_json(self._number(request)))

    def update_number(self, request: Request) -> Response:
        number = self._number(request)
        if request.content_type != "application/json":
            raise fail(400, "PUT /phone_numbers/{id} takes an application/json body holding the whole PhoneNumber")
        try:
            body = request.json()
        except json.JSONDecodeError as exc:
            raise fail(400, f"Body is not valid JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise fail(400, "Body must be a PhoneNumber object")
        if "id" in body and str(body["id"]) != number["id"]:
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
        # The model lets a client leave `type` and `status` out: the type cannot change, and the status is
        # changed only through PUT …/status, so one sent here is ignored.
        fields["type"] = fields.get("type") or number.get("type")
        fields["status"] = number.get("status")
        if "number" not in fields:
            raise fail(400, "Data is missing: number")
        self._validate(fields, number["id"])
        # A PUT replaces the whole object: a writable field left out is cleared (the stricter reading).
        replaced = {"id": number["id"], **fields}
        self.state["phone_numbers"][number["id"]] = replaced
        return Response(200, self.number_json(replaced))

    def update_status(self, request: Request) -> Response:
        number = self._number(request)
        form = request.form() if request.content_type == "application/x-www-form-urlencoded" else {}
        status = (form.get("status") or [""])[-1]
        if status not in STATUSES:
            raise fail(400, "status must be A (active) or I (inactive)")
        number["status"] = status
        return Response(200, self.number_json(number))

    def remove_number(self, request: Request) -> Response:
        number = self._number(request)
        del self.state["phone_numbers"][number["id"]]
        return Response(200, {})

    def available_prefix(self, request: Request) -> Response:
        self._query(request, set())
        used = {n.get("dial_out_prefix") for n in self.state["phone_numbers"].values()}
        for prefix in range(1, 1000):
            if prefix not in used:
                return Response(200, {"prefix": prefix})
        raise fail(404, "No prefix is available")

    def list_departments(self, request: Request) -> Response:
        query = self._query(request, DEPARTMENT_LIST_PARAMS)
        rows = [dict(d) for d in self.state["departments"].values()]
        rows = self._filter(rows, query.get("_filters"))
        sort_field = query.get("_sortField", "name")
        rows.sort(key=lambda row: str(row.get(sort_field) or ""), reverse=query.get("_sortDir", "ASC") == "DESC")
        per_page = int(query.get("_perPage", "10"))
        if "_from" in query:
            start = int(query["_from"])
            end = int(query.get("_to", start + per_page))
        else:
            page = int(query.get("_page", "1"))
            start, end = (page - 1) * per_page, page * per_page
        return Response(200, rows[start:end])

    def get_department(self, request: Request) -> Response:
        self._query(request, set())
        department = self.state["departments"].get(request.params["departmentId"])
        if department is None:
            raise fail(404, "Department was not found")
        return Response(200, dict(department))
