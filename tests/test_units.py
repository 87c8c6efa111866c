"""Fast checks of pure logic: derived config values, the pickler guard, provider diffs."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from liveagent_provider.sip_number import SipNumberProvider
from provider_kit.pickler_guard import install as _guard_pickler
from provider_kit.schema import Field, Schema
from provider_kit.snapshots import Snapshots
from stack import rules
from stack.config import ConfigError, parse
from twilio_provider.credential import CredentialProvider, password_digest
from twilio_provider.phone_number_attachment import PhoneNumberAttachmentProvider
from twilio_provider.trunk import TrunkProvider

BASE: dict[str, Any] = {
    "trunk": {"domainPrefix": "somethingliveagentjp", "disasterRecovery": {"forwardTo": "+18008112345"}},
    "credentials": {"username": "somethingliveagentjp", "password": "Passw0rdPassw0rd"},
}


def test_defaults_follow_the_guide() -> None:
    config = parse(BASE)
    assert config.origination.sip_url == "sip:1-sip-la-sg.ladesk.com"
    assert config.termination_domain == "somethingliveagentjp.pstn.twilio.com"
    assert config.pinned_termination_host == "somethingliveagentjp.pstn.tokyo.twilio.com"
    assert config.trunk.secure is False
    assert config.trunk.disaster_recovery is not None
    assert config.trunk.disaster_recovery.url == "https://twimlets.com/forward?PhoneNumber=0018008112345"


@pytest.mark.parametrize(
    ("edge", "host"),
    [
        ("jp1", "somethingliveagentjp.pstn.jp1.twilio.com"),
        ("singapore", "somethingliveagentjp.pstn.singapore.twilio.com"),
        (None, "somethingliveagentjp.pstn.twilio.com"),
    ],
)
def test_pinned_host_is_derived_from_the_edge(edge: str | None, host: str) -> None:
    config = parse({**BASE, "trunk": {**BASE["trunk"], "edge": edge}})
    assert config.pinned_termination_host == host


def test_secret_values_never_appear_in_validation_errors() -> None:
    with pytest.raises(ConfigError) as failed:
        parse({**BASE, "credentials": {"username": "u", "password": "Weak#Secret"}})
    assert "Weak#Secret" not in str(failed.value)


def test_pickler_guard_survives_thousands_of_serialisations() -> None:
    # Each unguarded serialisation wraps the pickler's dict methods once more; pickling a dict then
    # recurses through every wrapper (RecursionError after ~500 here). Long test runs build thousands.
    _guard_pickler()
    import pulumi.dynamic.dynamic as dynamic

    provider = TrunkProvider()
    provider.__dict__["state"] = {"a": 1, "b": 2}  # a dict in the pickle walks the wrapper chain
    for _ in range(3000):
        dynamic.serialize_provider(provider)


def test_trunk_diff_compares_outputs_and_never_replaces() -> None:
    olds = {"friendly_name": "LiveAgent", "domain_name": "a.pstn.twilio.com", "secure": True}
    news = TrunkProvider().check(olds, {"friendly_name": "LiveAgent", "domain_name": "b.pstn.twilio.com"}).inputs
    result = TrunkProvider().diff("TK1", olds, news)
    assert result.changes is True and result.replaces == []


def test_a_field_declared_after_the_state_was_written_shows_no_change_at_its_default() -> None:
    from liveagent_provider.sip_number import SCHEMA

    news = SCHEMA.with_defaults({"number": "+815012345678", "name": "n"})
    olds = {key: value for key, value in news.items() if key != "record_out_call"}  # state from before that field
    assert SCHEMA.diff(olds, news).changes is False
    assert SCHEMA.diff(olds, {**news, "record_out_call": True}).changes is True


def test_a_component_hands_on_only_declared_fields_and_each_from_one_place() -> None:
    from components.inputs import resource_inputs
    from twilio_provider import trunk_credential_list

    with pytest.raises(TypeError, match="not fields of this resource: trunk"):
        resource_inputs(trunk_credential_list.SCHEMA, trunk="TK1", credential_list_sid="CL1")
    config = parse({**BASE, "numbers": [{"number": "+815012345678", "name": "a", "department": "S", "dialPrefix": 1}]})
    entry = config.numbers[0]
    with pytest.raises(TypeError, match="number is held by more than one config model"):
        resource_inputs(Schema(Field("number")), entry, entry)


def test_password_change_is_detected_from_the_digest_alone() -> None:
    olds = {
        "credential_list_sid": "CL1",
        "username": "u",
        "password_salt": "s",
        "password_digest": password_digest("s", "Passw0rdPassw0rd"),
    }
    same = {"credential_list_sid": "CL1", "username": "u", "password": "Passw0rdPassw0rd"}
    assert CredentialProvider().diff("CR1", olds, same).changes is False
    rotated = {**same, "password": "Rotated1Password"}
    assert CredentialProvider().diff("CR1", olds, rotated).changes is True
    renamed = {**same, "username": "v"}
    assert CredentialProvider().diff("CR1", olds, renamed).replaces == ["username"]


def test_liveagent_state_keeps_our_password_when_the_api_does_not_echo_it() -> None:
    from liveagent_provider.sip_number import SCHEMA

    state = {"password": "Passw0rdPassw0rd", "host": "old", "department_name": "Support"}
    body = {"id": "1", "number": "+815012345678", "host": "new", "departmentid": "d1"}
    live = {**state, **SCHEMA.from_api(body)}
    assert live["password"] == "Passw0rdPassw0rd" and live["host"] == "new"
    assert live["department_name"] == "Support", "a number without its department embedded keeps the name"
    assert {**state, **SCHEMA.from_api({**body, "password": "Changed1ByHand"})}["password"] == "Changed1ByHand"


def test_a_plain_text_secret_is_named_with_the_command_that_fixes_it() -> None:
    # Pulumi.yaml's `secret: true` makes the CLI refuse this first; this is the program's own guard.
    with pytest.raises(ConfigError) as failed:
        parse(BASE, secret_keys=set())
    assert "twilio-liveagent:credentials.password: is stored in plain text" in str(failed.value)
    assert "pulumi config set --path --secret credentials.password" in str(failed.value)
    assert "Passw0rdPassw0rd" not in str(failed.value)


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("+815012345678", True),
        ("+14155550100", True),
        ("+1234567", False),  # E.164's shape, but too short for the US
        ("+815000000001", False),  # no Japanese number starts 050-0
        ("+12345", False),
        ("815012345678", False),
        ("+81 50", False),
        ("050-1234-5678", False),
    ],
)
def test_config_and_providers_agree_on_e164(number: str, valid: bool) -> None:
    # One rule (rules.phone_number_problem) behind the config model, the Twilio attachment and the LiveAgent number.
    entry = {"number": number, "name": "n", "department": "Support", "dialPrefix": 1}
    try:
        parse({**BASE, "numbers": [entry]})
        config_ok = True
    except ConfigError:
        config_ok = False
    # olds given: an attachment already in state, so `check` applies the rule without looking the number up.
    props = {"trunk_sid": "TK1", "phone_number": number}
    attachment = PhoneNumberAttachmentProvider().check(props, props)
    sip_number = SipNumberProvider().check({"number": number, "dial_prefix": 1}, {"number": number, "dial_prefix": 1.0})
    assert config_ok is valid
    assert (not attachment.failures) is valid
    assert (not [f for f in sip_number.failures or [] if f.property == "number"]) is valid


def _number_problems(number: Any, **top: Any) -> str:
    entry = {"number": number, "name": "n", "department": "Support", "dialPrefix": 1}
    with pytest.raises(ConfigError) as failed:
        parse({**BASE, **top, "numbers": [entry]})
    return str(failed.value)


@pytest.mark.parametrize(
    ("number", "top", "said"),
    [
        # the guide's national form in a Japan stack (defaultRegion JP by default): refused with its E.164 spelling
        ("050-1234-5678", {}, "numbers[0].number: '050-1234-5678' must be written in E.164"),
        ("050-1234-5678", {}, "did you mean +815012345678?"),
        ("+81 50-1234-5678", {}, "did you mean +815012345678?"),
        ("(800) 811-2345", {"defaultRegion": "US"}, "did you mean +18008112345?"),
        ("+8150123456789012", {}, "is too long: 16 digits, over E.164's 15"),
        ("+8150123", {}, "'+8150123' is too short for Japan (+81)"),
        ("+8150123456", {}, "'+8150123456' is too short for Japan (+81)"),
        ("+815012345678901", {}, "'+815012345678901' is too long for Japan (+81)"),
        ("+815000000001", {}, "is not a number in the numbering plan of Japan (+81)"),
        ("call me", {}, "'call me' is not a phone number"),
        ("+999123456789", {}, "does not start with a country code that exists"),
        ("050-1234-5678", {"defaultRegion": "XX"}, "defaultRegion: 'XX' is not a region with phone numbers"),
        ("050-1234-5678", {"defaultRegion": "XX"}, "numbers[0].number: '050-1234-5678' needs '+' and the country code"),
    ],
)
def test_a_bad_number_is_refused_saying_what_is_wrong(number: str, top: dict[str, Any], said: str) -> None:
    assert said in _number_problems(number, **top)


def test_a_number_of_the_default_region_is_not_rewritten() -> None:
    """The config is the record of truth: valid E.164 passes as it is; nothing is normalised silently."""
    entry = {"number": "+815012345678", "name": "n", "department": "Support", "dialPrefix": 1}
    assert parse({**BASE, "defaultRegion": "US", "numbers": [entry]}).numbers[0].number == "+815012345678"


@pytest.mark.parametrize(
    ("countries", "said"),
    [
        (["JP", "XX"], "unknown ISO 3166 country codes ['XX']"),
        (["UK"], "'UK' (did you mean GB?)"),
        (["JPN"], "'JPN' (did you mean JP?)"),
        (["JP", "jp"], "a country is listed twice"),
    ],
)
def test_an_unknown_country_code_is_refused_with_a_suggestion(countries: list[str], said: str) -> None:
    with pytest.raises(ConfigError) as failed:
        parse({**BASE, "outboundCountries": countries})
    assert "outboundCountries" in str(failed.value) and said in str(failed.value)


def test_kosovo_and_lower_case_codes_are_accepted() -> None:
    assert parse({**BASE, "outboundCountries": ["xk", "gb"]}).outbound_countries == ["XK", "GB"]


def test_one_number_spelt_two_ways_is_the_same_number() -> None:
    assert rules.same_number("+81 50-1234-5678", "+815012345678")
    assert not rules.same_number("+815012345678", "+815012345679")
    assert not rules.same_number("815012345678", "+815012345678"), "without '+' it is not known to be the same"


@pytest.mark.parametrize("password", ["Passw0rdPassw0rd", "short1A", "Passw0rd#Passw0rd", "alllowercase123"])
def test_config_and_provider_agree_on_the_password(password: str) -> None:
    try:
        parse({**BASE, "credentials": {"username": "user1", "password": password}})
        config_ok = True
    except ConfigError:
        config_ok = False
    provider = CredentialProvider().check({}, {"credential_list_sid": "CL1", "username": "user1", "password": password})
    assert config_ok is (not provider.failures)


def test_a_resource_of_another_account_is_refused_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """Variables for another account in the shell must not make the stack's resources look deleted."""
    from provider_kit.base import ACCOUNT, WrongAccount
    from twilio_provider.client import TwilioSettings

    other = TwilioSettings("AC" + "b" * 32, "secret", "http://127.0.0.1:9", source="auth token from X (environment)")
    monkeypatch.setattr(TrunkProvider, "settings", lambda self: other)
    recorded = {"domain_name": "a.pstn.twilio.com", ACCOUNT: "account AC" + "a" * 32}
    for call in (
        lambda: TrunkProvider().read("TK1", recorded),
        lambda: TrunkProvider().delete("TK1", recorded),
        lambda: TrunkProvider().update("TK1", recorded, recorded),
    ):
        with pytest.raises(WrongAccount) as refused:
            call()  # port 9 would refuse a request: the error must come first
        assert "are in account AC" + "a" * 32 in str(refused.value) and "auth token from X" in str(refused.value)


