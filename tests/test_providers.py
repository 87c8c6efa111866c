"""Provider behaviour a user notices: faults ridden out, permanent errors shown at once, spec-only requests,
LiveAgent fields preserved, adoption, and the rate limit respected."""

from __future__ import annotations

import json
import math
import time
from dataclasses import replace
from typing import Any

import pytest
import requests
from pulumi import automation as auto

from deploy.cli import PROJECT_DIR
from liveagent_provider.client import NUMBERS_PAGE, LiveAgentClient, LiveAgentSettings
from liveagent_provider.errors import LiveAgentApiError
from liveagent_provider.sip_number import put_with_prefix
from provider_kit import base as provider_base
from provider_kit.retry import LIVEAGENT_RETRY, TWILIO_RETRY
from tests.conftest import base_config
from tests.engine import EngineStack, changes, strip_ansi
from tests.sandbox_client import SEED_ACCOUNT_SID, SEED_API_KEY, SEED_AUTH_TOKEN, Sandbox
from tests.twilio_spec import operations
from tests.wiring import resource_count
from twilio_provider import paths
from twilio_provider.client import TwilioClient, TwilioSettings
from twilio_provider.errors import TwilioApiError


def test_429_and_503_at_30_percent_are_ridden_out(make_stack, sandbox: Sandbox) -> None:
    config = base_config(sandbox)
    stack = make_stack(config)
    for which in ("twilio", "liveagent"):
        sandbox.faults(which, rate=0.3, statuses=[429, 503], seed=11)
    result = stack.up()
    assert changes(result.summary.resource_changes or {}) == {"create": resource_count(config)}
    config["credentials"]["password"] = "Rotated1Password"
    stack.configure(config)
    assert changes(stack.up().summary.resource_changes or {}) == {"update": 3}
    assert changes(stack.up().summary.resource_changes or {}) == {}
    stack.destroy()
    assert sandbox.trunks() == [] and sandbox.liveagent_numbers() == {}
    faulted = {
        which: sum(
            count for status, count in sandbox.counters(which)["by_status"].items() if status.startswith("fault:")
        )
        for which in ("twilio", "liveagent")
    }
    assert faulted["twilio"] >= 5 and faulted["liveagent"] >= 2, faulted


def test_a_permanent_error_fails_at_once_with_twilio_code_and_message(make_stack, sandbox: Sandbox) -> None:
    config = base_config(sandbox)
    # A trunk deleted by hand: Twilio keeps its domain for 30 days, so no trunk of this account can take it.
    held = sandbox.twilio(
        "POST", "/trunking/v1/Trunks", DomainName=f"{config['trunk']['domainPrefix']}.pstn.twilio.com"
    )
    sandbox.twilio("DELETE", f"/trunking/v1/Trunks/{held['sid']}")
    stack = make_stack(config)
    sandbox.clear_counters()
    started = time.monotonic()
    with pytest.raises(auto.CommandError) as failed:
        stack.up()
    assert time.monotonic() - started < 30
    output = strip_ansi(str(failed.value))
    assert "Twilio error 21248" in output and "Trunk Domain already taken" in output
    assert "choose another trunk.domainPrefix" in output
    assert sandbox.counters("twilio")["by_route"]["CreateTrunk"] == 1, "a 400 is not retried"


def test_every_request_the_client_sends_is_a_declared_spec_operation(make_stack, sandbox: Sandbox) -> None:
    config = base_config(sandbox)
    stack = make_stack(config)
    stack.up()
    config["credentials"]["password"] = "Rotated1Password"
    config["origination"]["weight"] = 20
    stack.configure(config)
    stack.up()
    stack.destroy()
    declared = {op.operation_id: op.parameters for op in operations().values()}
    recent = sandbox.counters("twilio")["recent"]
    assert len(recent) > 30
    for request in recent:
        assert request["route"] in declared, f"{request['route']} is not a Twilio operation"
        assert set(request["params"]) <= declared[request["route"]], request
        assert request["status"] < 400 or request["status"] == 404, request


def test_client_retries_are_bounded_and_the_error_reads_like_an_answer(sandbox: Sandbox) -> None:
    sandbox.faults("twilio", rate=1.0, statuses=[503])
    client = TwilioClient(
        TwilioSettings(
            SEED_ACCOUNT_SID, SEED_AUTH_TOKEN, sandbox.twilio_url, retry=replace(TWILIO_RETRY, tries=4, backoff_s=0.01)
        )
    )
    with pytest.raises(TwilioApiError) as failed:
        client.get(*paths.trunks())
    assert failed.value.status == 503
    assert "HTTP 503" in str(failed.value) and SEED_AUTH_TOKEN not in str(failed.value)
    assert sandbox.counters("twilio")["total"] == 4, "one try and three retries"


