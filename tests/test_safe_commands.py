"""Every Pulumi command a user may type on a managed setup leaves it whole: one of each live resource, the
same ids, the numbers on the trunk, calls routed, through the plain CLI.

`--replace` creates the new state entry before deleting the old one; the create takes the live resource over
by its natural key, so the old entry's delete must leave it (provider_kit/holders.py). Without that, a replaced
trunk was deleted (numbers detached, origination gone, its domain locked for 30 days) and a replaced
credential was set and then deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import base_config
from tests.converged import mismatches
from tests.engine import EngineStack, strip_ansi
from tests.sandbox_client import SEED_ACCOUNT_SID, Sandbox

INTEGRATION = "twilio-liveagent:index:TwilioLiveAgentIntegration"
DYNAMIC = {
    "trunk": "twilio:SipTrunk$pulumi-python:dynamic/twilio:Trunk::sip-trunk-trunk",
    "credential list": (
        "twilio:CredentialList$pulumi-python:dynamic/twilio:CredentialList::termination-credentials-list"
    ),
    "credential": "twilio:CredentialList$pulumi-python:dynamic/twilio:Credential::termination-credentials-credential",
    "list on the trunk": (
        "twilio:CredentialList$pulumi-python:dynamic/twilio:TrunkCredentialList::termination-credentials-on-trunk"
    ),
    "origination URL": "twilio:OriginationUrl$pulumi-python:dynamic/twilio:OriginationUrl::origination-url",
    "number on the trunk": (
        "twilio:PhoneNumberAttachment$pulumi-python:dynamic/twilio:PhoneNumberAttachment::n815012345678-twilio-attachment"
    ),
    # The permissions before the baseline: a baseline replaced first records the countries as the stack left them,
    # and a replacement of the permissions after it would start from that (docs/drift.md says so).
    "dialing permissions": (
        "twilio:DialingPermissions$pulumi-python:dynamic/twilio:DialingPermissions::outbound-countries"
    ),
    "dialing baseline": "twilio:DialingPermissions$pulumi-python:dynamic/twilio:DialingBaseline::outbound-baseline",
    "LiveAgent number": (
        "liveagent:LiveAgentSipNumber$pulumi-python:dynamic/liveagent:SipNumber::n815012345678-liveagent-number"
    ),
}


def urn(stack: EngineStack, what: str) -> str:
    return f"urn:pulumi:{stack.name}::twilio-liveagent::{INTEGRATION}$twilio-liveagent:{DYNAMIC[what]}"


def identities(sandbox: Sandbox) -> dict[str, Any]:
    """Every live resource's id in both emulators, and the trunk each number is on."""
    twilio, liveagent = sandbox.state("twilio"), sandbox.state("liveagent")
    found: dict[str, Any] = {name: sorted(items) for name, items in twilio.items() if isinstance(items, dict)}
    found.pop("domain_cooldowns", None)
    found["attached"] = {n["phone_number"]: n["trunk_sid"] for n in twilio["phone_numbers"].values()}
    found["liveagent"] = sorted(liveagent["phone_numbers"])
    found["countries on"] = sorted(iso for iso, c in twilio["countries"].items() if c["low_risk_numbers_enabled"])
    return found


def converged_stack(make_stack: Callable[..., EngineStack], sandbox: Sandbox) -> tuple[EngineStack, dict[str, Any]]:
    config = base_config(sandbox)
    stack = make_stack(config)
    stack.cli("up", "--yes", "--skip-preview")
    assert mismatches(sandbox, config) == []
    return stack, config


def assert_whole(
    stack: EngineStack, sandbox: Sandbox, config: dict[str, Any], before: dict[str, Any], after: str
) -> None:
    assert mismatches(sandbox, config) == [], f"after {after}: the setup is not what the config says"
    assert identities(sandbox) == before, f"after {after}: the same live resources, with the same ids"
    done = stack.run("preview", "--expect-no-changes", "--non-interactive")
    assert done.returncode == 0, f"after {after}, a preview still has changes:\n{strip_ansi(done.stdout)}"