def test_a_liveagent_number_is_found_by_comparing_it_not_by_the_first_hit() -> None:
    from liveagent_provider.numbers import find_number

    class LooseFilter:  # a real filter may match more than the number asked for (e.g. as a substring)
        snapshots = Snapshots()  # the account's listing (every page of it) is searched the same way

        def find_numbers(self, filters: dict[str, Any]) -> list[dict[str, Any]]:
            return [{"id": "1", "number": "+8150123456789"}, {"id": "2", "number": "+81 50-1234-5678"}]

    found = find_number(LooseFilter(), "+815012345678")  # type: ignore[arg-type]
    assert found is not None and found["id"] == "2"
    assert find_number(LooseFilter(), "+815012345670") is None  # type: ignore[arg-type]


def test_an_auth_user_follows_the_username_rule_and_may_be_left_empty() -> None:
    number = {"number": "+815012345678", "name": "a", "department": "S", "dialPrefix": 1, "authUser": "agent@home"}
    with pytest.raises(ConfigError) as failed:
        parse({**BASE, "numbers": [number]})
    assert "twilio-liveagent:numbers[0].authUser: must be 1 to 32 letters or digits" in str(failed.value)
    assert parse({**BASE, "numbers": [{**number, "authUser": ""}]}).numbers[0].auth_user == ""
    from liveagent_provider.sip_number import SCHEMA

    assert "auth_user" in {failure.property for failure in SCHEMA.check({"auth_user": "agent@home"}).failures}