def test_client_honours_retry_after(sandbox: Sandbox) -> None:
    sandbox.faults("liveagent", rate=1.0, statuses=[429], retry_after=1)
    client = LiveAgentClient(
        LiveAgentSettings(sandbox.liveagent_url, SEED_API_KEY, retry=replace(LIVEAGENT_RETRY, tries=2))
    )
    started = time.monotonic()
    with pytest.raises(LiveAgentApiError) as failed:
        client.request("GET", "/ping")
    assert failed.value.status == 429
    assert time.monotonic() - started >= 1.0


def test_liveagent_fields_we_do_not_manage_survive_an_update(make_stack, sandbox: Sandbox) -> None:
    config = base_config(sandbox)
    stack = make_stack(config)
    stack.up()
    number = sandbox.liveagent_numbers()["+815012345678"]
    sandbox.liveagent_edit(number["id"], ivr='{"name":"hand made"}', host_settings='{"codec":"PCMU"}', port="5080")
    config["numbers"][0]["name"] = "Renamed through Pulumi"
    stack.configure(config)
    assert changes(stack.up().summary.resource_changes or {}) == {"update": 1}
    after = sandbox.liveagent_numbers()["+815012345678"]
    assert after["name"] == "Renamed through Pulumi"
    assert (after["ivr"], after["host_settings"], after["port"]) == ('{"name":"hand made"}', '{"codec":"PCMU"}', "5080")


def test_an_existing_liveagent_number_is_adopted_only_when_asked(make_stack, sandbox: Sandbox) -> None:
    existing = sandbox.liveagent(
        "POST",
        "/phone_numbers",
        form={"type": "S", "number": "+815012345678", "status": "A", "name": "made by hand", "ivr": "{}"},
    )
    config = base_config(sandbox)
    stack = make_stack(config)
    sandbox.clear_counters()
    done = stack.run("preview", "--non-interactive")  # refused at preview, before anything is written
    output = strip_ansi(done.stdout + done.stderr)
    assert done.returncode != 0
    assert f"LiveAgent number +815012345678 already exists in LiveAgent (id {existing['id']})" in output, output
    assert "differs from the stack config in name" in output and "adopt: true" in output
    assert sandbox.writes() == 0
    config["numbers"][0]["adopt"] = True
    stack.configure(config)
    stack.up()
    adopted = sandbox.liveagent_numbers()["+815012345678"]
    assert adopted["id"] == existing["id"] and adopted["name"] == "Tokyo main" and adopted["ivr"] == "{}"
    assert changes(stack.up().summary.resource_changes or {}) == {}


FIFTY_NUMBERS_PROJECT = "name: twilio-liveagent\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n"


def test_fifty_numbers_stay_under_the_rate_limit(tmp_path: Any, sandbox: Sandbox) -> None:
    # 20 requests per 2 s: the per-key limit scaled down so the test takes seconds, not minutes.
    sandbox.rate_limit(20, 2.0)
    stack = EngineStack(
        tmp_path, project_file=FIFTY_NUMBERS_PROJECT, main=PROJECT_DIR / "tests" / "programs" / "fifty_numbers.py"
    )
    stack.configure(
        {
            "liveagent": {
                "url": sandbox.liveagent_url,
                "apiKey": SEED_API_KEY,
                "rateLimit": {"requests": 20, "windowSeconds": 2},
            }
        },
        secret={"liveagent"},
    )
    try:
        result = stack.up()
        assert changes(result.summary.resource_changes or {}) == {"create": 51}  # and the stack itself
        assert len(sandbox.liveagent_numbers()) == 50
        counters = sandbox.counters("liveagent")
        assert "429" not in counters["by_status"], counters["by_status"]
        assert counters["total"] > 40, "the limit was actually exercised"
        assert counters["by_route"]["getDepartmentList"] <= 2, "departments are listed once, not per number"
    finally:
        sandbox.rate_limit(0, 60)
        stack.stack.destroy()


