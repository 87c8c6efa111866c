"""The Twilio emulator: Trunking v1, API 2010-04-01 (SIP credentials, incoming numbers) and Voice v1.

One server serves the three Twilio hosts as path prefixes (`/trunking`, `/api`, `/voice`). Response
bodies carry the public Twilio URLs, as the real API does; clients map those hosts to their base URL.
Each resource family's routes live in a module of their own; this class puts them on one server.
"""

from __future__ import annotations

from collections.abc import Callable

from ..server import Request, Response
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
