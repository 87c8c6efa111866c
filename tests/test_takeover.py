"""Starting from a setup made by hand, and drift that used to need the console: all through the plain CLI."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from stack import rules
from tests.conftest import base_config
from tests.engine import EngineStack, strip_ansi
from tests.sandbox_client import SEED_ACCOUNT_SID, Sandbox

API = f"/api/2010-04-01/Accounts/{SEED_ACCOUNT_SID}"


def run(stack: EngineStack, *args: str) -> tuple[int, str]:
    done = stack.run(*args, "--non-interactive")
    return done.returncode, strip_ansi(done.stdout + done.stderr)


def run_ok(stack: EngineStack, *args: str) -> str:
    code, text = run(stack, *args)
    assert code == 0, text
    return text


def guide_setup_by_hand(sandbox: Sandbox, config: dict[str, Any]) -> dict[str, Any]:
    """What a person following the guide leaves in both consoles, with a few values unlike the config."""
    prefix = config["trunk"]["domainPrefix"]
    trunk = sandbox.twilio(
        "POST",
        "/trunking/v1/Trunks",
        FriendlyName="Trunk for LiveAgent",  # unlike the config
        DomainName=rules.termination_domain(prefix),
        DisasterRecoveryUrl=rules.twimlets_forward_url(config["trunk"]["disasterRecovery"]["forwardTo"]),
        DisasterRecoveryMethod=rules.DEFAULT_HTTP_METHOD,
    )
    credentials = config["credentials"]
    credential_list = sandbox.twilio("POST", f"{API}/SIP/CredentialLists.json", FriendlyName=credentials["listName"])
    credential = sandbox.twilio(
        "POST",
        f"{API}/SIP/CredentialLists/{credential_list['sid']}/Credentials.json",
        Username=credentials["username"],
        Password=credentials["password"],
    )
    sandbox.twilio(
        "POST", f"/trunking/v1/Trunks/{trunk['sid']}/CredentialLists", CredentialListSid=credential_list["sid"]
    )
    origination = sandbox.twilio(
        "POST",
        f"/trunking/v1/Trunks/{trunk['sid']}/OriginationUrls",
        SipUrl=config["origination"]["uri"],
        FriendlyName="LiveAgent",
        Weight=1,  # the config says 10: taken over, this one field changes
        Priority=config["origination"]["priority"],
        Enabled="true",
    )
    owned = sandbox.numbers_by_e164()
    departments = {d["name"]: d["department_id"] for d in sandbox.state("liveagent")["departments"].values()}
    liveagent_ids = {}
    for entry in config["numbers"]:
        sandbox.twilio(
            "POST", f"/trunking/v1/Trunks/{trunk['sid']}/PhoneNumbers", PhoneNumberSid=owned[entry["number"]]["sid"]
        )
        made = sandbox.liveagent(
            "POST",
            "/phone_numbers",
            form={
                "type": "S",
                "number": entry["number"],
                "name": f"{entry['name']} (by hand)",  # differs from the config
                "departmentid": departments[entry["department"]],
                "dial_out_prefix": entry["dialPrefix"],
                "host": rules.pinned_termination_host(prefix, config["trunk"]["edge"]),
                "user": credentials["username"],
                "password": credentials["password"],
                "status": "A",
                "ivr": '{"greeting": "kept"}',  # a field this tool does not manage
            },
        )
        liveagent_ids[entry["number"]] = made["id"]
    updates = [{"iso_code": country, "low_risk_numbers_enabled": "true"} for country in config["outboundCountries"]]
    sandbox.twilio("POST", "/voice/v1/DialingPermissions/BulkCountryUpdates", UpdateRequest=json.dumps(updates))
    return {
        "trunk": trunk["sid"],
        "credential_list": credential_list["sid"],
        "credential": credential["sid"],
        "origination": origination["sid"],
        "liveagent": liveagent_ids,
    }


def test_a_setup_made_by_hand_is_refused_at_preview_then_taken_over_with_adopt(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    config = base_config(sandbox)
    made = guide_setup_by_hand(sandbox, config)
    stack = make_stack(config)

    sandbox.clear_counters()
    code, text = run(stack, "preview")
    assert code != 0
    # The engine stops at the first refusal: the trunk's or a LiveAgent number's, each naming its id.
    domain = rules.termination_domain(config["trunk"]["domainPrefix"])
    refusals = [f"trunk {domain} already exists in Twilio (id {made['trunk']})"] + [
        f"LiveAgent number {number} already exists in LiveAgent (id {made_id})"
        for number, made_id in made["liveagent"].items()
    ]
    assert any(refusal in text for refusal in refusals), text
    assert "pulumi config set adopt true" in text and "Traceback" not in text
    assert "has a problem" not in text, "a check's refusal reaches the engine as its reason, without the property"
    assert sandbox.writes() == 0

    config["adopt"] = True
    stack.configure(config)
    sandbox.clear_counters()
    preview = run_ok(stack, "preview", "--diff")  # says, per resource, what it takes over
    for found in (made["trunk"], made["credential_list"], *made["liveagent"].values()):
        assert re.search(rf'taking_over\s*: "{found} \(exists already: taken over, not made again\)"', preview), preview
    assert sandbox.writes() == 0
    run_ok(stack, "up", "--yes")
    trunks = sandbox.trunks()
    assert [(t["sid"], t["friendly_name"]) for t in trunks] == [(made["trunk"], config["trunk"]["friendlyName"])]
    twilio = sandbox.state("twilio")
    assert list(twilio["credential_lists"]) == [made["credential_list"]]
    assert list(twilio["credentials"]) == [made["credential"]]
    assert [(o["sid"], o["weight"]) for o in twilio["origination_urls"].values()] == [(made["origination"], 10)]
    assert {n["phone_number"] for n in twilio["phone_numbers"].values() if n["trunk_sid"] == made["trunk"]} == {
        entry["number"] for entry in config["numbers"]
    }
    numbers = sandbox.liveagent_numbers()
    for entry in config["numbers"]:
        taken = numbers[entry["number"]]
        assert taken["id"] == made["liveagent"][entry["number"]] and taken["name"] == entry["name"]
        assert taken["ivr"] == '{"greeting": "kept"}', "fields this tool does not manage stay as they were"
    assert len(numbers) == len(config["numbers"])
    assert sandbox.password_works(made["credential"], config["credentials"]["password"])
    deletes = [r for r in sandbox.counters("twilio")["recent"] + sandbox.counters("liveagent")["recent"]]
    assert not [r for r in deletes if r["method"] == "DELETE"], "nothing replaced or deleted"

    sandbox.clear_counters()
    run_ok(stack, "up", "--yes")
    assert sandbox.writes() == 0, "taken over in one up"


def test_a_number_moved_to_another_trunk_by_hand_is_moved_back(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    stack = make_stack(base_config(sandbox))
    run_ok(stack, "up", "--yes")
    [ours] = sandbox.trunks()
    other = sandbox.twilio("POST", "/trunking/v1/Trunks", FriendlyName="Someone else's")
    number = sandbox.numbers_by_e164()["+815012345678"]
    sandbox.twilio("DELETE", f"/trunking/v1/Trunks/{ours['sid']}/PhoneNumbers/{number['sid']}")
    sandbox.twilio("POST", f"/trunking/v1/Trunks/{other['sid']}/PhoneNumbers", PhoneNumberSid=number["sid"])

    run_ok(stack, "up", "--yes")
    assert sandbox.numbers_by_e164()["+815012345678"]["trunk_sid"] == ours["sid"]
    sandbox.clear_counters()
    run_ok(stack, "up", "--yes")
    assert sandbox.writes() == 0


def test_a_number_on_another_trunk_is_refused_at_preview_unless_taken_over(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    other = sandbox.twilio("POST", "/trunking/v1/Trunks", FriendlyName="Someone else's")
    number = sandbox.numbers_by_e164()["+815012345679"]
    sandbox.twilio("POST", f"/trunking/v1/Trunks/{other['sid']}/PhoneNumbers", PhoneNumberSid=number["sid"])
    config = base_config(sandbox)
    stack = make_stack(config)

    sandbox.clear_counters()
    code, text = run(stack, "preview")
    assert code != 0
    assert f"+815012345679 is attached to another trunk, {other['sid']}" in text, text
    assert "`takeOver: true` on +815012345679" in text
    assert "has a problem" not in text and "trunk_sid" not in text, "the reason alone, no internal property"
    assert sandbox.writes() == 0

    config["numbers"][1]["takeOver"] = True
    stack.configure(config)
    run_ok(stack, "up", "--yes")
    [ours] = [t for t in sandbox.trunks() if t["sid"] != other["sid"]]
    assert sandbox.numbers_by_e164()["+815012345679"]["trunk_sid"] == ours["sid"]


def test_what_was_deleted_and_made_again_by_hand_is_taken_back(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    """A LiveAgent number (same E.164, new id), the origination URL and the SIP credential, each re-made by hand
    with other values: the stack takes each back under its new id and puts the config's values back."""
    config = base_config(sandbox)
    stack = make_stack(config)
    run_ok(stack, "up", "--yes")
    old = sandbox.liveagent_numbers()["+815012345678"]
    sandbox.liveagent("DELETE", f"/phone_numbers/{old['id']}")
    again = sandbox.liveagent(
        "POST",
        "/phone_numbers",
        form={"type": "S", "number": "+815012345678", "name": "typed again", "status": "A", "dial_out_prefix": 1},
    )
    twilio = sandbox.state("twilio")
    [trunk] = twilio["trunks"].values()
    [origination] = twilio["origination_urls"].values()
    sandbox.twilio("DELETE", f"/trunking/v1/Trunks/{trunk['sid']}/OriginationUrls/{origination['sid']}")
    new_origination = sandbox.twilio(
        "POST",
        f"/trunking/v1/Trunks/{trunk['sid']}/OriginationUrls",
        SipUrl=origination["sip_url"],
        FriendlyName="typed again",
        Weight=1,
        Priority=1,
        Enabled="true",
    )
    [credential] = twilio["credentials"].values()
    list_path = f"{API}/SIP/CredentialLists/{credential['credential_list_sid']}/Credentials"
    sandbox.twilio("DELETE", f"{list_path}/{credential['sid']}.json")
    new_credential = sandbox.twilio(
        "POST", f"{list_path}.json", Username=credential["username"], Password="TypedAgain1234"
    )

    run_ok(stack, "up", "--yes")
    now = sandbox.liveagent_numbers()["+815012345678"]
    assert now["id"] == again["id"] and now["name"] == "Tokyo main" and now["host"] == old["host"]
    assert len(sandbox.liveagent_numbers()) == 2
    twilio = sandbox.state("twilio")
    assert [(o["sid"], o["weight"]) for o in twilio["origination_urls"].values()] == [
        (new_origination["sid"], config["origination"]["weight"])
    ]
    assert list(twilio["credentials"]) == [new_credential["sid"]]
    assert sandbox.password_works(new_credential["sid"], config["credentials"]["password"])
    sandbox.clear_counters()
    run_ok(stack, "up", "--yes")
    assert sandbox.writes() == 0


