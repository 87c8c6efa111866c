"""The Twilio emulator: Trunking v1, API 2010-04-01 (SIP credentials, incoming numbers) and Voice v1.

One server serves the three Twilio hosts as path prefixes (`/trunking`, `/api`, `/voice`). Response
bodies carry the public Twilio URLs, as the real API does; clients map those hosts to their base URL.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote, urlencode

from .server import ApiError, Emulator, Request, Response

TRUNKING = "https://trunking.twilio.com"
API = "https://api.twilio.com"
VOICE = "https://voice.twilio.com"

DOMAIN_RE = re.compile(r"^[A-Za-z0-9-]+\.pstn\.twilio\.com$")
DOMAIN_COOLDOWN_SECONDS = 30 * 24 * 3600  # a deleted trunk's domain stays taken for 30 days (error 21248)
E164_RE = re.compile(r"^\+[1-9]\d{1,14}$")
HTTP_METHODS = ["GET", "POST"]
RECORDING_MODES = [
    "do-not-record",
    "record-from-ringing",
    "record-from-answer",
    "record-from-ringing-dual",
    "record-from-answer-dual",
]
RECORDING_TRIMS = ["trim-silence", "do-not-trim"]
TRANSFER_MODES = ["disable-all", "enable-all", "sip-only"]
TRANSFER_CALLER_IDS = ["from-transferee", "from-transferor"]

# Parameter kinds: "str", "bool", "int", "uri", "sid:XX" or a list of allowed values.
Spec = dict[str, Any]

TRUNK_PARAMS: Spec = {
    "FriendlyName": "str",
    "DomainName": "str",
    "DisasterRecoveryUrl": "uri",
    "DisasterRecoveryMethod": HTTP_METHODS,
    "TransferMode": TRANSFER_MODES,
    "Secure": "bool",
    "CnamLookupEnabled": "bool",
    "TransferCallerId": TRANSFER_CALLER_IDS,
}
ORIGINATION_PARAMS: Spec = {
    "Weight": "int",
    "Priority": "int",
    "Enabled": "bool",
    "FriendlyName": "str",
    "SipUrl": "uri",
}
PAGE_PARAMS: Spec = {"PageSize": "int", "Page": "int", "PageToken": "str"}
INCOMING_UPDATE_PARAMS: Spec = {
    "AccountSid": "sid:AC",
    "ApiVersion": "str",
    "FriendlyName": "str",
    "SmsApplicationSid": "str",
    "SmsFallbackMethod": HTTP_METHODS,
    "SmsFallbackUrl": "uri",
    "SmsMethod": HTTP_METHODS,
    "SmsUrl": "uri",
    "StatusCallback": "uri",
    "StatusCallbackMethod": HTTP_METHODS,
    "VoiceApplicationSid": "str",
    "VoiceCallerIdLookup": "bool",
    "VoiceFallbackMethod": HTTP_METHODS,
    "VoiceFallbackUrl": "uri",
    "VoiceMethod": HTTP_METHODS,
    "VoiceUrl": "uri",
    "EmergencyStatus": ["Active", "Inactive"],
    "EmergencyAddressSid": "str",
    "TrunkSid": "str",
    "VoiceReceiveMode": ["voice", "fax"],
    "IdentitySid": "str",
    "AddressSid": "str",
    "BundleSid": "str",
}
COUNTRY_FILTERS: Spec = {
    "IsoCode": "str",
    "Continent": "str",
    "CountryCode": "str",
    "LowRiskNumbersEnabled": "bool",
    "HighRiskSpecialNumbersEnabled": "bool",
    "HighRiskTollfraudNumbersEnabled": "bool",
}


def new_sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


def error(status: int, code: int, message: str) -> ApiError:
    return ApiError(
        status,
        {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status},
    )


def not_found(path: str) -> ApiError:
    return error(404, 20404, f"The requested resource {path} was not found")


class TwilioEmulator(Emulator):
    name = "twilio"

    def __init__(
        self,
        seed: dict[str, Any],
        save: Callable[[dict[str, Any]], None] | None = None,
        state: dict[str, Any] | None = None,
    ):
        super().__init__()
        self.seed = seed
        self.account_sid: str = seed["account_sid"]
        self.auth_token: str = seed["auth_token"]
        self._save = save
        self.state: dict[str, Any] = state if state is not None else self._initial_state()
        self._register_routes()

    # ---------------------------------------------------------------- state
    def _initial_state(self) -> dict[str, Any]:
        now = self.now()
        numbers = {}
        for entry in self.seed.get("phone_numbers", []):
            sid = entry.get("sid") or "PN" + hashlib.md5(entry["phone_number"].encode()).hexdigest()
            numbers[sid] = {
                "sid": sid,
                "phone_number": entry["phone_number"],
                "friendly_name": entry.get("friendly_name") or entry["phone_number"],
                "trunk_sid": None,
                "voice_url": entry.get("voice_url"),
                "voice_method": "POST",
                "voice_application_sid": None,
                "voice_fallback_url": None,
                "voice_fallback_method": "POST",
                "voice_caller_id_lookup": False,
                "sms_url": None,
                "sms_method": "POST",
                "sms_fallback_url": None,
                "sms_fallback_method": "POST",
                "sms_application_sid": None,
                "status_callback": None,
                "status_callback_method": "POST",
                "voice_receive_mode": "voice",
                "emergency_status": "Inactive",
                "emergency_address_sid": None,
                "address_sid": None,
                "identity_sid": None,
                "bundle_sid": None,
                "api_version": "2010-04-01",
                "origin": entry.get("origin", "twilio"),
                "beta": False,
                "address_requirements": entry.get("address_requirements", "none"),
                "created": now,
                "updated": now,
            }
        countries = {}
        for entry in self.seed.get("countries", []):
            countries[entry["iso_code"]] = {
                "iso_code": entry["iso_code"],
                "name": entry["name"],
                "continent": entry["continent"],
                "country_codes": entry["country_codes"],
                "low_risk_numbers_enabled": bool(entry.get("low_risk_numbers_enabled", False)),
                "high_risk_special_numbers_enabled": bool(entry.get("high_risk_special_numbers_enabled", False)),
                "high_risk_tollfraud_numbers_enabled": bool(entry.get("high_risk_tollfraud_numbers_enabled", False)),
            }
        ip_acls = {
            entry["sid"]: {"sid": entry["sid"], "friendly_name": entry["friendly_name"]}
            for entry in self.seed.get("ip_access_control_lists", [])
        }
        return {
            "trunks": {},
            "origination_urls": {},
            "trunk_credential_lists": {},
            "trunk_ip_acls": {},
            "credential_lists": {},
            "credentials": {},
            "phone_numbers": numbers,
            "countries": countries,
            "ip_access_control_lists": ip_acls,
            "domain_cooldowns": {},
            "settings": {
                "dialing_permissions_inheritance": bool(self.seed.get("dialing_permissions_inheritance", False))
            },
            "clock_offset": 0.0,
        }

    def reset(self) -> None:
        self.state = self._initial_state()

    def snapshot(self) -> dict[str, Any]:
        state = copy.deepcopy(self.state)
        for credential in state["credentials"].values():
            credential.pop("password_md5", None)  # Twilio keeps only a digest; so does the snapshot
        return state

    def after_write(self) -> None:
        if self._save:
            self._save(self.state)

    def now(self) -> float:
        return time.time() + (self.state["clock_offset"] if hasattr(self, "state") else 0.0)

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

    # ---------------------------------------------------------------- helpers
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

    def page_v1(
        self,
        request: Request,
        items: list[dict[str, Any]],
        key: str,
        public_path: str,
        extra: dict[str, str] | None = None,
    ) -> Response:
        page_size, page, offset = self._page_window(request)
        chunk = items[offset : offset + page_size]
        base_query = dict(extra or {})

        def url(page_number: int, page_offset: int | None) -> str:
            query = {**base_query, "PageSize": str(page_size), "Page": str(page_number)}
            if page_offset is not None:
                query["PageToken"] = f"PT{page_offset}"
            return f"{public_path}?{urlencode(query)}"

        has_next = offset + page_size < len(items)
        return Response(
            200,
            {
                key: chunk,
                "meta": {
                    "first_page_url": url(0, None),
                    "url": url(page, offset if page else None),
                    "page_size": page_size,
                    "key": key,
                    "page": page,
                    "next_page_url": url(page + 1, offset + page_size) if has_next else None,
                    "previous_page_url": url(page - 1, max(offset - page_size, 0)) if page > 0 else None,
                },
            },
        )

    def page_v2010(
        self,
        request: Request,
        items: list[dict[str, Any]],
        key: str,
        uri_path: str,
        extra: dict[str, str] | None = None,
    ) -> Response:
        page_size, page, offset = self._page_window(request)
        chunk = items[offset : offset + page_size]
        base_query = dict(extra or {})

        def uri(page_number: int, page_offset: int | None) -> str:
            query = {**base_query, "PageSize": str(page_size), "Page": str(page_number)}
            if page_offset is not None:
                query["PageToken"] = f"PT{page_offset}"
            return f"{uri_path}?{urlencode(query)}"

        has_next = offset + page_size < len(items)
        return Response(
            200,
            {
                key: chunk,
                "first_page_uri": uri(0, None),
                "uri": uri(page, offset if page else None),
                "next_page_uri": uri(page + 1, offset + page_size) if has_next else None,
                "previous_page_uri": uri(page - 1, max(offset - page_size, 0)) if page > 0 else None,
                "page": page,
                "page_size": page_size,
                "start": offset,
                "end": offset + max(len(chunk) - 1, 0),
            },
        )

    def _page_window(self, request: Request) -> tuple[int, int, int]:
        page_size = int(request.query.get("PageSize", ["50"])[0])
        if not 1 <= page_size <= 1000:
            raise error(400, 20001, f"PageSize must be between 1 and 1000; got {page_size}")
        page = int(request.query.get("Page", ["0"])[0])
        if page < 0:
            raise error(400, 20001, "Page must not be negative")
        token = request.query.get("PageToken", [None])[0]
        if token is not None:
            if not re.fullmatch(r"PT\d+", token):
                raise error(400, 20001, f"Invalid PageToken {token!r}")
            offset = int(token[2:])
        else:
            offset = page * page_size
        return page_size, page, offset

    # ---------------------------------------------------------------- representations
    def trunk_json(self, trunk: dict[str, Any]) -> dict[str, Any]:
        sid = trunk["sid"]
        url = f"{TRUNKING}/v1/Trunks/{sid}"
        auth_types = []
        if self.state["trunk_ip_acls"].get(sid):
            auth_types.append("IP_ACL")
        if self.state["trunk_credential_lists"].get(sid):
            auth_types.append("CREDENTIAL_LIST")
        return {
            "sid": sid,
            "account_sid": self.account_sid,
            "domain_name": trunk["domain_name"],
            "disaster_recovery_method": trunk["disaster_recovery_method"],
            "disaster_recovery_url": trunk["disaster_recovery_url"],
            "friendly_name": trunk["friendly_name"],
            "secure": trunk["secure"],
            "cnam_lookup_enabled": trunk["cnam_lookup_enabled"],
            "symmetric_rtp_enabled": False,
            "recording": dict(trunk["recording"]),
            "transfer_mode": trunk["transfer_mode"],
            "transfer_caller_id": trunk["transfer_caller_id"],
            "auth_type": ",".join(auth_types),
            "auth_type_set": auth_types,
            "date_created": self.iso(trunk["created"]),
            "date_updated": self.iso(trunk["updated"]),
            "url": url,
            "links": {
                name: f"{url}/{path}"
                for name, path in (
                    ("origination_urls", "OriginationUrls"),
                    ("credential_lists", "CredentialLists"),
                    ("ip_access_control_lists", "IpAccessControlLists"),
                    ("phone_numbers", "PhoneNumbers"),
                    ("recording", "Recording"),
                )
            },
        }

    def origination_json(self, origination: dict[str, Any]) -> dict[str, Any]:
        return {
            "sid": origination["sid"],
            "account_sid": self.account_sid,
            "trunk_sid": origination["trunk_sid"],
            "weight": origination["weight"],
            "priority": origination["priority"],
            "enabled": origination["enabled"],
            "sip_url": origination["sip_url"],
            "friendly_name": origination["friendly_name"],
            "date_created": self.iso(origination["created"]),
            "date_updated": self.iso(origination["updated"]),
            "url": f"{TRUNKING}/v1/Trunks/{origination['trunk_sid']}/OriginationUrls/{origination['sid']}",
        }

    def trunk_mapping_json(self, trunk_sid: str, kind: str, sid: str, mapping: dict[str, Any]) -> dict[str, Any]:
        lists = self.state["credential_lists"] if kind == "CredentialLists" else self.state["ip_access_control_lists"]
        source = lists.get(sid, {})
        return {
            "account_sid": self.account_sid,
            "sid": sid,
            "trunk_sid": trunk_sid,
            "friendly_name": source.get("friendly_name"),
            "date_created": self.iso(mapping["created"]),
            "date_updated": self.iso(mapping["created"]),
            "url": f"{TRUNKING}/v1/Trunks/{trunk_sid}/{kind}/{sid}",
        }

    def _number_common(self, number: dict[str, Any]) -> dict[str, Any]:
        keys = (
            "sid",
            "phone_number",
            "friendly_name",
            "trunk_sid",
            "voice_url",
            "voice_method",
            "voice_application_sid",
            "voice_fallback_url",
            "voice_fallback_method",
            "voice_caller_id_lookup",
            "sms_url",
            "sms_method",
            "sms_fallback_url",
            "sms_fallback_method",
            "sms_application_sid",
            "status_callback",
            "status_callback_method",
            "api_version",
            "beta",
            "address_requirements",
        )
        body = {key: number[key] for key in keys}
        body["account_sid"] = self.account_sid
        body["capabilities"] = {"voice": True, "sms": True, "mms": False, "fax": False}
        return body

    def trunk_number_json(self, number: dict[str, Any]) -> dict[str, Any]:
        body = self._number_common(number)
        body.update(
            {
                "date_created": self.iso(number["created"]),
                "date_updated": self.iso(number["updated"]),
                "url": f"{TRUNKING}/v1/Trunks/{number['trunk_sid']}/PhoneNumbers/{number['sid']}",
                "links": {
                    "phone_number": f"{API}/2010-04-01/Accounts/{self.account_sid}/IncomingPhoneNumbers/"
                    f"{number['sid']}.json"
                },
            }
        )
        return body

    def incoming_json(self, number: dict[str, Any]) -> dict[str, Any]:
        body = self._number_common(number)
        body.update(
            {
                "date_created": self.rfc2822(number["created"]),
                "date_updated": self.rfc2822(number["updated"]),
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/IncomingPhoneNumbers/{number['sid']}.json",
                "origin": number["origin"],
                "voice_receive_mode": number["voice_receive_mode"],
                "emergency_status": number["emergency_status"],
                "emergency_address_sid": number["emergency_address_sid"],
                "emergency_address_status": "unregistered",
                "address_sid": number["address_sid"],
                "identity_sid": number["identity_sid"],
                "bundle_sid": number["bundle_sid"],
                "status": "in-use",
                "type": "local",
            }
        )
        return body

    def credential_list_json(self, credential_list: dict[str, Any]) -> dict[str, Any]:
        uri = f"/2010-04-01/Accounts/{self.account_sid}/SIP/CredentialLists/{credential_list['sid']}"
        return {
            "account_sid": self.account_sid,
            "sid": credential_list["sid"],
            "friendly_name": credential_list["friendly_name"],
            "date_created": self.rfc2822(credential_list["created"]),
            "date_updated": self.rfc2822(credential_list["updated"]),
            "subresource_uris": {"credentials": f"{uri}/Credentials.json"},
            "uri": f"{uri}.json",
        }

    def credential_json(self, credential: dict[str, Any]) -> dict[str, Any]:
        return {
            "sid": credential["sid"],
            "account_sid": self.account_sid,
            "credential_list_sid": credential["credential_list_sid"],
            "username": credential["username"],
            "date_created": self.rfc2822(credential["created"]),
            "date_updated": self.rfc2822(credential["updated"]),
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/SIP/CredentialLists/"
            f"{credential['credential_list_sid']}/Credentials/{credential['sid']}.json",
        }

    def country_json(self, country: dict[str, Any]) -> dict[str, Any]:
        url = f"{VOICE}/v1/DialingPermissions/Countries/{country['iso_code']}"
        return {**country, "url": url, "links": {"highrisk_special_prefixes": f"{url}/HighRiskSpecialPrefixes"}}

    # ---------------------------------------------------------------- lookups
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

    # ---------------------------------------------------------------- routes
    def _register_routes(self) -> None:
        def guarded(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
            def run(request: Request) -> Response:
                self.authenticate(request)
                return handler(request)

            return run

        trunking = "/trunking/v1/Trunks"
        account = "/api/2010-04-01/Accounts/{AccountSid}"
        table: list[tuple[str, str, str, Callable[[Request], Response]]] = [
            ("GET", trunking, "ListTrunk", self.list_trunks),
            ("POST", trunking, "CreateTrunk", self.create_trunk),
            ("GET", trunking + "/{Sid}", "FetchTrunk", self.fetch_trunk),
            ("POST", trunking + "/{Sid}", "UpdateTrunk", self.update_trunk),
            ("DELETE", trunking + "/{Sid}", "DeleteTrunk", self.delete_trunk),
            ("GET", trunking + "/{TrunkSid}/OriginationUrls", "ListOriginationUrl", self.list_originations),
            ("POST", trunking + "/{TrunkSid}/OriginationUrls", "CreateOriginationUrl", self.create_origination),
            ("GET", trunking + "/{TrunkSid}/OriginationUrls/{Sid}", "FetchOriginationUrl", self.fetch_origination),
            ("POST", trunking + "/{TrunkSid}/OriginationUrls/{Sid}", "UpdateOriginationUrl", self.update_origination),
            ("DELETE", trunking + "/{TrunkSid}/OriginationUrls/{Sid}", "DeleteOriginationUrl", self.delete_origination),
            ("GET", trunking + "/{TrunkSid}/Recording", "FetchRecording", self.fetch_recording),
            ("POST", trunking + "/{TrunkSid}/Recording", "UpdateRecording", self.update_recording),
            ("GET", account + "/SIP/CredentialLists.json", "ListSipCredentialList", self.list_credential_lists),
            ("POST", account + "/SIP/CredentialLists.json", "CreateSipCredentialList", self.create_credential_list),
            ("GET", account + "/SIP/CredentialLists/{Sid}.json", "FetchSipCredentialList", self.fetch_credential_list),
            (
                "POST",
                account + "/SIP/CredentialLists/{Sid}.json",
                "UpdateSipCredentialList",
                self.update_credential_list,
            ),
            (
                "DELETE",
                account + "/SIP/CredentialLists/{Sid}.json",
                "DeleteSipCredentialList",
                self.delete_credential_list,
            ),
            (
                "GET",
                account + "/SIP/CredentialLists/{CredentialListSid}/Credentials.json",
                "ListSipCredential",
                self.list_credentials,
            ),
            (
                "POST",
                account + "/SIP/CredentialLists/{CredentialListSid}/Credentials.json",
                "CreateSipCredential",
                self.create_credential,
            ),
            (
                "GET",
                account + "/SIP/CredentialLists/{CredentialListSid}/Credentials/{Sid}.json",
                "FetchSipCredential",
                self.fetch_credential,
            ),
            (
                "POST",
                account + "/SIP/CredentialLists/{CredentialListSid}/Credentials/{Sid}.json",
                "UpdateSipCredential",
                self.update_credential,
            ),
            (
                "DELETE",
                account + "/SIP/CredentialLists/{CredentialListSid}/Credentials/{Sid}.json",
                "DeleteSipCredential",
                self.delete_credential,
            ),
            ("GET", account + "/IncomingPhoneNumbers.json", "ListIncomingPhoneNumber", self.list_incoming),
            ("POST", account + "/IncomingPhoneNumbers.json", "CreateIncomingPhoneNumber", self.refuse_purchase),
            ("GET", account + "/IncomingPhoneNumbers/{Sid}.json", "FetchIncomingPhoneNumber", self.fetch_incoming),
            ("POST", account + "/IncomingPhoneNumbers/{Sid}.json", "UpdateIncomingPhoneNumber", self.update_incoming),
            ("DELETE", account + "/IncomingPhoneNumbers/{Sid}.json", "DeleteIncomingPhoneNumber", self.refuse_release),
            ("GET", "/voice/v1/DialingPermissions/Countries", "ListDialingPermissionsCountry", self.list_countries),
            (
                "GET",
                "/voice/v1/DialingPermissions/Countries/{IsoCode}",
                "FetchDialingPermissionsCountry",
                self.fetch_country,
            ),
            (
                "GET",
                "/voice/v1/DialingPermissions/Countries/{IsoCode}/HighRiskSpecialPrefixes",
                "ListDialingPermissionsHrsPrefixes",
                self.list_hrs_prefixes,
            ),
            (
                "POST",
                "/voice/v1/DialingPermissions/BulkCountryUpdates",
                "CreateDialingPermissionsCountryBulkUpdate",
                self.bulk_country_update,
            ),
            ("GET", "/voice/v1/Settings", "FetchDialingPermissionsSettings", self.fetch_settings),
            ("POST", "/voice/v1/Settings", "UpdateDialingPermissionsSettings", self.update_settings),
        ]
        for kind, noun in (("CredentialLists", "CredentialList"), ("IpAccessControlLists", "IpAccessControlList")):
            table += [
                ("GET", f"{trunking}/{{TrunkSid}}/{kind}", f"List{noun}", self._list_mappings(kind)),
                ("POST", f"{trunking}/{{TrunkSid}}/{kind}", f"Create{noun}", self._create_mapping(kind, noun)),
                ("GET", f"{trunking}/{{TrunkSid}}/{kind}/{{Sid}}", f"Fetch{noun}", self._fetch_mapping(kind)),
                ("DELETE", f"{trunking}/{{TrunkSid}}/{kind}/{{Sid}}", f"Delete{noun}", self._delete_mapping(kind)),
            ]
        table += [
            ("GET", trunking + "/{TrunkSid}/PhoneNumbers", "ListPhoneNumber", self.list_trunk_numbers),
            ("POST", trunking + "/{TrunkSid}/PhoneNumbers", "CreatePhoneNumber", self.attach_number),
            ("GET", trunking + "/{TrunkSid}/PhoneNumbers/{Sid}", "FetchPhoneNumber", self.fetch_trunk_number),
            ("DELETE", trunking + "/{TrunkSid}/PhoneNumbers/{Sid}", "DeletePhoneNumber", self.detach_number),
        ]
        for method, template, name, handler in table:
            self.add(method, template, name, guarded(handler))

    # -- trunks
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
        return self.page_v1(request, items, "trunks", f"{TRUNKING}/v1/Trunks")

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

    # -- origination URLs
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
        return self.page_v1(request, items, "origination_urls", f"{TRUNKING}/v1/Trunks/{trunk['sid']}/OriginationUrls")

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

    # -- recording
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

    # -- trunk mappings of credential lists and IP access control lists
    def _mapping_store(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.state["trunk_credential_lists" if kind == "CredentialLists" else "trunk_ip_acls"]

    def _list_mappings(self, kind: str) -> Callable[[Request], Response]:
        key = "credential_lists" if kind == "CredentialLists" else "ip_access_control_lists"

        def handler(request: Request) -> Response:
            trunk = self._trunk(request)
            self.params(request, PAGE_PARAMS)
            mappings = self._mapping_store(kind).get(trunk["sid"], {})
            items = [self.trunk_mapping_json(trunk["sid"], kind, sid, m) for sid, m in mappings.items()]
            return self.page_v1(request, items, key, f"{TRUNKING}/v1/Trunks/{trunk['sid']}/{kind}")

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

    # -- trunk phone numbers
    def list_trunk_numbers(self, request: Request) -> Response:
        trunk = self._trunk(request)
        self.params(request, PAGE_PARAMS)
        items = [
            self.trunk_number_json(n) for n in self.state["phone_numbers"].values() if n["trunk_sid"] == trunk["sid"]
        ]
        return self.page_v1(request, items, "phone_numbers", f"{TRUNKING}/v1/Trunks/{trunk['sid']}/PhoneNumbers")

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

    # -- incoming phone numbers (owned numbers: never bought or released here)
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
            # Twilio matches partial numbers and '*' wildcards, so callers must compare exactly themselves.
            pattern = re.compile(".*".join(re.escape(p) for p in filters["PhoneNumber"].split("*")))
            items = [n for n in items if pattern.search(n["phone_number"])]
        if "FriendlyName" in filters:
            items = [n for n in items if n["friendly_name"] == filters["FriendlyName"]]
        if "Origin" in filters:
            items = [n for n in items if n["origin"] == filters["Origin"]]
        if "Beta" in filters:
            items = [n for n in items if n["beta"] == filters["Beta"]]
        extra = {
            k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in filters.items() if k not in PAGE_PARAMS
        }
        return self.page_v2010(
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

    # -- SIP credential lists and credentials
    def list_credential_lists(self, request: Request) -> Response:
        self.check_account(request)
        self.params(request, PAGE_PARAMS)
        items = [self.credential_list_json(c) for c in self.state["credential_lists"].values()]
        return self.page_v2010(
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
        return self.page_v2010(
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

    # -- voice dialing permissions
    def _country_matches(self, country: dict[str, Any], filters: dict[str, Any]) -> bool:
        checks: dict[str, Callable[[Any], bool]] = {
            "IsoCode": lambda v: country["iso_code"] == v.upper(),
            "Continent": lambda v: country["continent"] == v.upper(),
            "CountryCode": lambda v: ("+" + v.lstrip("+")) in country["country_codes"],
            "LowRiskNumbersEnabled": lambda v: country["low_risk_numbers_enabled"] == v,
            "HighRiskSpecialNumbersEnabled": lambda v: country["high_risk_special_numbers_enabled"] == v,
            "HighRiskTollfraudNumbersEnabled": lambda v: country["high_risk_tollfraud_numbers_enabled"] == v,
        }
        return all(bool(checks[name](value)) for name, value in filters.items() if name in checks)

    def list_countries(self, request: Request) -> Response:
        filters = self.params(request, {**PAGE_PARAMS, **COUNTRY_FILTERS})
        items = [self.country_json(c) for c in self.state["countries"].values() if self._country_matches(c, filters)]
        extra = {
            k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in filters.items() if k not in PAGE_PARAMS
        }
        return self.page_v1(request, items, "content", f"{VOICE}/v1/DialingPermissions/Countries", extra)

    def fetch_country(self, request: Request) -> Response:
        self.params(request, {})
        country = self.state["countries"].get(request.params["IsoCode"].upper())
        if country is None:
            raise not_found(request.path.removeprefix("/voice"))
        return Response(200, self.country_json(country))

    def list_hrs_prefixes(self, request: Request) -> Response:
        self.params(request, PAGE_PARAMS)
        iso = request.params["IsoCode"].upper()
        if iso not in self.state["countries"]:
            raise not_found(request.path.removeprefix("/voice"))
        return self.page_v1(
            request, [], "content", f"{VOICE}/v1/DialingPermissions/Countries/{quote(iso)}/HighRiskSpecialPrefixes"
        )

    def bulk_country_update(self, request: Request) -> Response:
        values = self.params(request, {"UpdateRequest": "str"}, required=("UpdateRequest",))
        try:
            updates = json.loads(values["UpdateRequest"])
        except json.JSONDecodeError as exc:
            raise error(400, 20001, f"UpdateRequest is not valid JSON: {exc}") from exc
        if not isinstance(updates, list) or not updates:
            raise error(400, 20001, "UpdateRequest must be a non-empty JSON array of country updates")
        flags = ("low_risk_numbers_enabled", "high_risk_special_numbers_enabled", "high_risk_tollfraud_numbers_enabled")
        parsed = []
        for index, update in enumerate(updates):
            if not isinstance(update, dict) or "iso_code" not in update:
                raise error(400, 20001, f"UpdateRequest[{index}] must be an object with an iso_code")
            unknown = set(update) - {"iso_code", *flags}
            if unknown:
                raise error(400, 20001, f"UpdateRequest[{index}] has unknown fields: {', '.join(sorted(unknown))}")
            iso = str(update["iso_code"]).upper()
            if iso not in self.state["countries"]:
                raise error(400, 20001, f"UpdateRequest[{index}]: unknown iso_code {update['iso_code']!r}")
            changes = {}
            for flag in flags:
                if flag in update:
                    if update[flag] not in ("true", "false"):
                        raise error(400, 20001, f'UpdateRequest[{index}].{flag} must be "true" or "false"')
                    changes[flag] = update[flag] == "true"
            parsed.append((iso, changes))
        for iso, changes in parsed:  # all or nothing: validation above touched no state
            self.state["countries"][iso].update(changes)
        return Response(201, {"update_count": len(parsed), "update_request": "accepted"})

    def fetch_settings(self, request: Request) -> Response:
        self.params(request, {})
        return Response(200, {**self.state["settings"], "url": f"{VOICE}/v1/Settings"})

    def update_settings(self, request: Request) -> Response:
        values = self.params(request, {"DialingPermissionsInheritance": "bool"})
        if "DialingPermissionsInheritance" in values:
            self.state["settings"]["dialing_permissions_inheritance"] = values["DialingPermissionsInheritance"]
        return Response(202, {**self.state["settings"], "url": f"{VOICE}/v1/Settings"})
