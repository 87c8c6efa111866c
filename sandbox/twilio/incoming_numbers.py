"""API 2010-04-01 incoming phone numbers: the account's own numbers, never bought or released here."""

from __future__ import annotations

import re

from ..routing import Request, Response
from .base import Route
from .pages import page_v2010
from .params import INCOMING_UPDATE_PARAMS, PAGE_PARAMS, error
from .representations import Representations

ACCOUNT = "/api/2010-04-01/Accounts/{AccountSid}"


class IncomingNumberRoutes(Representations):
    def incoming_number_routes(self) -> list[Route]:
        return [
            ("GET", ACCOUNT + "/IncomingPhoneNumbers.json", "ListIncomingPhoneNumber", self.list_incoming),
            ("POST", ACCOUNT + "/IncomingPhoneNumbers.json", "CreateIncomingPhoneNumber", self.refuse_purchase),
            ("GET", ACCOUNT + "/IncomingPhoneNumbers/{Sid}.json", "FetchIncomingPhoneNumber", self.fetch_incoming),
            ("POST", ACCOUNT + "/IncomingPhoneNumbers/{Sid}.json", "UpdateIncomingPhoneNumber", self.update_incoming),
            ("DELETE", ACCOUNT + "/IncomingPhoneNumbers/{Sid}.json", "DeleteIncomingPhoneNumber", self.refuse_release),
        ]

    def list_incoming(self, request: Request) -> Response:
        self.check_account(request)
        filters = self.params(
            request,
            {
                **PAGE_PARAMS,
                "Beta": "bool",
                "FriendlyName": "str",
                "PhoneNumber": "str",
                "Origin": ["twilio", "hosted"],
            },
        )
        items = list(self.state["phone_numbers"].values())
        if "PhoneNumber" in filters:
            # The spec: "You can specify partial numbers and use '*' as a wildcard for any digit": one '*', one
            # digit. Partial matches mean callers must compare exactly themselves.
            pattern = re.compile(r"\d".join(re.escape(p) for p in filters["PhoneNumber"].split("*")))
            items = [n for n in items if pattern.search(n["phone_number"])]
        if "FriendlyName" in filters:
            items = [n for n in items if n["friendly_name"] == filters["FriendlyName"]]
        if "Origin" in filters:
            items = [n for n in items if n["origin"] == filters["Origin"]]
        if filters.get("Beta") is False:
            # "Whether to include phone numbers new to the Twilio platform ... the default is `true`": true
            # filters nothing (beta numbers are included with the rest); only false leaves the beta ones out.
            items = [n for n in items if not n["beta"]]
        extra = {
            k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in filters.items() if k not in PAGE_PARAMS
        }
        return page_v2010(
            request,
            [self.incoming_json(n) for n in items],
            "incoming_phone_numbers",
            f"/2010-04-01/Accounts/{self.account_sid}/IncomingPhoneNumbers.json",
            extra,
        )

    def fetch_incoming(self, request: Request) -> Response:
        self.params(request, {})
        return Response(200, self.incoming_json(self._number(request)))

    def update_incoming(self, request: Request) -> Response:
        number = self._number(request)
        values = self.params(request, INCOMING_UPDATE_PARAMS)
        if "TrunkSid" in values:
            trunk_sid = values.pop("TrunkSid") or None
            if trunk_sid is not None and trunk_sid not in self.state["trunks"]:
                raise error(400, 20001, f"TrunkSid {trunk_sid} is not a trunk of this account")
            number["trunk_sid"] = trunk_sid
            if trunk_sid:
                number["voice_application_sid"] = None
        values.pop("AccountSid", None)  # moving numbers between accounts is out of scope here
        for param, value in values.items():
            key = re.sub(r"(?<!^)(?=[A-Z])", "_", param).lower()
            number[key] = value
        number["updated"] = self.now()
        return Response(200, self.incoming_json(number))

    def refuse_purchase(self, request: Request) -> Response:
        self.check_account(request)
        raise error(
            403,
            20403,
            "The sandbox does not sell phone numbers: only numbers seeded as owned exist. "
            "Attach an owned number to a trunk instead.",
        )

    def refuse_release(self, request: Request) -> Response:
        self._number(request)
        raise error(
            403,
            20403,
            "The sandbox does not release phone numbers: detach the number from its trunk "
            "instead (DELETE /v1/Trunks/{TrunkSid}/PhoneNumbers/{Sid}).",
        )
