"""The Twilio emulator's state: what a seeded account holds before any request."""

from __future__ import annotations

import hashlib
from typing import Any

import phonenumbers


def _owned_number(value: Any) -> str:
    """An owned number as Twilio lists it: a valid number in E.164 (checked with phonenumbers, not the product's
    rules, so that a seed the product would wrongly accept is still refused here)."""
    try:
        number = phonenumbers.parse(str(value), None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"seed phone_number {value!r} is not a phone number: {exc}") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"seed phone_number {value!r} is not a valid number of any country")
    if phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) != value:
        raise ValueError(f"seed phone_number {value!r} must be written in E.164, as Twilio returns it")
    return str(value)


def _country_codes(iso_code: Any, codes: Any) -> list[str]:
    """Dialing-permission countries: an ISO 3166 code with phone numbers, and its own calling code among the codes."""
    calling_code = phonenumbers.country_code_for_region(str(iso_code))
    if calling_code == 0:
        raise ValueError(f"seed country {iso_code!r} is not an ISO 3166 code of a country with phone numbers")
    if f"+{calling_code}" not in codes:
        raise ValueError(f"seed country {iso_code} must list its calling code +{calling_code}, not {codes}")
    return list(codes)


def _seeded_number(entry: dict[str, Any], now: float) -> dict[str, Any]:
    """An owned number as the seed gives it, with every other field as Twilio sets it on a new number."""
    _owned_number(entry["phone_number"])
    sid = entry.get("sid") or "PN" + hashlib.md5(entry["phone_number"].encode()).hexdigest()
    return {
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
        "beta": bool(entry.get("beta", False)),  # "new to the Twilio platform"
        "address_requirements": entry.get("address_requirements", "none"),
        "created": now,
        "updated": now,
    }


def _seeded_country(entry: dict[str, Any]) -> dict[str, Any]:
    """A dialing-permission country as the seed gives it."""
    return {
        "iso_code": entry["iso_code"],
        "name": entry["name"],
        "continent": entry["continent"],
        "country_codes": _country_codes(entry["iso_code"], entry["country_codes"]),
        "low_risk_numbers_enabled": bool(entry.get("low_risk_numbers_enabled", False)),
        "high_risk_special_numbers_enabled": bool(entry.get("high_risk_special_numbers_enabled", False)),
        "high_risk_tollfraud_numbers_enabled": bool(entry.get("high_risk_tollfraud_numbers_enabled", False)),
    }


def initial_state(seed: dict[str, Any], now: float) -> dict[str, Any]:
    """The account as seeded: owned numbers, dialing-permission countries, IP ACLs; no trunk yet."""
    numbers = {}
    for entry in seed.get("phone_numbers", []):
        number = _seeded_number(entry, now)
        numbers[number["sid"]] = number
    countries = {entry["iso_code"]: _seeded_country(entry) for entry in seed.get("countries", [])}
    ip_acls = {
        entry["sid"]: {"sid": entry["sid"], "friendly_name": entry["friendly_name"]}
        for entry in seed.get("ip_access_control_lists", [])
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
        "settings": {"dialing_permissions_inheritance": bool(seed.get("dialing_permissions_inheritance", False))},
        "clock_offset": 0.0,
    }
