"""HTTP plumbing shared by both emulators: routing, parsing, faults, counters and control endpoints."""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

JsonBody = dict[str, Any] | list[Any] | None


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # path parameters

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8") or "null")


@dataclass
class Response:
    status: int
    body: JsonBody = None
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    """Raised by a handler to answer with an error response in the emulated API's own format."""

    def __init__(self, status: int, body: JsonBody, headers: dict[str, str] | None = None):
        super().__init__(f"{status}: {body}")
        self.response = Response(status, body, headers or {})


Handler = Callable[[Request], Response]


@dataclass
class Route:
    method: str
    template: str  # e.g. /v1/Trunks/{Sid}
    name: str  # the operation id, used in counters
    handler: Handler
    regex: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+?)", re.escape(self.template))
        self.regex = re.compile(f"^{pattern}$")


NETWORK_FAULTS = ("drop", "timeout", "commit_drop", "commit_timeout")
# A 429 or 503 that tells the client when to come back (the header's value is the plan's `retry_after`, 1 s
# unless set); a plain 429 or 503 carries no Retry-After unless `retry_after` is set.
WITH_RETRY_AFTER = ("429_retry_after", "503_retry_after")
FAULT_KINDS = (429, *WITH_RETRY_AFTER, 500, 502, 503, 504, *NETWORK_FAULTS)


def request_key(request: Request) -> str:
    """What makes two requests the same one: a client's retry sends the same method, path, query and body."""
    query = "&".join(f"{k}={v}" for k, values in sorted(request.query.items()) for v in values)
    return f"{request.method} {request.path}?{query} {hashlib.sha256(request.body).hexdigest()[:16]}"


