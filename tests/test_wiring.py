"""The program's wiring for a config, checked in milliseconds with Pulumi's mocks (no engine, no API)."""

from __future__ import annotations

import copy
from typing import Any

from tests.test_units import BASE
from tests.wiring import planned, resource_count

NUMBERS = [
    {"number": "+815012345678", "name": "Tokyo main", "department": "Support", "dialPrefix": 1},
    {"number": "+815012345679", "name": "Tokyo sales", "department": "Sales", "dialPrefix": 2},
    {"number": "+815012345680", "name": "Osaka", "department": "Support", "dialPrefix": 3},
]


def config(numbers: int = 2, countries: list[str] | None = None, **trunk: Any) -> dict[str, Any]:
    raw = copy.deepcopy(BASE)
    raw["numbers"] = NUMBERS[:numbers]
    raw["outboundCountries"] = countries if countries is not None else ["JP", "US"]
    raw["trunk"].update(trunk)
    return raw


def by_type(resources: list[Any], suffix: str) -> list[Any]:
    return [r for r in resources if r.custom and r.type.endswith(suffix)]


def test_the_program_makes_what_the_guide_counts_for_each_config() -> None:
    for numbers in (0, 1, 3):
        for countries in ([], ["JP"]):
            raw = config(numbers=numbers, countries=countries)
            assert len(planned(raw)) + 1 == resource_count(raw), (numbers, countries)  # + the stack


def test_each_number_gets_one_twilio_attachment_and_one_liveagent_number() -> None:
    for count in (0, 1, 3):
        resources = planned(config(numbers=count))
        attachments = by_type(resources, "twilio:PhoneNumberAttachment")
        sip_numbers = by_type(resources, "liveagent:SipNumber")
        assert sorted(a.inputs["phone_number"] for a in attachments) == [n["number"] for n in NUMBERS[:count]]
        assert sorted(s.inputs["number"] for s in sip_numbers) == [n["number"] for n in NUMBERS[:count]]


def test_one_trunk_credential_and_origination_whatever_the_numbers() -> None:
    resources = planned(config(numbers=3))
    for kind in ("twilio:Trunk", "twilio:Credential", "twilio:CredentialList", "twilio:TrunkCredentialList"):
        assert len(by_type(resources, kind)) == 1, kind
    [origination] = by_type(resources, "twilio:OriginationUrl")
    assert origination.inputs["sip_url"] == "sip:1-sip-la-sg.ladesk.com"
    [trunk] = by_type(resources, "twilio:Trunk")
    assert trunk.inputs["domain_name"] == "somethingliveagentjp.pstn.twilio.com" and trunk.inputs["secure"] is False
    assert trunk.inputs["disaster_recovery_url"] == "https://twimlets.com/forward?PhoneNumber=0018008112345"


def test_liveagent_numbers_point_at_the_pinned_host_with_the_trunk_credential() -> None:
    resources = planned(config(edge="jp1"))
    [credential] = by_type(resources, "twilio:Credential")
    for sip_number in by_type(resources, "liveagent:SipNumber"):
        assert sip_number.inputs["host"] == "somethingliveagentjp.pstn.jp1.twilio.com"
        assert sip_number.inputs["username"] == credential.inputs["username"]
        assert sip_number.inputs["password"] == credential.inputs["password"]


def test_dialing_permissions_only_when_countries_are_listed() -> None:
    assert by_type(planned(config(countries=[])), "twilio:DialingPermissions") == []
    [permissions] = by_type(planned(config(countries=["sg", "JP"])), "twilio:DialingPermissions")
    assert sorted(permissions.inputs["countries"]) == ["JP", "SG"]  # upper-cased, as Twilio names them


def test_every_trunk_setting_of_the_config_reaches_the_trunk() -> None:
    raw = config(
        transferMode="sip-only", transferCallerId="from-transferor", cnamLookupEnabled=True, friendlyName="Renamed"
    )
    raw["trunk"]["recording"] = {"mode": "record-from-answer", "trim": "trim-silence"}
    raw["trunk"]["disasterRecovery"]["method"] = "GET"
    [trunk] = by_type(planned(raw), "twilio:Trunk")
    expected = {
        "friendly_name": "Renamed",
        "transfer_mode": "sip-only",
        "transfer_caller_id": "from-transferor",
        "cnam_lookup_enabled": True,
        "recording_mode": "record-from-answer",
        "recording_trim": "trim-silence",
        "disaster_recovery_method": "GET",
    }
    assert {key: trunk.inputs[key] for key in expected} == expected
    assert "edge" not in trunk.inputs and "domain_prefix" not in trunk.inputs, "derived, never sent to Twilio"


def test_every_api_resource_uses_the_provider_without_inputs() -> None:
    """The default provider would be handed the whole stack config and keep it in state."""
    resources = planned(config(numbers=1))
    [provider] = [r for r in resources if r.type == "pulumi:providers:pulumi-python"]
    assert provider.inputs == {}, "no setting, credential or URL in the provider's state"
    dynamic = [r for r in resources if r.type.startswith("pulumi-python:dynamic")]
    # A provider reference is the provider's URN and id joined by "::".
    assert dynamic and all(
        (r.provider or "").endswith("pulumi:providers:pulumi-python::apis::apis-id") for r in dynamic
    ), [r.provider for r in dynamic]
