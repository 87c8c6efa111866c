"""A property-based fuzzer: Schemathesis drives the Twilio emulator from Twilio's OpenAPI descriptions.

Limited to the operations the emulator serves (the ones we use), with a fixed seed and a small budget so it
runs in `make test` in well under a minute. It fails on any 5xx and on any answer off its schema: a success
body that does not validate or carries undeclared fields, or an error not in Twilio's error shape.

It reads Twilio's own files when they are present (`TWILIO_OAI_DIR`, or a checkout in `.twilio-oai/`), and
otherwise the contract's documents (tests/contract/twilio.json): the same operations, parameters, request
bodies with their examples and response schemas, with the prose and the response examples left out. A run
without the files says so in one skipped test.
"""

from __future__ import annotations

import copy
import json
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from deploy.cli import PROJECT_DIR
from sandbox.server import RunningServer
from sandbox.twilio import TwilioEmulator
from tests.sandbox_client import SEED_ACCOUNT_SID, SEED_AUTH_TOKEN
from tests.twilio_spec import (
    ABSENT,
    CONTRACT,
    FILES,
    documents,
    official_documents,
    openapi_document,
    operation_for,
    validate_response,
)
from tools import twilio_contract

SEED = yaml.safe_load((Path(__file__).parent.parent / "sandbox" / "seed.yaml").read_text())
# The budget: about 40 operations in well under a minute; TWILIO_FUZZ_EXAMPLES=200 for a longer hunt.
EXAMPLES_PER_OPERATION = int(os.environ.get("TWILIO_FUZZ_EXAMPLES") or 12)
AUTH = (SEED_ACCOUNT_SID, SEED_AUTH_TOKEN)


