"""The stack config: one pydantic model, read from Pulumi config once and validated before any API call."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from twilio_provider.credential_list import password_problems

PROJECT = "twilio-liveagent"
DEFAULT_ORIGINATION_URI = "sip:1-sip-la-sg.ladesk.com"
E164 = r"^\+[1-9]\d{6,14}$"
# Twilio's localized termination hosts: current edge names and the legacy region names (twilio-api.md §4.4).
EDGES = {
    "ashburn": "us1",
    "umatilla": "us2",
    "dublin": "ie1",
    "frankfurt": "de1",
    "singapore": "sg1",
    "tokyo": "jp1",
    "sao-paulo": "br1",
    "sydney": "au1",
}
LEGACY_EDGES = set(EDGES.values())
# ISO 3166-1 alpha-2, the codes Twilio's dialing permissions use.
ISO_COUNTRIES = set(
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ "
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO "
    "FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE "
    "JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO "
    "MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW "
    "PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM "
    "TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK".split()
)
# Keys that hold a secret leaf: they must be set with `pulumi config set --secret`.
SECRET_PATHS = {"twilio": "authToken", "liveagent": "apiKey", "credentials": "password"}


PATTERN_HINTS = {
    "number": "must be E.164: '+', country code and number, no spaces or dashes, e.g. +815012345678",
    "forwardTo": "must be E.164: '+', country code and number, no spaces or dashes, e.g. +18008112345",
    "accountSid": "must be AC followed by 32 hexadecimal digits (Twilio console, Account Info)",
    "url": "must be the account URL, e.g. https://example.ladesk.com",
    "apiBaseUrl": "must be an http(s) URL",
}


class ConfigError(ValueError):
    """Bad stack config; the message names each key, what is wrong and what would be right."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _alnum(what: str, maximum: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not re.fullmatch(rf"[A-Za-z0-9]{{1,{maximum}}}", value):
            raise ValueError(
                f"{what} must be 1 to {maximum} letters or digits, with no special characters "
                "(Twilio and LiveAgent reject characters such as @#$%)"
            )
        return value

    return check


class TwilioConfig(_Model):
    account_sid: str = Field(
        alias="accountSid", pattern=r"^AC[0-9a-fA-F]{32}$", description="Account SID (AC followed by 32 hex digits)"
    )
    auth_token: SecretStr = Field(alias="authToken", description="Auth token; set it with --secret")
    api_base_url: str | None = Field(
        None,
        alias="apiBaseUrl",
        pattern=r"^https?://",
        description="Only for the sandbox: one URL serving all three Twilio hosts",
    )


class RateLimit(_Model):
    requests: int = Field(180, ge=1, description="requests allowed per window per API key")
    window_seconds: float = Field(60.0, alias="windowSeconds", gt=0)


class LiveAgentConfig(_Model):
    url: str = Field(pattern=r"^https?://[^/]+/?$", description="Account URL, e.g. https://example.ladesk.com")
    api_key: SecretStr = Field(alias="apiKey", description="API v3 key; set it with --secret")
    rate_limit: RateLimit = Field(default_factory=lambda: RateLimit.model_validate({}), alias="rateLimit")


class Recording(_Model):
    mode: Literal[
        "do-not-record",
        "record-from-ringing",
        "record-from-answer",
        "record-from-ringing-dual",
        "record-from-answer-dual",
    ] = "do-not-record"
    trim: Literal["trim-silence", "do-not-trim"] = "do-not-trim"


class DisasterRecovery(_Model):
    forward_to: str = Field(
        alias="forwardTo", pattern=E164, description="E.164 number that gets the calls when LiveAgent cannot be reached"
    )
    method: Literal["GET", "POST"] = "POST"

    @property
    def url(self) -> str:
        # The guide's twimlets forward: the international number with 00 in place of '+'.
        return f"https://twimlets.com/forward?PhoneNumber=00{self.forward_to[1:]}"


