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
    raw["numbers"] = copy.deepcopy(NUMBERS[:numbers])
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


def test_every_number_setting_of_the_config_reaches_its_twilio_and_liveagent_resources() -> None:
    raw = config(numbers=1)
    raw["numbers"][0].update(recordInCall=True, recordOutCall=True, authUser="agent01", takeOver=True)
    raw["liveagentNumber"] = {"profileFrom": "+815012340000", "providerId": "p1", "hostSettings": "{}", "port": 5060}
    resources = planned(raw)
    [attachment] = by_type(resources, "twilio:PhoneNumberAttachment")
    assert (attachment.inputs["phone_number"], attachment.inputs["take_over"]) == ("+815012345678", True)
    [sip_number] = by_type(resources, "liveagent:SipNumber")
    expected = {
        "number": "+815012345678",
        "name": "Tokyo main",
        "department_name": "Support",
        "dial_prefix": 1,
        "record_in_call": True,
        "record_out_call": True,
        "auth_user": "agent01",
        "profile_from": "+815012340000",
        "provider_id": "p1",
        "host_settings": "{}",
        "port": "5060",  # LiveAgent keeps the port as text
    }
    assert {key: sip_number.inputs[key] for key in expected} == expected
    assert "take_over" not in sip_number.inputs and "dialPrefix" not in sip_number.inputs


def test_the_number_adopt_and_the_stack_adopt_each_take_over_a_liveagent_number() -> None:
    raw = config(numbers=2)
    raw["numbers"][0]["adopt"] = True
    adopted = {s.inputs["number"]: s.inputs["adopt"] for s in by_type(planned(raw), "liveagent:SipNumber")}
    assert adopted == {"+815012345678": True, "+815012345679": False}
    raw["adopt"] = True
    resources = planned(raw)
    assert all(s.inputs["adopt"] for s in by_type(resources, "liveagent:SipNumber"))
    for kind in ("twilio:Trunk", "twilio:CredentialList", "twilio:Credential", "twilio:OriginationUrl"):
        assert [r.inputs["adopt"] for r in by_type(resources, kind)] == [True], kind


def test_every_origination_and_credential_setting_reaches_its_resource() -> None:
    raw = config(numbers=0)
    raw["origination"] = {"uri": "sip:lb.example.com", "weight": 3, "priority": 7, "enabled": False}
    raw["origination"].update(friendlyName="Inbound", keepOthers=True)
    raw["credentials"]["listName"] = "Agents"
    resources = planned(raw)
    [origination] = by_type(resources, "twilio:OriginationUrl")
    expected = {"sip_url": "sip:lb.example.com", "weight": 3, "priority": 7, "enabled": False}
    expected.update(friendly_name="Inbound", keep_others=True)
    assert {key: origination.inputs[key] for key in expected} == expected
    [credential_list] = by_type(resources, "twilio:CredentialList")
    assert credential_list.inputs["friendly_name"] == "Agents"
    [credential] = by_type(resources, "twilio:Credential")
    assert credential.inputs["username"] == raw["credentials"]["username"]
    password = credential.inputs["password"]
    assert isinstance(password, dict) and password.get("value") == raw["credentials"]["password"], "a secret output"
    assert len(password) == 2, "the secret signature and the value, nothing else"


def test_a_number_without_an_auth_user_asks_for_none() -> None:
    """Left out, `authUser` is sent empty: LiveAgent authenticates as the credential's username, and an auth user
    set by hand in the panel is put back to none."""
    assert {s.inputs["auth_user"] for s in by_type(planned(config(numbers=2)), "liveagent:SipNumber")} == {""}
