"""The LiveAgent emulator: its routes, each behind the API key and the rate limit, and its control endpoints."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from ..routing import ApiError, Request, Response
from .departments import DepartmentRoutes
from .numbers import PhoneNumberRoutes
from .params import fail, query_params
from .rate_limit import RateLimiter


class LiveAgentEmulator(PhoneNumberRoutes, DepartmentRoutes):
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

    def ping(self, request: Request) -> Response:
        query_params(request, set())
        return Response(200, {"message": "pong"})
