"""The Twilio emulator: Trunking v1, API 2010-04-01 (SIP credentials, incoming numbers) and Voice v1.

One server serves the three Twilio hosts as path prefixes (`/trunking`, `/api`, `/voice`). Response
bodies carry the public Twilio URLs, as the real API does; clients map those hosts to their base URL.
Each resource family's routes live in a module of their own; this class puts them on one server.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from ..routing import Request, Response
from .credentials import CredentialRoutes
from .dialing_permissions import DialingPermissionRoutes
from .incoming_numbers import IncomingNumberRoutes
from .trunking import TrunkingRoutes


class TwilioEmulator(TrunkingRoutes, CredentialRoutes, IncomingNumberRoutes, DialingPermissionRoutes):
    def control(self, request: Request, action: str) -> Response | None:
        if action == "clock" and request.method == "POST":
            body = request.json() or {}
            self.state["clock_offset"] += float(body.get("advance_seconds", 0))
            self.after_write()
            return Response(200, {"clock_offset": self.state["clock_offset"]})
        if action == "auth_token" and request.method == "POST":
            # As the console's "rotate auth token": the old token stops working at once.
            self.auth_token = str((request.json() or {}).get("auth_token") or secrets.token_hex(16))
            return Response(200, {"auth_token": self.auth_token})
        if action == "api_keys" and request.method == "POST":
            sid, secret = "SK" + secrets.token_hex(16), secrets.token_urlsafe(24)
            self.api_keys[sid] = secret
            return Response(201, {"sid": sid, "secret": secret})
        if action.startswith("api_keys/") and request.method == "DELETE":
            gone = self.api_keys.pop(action.removeprefix("api_keys/"), None)
            return Response(204 if gone else 404, None if gone else {"error": "no such API key"})
        if action == "verify_credential" and request.method == "POST":
            # What a SIP REGISTER would tell: does this password work for that credential?
            body = request.json() or {}
            return Response(200, {"matches": self.password_matches(str(body.get("sid")), str(body.get("password")))})
        return None

    def _register_routes(self) -> None:
        def guarded(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
            def run(request: Request) -> Response:
                self.authenticate(request)
                return handler(request)

            return run

        table = [
            *self.trunking_routes(),
            *self.credential_routes(),
            *self.incoming_number_routes(),
            *self.dialing_permission_routes(),
        ]
        for method, template, name, handler in table:
            self.add(method, template, name, guarded(handler))