@dataclass
class FaultPlan:
    """Faults injected into API requests.

    Most fire before the request reaches the emulated API, so a faulted write never happens; the
    `commit_drop` and `commit_timeout` kinds let the API process the request and then lose its answer
    (the connection closed at once, or after `timeout_ms`), as a network failure after the write would.

    With a `seed`, whether a request is faulted, and how, depends only on the seed, the request (method,
    path, query, body) and how many times that same request came before: the schedule does not depend on
    the order in which concurrent requests arrive, so a failing run can be replayed with its seed.
    `max_per_request` caps the faults one request meets in a row (1: every retry gets through);
    `cycle` hands out the kinds in turn instead of at random, so a short run meets each kind.
    """

    rate: float = 0.0
    statuses: list[int | str] = field(default_factory=lambda: [503])  # entries of FAULT_KINDS
    latency_ms: float = 0.0  # added to every API request
    timeout_ms: float = 15000.0  # how long a "timeout" fault holds the connection before closing it
    retry_after: float | None = None  # Retry-After header (seconds) on faulted 429/503
    methods: list[str] | None = None  # limit faults to these HTTP methods
    seed: int | None = None
    max_per_request: int | None = None
    cycle: bool = False
    rng: random.Random = field(default_factory=random.Random, repr=False)
    _seen: Counter[str] = field(default_factory=Counter, repr=False)
    _faulted: Counter[str] = field(default_factory=Counter, repr=False)
    _handed_out: int = field(default=0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    SETTINGS = (
        "rate",
        "statuses",
        "latency_ms",
        "timeout_ms",
        "retry_after",
        "methods",
        "seed",
        "max_per_request",
        "cycle",
    )

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> FaultPlan:
        unknown = set(body) - set(cls.SETTINGS)
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}; known: {sorted(cls.SETTINGS)}")
        plan = cls(**body)
        if not 0.0 <= plan.rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        for status in plan.statuses:
            if status not in FAULT_KINDS and not (isinstance(status, int) and 400 <= status <= 599):
                raise ValueError(f"status {status!r} is not an HTTP error status or one of {FAULT_KINDS}")
        plan.rng = random.Random(plan.seed)
        return plan

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.SETTINGS}

    def _uniform(self, key: str, occurrence: int, salt: str) -> float:
        if self.seed is None:
            return self.rng.random()
        digest = hashlib.sha256(f"{self.seed}|{salt}|{occurrence}|{key}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    def draw(self, method: str, key: str | None = None) -> int | str | None:
        if self.rate <= 0 or (self.methods and method not in self.methods):
            return None
        key = key or method
        with self._lock:
            occurrence = self._seen[key]
            self._seen[key] += 1
            if self.max_per_request is not None and self._faulted[key] >= self.max_per_request:
                self._faulted[key] = 0  # this try gets through: the next fault of this request may come later
                return None
            if self._uniform(key, occurrence, "rate") >= self.rate:
                self._faulted[key] = 0
                return None
            self._faulted[key] += 1
            if self.cycle:
                self._handed_out += 1
                return self.statuses[(self._handed_out - 1) % len(self.statuses)]
            return self.statuses[int(self._uniform(key, occurrence, "kind") * len(self.statuses))]


class RequestLog:
    """Counters a test reads to prove, for example, that a no-op `pulumi up` wrote nothing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.total = 0
            self.reads = 0
            self.writes = 0
            self.by_route: Counter[str] = Counter()
            self.by_status: Counter[str] = Counter()
            self.by_route_status: Counter[str] = Counter()
            self.recent: list[dict[str, Any]] = []
            self.faults: Counter[str] = Counter()  # injected, by kind (the commit kinds included)
            self.connections = 0  # TCP connections accepted: a client that reuses its pool opens few
            self.in_flight = 0
            self.max_in_flight = 0  # the most API requests held at once (latency included)
            self.journal: list[dict[str, Any]] | None = None  # every API request in full, while switched on

    def record(self, method: str, route: str, status: int | str, params: list[str]) -> None:
        with self._lock:
            self.total += 1
            if method in ("GET", "HEAD"):
                self.reads += 1
            else:
                self.writes += 1
            self.by_route[route] += 1
            self.by_status[str(status)] += 1
            self.by_route_status[f"{route} {status}"] += 1
            self.recent.append({"method": method, "route": route, "status": status, "params": params})
            del self.recent[:-500]

    def keep(self, request: Request) -> None:
        """Into the journal (if on): what a replay needs to send the same request again."""
        with self._lock:
            if self.journal is not None:
                query = urlencode([(k, v) for k, values in request.query.items() for v in values])
                self.journal.append(
                    {
                        "at": time.time(),
                        "method": request.method,
                        "path": request.path,
                        "query": query,
                        "content_type": request.headers.get("content-type", ""),
                        "body": request.body.decode("utf-8", "replace"),
                    }
                )

    def connected(self) -> None:
        with self._lock:
            self.connections += 1

    @contextlib.contextmanager
    def serving(self) -> Iterator[None]:
        """Counts an API request as in flight from its arrival to its answer."""
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            yield
        finally:
            with self._lock:
                self.in_flight -= 1

    def fault(self, kind: int | str) -> None:
        with self._lock:
            self.faults[str(kind)] += 1

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "faults": dict(self.faults),
                "connections": self.connections,
                "max_in_flight": self.max_in_flight,
                "total": self.total,
                "reads": self.reads,
                "writes": self.writes,
                "by_route": dict(self.by_route),
                "by_status": dict(self.by_status),
                "by_route_status": dict(self.by_route_status),
                "recent": list(self.recent),
            }


class Emulator:
    """Base of an emulated API: a route table, one lock over its state, faults and counters."""

    name = "emulator"

    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.lock = threading.RLock()
        self.log = RequestLog()
        self.faults = FaultPlan()

    # -- to be provided by each emulator
    def error_body(self, status: int, message: str) -> JsonBody:
        raise NotImplementedError

    def reset(self) -> None:
        raise NotImplementedError

    def snapshot(self) -> dict[str, Any]:
        raise NotImplementedError

    def after_write(self) -> None:
        """Called after each successful write, e.g. to persist state."""

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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], emulator: Emulator):
        self.emulator = emulator
        super().__init__(address, _RequestHandler)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse connections as they would with the real APIs
    disable_nagle_algorithm = True  # headers and body go out in separate writes: without this, +40 ms each
    server: _Server

    api_connection = False  # counted once, at its first API request (control calls are not counted)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        pass  # counters are served at /__sandbox/requests; stderr stays quiet

    def _read_request(self) -> Request:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        return Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )

    def _send(self, response: Response) -> None:
        payload = b"" if response.body is None else json.dumps(response.body).encode("utf-8")
        if self.command == "HEAD":
            payload = b""  # a HEAD answer never has a body, or the next answer on the connection is garbled
        self.send_response(response.status)
        if response.body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _handle(self) -> None:
        emulator = self.server.emulator
        request = self._read_request()
        if request.path.startswith("/__sandbox/"):
            self._send(emulator.handle_control(request))
            return
        if not self.api_connection:
            self.api_connection = True
            emulator.log.connected()
        emulator.log.keep(request)
        with emulator.log.serving():
            self._serve(emulator, request)

    def _serve(self, emulator: Emulator, request: Request) -> None:
        plan = emulator.faults
        if plan.latency_ms:
            time.sleep(plan.latency_ms / 1000.0)
        fault = plan.draw(request.method, request_key(request))
        if fault is not None:
            emulator.log.fault(fault)
        if fault in ("commit_drop", "commit_timeout"):
            emulator.dispatch(request)  # done and counted as usual; only the answer is lost
            if fault == "commit_timeout":
                time.sleep(plan.timeout_ms / 1000.0)
            self._drop()
            return
        if fault is not None:
            route, _ = emulator.match(request.method, request.path)
            route_name = route.name if route else f"{request.method} <unmatched>"
            emulator.log.record(request.method, route_name, f"fault:{fault}", [])
            if fault == "drop":
                self._drop()
                return
            if fault == "timeout":
                time.sleep(plan.timeout_ms / 1000.0)
                self._drop()
                return
            headers = {}
            if fault in WITH_RETRY_AFTER:
                fault = int(str(fault).split("_")[0])
                headers["Retry-After"] = _seconds(plan.retry_after or 1)
            elif plan.retry_after is not None and fault in (429, 503):
                headers["Retry-After"] = _seconds(plan.retry_after)
            assert isinstance(fault, int)
            self._send(Response(fault, emulator.error_body(fault, _REASONS.get(fault, "Injected fault")), headers))
            return
        self._send(emulator.dispatch(request))

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def __getattr__(self, name: str) -> Any:
        # Any other method (HEAD, OPTIONS, TRACE, made-up ones) reaches the emulator too, which answers 405 (or 404)
        # with its API's own error body (`Emulator.error_body`), as the real APIs do, instead of the stdlib's 501 page.
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)


def _seconds(value: float) -> str:
    """Retry-After is whole seconds (RFC 9110 delay-seconds)."""
    return str(max(0, round(value)))


_REASONS = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class RunningServer:
    """One emulator served on a background thread."""

    def __init__(self, emulator: Emulator, host: str = "127.0.0.1", port: int = 0):
        self.emulator = emulator
        self.httpd = _Server((host, port), emulator)
        bound_host, bound_port = self.httpd.server_address[:2]
        self.url = f"http://{bound_host!s}:{bound_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name=emulator.name, daemon=True)

    def start(self) -> RunningServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