def test_a_bad_sip_profile_config_names_each_key() -> None:
    profile = {"profileFrom": "050-1234", "hostSettings": "not json", "port": 70000, "providerid": "x"}
    with pytest.raises(ConfigError) as failed:
        parse({**BASE, "liveagentNumber": profile})
    for key in ("profileFrom", "hostSettings", "port", "providerid"):
        assert f"twilio-liveagent:liveagentNumber.{key}:" in str(failed.value)
    assert "JSON object" in str(failed.value)
    parsed = parse({**BASE, "liveagentNumber": {"profileFrom": "+815012340000", "hostSettings": "{}", "port": 5060}})
    assert (parsed.liveagent_number.profile_from, parsed.liveagent_number.port) == ("+815012340000", 5060)


def test_a_lookup_listing_outlives_our_writes_and_a_refresh_listing_does_not() -> None:
    snapshots, fetched = Snapshots(), []

    def fetch(name: str) -> Any:
        fetched.append(name)
        return name

    snapshots.get("refresh", lambda: fetch("refresh"))
    snapshots.get("lookups", lambda: fetch("lookups"), lookups=True)
    with snapshots.writing():  # this process writes something
        pass
    snapshots.get("refresh", lambda: fetch("refresh"))
    snapshots.get("lookups", lambda: fetch("lookups"), lookups=True)
    assert fetched == ["refresh", "lookups", "refresh"]
    with snapshots.unsettled():  # a write that moves something where no config put it
        snapshots.get("lookups", lambda: fetch("lookups"), lookups=True)
        snapshots.get("lookups", lambda: fetch("lookups"), lookups=True)
        assert fetched[3:] == ["lookups", "lookups"], "while it is in flight, each lookup asks"
    snapshots.get("lookups", lambda: fetch("lookups"), lookups=True)
    snapshots.get("lookups", lambda: fetch("lookups"), lookups=True)
    assert len(fetched) == 6, "after it, the listing is taken once again and kept"