class TrunkConfig(_Model):
    friendly_name: str = Field("LiveAgent", alias="friendlyName", min_length=1, max_length=64)
    domain_prefix: str = Field(alias="domainPrefix", description="termination SIP URI is <prefix>.pstn.twilio.com")
    edge: str | None = Field("tokyo", description="edge of the region-pinned host given to LiveAgent, or null")
    secure: bool = Field(False, description="Secure Trunking; LiveAgent needs it off")
    transfer_mode: Literal["disable-all", "enable-all", "sip-only"] = Field("disable-all", alias="transferMode")
    cnam_lookup_enabled: bool = Field(False, alias="cnamLookupEnabled")
    recording: Recording = Field(default_factory=lambda: Recording.model_validate({}))
    disaster_recovery: DisasterRecovery | None = Field(None, alias="disasterRecovery")

    @field_validator("domain_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?", value):
            raise ValueError(
                f"{value!r} must be letters, digits and inner hyphens only (no dots or underscores), "
                "e.g. 'somethingliveagentjp' for something.liveagent.jp"
            )
        return value

    @field_validator("edge")
    @classmethod
    def _edge(cls, value: str | None) -> str | None:
        if value is not None and value not in EDGES and value not in LEGACY_EDGES:
            raise ValueError(
                f"{value!r} is not a Twilio edge; use one of {', '.join(sorted(EDGES))} "
                f"(legacy {', '.join(sorted(LEGACY_EDGES))} also accepted) or null"
            )
        return value

    @field_validator("secure")
    @classmethod
    def _secure(cls, value: bool) -> bool:
        if value:
            raise ValueError("LiveAgent's SIP numbers need Secure Trunking off: set it to false or leave it out")
        return value


class OriginationConfig(_Model):
    uri: str = Field(DEFAULT_ORIGINATION_URI, description="where Twilio sends inbound calls")
    weight: int = Field(10, ge=1, le=65535)
    priority: int = Field(10, ge=0, le=65535)
    enabled: bool = True
    friendly_name: str = Field("LiveAgent", alias="friendlyName", min_length=1, max_length=64)

    @field_validator("uri")
    @classmethod
    def _sip(cls, value: str) -> str:
        if not re.fullmatch(r"sip:[^\s]+", value):
            raise ValueError(f"{value!r} must be a sip: URI (sips: is not supported), e.g. {DEFAULT_ORIGINATION_URI}")
        return value


class CredentialsConfig(_Model):
    list_name: str = Field("LiveAgent", alias="listName", min_length=1, max_length=64)
    username: Annotated[str, Field(description="SIP username")]
    password: SecretStr = Field(description="SIP password; set it with --secret")

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        return _alnum("the username", 32)(value)

    @field_validator("password")
    @classmethod
    def _password(cls, value: SecretStr) -> SecretStr:
        problems = password_problems(value.get_secret_value())  # the provider checks the same rule
        if problems:
            raise ValueError("the password is too weak or not allowed: it needs " + ", ".join(problems))
        return value


class NumberConfig(_Model):
    number: str = Field(pattern=E164, description="E.164, e.g. +815012345678")
    name: str = Field(min_length=1, max_length=100, description="the name shown in LiveAgent")
    department: str = Field(min_length=1, description="LiveAgent department (team) name")
    dial_prefix: int = Field(alias="dialPrefix", description="short-dial prefix, 1 to 999")
    record_in_call: bool = Field(False, alias="recordInCall")
    record_out_call: bool = Field(False, alias="recordOutCall")
    adopt: bool = Field(False, description="take over a LiveAgent number that already exists")

    @field_validator("dial_prefix")
    @classmethod
    def _prefix(cls, value: int) -> int:
        if not 1 <= value <= 999:
            raise ValueError(f"{value} is outside 1–999")
        return value


