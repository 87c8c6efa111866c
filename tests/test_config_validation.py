"""Bad stack config fails at preview, names the key, says what would be right, and writes nothing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import base_config
from tests.engine import EngineStack, strip_ansi
from tests.sandbox_client import SEED_AUTH_TOKEN, Sandbox

Mutation = Callable[[dict[str, Any]], None]


def setter(path: str, value: Any) -> Mutation:
    def mutate(config: dict[str, Any]) -> None:
        node: Any = config
        keys = path.replace("]", "").replace("[", ".").split(".")
        for key in keys[:-1]:
            node = node[int(key)] if key.isdigit() else node[key]
        last = keys[-1]
        if value is REMOVE:
            del node[last]
        elif last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


REMOVE = object()
DUPLICATE_NUMBER = {"number": "+815012345678", "name": "again", "department": "Support", "dialPrefix": 5}
SAME_PREFIX = {"number": "+815012345680", "name": "clash", "department": "Support", "dialPrefix": 1}

CASES: dict[str, tuple[Mutation, str, str]] = {
    # name: (mutation, the key the message must name, a fragment saying what would be right)
    "number not E.164": (setter("numbers[0].number", "+81 50-1234-5678"), "numbers[0].number", "E.164"),
    "national number in a Japan stack": (
        setter("numbers[0].number", "050-1234-5678"),
        "numbers[0].number",
        "did you mean +815012345678?",
    ),
    "number over E.164's 15 digits": (
        setter("numbers[0].number", "+8150123456789012"),
        "numbers[0].number",
        "16 digits, over E.164's 15",
    ),
    "number too short for its country": (
        setter("numbers[1].number", "+8150123456"),
        "numbers[1].number",
        "too short for Japan (+81)",
    ),
    "not a number": (setter("numbers[0].number", "call me"), "numbers[0].number", "is not a phone number"),
    "unknown country calling code": (
        setter("numbers[0].number", "+999123456789"),
        "numbers[0].number",
        "country code that exists",
    ),
    "unknown default region": (setter("defaultRegion", "XX"), "defaultRegion", "ISO 3166 code such as JP"),
    "number saved as a YAML number": (setter("numbers[0].number", 815012345678), "numbers[0].number", "--type string"),
    "duplicate number": (lambda c: c["numbers"].append(DUPLICATE_NUMBER), "numbers[2].number", "already"),
    "duplicate dial prefix": (lambda c: c["numbers"].append(SAME_PREFIX), "numbers[2].dialPrefix", "own prefix"),
    "dial prefix above 999": (setter("numbers[0].dialPrefix", 1000), "numbers[0].dialPrefix", "1–999"),
    "dial prefix 0": (setter("numbers[1].dialPrefix", 0), "numbers[1].dialPrefix", "1–999"),
    "special character in username": (
        setter("credentials.username", "user@home"),
        "credentials.username",
        "letters or digits",
    ),
    "special character in password": (
        setter("credentials.password", "Passw0rd#Passw0rd"),
        "credentials.password",
        "letters and digits only",
    ),
    "weak password": (setter("credentials.password", "short1A"), "credentials.password", "at least 12"),
    "domain prefix with a dot": (setter("trunk.domainPrefix", "something.liveagent"), "trunk.domainPrefix", "no dots"),
    "domain prefix with an underscore": (
        setter("trunk.domainPrefix", "some_thing"),
        "trunk.domainPrefix",
        "underscores",
    ),
    "origination not sip:": (setter("origination.uri", "sips:1-sip-la-sg.ladesk.com"), "origination.uri", "sip:"),
    "origination as https": (setter("origination.uri", "https://ladesk.com"), "origination.uri", "sip:"),
    "weight 0": (setter("origination.weight", 0), "origination.weight", "greater than or equal to 1"),
    "priority above 65535": (setter("origination.priority", 70000), "origination.priority", "65535"),
    "unknown edge": (setter("trunk.edge", "tokio"), "trunk.edge", "tokyo"),
    "unknown country": (setter("outboundCountries", ["JP", "XX"]), "outboundCountries", "two letters"),
    "country as UK": (setter("outboundCountries", ["UK"]), "outboundCountries", "did you mean GB?"),
    "missing password": (setter("credentials.password", REMOVE), "credentials.password", "set it with --secret"),
    "missing auth token": (setter("twilio.authToken", REMOVE), "TWILIO_AUTH_TOKEN", "pulumi-python:twilio.authToken"),
    "API key without its secret": (
        setter("twilio.apiKey", "SK" + "0" * 32),
        "pulumi-python:twilio.apiSecret",
        "set both",
    ),
    "malformed API key SID": (setter("twilio.apiKey", "AC" + "0" * 32), "pulumi-python:twilio.apiKey", "SK followed"),
    "missing LiveAgent key": (
        setter("liveagent.apiKey", REMOVE),
        "LIVEAGENT_API_KEY",
        "pulumi-python:liveagent.apiKey",
    ),
    "misspelt key": (
        lambda c: c["trunk"].update(domainprefix=c["trunk"].pop("domainPrefix")),
        "trunk.domainprefix",
        "did you mean domainPrefix?",
    ),
    "misspelt top-level key": (
        lambda c: c.update(outboundCountry=c.pop("outboundCountries")),
        "outboundCountry",
        "did you mean outboundCountries?",
    ),
    "misspelt required key": (
        lambda c: c.update(trunks=c.pop("trunk")),
        "twilio-liveagent:trunks",
        "did you mean trunk?",
    ),
    "number whose '+' the command line dropped": (
        setter("numbers[0].number", "815012345678"),
        "numbers[0].number",
        "pulumi config set --path --type string 'numbers[0].number' +815012345678",
    ),
    "domain prefix over one DNS label": (setter("trunk.domainPrefix", "a" * 64), "trunk.domainPrefix", "at most 63"),
    "dial prefix not a number": (setter("numbers[0].dialPrefix", "1a"), "numbers[0].dialPrefix", "1–999"),
    "friendly name too long": (setter("trunk.friendlyName", "x" * 65), "trunk.friendlyName", "at most 64"),
    "disaster recovery in the guide's 00 form": (
        setter("trunk.disasterRecovery.forwardTo", "0018008112345"),
        "trunk.disasterRecovery.forwardTo",
        "did you mean +18008112345?",
    ),
    "malformed account SID": (setter("twilio.accountSid", "AC123"), "twilio.accountSid", "32 hexadecimal"),
    "secure trunking on": (setter("trunk.secure", True), "trunk.secure", "false"),
    "disaster recovery number not E.164": (
        setter("trunk.disasterRecovery.forwardTo", "0018008112345"),
        "trunk.disasterRecovery.forwardTo",
        "E.164",
    ),
    "LiveAgent URL with a path": (
        setter("liveagent.url", "https://x.ladesk.com/api/v3"),
        "liveagent.url",
        "account URL",
    ),
    "unknown LiveAgent department": (setter("numbers[0].department", "Nobody"), "numbers[0].department", "Support"),
    "number the account does not own": (
        setter("numbers[1].number", "+815012349999"),
        "numbers[1].number",
        "Remove it from numbers",
    ),
}


@pytest.fixture(scope="module")
def stack(sandbox_process: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> EngineStack:
    return EngineStack(tmp_path_factory.mktemp("config"))


def preview_error(stack: EngineStack, config: dict[str, Any], secret: frozenset[str] | None = None) -> str:
    if secret is None:
        stack.configure(config)
    else:
        stack.configure(config, secret=secret)
    return shown_preview_failure(stack)


def preview_error_in(stack: EngineStack, config: dict[str, Any], api_namespace: str) -> str:
    stack.configure(config, api_namespace=api_namespace)
    return shown_preview_failure(stack)


def shown_preview_failure(stack: EngineStack) -> str:
    # What the terminal shows for a plain `pulumi preview` in the folder: stdout and stderr together.
    done = stack.run("preview", "--non-interactive")
    assert done.returncode != 0, done.stdout
    shown = strip_ansi(done.stdout + done.stderr)
    for noise in ("Traceback", "Resource monitor has terminated", "property ", "_provider.errors"):
        assert noise not in shown, shown
    return shown


@pytest.mark.parametrize("case", list(CASES))
def test_bad_value_fails_at_preview_naming_the_key(stack: EngineStack, sandbox_process: Sandbox, case: str) -> None:
    mutate, key, hint = CASES[case]
    config = copy.deepcopy(base_config(sandbox_process))
    mutate(config)
    sandbox_process.clear_counters()
    message = preview_error(stack, config)
    assert key in message, message
    assert hint in message, message
    assert sandbox_process.writes() == 0


def test_secret_in_plain_text_is_refused(stack: EngineStack, sandbox_process: Sandbox) -> None:
    sandbox_process.clear_counters()
    message = preview_error(stack, base_config(sandbox_process), secret=frozenset({"liveagent", "credentials"}))
    assert "pulumi-python:twilio.authToken: is stored in plain text" in message, message
    assert "pulumi config set --path --secret pulumi-python:twilio.authToken <value>" in message
    assert SEED_AUTH_TOKEN not in message, "the error must not echo the secret"
    assert sandbox_process.writes() == 0


def test_api_settings_in_their_old_place_are_refused_with_the_commands_that_move_them(
    stack: EngineStack, sandbox_process: Sandbox
) -> None:
    """Before they moved to `pulumi-python:`, the API settings were project config; such a stack is told how."""
    sandbox_process.clear_counters()
    message = preview_error_in(stack, base_config(sandbox_process), api_namespace="twilio-liveagent")
    assert "twilio-liveagent:twilio: API settings are no longer read from here" in message, message
    assert (
        'pulumi config set --path --secret pulumi-python:twilio.authToken "$(pulumi config get --path '
        'twilio-liveagent:twilio.authToken)"' in message
    ), message
    assert "pulumi config rm twilio-liveagent:liveagent" in message, message
    assert SEED_AUTH_TOKEN not in message
    assert sandbox_process.counters("twilio")["total"] == 0, "no request before the config is right"


def test_all_problems_are_reported_at_once(stack: EngineStack, sandbox_process: Sandbox) -> None:
    config = base_config(sandbox_process)
    config["numbers"][0]["dialPrefix"] = 1000
    config["origination"]["weight"] = 0
    message = preview_error(stack, config)
    assert "numbers[0].dialPrefix" in message and "origination.weight" in message


def test_a_password_set_without_secret_is_told_the_command(stack: EngineStack, sandbox_process: Sandbox) -> None:
    sandbox_process.clear_counters()
    message = preview_error(stack, base_config(sandbox_process), secret=frozenset({"twilio", "liveagent"}))
    assert "twilio-liveagent:credentials.password: is stored in plain text" in message, message
    assert "pulumi config set --path --secret credentials.password <value>" in message, message
    assert sandbox_process.writes() == 0


def test_every_entry_the_accounts_refuse_is_named_in_one_preview(stack: EngineStack, sandbox_process: Sandbox) -> None:
    """60 numbers, 12 of them the account's: one preview names all 48 others, and each unknown department."""
    config = base_config(sandbox_process)
    owned = sorted(sandbox_process.numbers_by_e164())
    numbers = [*owned, *(f"+8150123{index:05d}" for index in range(60 - len(owned)))]
    config["numbers"] = [
        {"number": number, "name": f"n{index}", "department": "Support", "dialPrefix": index + 1}
        for index, number in enumerate(numbers)
    ]
    config["numbers"][0]["department"] = "Nobody"
    config["numbers"][1]["department"] = "Nobody either"
    sandbox_process.clear_counters()
    message = preview_error(stack, config)
    named = {number for number in numbers if f"{number} is not a number of this Twilio account" in message}
    assert named == set(numbers) - set(owned), "every number the account does not own, in one preview"
    assert "numbers[0].department" in message and "numbers[1].department" in message
    assert sandbox_process.writes() == 0
