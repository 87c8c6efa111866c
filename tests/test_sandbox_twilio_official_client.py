"""Twilio's own Python library round-trips every route we use against the emulator."""

from __future__ import annotations

import json
from typing import Any

import pytest
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from tests.sandbox_client import SEED_ACCOUNT_SID, SEED_AUTH_TOKEN, Sandbox

HOSTS = {
    "https://trunking.twilio.com": "/trunking",
    "https://api.twilio.com": "/api",
    "https://voice.twilio.com": "/voice",
}


class SandboxHttpClient(TwilioHttpClient):
    """Sends the library's requests for Twilio's hosts to the sandbox instead; records what was sent."""

    def __init__(self, base: str):
        super().__init__()
        self.base = base
        self.sent: list[tuple[str, str, set[str]]] = []

    def request(self, method: str, url: str, params: Any = None, data: Any = None, **kwargs: Any) -> Response:
        for host, prefix in HOSTS.items():
            if url.startswith(host):
                url = self.base + prefix + url[len(host) :]
        self.sent.append((method, url, set(params or {}) | set(data or {})))
        return super().request(method, url, params=params, data=data, **kwargs)


@pytest.fixture
def client(sandbox: Sandbox) -> tuple[Client, SandboxHttpClient]:
    http = SandboxHttpClient(sandbox.twilio_url)
    return Client(SEED_ACCOUNT_SID, SEED_AUTH_TOKEN, http_client=http), http


def test_trunk_and_its_subresources_round_trip(client: tuple[Client, SandboxHttpClient]) -> None:
    twilio, _ = client
    trunk = twilio.trunking.v1.trunks.create(
        friendly_name="LiveAgent", domain_name="official.pstn.twilio.com", secure=False
    )
    assert trunk.sid.startswith("TK") and trunk.secure is False
    assert twilio.trunking.v1.trunks(trunk.sid).fetch().domain_name == "official.pstn.twilio.com"
    assert twilio.trunking.v1.trunks(trunk.sid).update(friendly_name="Renamed").friendly_name == "Renamed"
    assert [t.sid for t in twilio.trunking.v1.trunks.list()] == [trunk.sid]

    recording = twilio.trunking.v1.trunks(trunk.sid).recordings().update(mode="record-from-answer")
    assert recording.mode == "record-from-answer"
    assert twilio.trunking.v1.trunks(trunk.sid).recordings().fetch().mode == "record-from-answer"

    urls = twilio.trunking.v1.trunks(trunk.sid).origination_urls
    origination = urls.create(
        weight=10, priority=10, enabled=True, friendly_name="LiveAgent", sip_url="sip:1-sip-la-sg.ladesk.com"
    )
    assert urls(origination.sid).fetch().sip_url == "sip:1-sip-la-sg.ladesk.com"
    assert urls(origination.sid).update(weight=20).weight == 20
    assert [o.sid for o in urls.list()] == [origination.sid]
    assert urls(origination.sid).delete() is True

    lists = twilio.sip.credential_lists
    credential_list = lists.create(friendly_name="LiveAgent")
    assert lists(credential_list.sid).fetch().friendly_name == "LiveAgent"
    assert lists(credential_list.sid).update(friendly_name="LiveAgent 2").friendly_name == "LiveAgent 2"
    assert [c.sid for c in lists.list()] == [credential_list.sid]
    credentials = lists(credential_list.sid).credentials
    credential = credentials.create(username="somethingliveagentjp", password="IWasAtSignal2018")
    assert credentials(credential.sid).fetch().username == "somethingliveagentjp"
    assert credentials(credential.sid).update(password="IWasAtSignal2019").sid == credential.sid
    assert [c.username for c in credentials.list()] == ["somethingliveagentjp"]

    mapping = twilio.trunking.v1.trunks(trunk.sid).credentials_lists
    assert mapping.create(credential_list_sid=credential_list.sid).sid == credential_list.sid
    assert mapping(credential_list.sid).fetch().trunk_sid == trunk.sid
    assert [m.sid for m in mapping.list()] == [credential_list.sid]
    assert mapping(credential_list.sid).delete() is True

    acls = twilio.trunking.v1.trunks(trunk.sid).ip_access_control_lists
    acl_sid = "AL00000000000000000000000000000001"
    assert acls.create(ip_access_control_list_sid=acl_sid).sid == acl_sid
    assert acls(acl_sid).fetch().sid == acl_sid
    assert [a.sid for a in acls.list()] == [acl_sid]
    assert acls(acl_sid).delete() is True

    assert credentials(credential.sid).delete() is True
    assert lists(credential_list.sid).delete() is True
    assert twilio.trunking.v1.trunks(trunk.sid).delete() is True


def test_numbers_are_found_attached_and_detached(client: tuple[Client, SandboxHttpClient]) -> None:
    twilio, _ = client
    trunk = twilio.trunking.v1.trunks.create(friendly_name="numbers")
    [number] = twilio.incoming_phone_numbers.list(phone_number="+815012345678")
    assert twilio.incoming_phone_numbers(number.sid).fetch().phone_number == "+815012345678"
    attached = twilio.trunking.v1.trunks(trunk.sid).phone_numbers.create(phone_number_sid=number.sid)
    assert attached.trunk_sid == trunk.sid
    assert twilio.trunking.v1.trunks(trunk.sid).phone_numbers(number.sid).fetch().phone_number == "+815012345678"
    assert [n.sid for n in twilio.trunking.v1.trunks(trunk.sid).phone_numbers.list()] == [number.sid]
    assert twilio.trunking.v1.trunks(trunk.sid).phone_numbers(number.sid).delete() is True
    assert twilio.incoming_phone_numbers(number.sid).fetch().trunk_sid is None
    updated = twilio.incoming_phone_numbers(number.sid).update(trunk_sid=trunk.sid)
    assert updated.trunk_sid == trunk.sid


def test_dialing_permissions_round_trip(client: tuple[Client, SandboxHttpClient]) -> None:
    twilio, _ = client
    permissions = twilio.voice.v1.dialing_permissions
    assert permissions.countries("GB").fetch().low_risk_numbers_enabled is False
    update = permissions.bulk_country_updates.create(
        update_request=json.dumps([{"iso_code": "GB", "low_risk_numbers_enabled": "true"}])
    )
    assert update.update_count == 1
    assert permissions.countries("GB").fetch().low_risk_numbers_enabled is True
    asia = permissions.countries.list(continent="ASIA")
    assert {c.iso_code for c in asia} >= {"JP", "SG"}
    assert permissions.countries("JP").highrisk_special_prefixes.list() == []
    settings = twilio.voice.v1.dialing_permissions.settings().update(dialing_permissions_inheritance=False)
    assert settings.dialing_permissions_inheritance is False
    assert twilio.voice.v1.dialing_permissions.settings().fetch().dialing_permissions_inheritance is False
