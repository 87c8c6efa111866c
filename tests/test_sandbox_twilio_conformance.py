"""The Twilio emulator against the contract derived from Twilio's OpenAPI files (tests/contract/twilio.json)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from sandbox.server import RunningServer
from sandbox.twilio import (
    COUNTRY_FILTERS,
    INCOMING_UPDATE_PARAMS,
    ORIGINATION_PARAMS,
    PAGE_PARAMS,
    TRUNK_PARAMS,
    TwilioEmulator,
)
from tests.sandbox_client import SEED_ACCOUNT_SID, SEED_AUTH_TOKEN, Sandbox
from tests.twilio_spec import operation_for, operations, validate_response

ACCOUNT = f"/api/2010-04-01/Accounts/{SEED_ACCOUNT_SID}"
SEED = yaml.safe_load((Path(__file__).parent.parent / "sandbox" / "seed.yaml").read_text())


class Probe:
    """Calls the emulator and checks every answer against the operation's response schema."""

    def __init__(self, sandbox: Sandbox):
        self.base = sandbox.twilio_url
        self.seen: set[str] = set()

    def call(self, method: str, path: str, expect: int, **params: Any) -> Any:
        operation = operation_for(method, path)
        undeclared = set(params) - operation.parameters
        assert not undeclared, f"test bug: {undeclared} not declared for {operation.operation_id}"
        response = requests.request(
            method,
            self.base + path,
            auth=(SEED_ACCOUNT_SID, SEED_AUTH_TOKEN),
            timeout=10,
            params=params if method == "GET" else None,
            data=params if method != "GET" else None,
        )
        assert response.status_code == expect, f"{operation.operation_id}: {response.status_code} {response.text}"
        self.seen.add(operation.operation_id)
        if response.status_code == 204:
            assert response.content == b""
            return None
        body = response.json()
        validate_response(operation, response.status_code, body)
        return body


def test_every_emulator_route_is_a_spec_operation_with_its_path_and_method() -> None:
    emulator = TwilioEmulator(SEED["twilio"])
    specs = operations()
    for route in emulator.routes:
        key = f"/{route.template.split('/')[1]} {route.name}"
        assert key in specs, f"{route.name} is not an operationId of the contract derived from Twilio's OpenAPI files"
        operation = specs[key]
        assert route.method == operation.method
        assert route.template == operation.prefix + operation.path


@pytest.mark.parametrize(
    ("accepted", "operation_keys"),
    [
        (TRUNK_PARAMS, ["/trunking CreateTrunk", "/trunking UpdateTrunk"]),
        (ORIGINATION_PARAMS, ["/trunking CreateOriginationUrl", "/trunking UpdateOriginationUrl"]),
        (
            PAGE_PARAMS,
            [
                "/trunking ListTrunk",
                "/trunking ListOriginationUrl",
                "/trunking ListPhoneNumber",
                "/trunking ListCredentialList",
                "/api ListSipCredentialList",
                "/api ListSipCredential",
                "/api ListIncomingPhoneNumber",
                "/voice ListDialingPermissionsHrsPrefixes",
            ],
        ),
        (INCOMING_UPDATE_PARAMS, ["/api UpdateIncomingPhoneNumber"]),
        ({**COUNTRY_FILTERS, **PAGE_PARAMS}, ["/voice ListDialingPermissionsCountry"]),
    ],
)
def test_every_parameter_the_emulator_accepts_is_declared(accepted: dict[str, Any], operation_keys: list[str]) -> None:
    for key in operation_keys:
        declared = operations()[key].parameters
        assert set(accepted) <= declared, f"{key}: {set(accepted) - declared} are not in the spec"