def _relative_uris(node: Any) -> Any:
    """API 2010's `uri`, `first_page_uri`, `next_page_uri`… are declared `format: uri` (absolute), but the same
    file's examples, the real API and twilio-python's paging all have them relative to api.twilio.com
    ("/2010-04-01/Accounts/AC…/IncomingPhoneNumbers.json?PageSize=50&Page=0"): read as URI references."""
    if isinstance(node, dict):
        return {
            key: (
                {**value, "format": "uri-reference"}
                if key.endswith("uri") and isinstance(value, dict) and value.get("format") == "uri"
                else _relative_uris(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_relative_uris(item) for item in node]
    return node


OFFICIAL = official_documents()


def _served(document: str) -> schemathesis.BaseSchema:
    """One OpenAPI document (Twilio's file, or the contract's), narrowed to the operations the emulator serves."""
    prefix = FILES[document]
    served = {route.name for route in TwilioEmulator(SEED["twilio"]).routes if route.template.startswith(prefix + "/")}
    source = OFFICIAL[document] if OFFICIAL else openapi_document(document)
    # Keys sorted, as in the contract: what Schemathesis draws depends on key order, so both sources draw alike
    # (they differ only in the response examples, which it also mines for path parameters).
    ordered = json.loads(json.dumps(source, sort_keys=True))
    return schemathesis.openapi.from_dict(_relative_uris(ordered)).include(operation_id=sorted(served))


class Account:
    """An in-process emulator holding one of everything, restored before each generated request."""

    def __init__(self) -> None:
        self.emulator = TwilioEmulator(SEED["twilio"])
        self.server = RunningServer(self.emulator).start()
        self.ids = self._make_one_of_everything()
        self.state = copy.deepcopy(self.emulator.state)

    def _post(self, path: str, **form: str) -> str:
        response = requests.post(self.server.url + path, data=form, auth=AUTH, timeout=10)
        assert response.status_code in (200, 201), response.text
        return str(response.json()["sid"])

    def _make_one_of_everything(self) -> dict[str, str]:
        account = f"/api/2010-04-01/Accounts/{SEED_ACCOUNT_SID}"
        trunk = self._post("/trunking/v1/Trunks", FriendlyName="fuzz", DomainName="fuzz.pstn.twilio.com")
        credential_list = self._post(f"{account}/SIP/CredentialLists.json", FriendlyName="fuzz")
        credential = self._post(
            f"{account}/SIP/CredentialLists/{credential_list}/Credentials.json",
            Username="fuzzuser",
            Password="Passw0rdPassw0rd",
        )
        self._post(f"/trunking/v1/Trunks/{trunk}/CredentialLists", CredentialListSid=credential_list)
        ip_acl = SEED["twilio"]["ip_access_control_lists"][0]["sid"]
        self._post(f"/trunking/v1/Trunks/{trunk}/IpAccessControlLists", IpAccessControlListSid=ip_acl)
        origination = self._post(
            f"/trunking/v1/Trunks/{trunk}/OriginationUrls",
            FriendlyName="fuzz",
            SipUrl="sip:fuzz.example.com",
            Weight="10",
            Priority="10",
            Enabled="true",
        )
        number = next(iter(self.emulator.state["phone_numbers"]))
        self._post(f"/trunking/v1/Trunks/{trunk}/PhoneNumbers", PhoneNumberSid=number)
        # The SID a path parameter names, by the collection it follows.
        return {
            "AccountSid": SEED_ACCOUNT_SID,
            "TrunkSid": trunk,
            "CredentialListSid": credential_list,
            "Trunks": trunk,
            "CredentialLists": credential_list,
            "Credentials": credential,
            "IpAccessControlLists": ip_acl,
            "OriginationUrls": origination,
            "PhoneNumbers": number,
            "IncomingPhoneNumbers": number,
        }

    def restore(self) -> None:
        with self.emulator.lock:
            self.emulator.state = copy.deepcopy(self.state)

    def aim(self, case: Any) -> None:
        """Most generated ids are replaced by real ones, so requests reach past the lookup; some stay random."""
        segments = case.operation.path.split("/")
        for name, value in list((case.path_parameters or {}).items()):
            if name == "AccountSid" or zlib.crc32(repr(value).encode()) % 4:
                placeholder = "{" + name + "}"
                collection = segments[segments.index(placeholder) - 1] if placeholder in segments else ""
                real = self.ids.get(name) or self.ids.get(collection)
                if real:
                    case.path_parameters[name] = real


@pytest.fixture(scope="module")
def account() -> Iterator[Account]:
    made = Account()
    yield made
    made.server.stop()


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,  # a fixed seed: the same requests on every run, so a failure reproduces
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def _check(account: Account, case: Any, document: str) -> None:
    account.restore()
    account.aim(case)
    prefix = FILES[document]
    response = case.call(base_url=account.server.url + prefix, auth=AUTH, timeout=10)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
    path = response.request.path_url.split("?")[0]
    if response.status_code == 204:
        assert response.content == b"", "a 204 has no body"
    elif response.status_code < 400:
        validate_response(operation_for(case.method.upper(), path), response.status_code, response.json())
    else:
        body = response.json()
        assert set(body) == {"code", "message", "more_info", "status"}, f"not Twilio's error shape: {body}"
        assert body["status"] == response.status_code and isinstance(body["code"], int), body


trunking = _served("twilio_trunking_v1.json")
api_2010 = _served("twilio_api_v2010.json")
voice = _served("twilio_voice_v1.json")


@trunking.parametrize()
@FUZZ_SETTINGS
def test_trunking_v1_holds_to_its_schema(account: Account, case: Any) -> None:
    _check(account, case, "twilio_trunking_v1.json")


@api_2010.parametrize()
@FUZZ_SETTINGS
def test_api_2010_holds_to_its_schema(account: Account, case: Any) -> None:
    _check(account, case, "twilio_api_v2010.json")


@voice.parametrize()
@FUZZ_SETTINGS
def test_voice_v1_holds_to_its_schema(account: Account, case: Any) -> None:
    _check(account, case, "twilio_voice_v1.json")


def test_the_fuzzer_got_past_authentication_and_lookups(account: Account) -> None:
    """Run after the fuzzing above (same module, file order): it must have reached handlers, not only 401/404."""
    by_status = account.emulator.log.to_json()["by_status"]
    assert sum(count for status, count in by_status.items() if status.startswith("2")) >= 50, by_status
    assert by_status.get("400", 0) >= 20, by_status


@pytest.mark.skipif(
    OFFICIAL is None, reason=f"{ABSENT}: the fuzzer read the documents of {CONTRACT.relative_to(PROJECT_DIR)}"
)
def test_the_contract_fuzzes_as_twilios_own_files_do() -> None:
    """With Twilio's files here the fuzzer reads them; the contract's documents, which it reads without them, are
    those files with only prose and response examples taken out: a clone with nothing beside it fuzzes the same
    operations against the same schemas."""
    assert OFFICIAL is not None
    for name, official in OFFICIAL.items():
        assert twilio_contract.derived_document(name, official) == documents()[name], f"{name}: regenerate"