class StackConfig(_Model):
    twilio: TwilioConfig
    liveagent: LiveAgentConfig
    trunk: TrunkConfig
    origination: OriginationConfig = Field(default_factory=lambda: OriginationConfig.model_validate({}))
    credentials: CredentialsConfig
    numbers: list[NumberConfig] = Field(default_factory=list)
    outbound_countries: list[str] = Field(default_factory=list, alias="outboundCountries")

    @field_validator("outbound_countries")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        unknown = [c for c in value if c.upper() not in ISO_COUNTRIES]
        if unknown:
            raise ValueError(f"unknown ISO 3166 country codes {unknown}; use two letters such as JP, US, GB")
        upper = [c.upper() for c in value]
        if len(set(upper)) != len(upper):
            raise ValueError("a country is listed twice")
        return upper

    @model_validator(mode="after")
    def _unique_numbers(self) -> StackConfig:
        seen_numbers: dict[str, int] = {}
        seen_prefixes: dict[int, int] = {}
        errors = []
        for index, entry in enumerate(self.numbers):
            if entry.number in seen_numbers:
                errors.append(
                    f"numbers[{index}].number: {entry.number} is already numbers[{seen_numbers[entry.number]}]"
                )
            seen_numbers.setdefault(entry.number, index)
            if entry.dial_prefix in seen_prefixes:
                errors.append(
                    f"numbers[{index}].dialPrefix: {entry.dial_prefix} is already used by "
                    f"numbers[{seen_prefixes[entry.dial_prefix]}]; each number needs its own prefix"
                )
            seen_prefixes.setdefault(entry.dial_prefix, index)
        if errors:
            raise ValueError("; ".join(errors))
        return self

    # -- derived values
    @property
    def termination_domain(self) -> str:
        return f"{self.trunk.domain_prefix}.pstn.twilio.com"

    @property
    def pinned_termination_host(self) -> str:
        if self.trunk.edge is None:
            return self.termination_domain
        return f"{self.trunk.domain_prefix}.pstn.{self.trunk.edge}.twilio.com"


def _location(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def parse(raw: dict[str, Any], secret_keys: set[str] | None = None, project: str = PROJECT) -> StackConfig:
    """Validate raw config (keys without the project prefix); every problem is reported at once."""
    problems = []
    if secret_keys is not None:
        for key, leaf in SECRET_PATHS.items():
            value = raw.get(key)
            if isinstance(value, dict) and value.get(leaf) and key not in secret_keys:
                problems.append(
                    f"{project}:{key}.{leaf}: is stored in plain text; set it as a secret: "
                    f"pulumi config set --path --secret {key}.{leaf} <value>"
                )
    try:
        config = StackConfig.model_validate(raw)
    except ValidationError as error:
        for item in error.errors():
            where = _location(item["loc"])
            message = item["msg"].removeprefix("Value error, ")
            if item["type"] == "missing":
                message = "is required but not set" + (
                    " (set it with --secret)" if where.split(".")[-1] in SECRET_PATHS.values() else ""
                )
            elif item["type"] == "extra_forbidden":
                message = "is not a known setting (check the spelling against Pulumi.yaml)"
            elif item["type"] == "string_pattern_mismatch" and where.split(".")[-1] in PATTERN_HINTS:
                message = f"{item['input']!r} {PATTERN_HINTS[where.split('.')[-1]]}"
            elif item["type"] == "string_type" and where.split(".")[-1] in PATTERN_HINTS:
                message = (
                    f"{item['input']!r} is not text: set it with `pulumi config set --path --type string` "
                    "so that a leading '+' is kept"
                )
            problems.append(f"{project}:{where}: {message}" if where else f"{project}:{message}")
    else:
        if not problems:
            return config
    raise ConfigError("invalid stack config:\n  " + "\n  ".join(problems))


EXIT_AFTER_SHOWING_ERROR = 32  # Pulumi's language hosts' code for "the program already showed its error"


def load() -> StackConfig:
    """Read the stack's config through Pulumi (once, in the program) and validate it."""
    import json

    import pulumi
    from pulumi.runtime.config import CONFIG, get_config_env, is_config_secret

    namespace = pulumi.Config().name + ":"
    every_key = {**(get_config_env() or {}), **CONFIG.get()}
    raw: dict[str, Any] = {}
    secret_keys = set()
    for full_key, value in every_key.items():
        if not full_key.startswith(namespace):
            continue  # another package's config, e.g. pulumi:tags
        key = full_key[len(namespace) :]
        try:
            raw[key] = json.loads(value) if isinstance(value, str) else value
        except json.JSONDecodeError:
            raw[key] = value
        if is_config_secret(full_key):
            secret_keys.add(key)
    try:
        return parse(raw, secret_keys, namespace[:-1])
    except ConfigError as error:
        # Shown once, as it is; the exit code tells the language host the user has seen the error, so the
        # CLI adds no "program exited with non-zero exit code" line after it.
        pulumi.log.error(str(error))
        raise SystemExit(EXIT_AFTER_SHOWING_ERROR) from None