def test_twilio_settings_update_in_place(make_stack, sandbox: Sandbox) -> None:
    config = base_config(sandbox)
    stack = make_stack(config)
    stack.up()
    before = sandbox.state("twilio")
    config["trunk"].update(
        {
            "friendlyName": "Renamed",
            "transferMode": "sip-only",
            "cnamLookupEnabled": True,
            "recording": {"mode": "record-from-answer", "trim": "trim-silence"},
        }
    )
    del config["trunk"]["disasterRecovery"]
    config["credentials"]["listName"] = "Renamed list"
    config["origination"].update({"friendlyName": "LA", "priority": 5, "enabled": False})
    config["outboundCountries"] = ["SG", "FR"]
    stack.configure(config)
    # Trunk, list, origination URL, permissions, and the permissions' baseline (it records FR's prior state).
    assert changes(stack.up().summary.resource_changes or {}) == {"update": 5}
    after = sandbox.state("twilio")
    [trunk] = after["trunks"].values()
    assert trunk["sid"] in before["trunks"]
    assert (trunk["friendly_name"], trunk["transfer_mode"], trunk["cnam_lookup_enabled"]) == (
        "Renamed",
        "sip-only",
        True,
    )
    assert trunk["recording"] == {"mode": "record-from-answer", "trim": "trim-silence"}
    assert trunk["disaster_recovery_url"] is None
    assert [c["friendly_name"] for c in after["credential_lists"].values()] == ["Renamed list"]
    assert after["credential_lists"].keys() == before["credential_lists"].keys()
    [origination] = after["origination_urls"].values()
    assert origination["sid"] in before["origination_urls"]
    assert (origination["friendly_name"], origination["priority"], origination["enabled"]) == ("LA", 5, False)
    countries = after["countries"]
    assert countries["FR"]["low_risk_numbers_enabled"] and countries["SG"]["low_risk_numbers_enabled"]
    assert countries["GB"]["low_risk_numbers_enabled"] is False, "a country dropped from config is restored"


def test_a_dial_prefix_held_by_another_number_is_named(make_stack, sandbox: Sandbox) -> None:
    holder = sandbox.liveagent(
        "POST", "/phone_numbers", form={"type": "S", "number": "+815099990000", "status": "A", "dial_out_prefix": "2"}
    )
    stack = make_stack(base_config(sandbox))
    sandbox.clear_counters()
    done = stack.run("preview", "--non-interactive")  # refused at preview: that number is not this stack's
    output = strip_ansi(done.stdout + done.stderr)
    assert done.returncode != 0
    assert f"dial prefix 2 is held by LiveAgent number +815099990000 (id {holder['id']}" in output, output
    assert "which this stack does not manage" in output
    assert sandbox.writes() == 0


def test_a_number_the_account_does_not_own_is_never_bought(make_stack, sandbox: Sandbox) -> None:
    config = base_config(sandbox)
    config["numbers"][0]["number"] = "+815099999999"
    stack = make_stack(config)
    with pytest.raises(auto.CommandError) as failed:
        stack.up()
    told = strip_ansi(str(failed.value))
    assert "+815099999999 is not a number of this Twilio account" in told, told
    assert "remove it from numbers" in told and "never buys numbers" in told
    assert "CreateIncomingPhoneNumber" not in sandbox.counters("twilio")["by_route"]


@pytest.mark.parametrize(
    ("field", "value", "live_field", "live_value"),
    [
        ("name", "Renamed", "name", "Renamed"),
        ("department", "Sales", "departmentid", "d0000002"),
        ("dialPrefix", 42, "dial_out_prefix", 42),
        ("recordInCall", True, "record_in_call", True),
        ("recordOutCall", True, "record_out_call", True),
        ("authUser", "testuser01", "auth_user", "testuser01"),
    ],
)
def test_each_managed_liveagent_field_updates_in_place(
    make_stack, sandbox: Sandbox, field: str, value: Any, live_field: str, live_value: Any
) -> None:
    config = base_config(sandbox)
    stack = make_stack(config)
    stack.up()
    number_id = sandbox.liveagent_numbers()["+815012345678"]["id"]
    config["numbers"][0][field] = value
    stack.configure(config)
    assert changes(stack.up().summary.resource_changes or {}) == {"update": 1}
    live = sandbox.liveagent_numbers()["+815012345678"]
    assert live["id"] == number_id and live[live_field] == live_value


