"""Serving an emulator over HTTP: the request handler (where faults strike), and a server on a background thread."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .emulator import Emulator
from .faults import WITH_RETRY_AFTER, request_key
from .routing import Request, Response


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
                headers["Retry-After"] = _retry_after_header(plan.retry_after or 1)
            elif plan.retry_after is not None and fault in (429, 503):
                headers["Retry-After"] = _retry_after_header(plan.retry_after)
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


def _retry_after_header(value: float) -> str:
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