def test_replacing_any_resource_keeps_one_live_resource_with_its_id(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    countries_before_the_stack = identities(sandbox)["countries on"]
    stack, config = converged_stack(make_stack, sandbox)
    before = identities(sandbox)
    for what in DYNAMIC:
        done = stack.run("up", "--yes", "--skip-preview", "--non-interactive", "--replace", urn(stack, what))
        assert done.returncode == 0, f"--replace of the {what}:\n{done.stdout}{done.stderr}"
        assert "1 replaced" in strip_ansi(done.stdout), f"--replace of the {what} replaced its entry"
        assert_whole(stack, sandbox, config, before, f"--replace of the {what}")
    # The replaced entries hold their resources: destroy still removes them, and restores the countries.
    stack.cli("destroy", "--yes", "--skip-preview")
    assert sandbox.trunks() == [] and sandbox.liveagent_numbers() == {}
    assert identities(sandbox)["countries on"] == countries_before_the_stack, "the stack's countries are off again"


def test_target_replace_target_and_refresh_leave_the_setup_whole(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    stack, config = converged_stack(make_stack, sandbox)
    before = identities(sandbox)
    for args in (
        ("up", "--yes", "--skip-preview", "--target-replace", urn(stack, "trunk")),
        ("up", "--yes", "--skip-preview", "--target-replace", urn(stack, "credential")),
        ("up", "--yes", "--skip-preview", "--target", urn(stack, "trunk"), "--target", urn(stack, "credential")),
        ("refresh", "--yes", "--skip-preview"),
    ):
        done = stack.run(*args, "--non-interactive")
        assert done.returncode == 0, f"{' '.join(args[:2])}:\n{done.stdout}{done.stderr}"
        assert_whole(stack, sandbox, config, before, " ".join(args[:4]))


def test_resources_removed_from_state_are_taken_back_not_made_twice(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    stack, config = converged_stack(make_stack, sandbox)
    before = identities(sandbox)
    # Both have dependants (the LiveAgent numbers use the credential; most of the rest hangs from the trunk): the
    # CLI asks for them to go from the state with them.
    stack.cli("state", "delete", "--yes", "--target-dependents", urn(stack, "credential"))
    stack.cli("state", "delete", "--yes", "--target-dependents", urn(stack, "trunk"))
    sandbox.clear_counters()
    stack.cli("up", "--yes", "--skip-preview")
    assert_whole(stack, sandbox, config, before, "state delete and up")
    assert sandbox.writes() <= 1, "taken back as they are: only the credential's password is sent again"


def test_replacing_the_credential_sends_the_password_twilio_cannot_show(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    stack, config = converged_stack(make_stack, sandbox)
    [credential] = sandbox.state("twilio")["credentials"].values()
    list_sid = credential["credential_list_sid"]
    # Changed in the Twilio console: the API never returns a password, so no refresh can see it.
    sandbox.twilio(
        "POST",
        f"/api/2010-04-01/Accounts/{SEED_ACCOUNT_SID}/SIP/CredentialLists/{list_sid}/Credentials/{credential['sid']}.json",
        Password="Console1Changed1",
    )
    assert not sandbox.password_works(credential["sid"], config["credentials"]["password"])
    unseen = stack.run("preview", "--expect-no-changes", "--non-interactive")
    assert unseen.returncode == 0, "invisible to a preview: the README says so and gives the command below"
    done = stack.run("up", "--yes", "--skip-preview", "--non-interactive", "--replace", urn(stack, "credential"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert sandbox.password_works(credential["sid"], config["credentials"]["password"]), "the config's password again"
    assert [c["sid"] for c in sandbox.state("twilio")["credentials"].values()] == [credential["sid"]]


def test_the_plan_names_each_property_a_hand_edit_changed(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    stack, config = converged_stack(make_stack, sandbox)
    number = sandbox.liveagent_numbers()["+815012345678"]
    sandbox.liveagent_edit(number["id"], password="Changed1Changed1")
    sandbox.twilio(
        "POST",
        "/voice/v1/DialingPermissions/BulkCountryUpdates",
        UpdateRequest='[{"iso_code": "SG", "low_risk_numbers_enabled": "false"}]',
    )
    other = sandbox.twilio("POST", "/trunking/v1/Trunks", FriendlyName="other", DomainName="elsewhere.pstn.twilio.com")
    attached = sandbox.numbers_by_e164()["+815012345679"]
    sandbox.twilio("DELETE", f"/trunking/v1/Trunks/{attached['trunk_sid']}/PhoneNumbers/{attached['sid']}")
    sandbox.twilio("POST", f"/trunking/v1/Trunks/{other['sid']}/PhoneNumbers", PhoneNumberSid=attached["sid"])
    done = stack.run("preview", "--diff", "--non-interactive")
    assert done.returncode == 0, done.stdout + done.stderr
    plan = strip_ansi(done.stdout).split("pulumi:pulumi:Stack: (same)")[-1]  # the plan, after the refresh
    assert "~ password: [secret] => [secret]" in plan, plan
    assert f'~ trunk_sid: "{other["sid"]}" => "{attached["trunk_sid"]}"' in plan, plan
    assert '+ [1]: "SG"' in plan.split("~ countries")[-1], plan
    assert "Changed1Changed1" not in done.stdout + done.stderr
    stack.cli("up", "--yes", "--skip-preview")
    sandbox.twilio("DELETE", f"/trunking/v1/Trunks/{other['sid']}")  # the other trunk is not this stack's
    assert mismatches(sandbox, config) == [], "every hand edit put back by one up"
