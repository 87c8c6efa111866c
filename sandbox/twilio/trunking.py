"""Trunking v1: trunks, origination URLs, recording, credential-list and IP-ACL mappings, trunk numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..routing import Request, Response
from .base import Route
from .pages import page_v1
from .params import (
    DOMAIN_COOLDOWN_SECONDS,
    DOMAIN_RE,
    ORIGINATION_PARAMS,
    PAGE_PARAMS,
    RECORDING_MODES,
    RECORDING_TRIMS,
    TRUNK_PARAMS,
    TRUNKING,
    error,
    new_sid,
    not_found,
)
from .representations import Representations

TRUNKS = "/trunking/v1/Trunks"


class TrunkingRoutes(Representations):
    def trunking_routes(self) -> list[Route]:
        table: list[Route] = [
            ("GET", TRUNKS, "ListTrunk", self.list_trunks),
            ("POST", TRUNKS, "CreateTrunk", self.create_trunk),
            ("GET", TRUNKS + "/{Sid}", "FetchTrunk", self.fetch_trunk),
            ("POST", TRUNKS + "/{Sid}", "UpdateTrunk", self.update_trunk),
            ("DELETE", TRUNKS + "/{Sid}", "DeleteTrunk", self.delete_trunk),
            ("GET", TRUNKS + "/{TrunkSid}/OriginationUrls", "ListOriginationUrl", self.list_originations),
            ("POST", TRUNKS + "/{TrunkSid}/OriginationUrls", "CreateOriginationUrl", self.create_origination),
            ("GET", TRUNKS + "/{TrunkSid}/OriginationUrls/{Sid}", "FetchOriginationUrl", self.fetch_origination),
            ("POST", TRUNKS + "/{TrunkSid}/OriginationUrls/{Sid}", "UpdateOriginationUrl", self.update_origination),
            ("DELETE", TRUNKS + "/{TrunkSid}/OriginationUrls/{Sid}", "DeleteOriginationUrl", self.delete_origination),
            ("GET", TRUNKS + "/{TrunkSid}/Recording", "FetchRecording", self.fetch_recording),
            ("POST", TRUNKS + "/{TrunkSid}/Recording", "UpdateRecording", self.update_recording),
        ]
        for kind, noun in (("CredentialLists", "CredentialList"), ("IpAccessControlLists", "IpAccessControlList")):
            table += [
                ("GET", f"{TRUNKS}/{{TrunkSid}}/{kind}", f"List{noun}", self._list_mappings(kind)),
                ("POST", f"{TRUNKS}/{{TrunkSid}}/{kind}", f"Create{noun}", self._create_mapping(kind, noun)),
                ("GET", f"{TRUNKS}/{{TrunkSid}}/{kind}/{{Sid}}", f"Fetch{noun}", self._fetch_mapping(kind)),
                ("DELETE", f"{TRUNKS}/{{TrunkSid}}/{kind}/{{Sid}}", f"Delete{noun}", self._delete_mapping(kind)),
            ]
        return table + [
            ("GET", TRUNKS + "/{TrunkSid}/PhoneNumbers", "ListPhoneNumber", self.list_trunk_numbers),
            ("POST", TRUNKS + "/{TrunkSid}/PhoneNumbers", "CreatePhoneNumber", self.attach_number),
            ("GET", TRUNKS + "/{TrunkSid}/PhoneNumbers/{Sid}", "FetchPhoneNumber", self.fetch_trunk_number),
            ("DELETE", TRUNKS + "/{TrunkSid}/PhoneNumbers/{Sid}", "DeletePhoneNumber", self.detach_number),
        ]

    def _validate_trunk(self, values: dict[str, Any], current_sid: str | None) -> None:
        name = values.get("FriendlyName")
        if name is not None and len(name) > 64:
            raise error(400, 20001, f"FriendlyName is {len(name)} characters long; the maximum is 64")
        domain = values.get("DomainName")
        if domain is not None and domain != "":
            if not DOMAIN_RE.match(domain):
                raise error(
                    400,
                    20001,
                    f"DomainName {domain!r} is invalid: use letters, digits and '-' followed by .pstn.twilio.com",
                )
            lowered = domain.lower()
            for trunk in self.state["trunks"].values():
                if trunk["sid"] != current_sid and (trunk["domain_name"] or "").lower() == lowered:
                    raise error(400, 21248, f"Trunk Domain already taken: {domain}")
            released = self.state["domain_cooldowns"].get(lowered)
            if released is not None and self.now() - released < DOMAIN_COOLDOWN_SECONDS:
                raise error(400, 21248, f"Trunk Domain already taken: {domain} was released less than 30 days ago")

    def _apply_trunk(self, trunk: dict[str, Any], values: dict[str, Any]) -> None:
        mapping = {
            "FriendlyName": "friendly_name",
            "DomainName": "domain_name",
            "DisasterRecoveryUrl": "disaster_recovery_url",
            "DisasterRecoveryMethod": "disaster_recovery_method",
            "TransferMode": "transfer_mode",
            "Secure": "secure",
            "CnamLookupEnabled": "cnam_lookup_enabled",
            "TransferCallerId": "transfer_caller_id",
        }
        old_domain = trunk.get("domain_name")
        for param, key in mapping.items():
            if param in values:
                value = values[param]
                trunk[key] = None if value == "" and key in ("domain_name", "disaster_recovery_url") else value
        if old_domain and old_domain != trunk.get("domain_name"):
            self.state["domain_cooldowns"][old_domain.lower()] = self.now()
        trunk["updated"] = self.now()

    def list_trunks(self, request: Request) -> Response:
        self.params(request, PAGE_PARAMS)
        items = [self.trunk_json(t) for t in self.state["trunks"].values()]
        return page_v1(request, items, "trunks", f"{TRUNKING}/v1/Trunks")

    def create_trunk(self, request: Request) -> Response:
        values = self.params(request, TRUNK_PARAMS)
        self._validate_trunk(values, None)
        now = self.now()
        trunk = {
            "sid": new_sid("TK"),
            "friendly_name": None,
            "domain_name": None,
            "disaster_recovery_url": None,
            "disaster_recovery_method": "POST",
            "transfer_mode": "disable-all",
            "secure": False,
            "cnam_lookup_enabled": False,
            "transfer_caller_id": "from-transferee",
            "recording": {"mode": "do-not-record", "trim": "do-not-trim"},
            "created": now,
            "updated": now,
        }
        self._apply_trunk(trunk, values)
        self.state["trunks"][trunk["sid"]] = trunk
        return Response(201, self.trunk_json(trunk))

    def fetch_trunk(self, request: Request) -> Response:
        self.params(request, {})
        return Response(200, self.trunk_json(self._trunk(request, "Sid")))

    def update_trunk(self, request: Request) -> Response:
        trunk = self._trunk(request, "Sid")
        values = self.params(request, TRUNK_PARAMS)
        self._validate_trunk(values, trunk["sid"])
        self._apply_trunk(trunk, values)
        return Response(200, self.trunk_json(trunk))

    def delete_trunk(self, request: Request) -> Response:
        self.params(request, {})
        trunk = self._trunk(request, "Sid")
        sid = trunk["sid"]
        del self.state["trunks"][sid]
        if trunk.get("domain_name"):
            self.state["domain_cooldowns"][trunk["domain_name"].lower()] = self.now()
        self.state["origination_urls"] = {
            k: v for k, v in self.state["origination_urls"].items() if v["trunk_sid"] != sid
        }
        self.state["trunk_credential_lists"].pop(sid, None)
        self.state["trunk_ip_acls"].pop(sid, None)
        for number in self.state["phone_numbers"].values():
            if number["trunk_sid"] == sid:
                number["trunk_sid"] = None
                number["updated"] = self.now()
        return Response(204)

    def _validate_origination(self, values: dict[str, Any]) -> None:
        if "Weight" in values and not 1 <= values["Weight"] <= 65535:
            raise error(400, 20001, f"Weight must be between 1 and 65535; got {values['Weight']}")
        if "Priority" in values and not 0 <= values["Priority"] <= 65535:
            raise error(400, 20001, f"Priority must be between 0 and 65535; got {values['Priority']}")
        if "SipUrl" in values and not values["SipUrl"].startswith("sip:"):
            raise error(
                400, 20001, f"SipUrl must use the sip: scheme (sips is not supported); got {values['SipUrl']!r}"
            )
        if "FriendlyName" in values and len(values["FriendlyName"]) > 64:
            raise error(400, 20001, "FriendlyName must be at most 64 characters")

    def _apply_origination(self, origination: dict[str, Any], values: dict[str, Any]) -> None:
        for param, key in (
            ("Weight", "weight"),
            ("Priority", "priority"),
            ("Enabled", "enabled"),
            ("FriendlyName", "friendly_name"),
            ("SipUrl", "sip_url"),
        ):
            if param in values:
                origination[key] = values[param]
        origination["updated"] = self.now()

    def list_originations(self, request: Request) -> Response:
        trunk = self._trunk(request)
        self.params(request, PAGE_PARAMS)
        items = [
            self.origination_json(o) for o in self.state["origination_urls"].values() if o["trunk_sid"] == trunk["sid"]
        ]
        return page_v1(request, items, "origination_urls", f"{TRUNKING}/v1/Trunks/{trunk['sid']}/OriginationUrls")

    def create_origination(self, request: Request) -> Response:
        trunk = self._trunk(request)
        values = self.params(
            request, ORIGINATION_PARAMS, required=("Weight", "Priority", "Enabled", "FriendlyName", "SipUrl")
        )
        self._validate_origination(values)
        origination = {"sid": new_sid("OU"), "trunk_sid": trunk["sid"], "created": self.now()}
        self._apply_origination(origination, values)
        self.state["origination_urls"][origination["sid"]] = origination
        return Response(201, self.origination_json(origination))

    def _origination(self, request: Request) -> dict[str, Any]:
        trunk = self._trunk(request)
        found = self.state["origination_urls"].get(request.params["Sid"])
        if found is None or found["trunk_sid"] != trunk["sid"]:
            raise not_found(request.path.removeprefix("/trunking"))
        return found

    def fetch_origination(self, request: Request) -> Response:
        self.params(request, {})
        return Response(200, self.origination_json(self._origination(request)))

    def update_origination(self, request: Request) -> Response:
        origination = self._origination(request)
        values = self.params(request, ORIGINATION_PARAMS)
        self._validate_origination(values)
        self._apply_origination(origination, values)
        return Response(200, self.origination_json(origination))

    def delete_origination(self, request: Request) -> Response:
        self.params(request, {})
        origination = self._origination(request)
        del self.state["origination_urls"][origination["sid"]]
        return Response(204)

    def fetch_recording(self, request: Request) -> Response:
        self.params(request, {})
        return Response(200, dict(self._trunk(request)["recording"]))

    def update_recording(self, request: Request) -> Response:
        trunk = self._trunk(request)
        values = self.params(request, {"Mode": RECORDING_MODES, "Trim": RECORDING_TRIMS})
        if "Mode" in values:
            trunk["recording"]["mode"] = values["Mode"]
        if "Trim" in values:
            trunk["recording"]["trim"] = values["Trim"]
        trunk["updated"] = self.now()
        return Response(200, dict(trunk["recording"]))

    def _mapping_store(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.state["trunk_credential_lists" if kind == "CredentialLists" else "trunk_ip_acls"]

    def _list_mappings(self, kind: str) -> Callable[[Request], Response]:
        key = "credential_lists" if kind == "CredentialLists" else "ip_access_control_lists"

        def handler(request: Request) -> Response:
            trunk = self._trunk(request)
            self.params(request, PAGE_PARAMS)
            mappings = self._mapping_store(kind).get(trunk["sid"], {})
            items = [self.trunk_mapping_json(trunk["sid"], kind, sid, m) for sid, m in mappings.items()]
            return page_v1(request, items, key, f"{TRUNKING}/v1/Trunks/{trunk['sid']}/{kind}")

        return handler

    def _create_mapping(self, kind: str, noun: str) -> Callable[[Request], Response]:
        param = f"{noun}Sid"
        prefix = "CL" if kind == "CredentialLists" else "AL"
        source_key = "credential_lists" if kind == "CredentialLists" else "ip_access_control_lists"

        def handler(request: Request) -> Response:
            trunk = self._trunk(request)
            values = self.params(request, {param: f"sid:{prefix}"}, required=(param,))
            sid = values[param]
            if sid not in self.state[source_key]:
                raise error(404, 20404, f"The requested resource {noun} {sid} was not found")
            mappings = self._mapping_store(kind).setdefault(trunk["sid"], {})
            if sid in mappings:
                raise error(
                    400,
                    21241 if kind == "CredentialLists" else 21242,
                    f"{noun} {sid} is already associated with trunk {trunk['sid']}",
                )
            mappings[sid] = {"created": self.now()}
            return Response(201, self.trunk_mapping_json(trunk["sid"], kind, sid, mappings[sid]))

        return handler

    def _fetch_mapping(self, kind: str) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            self.params(request, {})
            trunk = self._trunk(request)
            mapping = self._mapping_store(kind).get(trunk["sid"], {}).get(request.params["Sid"])
            if mapping is None:
                raise not_found(request.path.removeprefix("/trunking"))
            return Response(200, self.trunk_mapping_json(trunk["sid"], kind, request.params["Sid"], mapping))

        return handler

    def _delete_mapping(self, kind: str) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            self.params(request, {})
            trunk = self._trunk(request)
            mappings = self._mapping_store(kind).get(trunk["sid"], {})
            if request.params["Sid"] not in mappings:
                raise not_found(request.path.removeprefix("/trunking"))
            del mappings[request.params["Sid"]]
            trunk["updated"] = self.now()
            return Response(204)

        return handler

    def list_trunk_numbers(self, request: Request) -> Response:
        trunk = self._trunk(request)
        self.params(request, PAGE_PARAMS)
        items = [
            self.trunk_number_json(n) for n in self.state["phone_numbers"].values() if n["trunk_sid"] == trunk["sid"]
        ]
        return page_v1(request, items, "phone_numbers", f"{TRUNKING}/v1/Trunks/{trunk['sid']}/PhoneNumbers")

    def attach_number(self, request: Request) -> Response:
        trunk = self._trunk(request)
        values = self.params(request, {"PhoneNumberSid": "sid:PN"}, required=("PhoneNumberSid",))
        number = self.state["phone_numbers"].get(values["PhoneNumberSid"])
        if number is None:
            raise error(404, 20404, f"The requested resource PhoneNumber {values['PhoneNumberSid']} was not found")
        if number["trunk_sid"] == trunk["sid"]:
            raise error(400, 21223, f"Phone number {number['phone_number']} is already associated with this trunk")
        if number["trunk_sid"]:
            # Safer than Twilio's silent move: a number taken from another trunk is a bug in a stack.
            raise error(
                400,
                21223,
                f"Phone number {number['phone_number']} is associated with another trunk "
                f"({number['trunk_sid']}); detach it there first",
            )
        number["trunk_sid"] = trunk["sid"]
        number["voice_application_sid"] = None
        number["updated"] = self.now()
        return Response(201, self.trunk_number_json(number))

    def _trunk_number(self, request: Request) -> dict[str, Any]:
        trunk = self._trunk(request)
        number = self.state["phone_numbers"].get(request.params["Sid"])
        if number is None or number["trunk_sid"] != trunk["sid"]:
            raise not_found(request.path.removeprefix("/trunking"))
        return number

    def fetch_trunk_number(self, request: Request) -> Response:
        self.params(request, {})
        return Response(200, self.trunk_number_json(self._trunk_number(request)))

    def detach_number(self, request: Request) -> Response:
        self.params(request, {})
        number = self._trunk_number(request)
        number["trunk_sid"] = None
        number["updated"] = self.now()
        return Response(204)
