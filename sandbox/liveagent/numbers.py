"""The LiveAgent emulator's phone numbers: /phone_numbers and its operations, as the API v3 reference has them."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from ..routing import Request, Response
from .base import LiveAgentBase
from .paging import cursor_page, per_page
from .params import (
    ADDITIONAL_OBJECTS,
    LIST_PARAMS,
    STATUSES,
    TYPES,
    WRITABLE,
    fail,
    filtered,
    form_fields,
    json_fields,
    query_params,
)


class PhoneNumberRoutes(LiveAgentBase):
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

    def list_numbers(self, request: Request) -> Response:
        query = query_params(request, LIST_PARAMS)
        size = per_page(query.get("_perPage"))
        embed = frozenset(filter(None, query.get("additionalObjects", "").split(",")))
        if embed - ADDITIONAL_OBJECTS:
            raise fail(400, f"Unknown additionalObjects: {', '.join(sorted(embed - ADDITIONAL_OBJECTS))}")
        rows = [self.number_json(n, embed) for n in self.state["phone_numbers"].values()]
        rows = filtered(rows, query.get("_filters"))
        sort_field = query.get("_sortField", "id")
        if sort_field not in (*WRITABLE, "id"):
            raise fail(400, f"_sortField must be a PhoneNumber field; got {sort_field!r}")
        direction = query.get("_sortDir", "ASC").upper()
        if direction not in ("ASC", "DESC"):
            raise fail(400, "_sortDir must be ASC or DESC")
        # Ties in the sorted field fall back to the id, so a listing's order is the same on every request.
        rows.sort(key=lambda row: (str(row.get(sort_field) or ""), row["id"]), reverse=direction == "DESC")
        by_id = sort_field == "id" and direction == "ASC"
        page, headers = cursor_page(rows, query.get("_cursor"), size, by_id)
        return Response(200, page, headers)

    def add_number(self, request: Request) -> Response:
        fields = form_fields(request)
        self._validate(fields, None)
        number_id = uuid.uuid4().hex[:8]
        # Nothing invented for port, host_settings or providerid: what the admin panel's "Twilio" profile
        # puts there is undocumented, so a number gets them only from its creator.
        number = {"record_in_call": False, "record_out_call": False, **fields, "id": number_id}
        self.state["phone_numbers"][number_id] = number
        return Response(200, self.number_json(number))

    def get_number(self, request: Request) -> Response:
        query_params(request, set())
        return Response(200, self.number_json(self._number(request)))

    def update_number(self, request: Request) -> Response:
        number = self._number(request)
        fields = json_fields(request, number["id"])
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
        query_params(request, set())
        used = {n.get("dial_out_prefix") for n in self.state["phone_numbers"].values()}
        for prefix in range(1, 1000):
            if prefix not in used:
                return Response(200, {"prefix": prefix})
        raise fail(404, "No prefix is available")
