"""The base of both emulators: a route table, one lock over the state, faults and counters, and the control
endpoints under /__sandbox/ that every emulator answers."""

from __future__ import annotations

import threading
from typing import Any

from .faults import FaultPlan
from .request_log import RequestLog
from .routing import ApiError, Handler, JsonBody, Request, Response, Route
from .store import Saver


class Emulator:
    """Base of an emulated API: a route table, one lock over its state, faults and counters."""

    name = "emulator"

    def __init__(self, seed: dict[str, Any], save: Saver | None = None, state: dict[str, Any] | None = None) -> None:
        self.seed = seed
        self._save_state = save  # after each write (`--state-dir`), or None
        self.routes: list[Route] = []
        self.lock = threading.RLock()
        self.log = RequestLog()
        self.faults = FaultPlan()
        self.reset_credentials()
        self.state: dict[str, Any] = state if state is not None else self.seeded_state()
        self._register_routes()

    # -- to be provided by each emulator
    def seeded_state(self) -> dict[str, Any]:
        """The state as the seed gives it (what a reset goes back to)."""
        raise NotImplementedError

    def _register_routes(self) -> None:
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> JsonBody:
        raise NotImplementedError

    def snapshot(self) -> dict[str, Any]:
        raise NotImplementedError

    def reset_credentials(self) -> None:
        """The credentials the API accepts, as the seed gives them (control endpoints let a test change them)."""
        raise NotImplementedError

    def reset(self) -> None:
        """Back to the seed: the state and the credentials."""
        self.state = self.seeded_state()
        self.reset_credentials()

    def after_write(self) -> None:
        """Called after each successful write: the state is saved, where a place to save it was given."""
        if self._save_state:
            self._save_state(self.state)

    def control(self, request: Request, action: str) -> Response | None:
        """Emulator-specific control endpoints under /__sandbox/."""
        return None

    # -- shared behaviour
    def add(self, method: str, template: str, name: str, handler: Handler) -> None:
        self.routes.append(Route(method, template, name, handler))

    def match(self, method: str, path: str) -> tuple[Route | None, bool]:
        """Returns the route and whether the path exists for some other method."""
        path_known = False
        for route in self.routes:
            found = route.regex.match(path)
            if found:
                if route.method == method:
                    return route, True
                path_known = True
        return None, path_known

    def dispatch(self, request: Request) -> Response:
        route, path_known = self.match(request.method, request.path)
        if route is None:
            status = 405 if path_known else 404
            message = "Method not allowed" if path_known else f"The requested resource {request.path} was not found"
            self.log.record(request.method, f"{request.method} <unmatched>", status, [])
            allowed = sorted({r.method for r in self.routes if r.regex.match(request.path)})
            return Response(status, self.error_body(status, message), {"Allow": ", ".join(allowed)} if allowed else {})
        match = route.regex.match(request.path)
        assert match is not None
        request.params = match.groupdict()
        try:
            with self.lock:
                response = route.handler(request)
                if request.method != "GET" and response.status < 400:
                    self.after_write()
        except ApiError as error:
            response = error.response
        params = sorted(request.query) + (sorted(request.form()) if request.content_type.endswith("urlencoded") else [])
        self.log.record(request.method, route.name, response.status, params)
        return response

    def handle_control(self, request: Request) -> Response:
        action = request.path[len("/__sandbox/") :].strip("/")
        if action == "requests" and request.method == "GET":
            return Response(200, self.log.to_json())
        if action == "requests" and request.method == "DELETE":
            self.log.reset()
            return Response(200, self.log.to_json())
        if action == "reset" and request.method == "POST":
            with self.lock:
                self.reset()
                self.after_write()
            self.log.reset()
            self.faults = FaultPlan()
            return Response(200, {"reset": True})
        if action == "journal" and request.method in ("POST", "PUT"):
            on = bool((request.json() or {}).get("on", True))
            with self.log._lock:
                self.log.journal = [] if on else None
            return Response(200, {"on": on})
        if action == "journal" and request.method == "GET":
            with self.log._lock:
                return Response(200, {"requests": list(self.log.journal or [])})
        if action == "faults" and request.method == "GET":
            return Response(200, self.faults.to_json())
        if action == "faults" and request.method in ("POST", "PUT"):
            try:
                self.faults = FaultPlan.from_json(request.json() or {})
            except (ValueError, TypeError) as error:
                return Response(400, {"error": str(error)})
            return Response(200, self.faults.to_json())
        if action == "faults" and request.method == "DELETE":
            self.faults = FaultPlan()
            return Response(200, self.faults.to_json())
        if action == "state" and request.method == "GET":
            with self.lock:
                return Response(200, self.snapshot())
        with self.lock:
            custom = self.control(request, action)
        if custom is not None:
            return custom
        return Response(404, {"error": f"no control endpoint {request.method} /__sandbox/{action}"})