def test_twilio_client_follows_both_pagination_styles(sandbox: Sandbox) -> None:
    for index in range(5):
        sandbox.twilio("POST", "/trunking/v1/Trunks", FriendlyName=f"t{index}")
        sandbox.twilio(
            "POST",
            f"/api/2010-04-01/Accounts/{SEED_ACCOUNT_SID}/SIP/CredentialLists.json",
            FriendlyName=f"list {index}",
        )
    client = TwilioClient(TwilioSettings(SEED_ACCOUNT_SID, SEED_AUTH_TOKEN, sandbox.twilio_url))
    trunks = list(client.paginate(*paths.trunks(), "trunks", page_size=2))
    assert sorted(t["friendly_name"] for t in trunks) == [f"t{i}" for i in range(5)]
    lists = list(client.paginate(*paths.credential_lists(SEED_ACCOUNT_SID), "credential_lists", page_size=2))
    assert sorted(c["friendly_name"] for c in lists) == [f"list {i}" for i in range(5)]
    assert sandbox.counters("twilio")["by_route"]["ListTrunk"] == 3


def test_the_liveagent_client_reads_every_page_of_numbers_in_requests_that_grow_with_pages(sandbox: Sandbox) -> None:
    # A contact centre's account: 250 numbers are read whole in ceil(250 / NUMBERS_PAGE) requests, not one per
    # number, each page after the first asked with the `next_page_cursor` of the one before (docs/liveagent-api.md
    # §2.4); a filtered lookup pages the same way and still finds its one number.
    for index in range(250):
        sandbox.liveagent(
            "POST",
            "/phone_numbers",
            form={"type": "S", "number": f"+8150000{index:05d}", "status": "A", "name": "bulk"},
        )
    client = LiveAgentClient(LiveAgentSettings(sandbox.liveagent_url, SEED_API_KEY))
    sandbox.clear_counters()
    listed = client.find_numbers({})
    assert sorted(n["number"] for n in listed) == [f"+8150000{index:05d}" for index in range(250)]
    counters = sandbox.counters("liveagent")
    assert counters["by_route"]["getPhoneNumbersList"] == math.ceil(250 / NUMBERS_PAGE) == counters["total"]
    assert [("_cursor" in r["params"]) for r in counters["recent"]] == [False, True, True]
    assert len(client.find_numbers({"name": "bulk"})) == 250
    assert [n["number"] for n in client.find_numbers({"number": "+815000000007"})] == ["+815000000007"]


def _not_echoing_passwords(session: requests.Session) -> requests.Session:
    """A LiveAgent that does not return the SIP password on GET (docs/liveagent-api.md §10 leaves it open)."""

    def strip(response: requests.Response, *_: Any, **__: Any) -> None:
        if response.request.method == "GET" and response.content:
            body = response.json()
            for number in body if isinstance(body, list) else [body]:
                if isinstance(number, dict):
                    number.pop("password", None)
            response._content = json.dumps(body).encode()

    session.hooks["response"].append(strip)
    return session


