"""Where the two APIs' settings come from: the environment first, then `pulumi-python:` stack config.

The engine hands a provider plugin the current stack config of its own package's namespace in the
PULUMI_CONFIG variable, on every command (refresh and destroy included, which do not run the program);
for Python dynamic providers that namespace is `pulumi-python`. Read from there or from the environment,
credentials and base URLs are never copied into state: the program registers an explicit provider with
no inputs, so rotating a key or moving a URL takes effect on the next command, whatever it is.

The program resolves the same settings with the same functions, to fail at preview with one message and
to say which source is in use.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from liveagent_provider.client import LiveAgentSettings
from provider_kit.base import MissingCredentials
from stack import rules
from twilio_provider.client import TwilioSettings

NAMESPACE = "pulumi-python"  # the package of every Python dynamic provider, so the engine's name for ours
# Keys of `pulumi-python:` config that must be set with --secret.
SECRET_LEAVES = {"twilio": ("authToken", "apiSecret"), "liveagent": ("apiKey",)}
# Named as Twilio's own CLI and helper libraries name them; LiveAgent's as its docs call the settings.
TWILIO_ACCOUNT_SID = "TWILIO_ACCOUNT_SID"
TWILIO_AUTH_TOKEN = "TWILIO_AUTH_TOKEN"
TWILIO_API_KEY = "TWILIO_API_KEY"
TWILIO_API_SECRET = "TWILIO_API_SECRET"
TWILIO_API_BASE_URL = "TWILIO_API_BASE_URL"  # ours: only the sandbox needs another base
LIVEAGENT_URL = "LIVEAGENT_URL"
LIVEAGENT_API_KEY = "LIVEAGENT_API_KEY"
ENVIRONMENT = (
    TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
    TWILIO_API_KEY,
    TWILIO_API_SECRET,
    TWILIO_API_BASE_URL,
    LIVEAGENT_URL,
    LIVEAGENT_API_KEY,
)
ACCOUNT_SID = r"^AC[0-9a-fA-F]{32}$"
API_KEY_SID = r"^SK[0-9a-fA-F]{32}$"
ACCOUNT_URL = r"^https?://[^/]+/?$"


class ApiSettingsError(MissingCredentials):
    """Missing or malformed API settings; the message names each config key or variable and the fix."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _ApiConfig(_Model):
    timeout_seconds: float = Field(
        rules.READ_TIMEOUT_S, alias="timeoutSeconds", ge=rules.READ_TIMEOUT_RANGE[0], le=rules.READ_TIMEOUT_RANGE[1]
    )


class TwilioApiConfig(_ApiConfig):
    account_sid: str | None = Field(None, alias="accountSid", pattern=ACCOUNT_SID)
    auth_token: SecretStr | None = Field(None, alias="authToken")
    api_key: str | None = Field(None, alias="apiKey", pattern=API_KEY_SID)
    api_secret: SecretStr | None = Field(None, alias="apiSecret")
    api_base_url: str | None = Field(None, alias="apiBaseUrl", pattern=r"^https?://")


class RateLimit(_Model):
    requests: int = Field(rules.LIVEAGENT_RATE_LIMIT[0], ge=1)
    window_seconds: float = Field(rules.LIVEAGENT_RATE_LIMIT[1], alias="windowSeconds", gt=0)


class LiveAgentApiConfig(_ApiConfig):
    url: str | None = Field(None, pattern=ACCOUNT_URL)
    api_key: SecretStr | None = Field(None, alias="apiKey")
    rate_limit: RateLimit = Field(default_factory=lambda: RateLimit.model_validate({}), alias="rateLimit")


HINTS = {
    "accountSid": "must be AC followed by 32 hexadecimal digits (Twilio console, Account Info)",
    "apiKey": "must be SK followed by 32 hexadecimal digits (the API key's SID)",
    "apiBaseUrl": "must be an http(s) URL",
    "url": "must be the account URL, e.g. https://example.ladesk.com",
}
MODELS: dict[str, type[_Model]] = {"twilio": TwilioApiConfig, "liveagent": LiveAgentApiConfig}


def plugin_config(environ: Mapping[str, str]) -> dict[str, Any]:
    """`pulumi-python:` config as the engine hands it to the provider plugin: {"twilio": {...}, ...}."""
    raw = json.loads(environ.get("PULUMI_CONFIG") or "{}")
    return {key: decode(value) for key, value in raw.items()}


