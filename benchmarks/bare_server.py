"""The baseline for the sandbox benchmark: a bare stdlib HTTP server on loopback answering a fixed JSON body.

What any local HTTP peer costs through `requests`, measured in the same run, so the emulators' overhead is a
ratio to it rather than an absolute time on a shared machine.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = json.dumps({"sid": "TK" + "0" * 32, "friendly_name": "bench"}).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as the sandbox's server does

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    do_GET = do_POST = _answer  # noqa: N815 - the stdlib's handler names

    def log_message(self, *_: object) -> None:
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()
