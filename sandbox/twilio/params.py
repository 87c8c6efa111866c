"""What the Twilio emulator shares: the public hosts, the declared parameters of each operation, errors."""

from __future__ import annotations

import re
import uuid
from typing import Any

from ..routing import ApiError

TRUNKING = "https://trunking.twilio.com"

API = "https://api.twilio.com"

VOICE = "https://voice.twilio.com"


DOMAIN_RE = re.compile(r"^[A-Za-z0-9-]+\.pstn\.twilio\.com$")

DOMAIN_COOLDOWN_SECONDS = 30 * 24 * 3600  # a deleted trunk's domain stays taken for 30 days (error 21248)

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
