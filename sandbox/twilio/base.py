"""The Twilio emulator's common ground: account, clock, authentication, parameter parsing, lookups."""

from __future__ import annotations

import base64
import binascii
import copy
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from ..emulator import Emulator
from ..routing import ApiError, Request
from .params import Spec, error, not_found
from .state import initial_state

Route = tuple[str, str, str, Callable[[Request], Any]]


class TwilioBase(Emulator):
    name = "twilio"

    def seeded_state(self) -> dict[str, Any]:
        return initial_state(self.seed, self.now())

    def reset_credentials(self) -> None:
        self.account_sid: str = self.seed["account_sid"]
        self.auth_token: str = self.seed["auth_token"]
        self.api_keys: dict[str, str] = {}  # SK… → secret; made and revoked through control endpoints

    def snapshot(self) -> dict[str, Any]:
        state = copy.deepcopy(self.state)
        for credential in state["credentials"].values():
            credential.pop("password_md5", None)  # Twilio keeps only a digest; so does the snapshot
        return state

    def now(self) -> float:
        return time.time() + (self.state["clock_offset"] if hasattr(self, "state") else 0.0)

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        code = {404: 20404, 405: 20004, 429: 20429, 500: 20500, 503: 20503}.get(status, 20001)
        return {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }

    def authenticate(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        if header.startswith("Basic "):
            try:
                user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                user, password = "", ""
            if user == self.account_sid and password == self.auth_token:
                return
            if user in self.api_keys and password == self.api_keys[user]:
                return  # an API key of this account: the account SID stays in the paths
        raise ApiError(
            401,
            {
                "code": 20003,
                "message": "Authenticate",
                "more_info": "https://www.twilio.com/docs/errors/20003",
                "status": 401,
            },
            {"WWW-Authenticate": 'Basic realm="Twilio API"'},
        )

    def check_account(self, request: Request) -> None:
        if request.params.get("AccountSid") != self.account_sid:
            raise not_found(request.path.removeprefix("/api"))

    def params(self, request: Request, spec: Spec, required: tuple[str, ...] = ()) -> dict[str, Any]:
        """Parse and type-check the declared parameters; anything undeclared is an error, on purpose."""
        if request.method == "GET":
            raw = request.query
        else:
            if request.query:
                raise error(
                    400, 20001, f"Unexpected query parameters on {request.method}: {', '.join(sorted(request.query))}"
                )
            if request.body and request.content_type != "application/x-www-form-urlencoded":
                raise error(400, 20001, "Request body must be application/x-www-form-urlencoded")
            raw = request.form()
        unknown = sorted(set(raw) - set(spec))
        if unknown:
            raise error(
                400,
                20001,
                f"Unknown parameters: {', '.join(unknown)}. Accepted here: {', '.join(sorted(spec)) or 'none'}",
            )
        missing = [name for name in required if name not in raw]
        if missing:
            raise error(
                400,
                20001,
                f"Missing required parameter {', '.join(missing)} in the post body"
                if request.method != "GET"
                else f"Missing required parameter {', '.join(missing)}",
            )
        values: dict[str, Any] = {}
        for name, items in raw.items():
            if len(items) != 1:
                raise error(400, 20001, f"Parameter {name} was given {len(items)} times")
            values[name] = self._coerce(name, items[0], spec[name])
        return values

    @staticmethod
    def _coerce(name: str, value: str, kind: Any) -> Any:
        if isinstance(kind, list):
            if value not in kind:
                raise error(400, 20001, f"{name} must be one of {', '.join(kind)}; got {value!r}")
            return value
        if kind == "bool":
            if value not in ("true", "false", "True", "False"):
                raise error(400, 20001, f"{name} must be true or false; got {value!r}")
            return value.lower() == "true"
        if kind == "int":
            if not re.fullmatch(r"-?\d+", value):
                raise error(400, 20001, f"{name} must be an integer; got {value!r}")
            return int(value)
        if kind == "uri":
            if value and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
                raise error(400, 20001, f"{name} must be a URL; got {value!r}")
            return value
        if isinstance(kind, str) and kind.startswith("sid:"):
            if not re.fullmatch(kind[4:] + r"[0-9a-fA-F]{32}", value):
                raise error(400, 20001, f"{name} must be a {kind[4:]} SID; got {value!r}")
            return value
        return value

    def iso(self, epoch: float) -> str:
        return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def rfc2822(self, epoch: float) -> str:
        return format_datetime(datetime.fromtimestamp(epoch, UTC).replace(microsecond=0))

    def _trunk(self, request: Request, key: str = "TrunkSid") -> dict[str, Any]:
        trunk = self.state["trunks"].get(request.params[key])
        if trunk is None:
            raise not_found(request.path.removeprefix("/trunking"))
        return trunk

    def _credential_list(self, request: Request, key: str) -> dict[str, Any]:
        self.check_account(request)
        found = self.state["credential_lists"].get(request.params[key])
        if found is None:
            raise not_found(request.path.removeprefix("/api"))
        return found

    def _number(self, request: Request) -> dict[str, Any]:
        self.check_account(request)
        found = self.state["phone_numbers"].get(request.params["Sid"])
        if found is None:
            raise not_found(request.path.removeprefix("/api"))
        return found