def test_undeclared_parameters_are_refused_by_name(sandbox: Sandbox) -> None:
    for emulator_route in TwilioEmulator(SEED["twilio"]).routes:
        path = emulator_route.template.replace("{AccountSid}", SEED_ACCOUNT_SID)
        path = path.replace("{IsoCode}", "JP")
        for name in ("TrunkSid", "Sid", "CredentialListSid"):
            path = path.replace("{" + name + "}", "TK" + "0" * 32)
        method = emulator_route.method
        kwargs: dict[str, Any] = {"params": {"Bogus": "1"}} if method == "GET" else {"data": {"Bogus": "1"}}
        response = requests.request(
            method, sandbox.twilio_url + path, auth=(SEED_ACCOUNT_SID, SEED_AUTH_TOKEN), timeout=10, **kwargs
        )
        if response.status_code == 404:
            continue  # the parent resource does not exist; covered with real ids in the scenario below
        assert response.status_code in (400, 403), f"{emulator_route.name} accepted Bogus: {response.text}"
        if response.status_code == 400:
            assert "Bogus" in response.json()["message"]


def test_unauthenticated_requests_get_20003(sandbox: Sandbox) -> None:
    response = requests.get(f"{sandbox.twilio_url}/trunking/v1/Trunks", auth=(SEED_ACCOUNT_SID, "wrong"), timeout=10)
    assert response.status_code == 401
    assert response.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }


def test_every_route_answers_in_the_spec_wire_format(sandbox: Sandbox) -> None:
    probe = Probe(sandbox)
    trunk = probe.call(
        "POST",
        "/trunking/v1/Trunks",
        201,
        FriendlyName="LiveAgent",
        DomainName="conform.pstn.twilio.com",
        Secure="false",
        DisasterRecoveryUrl="https://twimlets.com/forward?PhoneNumber=0018008112345",
        DisasterRecoveryMethod="POST",
        TransferMode="disable-all",
        CnamLookupEnabled="false",
        TransferCallerId="from-transferee",
    )
    assert trunk["sid"].startswith("TK") and trunk["secure"] is False
    assert trunk["date_created"].endswith("Z")
    tk = trunk["sid"]
    probe.call("GET", f"/trunking/v1/Trunks/{tk}", 200)
    probe.call("POST", f"/trunking/v1/Trunks/{tk}", 200, FriendlyName="Renamed", Secure="true")
    probe.call("GET", "/trunking/v1/Trunks", 200, PageSize=1)
    probe.call("GET", f"/trunking/v1/Trunks/{tk}/Recording", 200)
    probe.call("POST", f"/trunking/v1/Trunks/{tk}/Recording", 200, Mode="record-from-answer", Trim="trim-silence")

    origination = probe.call(
        "POST",
        f"/trunking/v1/Trunks/{tk}/OriginationUrls",
        201,
        Weight=10,
        Priority=10,
        Enabled="true",
        FriendlyName="LiveAgent",
        SipUrl="sip:1-sip-la-sg.ladesk.com",
    )
    ou = origination["sid"]
    probe.call("GET", f"/trunking/v1/Trunks/{tk}/OriginationUrls/{ou}", 200)
    probe.call("POST", f"/trunking/v1/Trunks/{tk}/OriginationUrls/{ou}", 200, Weight=20)
    probe.call("GET", f"/trunking/v1/Trunks/{tk}/OriginationUrls", 200)

    credential_list = probe.call("POST", f"{ACCOUNT}/SIP/CredentialLists.json", 201, FriendlyName="LiveAgent")
    cl = credential_list["sid"]
    assert credential_list["date_created"].endswith("+0000")
    probe.call("GET", f"{ACCOUNT}/SIP/CredentialLists/{cl}.json", 200)
    probe.call("POST", f"{ACCOUNT}/SIP/CredentialLists/{cl}.json", 200, FriendlyName="LiveAgent 2")
    probe.call("GET", f"{ACCOUNT}/SIP/CredentialLists.json", 200)
    credential = probe.call(
        "POST",
        f"{ACCOUNT}/SIP/CredentialLists/{cl}/Credentials.json",
        201,
        Username="somethingliveagentjp",
        Password="IWasAtSignal2018",
    )
    assert "password" not in credential
    cr = credential["sid"]
    probe.call("GET", f"{ACCOUNT}/SIP/CredentialLists/{cl}/Credentials/{cr}.json", 200)
    probe.call("POST", f"{ACCOUNT}/SIP/CredentialLists/{cl}/Credentials/{cr}.json", 200, Password="IWasAtSignal2019")
    probe.call("GET", f"{ACCOUNT}/SIP/CredentialLists/{cl}/Credentials.json", 200)

    probe.call("POST", f"/trunking/v1/Trunks/{tk}/CredentialLists", 201, CredentialListSid=cl)
    probe.call("GET", f"/trunking/v1/Trunks/{tk}/CredentialLists/{cl}", 200)
    probe.call("GET", f"/trunking/v1/Trunks/{tk}/CredentialLists", 200)
    al = SEED["twilio"]["ip_access_control_lists"][0]["sid"]
    probe.call("POST", f"/trunking/v1/Trunks/{tk}/IpAccessControlLists", 201, IpAccessControlListSid=al)
    probe.call("GET", f"/trunking/v1/Trunks/{tk}/IpAccessControlLists/{al}", 200)
    probe.call("GET", f"/trunking/v1/Trunks/{tk}/IpAccessControlLists", 200)
    assert probe.call("GET", f"/trunking/v1/Trunks/{tk}", 200)["auth_type_set"] == ["IP_ACL", "CREDENTIAL_LIST"]

    numbers = probe.call("GET", f"{ACCOUNT}/IncomingPhoneNumbers.json", 200, PhoneNumber="+815012345678")
    pn = numbers["incoming_phone_numbers"][0]["sid"]
    probe.call("GET", f"{ACCOUNT}/IncomingPhoneNumbers/{pn}.json", 200)
    probe.call("POST", f"/trunking/v1/Trunks/{tk}/PhoneNumbers", 201, PhoneNumberSid=pn)
    assert probe.call("GET", f"{ACCOUNT}/IncomingPhoneNumbers/{pn}.json", 200)["trunk_sid"] == tk
    probe.call("GET", f"/trunking/v1/Trunks/{tk}/PhoneNumbers/{pn}", 200)
    probe.call("GET", f"/trunking/v1/Trunks/{tk}/PhoneNumbers", 200)
    probe.call("DELETE", f"/trunking/v1/Trunks/{tk}/PhoneNumbers/{pn}", 204)
    probe.call("POST", f"{ACCOUNT}/IncomingPhoneNumbers/{pn}.json", 200, TrunkSid=tk, FriendlyName="via 2010")
    probe.call("POST", f"{ACCOUNT}/IncomingPhoneNumbers.json", 403, PhoneNumber="+815099999999")
    probe.call("DELETE", f"{ACCOUNT}/IncomingPhoneNumbers/{pn}.json", 403)

    probe.call("GET", "/voice/v1/DialingPermissions/Countries", 200, Continent="ASIA", LowRiskNumbersEnabled="true")
    probe.call("GET", "/voice/v1/DialingPermissions/Countries/JP", 200)
    probe.call("GET", "/voice/v1/DialingPermissions/Countries/JP/HighRiskSpecialPrefixes", 200)
    update = json.dumps([{"iso_code": "GB", "low_risk_numbers_enabled": "true"}])
    assert probe.call("POST", "/voice/v1/DialingPermissions/BulkCountryUpdates", 201, UpdateRequest=update) == {
        "update_count": 1,
        "update_request": "accepted",
    }
    probe.call("GET", "/voice/v1/Settings", 200)
    probe.call("POST", "/voice/v1/Settings", 202, DialingPermissionsInheritance="false")

    probe.call("DELETE", f"/trunking/v1/Trunks/{tk}/IpAccessControlLists/{al}", 204)
    probe.call("DELETE", f"/trunking/v1/Trunks/{tk}/CredentialLists/{cl}", 204)
    probe.call("DELETE", f"{ACCOUNT}/SIP/CredentialLists/{cl}/Credentials/{cr}.json", 204)
    probe.call("DELETE", f"{ACCOUNT}/SIP/CredentialLists/{cl}.json", 204)
    probe.call("DELETE", f"/trunking/v1/Trunks/{tk}/OriginationUrls/{ou}", 204)
    probe.call("DELETE", f"/trunking/v1/Trunks/{tk}", 204)
    missing = probe.call("GET", f"/trunking/v1/Trunks/{tk}", 404)
    assert missing["code"] == 20404 and set(missing) == {"code", "message", "more_info", "status"}

    routes = {route.name for route in TwilioEmulator(SEED["twilio"]).routes}
    assert routes <= probe.seen, f"routes not exercised: {routes - probe.seen}"


