"""Where the APIs' credentials come from: the environment first, then `pulumi-python:` config, never state."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stack import api_settings
from stack.api_settings import ApiSettingsError, liveagent_settings, resolve, twilio_settings

SID = "AC" + "a" * 32
KEY = "SK" + "b" * 32
CONFIG: dict[str, Any] = {
    "twilio": {"accountSid": SID, "authToken": "config-token", "apiBaseUrl": "http://127.0.0.1:1"},
    "liveagent": {"url": "https://example.ladesk.com", "apiKey": "config-key"},
}


def test_stack_config_is_used_when_the_environment_has_nothing() -> None:
    twilio = twilio_settings(CONFIG, {})
    assert (twilio.account_sid, twilio.key_sid, twilio.secret) == (SID, None, "config-token")
    assert twilio.source == "auth token from pulumi-python:twilio.authToken (stack config)"
    liveagent = liveagent_settings(CONFIG, {})
    assert (liveagent.url, liveagent.api_key) == ("https://example.ladesk.com", "config-key")
    assert liveagent.source == "API key from pulumi-python:liveagent.apiKey (stack config)"


def test_the_environment_wins_and_an_api_key_authenticates_with_its_sid() -> None:
    other = "AC" + "c" * 32
    environ = {
        "TWILIO_ACCOUNT_SID": other,
        "TWILIO_API_KEY": KEY,
        "TWILIO_API_SECRET": "s3cret",
        "TWILIO_AUTH_TOKEN": "t",
    }
    twilio = twilio_settings(CONFIG, environ)
    assert (twilio.account_sid, twilio.key_sid, twilio.secret) == (other, KEY, "s3cret")
    assert twilio.source == "API key from TWILIO_API_KEY/TWILIO_API_SECRET (environment)"
    assert twilio.base_url == "http://127.0.0.1:1", "what the environment does not set still comes from config"
    token = twilio_settings(CONFIG, {"TWILIO_AUTH_TOKEN": "env-token"})
    assert (token.secret, token.source) == ("env-token", "auth token from TWILIO_AUTH_TOKEN (environment)")
    liveagent = liveagent_settings(CONFIG, {"LIVEAGENT_API_KEY": "env-key", "LIVEAGENT_URL": "https://b.ladesk.com"})
    assert (liveagent.url, liveagent.api_key) == ("https://b.ladesk.com", "env-key")
    assert liveagent.source == "API key from LIVEAGENT_API_KEY (environment)"


def test_no_value_is_ever_in_a_settings_repr_or_source() -> None:
    twilio = twilio_settings(CONFIG, {"TWILIO_API_KEY": KEY, "TWILIO_API_SECRET": "s3cret"})
    liveagent = liveagent_settings(CONFIG, {})
    for text in (repr(twilio), twilio.source, repr(liveagent), liveagent.source):
        assert "s3cret" not in text and "config-key" not in text and "config-token" not in text


@pytest.mark.parametrize(
    ("config", "environ", "names"),
    [
        ({}, {}, ["TWILIO_ACCOUNT_SID", "TWILIO_API_KEY", "pulumi-python:twilio.authToken", "LIVEAGENT_API_KEY"]),
        (CONFIG, {"TWILIO_API_KEY": KEY}, ["TWILIO_API_KEY is set but TWILIO_API_SECRET is not"]),
        (CONFIG, {"TWILIO_API_SECRET": "x"}, ["TWILIO_API_SECRET is set but TWILIO_API_KEY is not"]),
        (CONFIG, {"TWILIO_API_KEY": SID, "TWILIO_API_SECRET": "x"}, ["TWILIO_API_KEY: must be SK followed"]),
        (CONFIG, {"TWILIO_ACCOUNT_SID": "AC1"}, ["TWILIO_ACCOUNT_SID: must be AC followed by 32"]),
        (CONFIG, {"LIVEAGENT_URL": "example.ladesk.com"}, ["LIVEAGENT_URL: must be the account URL"]),
        ({**CONFIG, "twilio": {"authToken": "t"}}, {}, ["pulumi-python:twilio.accountSid"]),
        ({**CONFIG, "twilio": {**CONFIG["twilio"], "authtoken": "t"}}, {}, ["pulumi-python:twilio.authtoken: is not"]),
    ],
)
def test_each_problem_names_the_variable_or_key_to_fix(
    config: dict[str, Any], environ: dict[str, str], names: list[str]
) -> None:
    with pytest.raises(ApiSettingsError) as failed:
        resolve(config, environ)
    for name in names:
        assert name in str(failed.value), str(failed.value)


def test_a_secret_kept_in_plain_text_config_is_refused_with_the_command_that_fixes_it() -> None:
    with pytest.raises(ApiSettingsError) as failed:
        resolve(CONFIG, {}, secret_keys={"liveagent"})
    assert "pulumi config set --path --secret pulumi-python:twilio.authToken <value>" in str(failed.value)
    assert "config-token" not in str(failed.value)


def test_the_plugin_reads_the_config_the_engine_hands_it() -> None:
    # What the engine puts in a provider plugin's PULUMI_CONFIG: its namespace's keys, objects as JSON text.
    environ = {"PULUMI_CONFIG": json.dumps({key: json.dumps(value) for key, value in CONFIG.items()})}
    assert api_settings.plugin_config(environ) == CONFIG
    assert api_settings.plugin_config({}) == {}