def test_a_lookup_listing_fetched_across_a_move_is_not_kept() -> None:
    snapshots, fetched = Snapshots(), []

    def fetch_during_a_move() -> str:
        fetched.append("listing")
        with snapshots.unsettled():  # another thread's move starts and ends while this listing is on its way
            pass
        return "listing"

    snapshots.get("lookups", fetch_during_a_move, lookups=True)
    snapshots.get("lookups", fetch_during_a_move, lookups=True)
    assert len(fetched) == 2


@pytest.mark.parametrize("kind", ["process", "file"])
def test_a_burst_the_server_handles_late_still_meets_no_429(kind: str, tmp_path: Path) -> None:
    """LiveAgent counts a request when it handles it, not when it was sent: a burst that waits at the server
    is counted late, so the client counts each request until its answer has come."""
    from liveagent_provider.rate_limit import FileWindow, SlidingWindow

    limit, window = 5, 1.0
    limiter = (
        SlidingWindow(limit, window, 0.05) if kind == "process" else FileWindow(tmp_path / "t", limit, window, 0.05)
    )
    clock = time.monotonic if kind == "process" else time.time
    handled: list[float] = []
    refused = []
    lock = threading.Lock()

    def request(delay: float) -> None:
        stamp = limiter.acquire()
        time.sleep(delay)  # queued at the server: handled (and answered) this much later
        with lock:
            now = clock()
            if sum(1 for at in handled if now - at < window) >= limit:
                refused.append(now)
            else:
                handled.append(now)
        limiter.settle(stamp)

    burst = [threading.Thread(target=request, args=(0.5,)) for _ in range(limit)]
    for thread in burst:
        thread.start()
    time.sleep(0.1)
    after = [threading.Thread(target=request, args=(0.0,)) for _ in range(2)]
    for thread in after:
        thread.start()
    for thread in burst + after:
        thread.join()
    assert refused == [] and len(handled) == limit + 2


def test_a_replacing_entry_holds_the_resource_and_the_replaced_entry_lets_it_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from provider_kit import holders

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = holders.hold("account AC1", "TrunkProvider", "TK1")
    assert not holders.held_by_another("account AC1", "TrunkProvider", "TK1", first)
    second = holders.hold("account AC1", "TrunkProvider", "TK1")
    assert holders.held_by_another("account AC1", "TrunkProvider", "TK1", first), "the replaced entry lets it go"
    assert holders.held_by_another("account AC1", "TrunkProvider", "TK1", None), "an entry from before records"
    assert not holders.held_by_another("account AC2", "TrunkProvider", "TK1", first), "per account"
    monkeypatch.setattr(holders, "_memory", {})  # another process, after a kill: the record is on disk
    assert holders.held_by_another("account AC1", "TrunkProvider", "TK1", first)
    holders.release("account AC1", "TrunkProvider", "TK1")
    assert not holders.held_by_another("account AC1", "TrunkProvider", "TK1", second)
    assert list((tmp_path / "twilio-liveagent" / "holders").iterdir()) == []
    # One per account (dialing permissions): no record another stack could trip on, only this process's create.
    assert holders.hold("account AC1", "DialingPermissionsProvider", "dialing-permissions", account_wide=True) is None
    assert holders.held_by_another("account AC1", "DialingPermissionsProvider", "dialing-permissions", None, True)
    assert not holders.held_by_another("account AC3", "DialingPermissionsProvider", "dialing-permissions", None, True)