def test_v1_and_v2010_pagination_follow_their_own_links(sandbox: Sandbox) -> None:
    for index in range(5):
        sandbox.twilio("POST", "/trunking/v1/Trunks", FriendlyName=f"t{index}")
        sandbox.twilio("POST", f"{ACCOUNT}/SIP/CredentialLists.json", FriendlyName=f"list {index}")
    page = sandbox.twilio("GET", "/trunking/v1/Trunks?PageSize=2")
    seen = [t["sid"] for t in page["trunks"]]
    while page["meta"]["next_page_url"]:
        assert page["meta"]["next_page_url"].startswith("https://trunking.twilio.com/v1/Trunks?")
        page = sandbox.twilio(
            "GET", "/trunking" + page["meta"]["next_page_url"].removeprefix("https://trunking.twilio.com")
        )
        seen += [t["sid"] for t in page["trunks"]]
    assert len(set(seen)) == 5
    page = sandbox.twilio("GET", f"{ACCOUNT}/SIP/CredentialLists.json?PageSize=2")
    names = [c["friendly_name"] for c in page["credential_lists"]]
    while page["next_page_uri"]:
        page = sandbox.twilio("GET", "/api" + page["next_page_uri"])
        names += [c["friendly_name"] for c in page["credential_lists"]]
    assert sorted(names) == [f"list {i}" for i in range(5)]


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("/trunking/v1/Trunks", {"DomainName": "has_underscore.pstn.twilio.com"}, 20001),
        (f"{ACCOUNT}/SIP/CredentialLists.json", {"FriendlyName": "x" * 65}, 21240),
    ],
)
def test_validation_errors_carry_twilio_codes(sandbox: Sandbox, path: str, params: dict[str, str], code: int) -> None:
    response = requests.post(
        sandbox.twilio_url + path, data=params, auth=(SEED_ACCOUNT_SID, SEED_AUTH_TOKEN), timeout=10
    )
    assert response.status_code == 400 and response.json()["code"] == code


def test_credential_rules_and_domain_cooldown(sandbox: Sandbox) -> None:
    cl = sandbox.twilio("POST", f"{ACCOUNT}/SIP/CredentialLists.json", FriendlyName="rules")["sid"]
    auth = (SEED_ACCOUNT_SID, SEED_AUTH_TOKEN)
    weak = requests.post(
        f"{sandbox.twilio_url}{ACCOUNT}/SIP/CredentialLists/{cl}/Credentials.json",
        data={"Username": "user", "Password": "short1A"},
        auth=auth,
        timeout=10,
    )
    assert weak.status_code == 400 and weak.json()["code"] == 21243
    long_name = requests.post(
        f"{sandbox.twilio_url}{ACCOUNT}/SIP/CredentialLists/{cl}/Credentials.json",
        data={"Username": "u" * 33, "Password": "LongEnough123"},
        auth=auth,
        timeout=10,
    )
    assert long_name.status_code == 400 and long_name.json()["code"] == 21240

    trunk = sandbox.twilio("POST", "/trunking/v1/Trunks", DomainName="cooldown.pstn.twilio.com")
    taken = requests.post(
        f"{sandbox.twilio_url}/trunking/v1/Trunks",
        data={"DomainName": "cooldown.pstn.twilio.com"},
        auth=auth,
        timeout=10,
    )
    assert taken.json()["code"] == 21248
    sandbox.twilio("DELETE", f"/trunking/v1/Trunks/{trunk['sid']}")
    again = requests.post(
        f"{sandbox.twilio_url}/trunking/v1/Trunks",
        data={"DomainName": "cooldown.pstn.twilio.com"},
        auth=auth,
        timeout=10,
    )
    assert again.status_code == 400 and again.json()["code"] == 21248, "the domain stays taken for 30 days"
    requests.post(f"{sandbox.twilio_url}/__sandbox/clock", json={"advance_seconds": 31 * 86400}, timeout=10)
    sandbox.twilio("POST", "/trunking/v1/Trunks", DomainName="cooldown.pstn.twilio.com")