def test_dial_prefixes_swapped_by_hand_are_repaired_in_one_up(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    config = base_config(sandbox)
    stack = make_stack(config)
    run_ok(stack, "up", "--yes")
    numbers = sandbox.liveagent_numbers()
    first, second = (numbers[entry["number"]] for entry in config["numbers"])
    # The console lets a person swap them through a third, free prefix.
    sandbox.liveagent_edit(first["id"], dial_out_prefix=99)
    sandbox.liveagent_edit(second["id"], dial_out_prefix=1)
    sandbox.liveagent_edit(first["id"], dial_out_prefix=2)

    sandbox.faults("liveagent", latency_ms=80)  # both numbers' updates run at once: let them overlap
    run_ok(stack, "up", "--yes")
    sandbox.faults("liveagent")
    now = sandbox.liveagent_numbers()
    assert [now[entry["number"]]["dial_out_prefix"] for entry in config["numbers"]] == [1, 2]
    sandbox.clear_counters()
    run_ok(stack, "up", "--yes")
    assert sandbox.writes() == 0


def test_an_origination_url_added_by_hand_shows_in_the_preview_and_goes_unless_kept(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    config = base_config(sandbox)
    stack = make_stack(config)
    run_ok(stack, "up", "--yes")
    [trunk] = sandbox.trunks()

    def add_by_hand() -> None:
        sandbox.twilio(
            "POST",
            f"/trunking/v1/Trunks/{trunk['sid']}/OriginationUrls",
            SipUrl="sip:backup.example.com",
            FriendlyName="backup",
            Weight=1,
            Priority=1,
            Enabled="true",
        )

    def sip_urls() -> list[str]:
        return sorted(url["sip_url"] for url in sandbox.state("twilio")["origination_urls"].values())

    add_by_hand()
    preview = run_ok(stack, "preview", "--diff")
    assert "other_urls" in preview and "sip:backup.example.com" in preview, preview
    run_ok(stack, "up", "--yes")
    assert sip_urls() == [config["origination"]["uri"]]
    sandbox.clear_counters()
    run_ok(stack, "up", "--yes")
    assert sandbox.writes() == 0

    config["origination"]["keepOthers"] = True
    stack.configure(config)
    add_by_hand()
    run_ok(stack, "up", "--yes")
    assert sip_urls() == sorted([config["origination"]["uri"], "sip:backup.example.com"])
    sandbox.clear_counters()
    run_ok(stack, "up", "--yes")
    assert sandbox.writes() == 0