Settings = TypeVar("Settings")


def in_plugin(read: Callable[[Mapping[str, Any], Mapping[str, str]], Settings]) -> Settings:
    """An API's settings as a provider plugin reads them, at each command: `read` (twilio_settings or
    liveagent_settings) over this process's environment and the config the engine hands over (plugin_config)."""
    return read(plugin_config(os.environ), os.environ)


def plain_text_secrets(
    config: Mapping[str, Any],
    leaves: Mapping[str, Sequence[str]],
    secret_keys: set[str] | None,
    namespace: str,
    command_prefix: str,
) -> list[str]:
    """A problem for each secret leaf of `config` that Pulumi holds in plain text, with the command that fixes
    it (`command_prefix`: how the key is spelt in that command). `secret_keys` None: not known, not checked."""
    problems = []
    for key, names in leaves.items():
        value = config.get(key)
        for leaf in names:
            if secret_keys is not None and isinstance(value, dict) and value.get(leaf) and key not in secret_keys:
                problems.append(
                    f"{namespace}:{key}.{leaf}: is stored in plain text; set it as a secret: "
                    f"pulumi config set --path --secret {command_prefix}{key}.{leaf} <value>"
                )
    return problems


def decode(value: Any) -> Any:
    """A config value as Pulumi hands it over: objects and lists arrive as JSON text."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _parse(config: Mapping[str, Any], key: str) -> Any:
    try:
        return MODELS[key].model_validate(config.get(key) or {})
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"])
            leaf = str(item["loc"][-1]) if item["loc"] else ""
            if item["type"] == "extra_forbidden":
                message = "is not a known setting"
            elif item["type"] == "string_pattern_mismatch" and leaf in HINTS:
                message = HINTS[leaf]  # never the value: a secret pasted into the wrong key would show
            else:
                message = item["msg"]
            problems.append(f"{NAMESPACE}:{key}.{where}: {message}")
        raise ApiSettingsError("\n".join(problems)) from None


def _env(environ: Mapping[str, str], name: str) -> str | None:
    return environ.get(name) or None


def _missing_pair(found: str, missing: str) -> ApiSettingsError:
    return ApiSettingsError(f"{found} is set but {missing} is not: set both (an API key is its SID and its secret)")


def twilio_settings(config: Mapping[str, Any], environ: Mapping[str, str]) -> TwilioSettings:
    """Account SID, API key or auth token, and base URL: each from the environment when set there."""
    cfg: TwilioApiConfig = _parse(config, "twilio")
    key, secret = _env(environ, TWILIO_API_KEY), _env(environ, TWILIO_API_SECRET)
    token = _env(environ, TWILIO_AUTH_TOKEN)
    if key or secret:
        if not (key and secret):
            raise _missing_pair(
                TWILIO_API_KEY if key else TWILIO_API_SECRET, TWILIO_API_SECRET if key else TWILIO_API_KEY
            )
        if not _matches(API_KEY_SID, key):
            raise ApiSettingsError(f"{TWILIO_API_KEY}: {HINTS['apiKey']}")
        key_sid, password, source = key, secret, f"API key from {TWILIO_API_KEY}/{TWILIO_API_SECRET} (environment)"
    elif token:
        key_sid, password, source = None, token, f"auth token from {TWILIO_AUTH_TOKEN} (environment)"
    elif cfg.api_key or cfg.api_secret:
        if not (cfg.api_key and cfg.api_secret):
            have, lack = ("apiKey", "apiSecret") if cfg.api_key else ("apiSecret", "apiKey")
            raise _missing_pair(f"{NAMESPACE}:twilio.{have}", f"{NAMESPACE}:twilio.{lack}")
        key_sid, password = cfg.api_key, cfg.api_secret.get_secret_value()
        source = f"API key from {NAMESPACE}:twilio.apiKey/apiSecret (stack config)"
    elif cfg.auth_token:
        key_sid, password = None, cfg.auth_token.get_secret_value()
        source = f"auth token from {NAMESPACE}:twilio.authToken (stack config)"
    else:
        raise ApiSettingsError(
            f"Twilio credentials are not set: export {TWILIO_ACCOUNT_SID} with {TWILIO_API_KEY} and "
            f"{TWILIO_API_SECRET} (or {TWILIO_AUTH_TOKEN}), or keep them in stack config: "
            f"pulumi config set --path --secret {NAMESPACE}:twilio.apiSecret <secret> (with "
            f"{NAMESPACE}:twilio.apiKey and {NAMESPACE}:twilio.accountSid), or --secret {NAMESPACE}:twilio.authToken"
        )
    account_sid = _env(environ, TWILIO_ACCOUNT_SID)
    if account_sid and not _matches(ACCOUNT_SID, account_sid):
        raise ApiSettingsError(f"{TWILIO_ACCOUNT_SID}: {HINTS['accountSid']}")
    account_sid = account_sid or cfg.account_sid
    if not account_sid:
        raise ApiSettingsError(
            f"the Twilio account SID is not set: export {TWILIO_ACCOUNT_SID}=AC… or "
            f"pulumi config set --path {NAMESPACE}:twilio.accountSid AC…"
        )
    base_url = _env(environ, TWILIO_API_BASE_URL) or cfg.api_base_url
    url_source = (
        f"the environment's {TWILIO_API_BASE_URL}"
        if _env(environ, TWILIO_API_BASE_URL)
        else f"the stack config's {NAMESPACE}:twilio.apiBaseUrl"
        if base_url
        else "Twilio's public hosts"
    )
    timeout = (TwilioSettings.timeout[0], cfg.timeout_seconds)
    return TwilioSettings(
        account_sid, password, base_url, timeout=timeout, key_sid=key_sid, source=source, url_source=url_source
    )


def liveagent_settings(config: Mapping[str, Any], environ: Mapping[str, str]) -> LiveAgentSettings:
    """Account URL and API v3 key, each from the environment when set there; the rate limit from config."""
    cfg: LiveAgentApiConfig = _parse(config, "liveagent")
    url = _env(environ, LIVEAGENT_URL)
    if url and not _matches(ACCOUNT_URL, url):
        raise ApiSettingsError(f"{LIVEAGENT_URL}: {HINTS['url']}")
    url_source = f"the environment's {LIVEAGENT_URL}" if url else f"the stack config's {NAMESPACE}:liveagent.url"
    url = url or cfg.url
    key = _env(environ, LIVEAGENT_API_KEY)
    source = f"API key from {LIVEAGENT_API_KEY} (environment)"
    if not key and cfg.api_key:
        key, source = cfg.api_key.get_secret_value(), f"API key from {NAMESPACE}:liveagent.apiKey (stack config)"
    problems = []
    if not url:
        problems.append(
            f"the LiveAgent account URL is not set: export {LIVEAGENT_URL}=https://ACCOUNT.ladesk.com or "
            f"pulumi config set --path {NAMESPACE}:liveagent.url https://ACCOUNT.ladesk.com"
        )
    if not key:
        problems.append(
            f"the LiveAgent API key is not set: export {LIVEAGENT_API_KEY}, or "
            f"pulumi config set --path --secret {NAMESPACE}:liveagent.apiKey <key>"
        )
    if problems or not (url and key):
        raise ApiSettingsError("\n".join(problems))
    limit = cfg.rate_limit
    timeout = (LiveAgentSettings.timeout[0], cfg.timeout_seconds)
    return LiveAgentSettings(
        url, key, limit.requests, limit.window_seconds, timeout=timeout, source=source, url_source=url_source
    )


@dataclass(frozen=True)
class ApiSettings:
    twilio: TwilioSettings
    liveagent: LiveAgentSettings


def resolve(config: Mapping[str, Any], environ: Mapping[str, str], secret_keys: set[str] | None = None) -> ApiSettings:
    """Both APIs' settings, or one ApiSettingsError listing every problem (for the program, at preview).

    `secret_keys` (the `pulumi-python:` keys stored encrypted) turns a secret kept in plain text into an error.
    """
    problems = plain_text_secrets(config, SECRET_LEAVES, secret_keys, NAMESPACE, f"{NAMESPACE}:")
    found: dict[str, Any] = {}
    for key, read in (("twilio", twilio_settings), ("liveagent", liveagent_settings)):
        try:
            found[key] = read(config, environ)
        except ApiSettingsError as error:
            problems.extend(str(error).splitlines())
    if problems:
        raise ApiSettingsError("\n".join(problems))
    return ApiSettings(found["twilio"], found["liveagent"])


def _matches(pattern: str, value: str) -> bool:
    return re.fullmatch(pattern, value) is not None