@pytest.fixture
def beta_seeded() -> Iterator[str]:
    """An in-process emulator whose account also owns a number new to the Twilio platform (beta)."""
    seed = copy.deepcopy(SEED["twilio"])
    seed["phone_numbers"].append({"phone_number": "+815012340000", "friendly_name": "new", "beta": True})
    server = RunningServer(TwilioEmulator(seed)).start()
    yield server.url
    server.stop()


def _listed(base: str, **filters: str) -> list[str]:
    operation = operation_for("GET", f"{ACCOUNT}/IncomingPhoneNumbers.json")
    response = requests.get(
        f"{base}{ACCOUNT}/IncomingPhoneNumbers.json",
        params={**filters, "PageSize": "1000"},
        auth=(SEED_ACCOUNT_SID, SEED_AUTH_TOKEN),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    validate_response(operation, 200, response.json())
    return sorted(n["phone_number"] for n in response.json()["incoming_phone_numbers"])


def test_beta_true_lists_every_number_and_beta_false_leaves_the_new_ones_out(beta_seeded: str) -> None:
    # Twilio's files: "Whether to include phone numbers new to the Twilio platform ... the default is `true`"
    # (docs/twilio-api.md §2.4).
    every = _listed(beta_seeded)
    assert "+815012340000" in every and "+815012345678" in every
    assert _listed(beta_seeded, Beta="true") == every
    assert _listed(beta_seeded, Beta="false") == [n for n in every if n != "+815012340000"]


def test_a_wildcard_in_phone_number_stands_for_exactly_one_digit(beta_seeded: str) -> None:
    # Twilio's files: "use '*' as a wildcard for any digit"; one '*' is one digit (docs/twilio-api.md §2.4, §7).
    assert _listed(beta_seeded, PhoneNumber="+8150123456*9") == ["+815012345679"]
    assert _listed(beta_seeded, PhoneNumber="+81501234*678") == ["+815012345678"]
    assert _listed(beta_seeded, PhoneNumber="+815012*678") == [], "one '*' is one digit, not several"
    assert "+815012345680" in _listed(beta_seeded, PhoneNumber="8150123456")  # a partial number matches


@pytest.mark.parametrize("method", ["PUT", "PATCH", "OPTIONS", "HEAD", "TRACE", "PURGE"])
def test_an_unsupported_method_answers_405_in_twilios_error_shape(sandbox: Sandbox, method: str) -> None:
    path = "/trunking/v1/Trunks"
    response = requests.request(method, sandbox.twilio_url + path, auth=(SEED_ACCOUNT_SID, SEED_AUTH_TOKEN), timeout=10)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"
    if method != "HEAD":  # a HEAD answer has no body
        assert response.json() == {
            "code": 20004,
            "message": "Method not allowed",
            "more_info": "https://www.twilio.com/docs/errors/20004",
            "status": 405,
        }
    # The connection stays usable: the next request on it gets its own answer.
    assert requests.get(sandbox.twilio_url + path, auth=(SEED_ACCOUNT_SID, SEED_AUTH_TOKEN), timeout=10).ok


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        ({"phone_number": "+81 50 1234 5699"}, "E.164"),
        ({"phone_number": "+815000000001"}, "not a valid number"),
        ({"phone_number": "050-1234-5699"}, "not a phone number"),
    ],
)
def test_the_emulator_refuses_a_seeded_number_twilio_could_not_own(entry: dict[str, str], said: str) -> None:
    seed = copy.deepcopy(SEED["twilio"])
    seed["phone_numbers"].append(entry)
    with pytest.raises(ValueError, match=said):
        TwilioEmulator(seed)


def test_the_emulator_refuses_a_seeded_country_with_the_wrong_calling_code() -> None:
    seed = copy.deepcopy(SEED["twilio"])
    seed["countries"].append({"iso_code": "XX", "name": "Nowhere", "continent": "ASIA", "country_codes": ["+999"]})
    with pytest.raises(ValueError, match="XX"):
        TwilioEmulator(seed)
    seed["countries"][-1] = {"iso_code": "KR", "name": "Korea", "continent": "ASIA", "country_codes": ["+81"]}
    with pytest.raises(ValueError, match=r"\+82"):
        TwilioEmulator(seed)
