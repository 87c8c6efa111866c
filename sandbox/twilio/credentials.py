"""API 2010-04-01 SIP credential lists and their credentials (passwords kept only as SIP digests)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from ..routing import Request, Response
from .base import Route
from .pages import page_v2010
from .params import PAGE_PARAMS, error, new_sid, not_found
from .representations import Representations

LISTS = "/api/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists"
CREDENTIALS = LISTS + "/{CredentialListSid}/Credentials"


class CredentialRoutes(Representations):
    def credential_routes(self) -> list[Route]:
        return [
            ("GET", LISTS + ".json", "ListSipCredentialList", self.list_credential_lists),
            ("POST", LISTS + ".json", "CreateSipCredentialList", self.create_credential_list),
            ("GET", LISTS + "/{Sid}.json", "FetchSipCredentialList", self.fetch_credential_list),
            ("POST", LISTS + "/{Sid}.json", "UpdateSipCredentialList", self.update_credential_list),
            ("DELETE", LISTS + "/{Sid}.json", "DeleteSipCredentialList", self.delete_credential_list),
            ("GET", CREDENTIALS + ".json", "ListSipCredential", self.list_credentials),
            ("POST", CREDENTIALS + ".json", "CreateSipCredential", self.create_credential),
            ("GET", CREDENTIALS + "/{Sid}.json", "FetchSipCredential", self.fetch_credential),
            ("POST", CREDENTIALS + "/{Sid}.json", "UpdateSipCredential", self.update_credential),
            ("DELETE", CREDENTIALS + "/{Sid}.json", "DeleteSipCredential", self.delete_credential),
        ]

    def list_credential_lists(self, request: Request) -> Response:
        self.check_account(request)
        self.params(request, PAGE_PARAMS)
        items = [self.credential_list_json(c) for c in self.state["credential_lists"].values()]
        return page_v2010(
            request, items, "credential_lists", f"/2010-04-01/Accounts/{self.account_sid}/SIP/CredentialLists.json"
        )

    def _validate_list_name(self, name: str, current_sid: str | None) -> None:
        if not name or len(name) > 64:
            raise error(400, 21240, "Credential List Validation Error: FriendlyName must be 1 to 64 characters")
        for existing in self.state["credential_lists"].values():
            if existing["sid"] != current_sid and existing["friendly_name"] == name:
                raise error(
                    400, 21240, f"Credential List Validation Error: a credential list named {name!r} already exists"
                )

    def create_credential_list(self, request: Request) -> Response:
        self.check_account(request)
        values = self.params(request, {"FriendlyName": "str"}, required=("FriendlyName",))
        self._validate_list_name(values["FriendlyName"], None)
        now = self.now()
        credential_list = {
            "sid": new_sid("CL"),
            "friendly_name": values["FriendlyName"],
            "created": now,
            "updated": now,
        }
        self.state["credential_lists"][credential_list["sid"]] = credential_list
        return Response(201, self.credential_list_json(credential_list))

    def fetch_credential_list(self, request: Request) -> Response:
        self.params(request, {})
        return Response(200, self.credential_list_json(self._credential_list(request, "Sid")))

    def update_credential_list(self, request: Request) -> Response:
        credential_list = self._credential_list(request, "Sid")
        values = self.params(request, {"FriendlyName": "str"}, required=("FriendlyName",))
        self._validate_list_name(values["FriendlyName"], credential_list["sid"])
        credential_list["friendly_name"] = values["FriendlyName"]
        credential_list["updated"] = self.now()
        return Response(200, self.credential_list_json(credential_list))

    def delete_credential_list(self, request: Request) -> Response:
        self.params(request, {})
        credential_list = self._credential_list(request, "Sid")
        sid = credential_list["sid"]
        del self.state["credential_lists"][sid]
        self.state["credentials"] = {
            k: v for k, v in self.state["credentials"].items() if v["credential_list_sid"] != sid
        }
        for mappings in self.state["trunk_credential_lists"].values():
            mappings.pop(sid, None)
        return Response(204)

    @staticmethod
    def _validate_password(password: str) -> None:
        problems = []
        if len(password) < 12:
            problems.append("at least 12 characters")
        if not re.search(r"[A-Z]", password) or not re.search(r"[a-z]", password):
            problems.append("mixed case")
        if not re.search(r"\d", password):
            problems.append("at least one digit")
        if problems:
            raise error(400, 21243, "Credential Validation Error: the password needs " + ", ".join(problems))

    def list_credentials(self, request: Request) -> Response:
        credential_list = self._credential_list(request, "CredentialListSid")
        self.params(request, PAGE_PARAMS)
        items = [
            self.credential_json(c)
            for c in self.state["credentials"].values()
            if c["credential_list_sid"] == credential_list["sid"]
        ]
        return page_v2010(
            request,
            items,
            "credentials",
            f"/2010-04-01/Accounts/{self.account_sid}/SIP/CredentialLists/{credential_list['sid']}/Credentials.json",
        )

    def create_credential(self, request: Request) -> Response:
        credential_list = self._credential_list(request, "CredentialListSid")
        values = self.params(request, {"Username": "str", "Password": "str"}, required=("Username", "Password"))
        username = values["Username"]
        if not username or len(username) > 32:
            raise error(400, 21240, "Credential List Validation Error: Username must be 1 to 32 characters")
        for credential in self.state["credentials"].values():
            if credential["credential_list_sid"] == credential_list["sid"] and credential["username"] == username:
                raise error(
                    400, 21240, f"Credential List Validation Error: username {username!r} already exists in this list"
                )
        self._validate_password(values["Password"])
        now = self.now()
        credential = {
            "sid": new_sid("CR"),
            "credential_list_sid": credential_list["sid"],
            "username": username,
            "password_md5": self._digest(username, values["Password"]),
            "created": now,
            "updated": now,
        }
        self.state["credentials"][credential["sid"]] = credential
        return Response(201, self.credential_json(credential))

    def _credential(self, request: Request) -> dict[str, Any]:
        credential_list = self._credential_list(request, "CredentialListSid")
        found = self.state["credentials"].get(request.params["Sid"])
        if found is None or found["credential_list_sid"] != credential_list["sid"]:
            raise not_found(request.path.removeprefix("/api"))
        return found

    def fetch_credential(self, request: Request) -> Response:
        self.params(request, {})
        return Response(200, self.credential_json(self._credential(request)))

    def update_credential(self, request: Request) -> Response:
        credential = self._credential(request)
        values = self.params(request, {"Password": "str"})
        if "Password" in values:
            self._validate_password(values["Password"])
            credential["password_md5"] = self._digest(credential["username"], values["Password"])
        credential["updated"] = self.now()
        return Response(200, self.credential_json(credential))

    def delete_credential(self, request: Request) -> Response:
        self.params(request, {})
        credential = self._credential(request)
        del self.state["credentials"][credential["sid"]]
        return Response(204)

    def _digest(self, username: str, password: str) -> str:
        # SIP digest HA1, as Twilio stores it; the sandbox can answer "does this password match" for tests.
        return hashlib.md5(f"{username}:{self.account_sid}:{password}".encode()).hexdigest()

    def password_matches(self, credential_sid: str, password: str) -> bool:
        credential = self.state["credentials"].get(credential_sid)
        return bool(credential) and credential["password_md5"] == self._digest(credential["username"], password)