def test_updates_keep_the_sip_password_when_liveagent_does_not_echo_it(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stack's numbers, as the provider's configuration hands them over (provider_kit.base.configure).
    monkeypatch.setattr(provider_base, "_stack_numbers", ["+815012345678", "+815012345679"])
    made = {}
    for number, prefix in (("+815012345678", 1), ("+815012345679", 2)):
        form = {
            "type": "S",
            "number": number,
            "status": "A",
            "dial_out_prefix": str(prefix),
            "password": "Old1Password",
        }
        made[number] = sandbox.liveagent("POST", "/phone_numbers", form=form)["id"]
    client = LiveAgentClient(
        LiveAgentSettings(sandbox.liveagent_url, SEED_API_KEY), _not_echoing_passwords(requests.Session())
    )
    current = client.get_number(made["+815012345678"])
    assert current is not None and "password" not in current
    props = {
        "number": "+815012345678",
        "name": "Renamed",
        "dial_prefix": 2,  # held by the other number of the stack, which is moved aside first
        "password": "New1Password",
        "status": "A",
    }
    put_with_prefix(client, made["+815012345678"], current, props)
    live = sandbox.liveagent_numbers()
    assert live["+815012345678"]["password"] == "New1Password" and live["+815012345678"]["name"] == "Renamed"
    assert live["+815012345679"]["dial_out_prefix"] != 2
    assert live["+815012345679"]["password"], "the number moved aside keeps a password"


# docs/liveagent-api.md §3 and §6 (the official client's PhoneNumbersApi and DepartmentsApi): the query and form
# parameters of each operation the provider may call (`_cursor` as §2.4 has it).
LIVEAGENT_DOCUMENTED: dict[str, set[str]] = {
    "getPhoneNumbersList": {"_perPage", "_sortDir", "_sortField", "_filters", "_cursor", "additionalObjects"},
    "getPhoneNumber": set(),
    "addNumber": {
        *("type", "number", "status", "dial_out_prefix", "record_in_call", "record_out_call", "name"),
        *("departmentid", "host_settings", "host", "port", "user", "auth_user", "password", "proxy_host"),
        *("proxy_port", "proxy_user", "providerid", "ivr"),
    },
    "updatePhoneNumber": set(),  # a JSON body
    "updatePhoneNumberStatus": {"status"},
    "removePhoneNumber": set(),
    "getAvailablePrefix": set(),
    "getDepartmentList": {"_page", "_perPage", "_from", "_to", "_sortDir", "_sortField", "_filters"},
}


def test_new_numbers_copy_the_sip_profile_of_a_number_made_in_the_admin_panel(make_stack, sandbox: Sandbox) -> None:
    config = base_config(sandbox)
    config["liveagentNumber"] = {"profileFrom": "+815012340000"}
    stack = make_stack(config)
    sandbox.clear_counters()
    missing = stack.run("preview", "--non-interactive")
    shown = strip_ansi(missing.stdout + missing.stderr)
    assert missing.returncode != 0 and "no LiveAgent number +815012340000 to copy the SIP profile from" in shown
    assert "make one in the admin panel" in shown and sandbox.writes() == 0
    profile = {"providerid": "twilio", "host_settings": json.dumps({"transport": "udp"}), "port": "5080"}
    form = {"type": "S", "number": "+815012340000", "status": "A", "name": "made by hand", "dial_out_prefix": "50"}
    sandbox.liveagent("POST", "/phone_numbers", form={**form, **profile})
    config["liveagentNumber"]["port"] = 5090  # an explicit value wins over the copy
    stack.configure(config)
    assert changes(stack.up().summary.resource_changes or {}) == {"create": resource_count(config)}
    live = sandbox.liveagent_numbers()
    for entry in config["numbers"]:
        number = live[entry["number"]]
        assert (number["providerid"], number["host_settings"], number["port"]) == (
            "twilio",
            profile["host_settings"],
            "5090",
        )
    assert live["+815012340000"]["dial_out_prefix"] == 50, "the profile's number is left alone"
    for request in sandbox.counters("liveagent")["recent"]:
        assert request["route"] in LIVEAGENT_DOCUMENTED, f"{request['route']} is not a documented operation"
        assert set(request["params"]) <= LIVEAGENT_DOCUMENTED[request["route"]], request
    sandbox.clear_counters()
    assert changes(stack.up().summary.resource_changes or {}) == {}
    assert sandbox.writes() == 0


@pytest.mark.parametrize("fault", ["commit_drop", "commit_timeout"])
def test_a_create_whose_answer_is_lost_after_the_write_is_not_sent_again(sandbox: Sandbox, fault: str) -> None:
    """Resending it would make a second trunk (Twilio) or fail on the number made by the first (LiveAgent)."""
    for api in ("twilio", "liveagent"):
        sandbox.faults(api, rate=1.0, statuses=[fault], methods=["POST"], timeout_ms=1500)
    twilio = TwilioClient(
        TwilioSettings(
            SEED_ACCOUNT_SID,
            SEED_AUTH_TOKEN,
            sandbox.twilio_url,
            retry=replace(TWILIO_RETRY, tries=4, backoff_s=0.01),
            timeout=(2.0, 0.5),
        )
    )
    with pytest.raises(TwilioApiError):
        twilio.create(*paths.trunks(), {"FriendlyName": "lost answer"})
    liveagent = LiveAgentClient(
        LiveAgentSettings(
            sandbox.liveagent_url, SEED_API_KEY, timeout=(2.0, 0.5), retry=replace(LIVEAGENT_RETRY, tries=3)
        )
    )
    with pytest.raises(LiveAgentApiError):
        liveagent.add_number({"type": "S", "number": "+815012345678", "status": "A", "name": "lost answer"})
    assert [trunk["friendly_name"] for trunk in sandbox.trunks()] == ["lost answer"], "made once, not again"
    assert len(sandbox.liveagent_numbers()) == 1
    assert sandbox.counters("twilio")["writes"] == 1 and sandbox.counters("liveagent")["writes"] == 1
