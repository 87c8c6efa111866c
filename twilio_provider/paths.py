"""Every Twilio resource path this project uses, written once: (service, path) for `TwilioClient`.

Services are the public hosts of `client.PUBLIC_HOSTS`; account-scoped paths (API 2010-04-01) take the
account SID, the rest (Trunking v1, Voice v1) are global.
"""

from __future__ import annotations

Path = tuple[str, str]


def trunks() -> Path:
    return "trunking", "/v1/Trunks"


def trunk(sid: str) -> Path:
    return "trunking", f"/v1/Trunks/{sid}"


def trunk_recording(trunk_sid: str) -> Path:
    return "trunking", f"/v1/Trunks/{trunk_sid}/Recording"


def origination_urls(trunk_sid: str, sid: str = "") -> Path:
    return "trunking", f"/v1/Trunks/{trunk_sid}/OriginationUrls" + (f"/{sid}" if sid else "")


def trunk_credential_lists(trunk_sid: str, list_sid: str = "") -> Path:
    return "trunking", f"/v1/Trunks/{trunk_sid}/CredentialLists" + (f"/{list_sid}" if list_sid else "")


def trunk_phone_numbers(trunk_sid: str, number_sid: str = "") -> Path:
    return "trunking", f"/v1/Trunks/{trunk_sid}/PhoneNumbers" + (f"/{number_sid}" if number_sid else "")


def account(account_sid: str) -> str:
    return f"/2010-04-01/Accounts/{account_sid}"


def credential_lists(account_sid: str, sid: str = "") -> Path:
    base = f"{account(account_sid)}/SIP/CredentialLists"
    return "api", f"{base}/{sid}.json" if sid else f"{base}.json"


def credentials(account_sid: str, list_sid: str, sid: str = "") -> Path:
    base = f"{account(account_sid)}/SIP/CredentialLists/{list_sid}/Credentials"
    return "api", f"{base}/{sid}.json" if sid else f"{base}.json"


def incoming_phone_numbers(account_sid: str, sid: str = "") -> Path:
    base = f"{account(account_sid)}/IncomingPhoneNumbers"
    return "api", f"{base}/{sid}.json" if sid else f"{base}.json"


def dialing_permissions_country(iso_code: str) -> Path:
    return "voice", f"/v1/DialingPermissions/Countries/{iso_code}"


def dialing_permissions_countries() -> Path:
    return "voice", "/v1/DialingPermissions/Countries"


def dialing_permissions_bulk_update() -> Path:
    return "voice", "/v1/DialingPermissions/BulkCountryUpdates"
