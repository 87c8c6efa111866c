"""The stack config: one pydantic model, read from Pulumi config once and validated before any API call."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from stack import api_settings, rules

PROJECT = "twilio-liveagent"
# Keys that hold a secret leaf: they must be set with `pulumi config set --secret`. The APIs' own
# credentials are not here: they live in the environment or in `pulumi-python:` config (api_settings).
SECRET_PATHS = {"credentials": "password"}
# Where the API settings were kept before they moved to the provider's namespace.
MOVED = {"twilio": api_settings.NAMESPACE, "liveagent": api_settings.NAMESPACE}


NUMBER_KEYS = {"number", "forwardTo"}  # phone numbers: text with a leading '+'


class ConfigError(ValueError):
    """Bad stack config; the message names each key, what is wrong and what would be right."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _rule(problem: Callable[[Any], str | None]) -> Callable[[Any], Any]:
    """A pydantic validator from a rule of `rules`: the value as it is, or the rule's message."""

    def check(value: Any) -> Any:
        message = problem(value)
        if message:
            raise ValueError(message)
        return value

    return check


def _phone_number(value: Any, info: ValidationInfo) -> Any:
    """rules.phone_number_problem with the stack's `defaultRegion` (passed as validation context)."""
    return _rule(lambda number: rules.phone_number_problem(number, (info.context or {}).get("region")))(value)


class Recording(_Model):
    mode: rules.RecordingMode = rules.DEFAULT_RECORDING_MODE
    trim: rules.RecordingTrim = rules.DEFAULT_RECORDING_TRIM


class DisasterRecovery(_Model):
    forward_to: str = Field(
        alias="forwardTo",
        description="E.164 number that gets the calls when LiveAgent cannot be reached",
    )
    method: rules.HttpMethod = rules.DEFAULT_HTTP_METHOD

    _forward_to = field_validator("forward_to")(_phone_number)

    @property
    def url(self) -> str:
        return rules.twimlets_forward_url(self.forward_to)


class TrunkConfig(_Model):
    friendly_name: str = Field("LiveAgent", alias="friendlyName", min_length=1, max_length=rules.FRIENDLY_NAME_MAX)
    domain_prefix: str = Field(alias="domainPrefix", description="termination SIP URI is <prefix>.pstn.twilio.com")
    edge: str | None = Field(
        rules.DEFAULT_EDGE, description="edge of the region-pinned host given to LiveAgent, or null"
    )
    secure: bool = Field(False, description="Secure Trunking; LiveAgent needs it off")
    transfer_mode: rules.TransferMode = Field(rules.DEFAULT_TRANSFER_MODE, alias="transferMode")
    transfer_caller_id: rules.TransferCallerId = Field(rules.DEFAULT_TRANSFER_CALLER_ID, alias="transferCallerId")
    cnam_lookup_enabled: bool = Field(False, alias="cnamLookupEnabled")
    recording: Recording = Field(default_factory=lambda: Recording.model_validate({}))
    disaster_recovery: DisasterRecovery | None = Field(None, alias="disasterRecovery")

    _prefix = field_validator("domain_prefix")(_rule(rules.domain_prefix_problem))
    _edge = field_validator("edge")(_rule(rules.edge_problem))
    _secure = field_validator("secure")(_rule(lambda secure: rules.SECURE_PROBLEM if secure else None))


class OriginationConfig(_Model):
    sip_url: str = Field(rules.DEFAULT_ORIGINATION_URI, alias="uri", description="where Twilio sends inbound calls")
    weight: int = Field(rules.DEFAULT_ORIGINATION_WEIGHT, ge=rules.WEIGHT_RANGE[0], le=rules.WEIGHT_RANGE[1])
    priority: int = Field(rules.DEFAULT_ORIGINATION_PRIORITY, ge=rules.PRIORITY_RANGE[0], le=rules.PRIORITY_RANGE[1])
    enabled: bool = True
    friendly_name: str = Field("LiveAgent", alias="friendlyName", min_length=1, max_length=rules.FRIENDLY_NAME_MAX)
    keep_others: bool = Field(False, alias="keepOthers", description="leave other origination URLs on the trunk")

    _sip = field_validator("sip_url")(_rule(rules.sip_uri_problem))


class CredentialsConfig(_Model):
    list_name: str = Field("LiveAgent", alias="listName", min_length=1, max_length=rules.FRIENDLY_NAME_MAX)
    username: Annotated[str, Field(description="SIP username")]
    password: SecretStr = Field(description="SIP password; set it with --secret")

    _username = field_validator("username")(_rule(rules.username_problem))
    _password = field_validator("password")(_rule(lambda secret: rules.password_problem(secret.get_secret_value())))


class NumberConfig(_Model):
    number: str = Field(description="E.164, e.g. +815012345678")
    name: str = Field(min_length=1, max_length=rules.NUMBER_NAME_MAX, description="the name shown in LiveAgent")
    department_name: str = Field(min_length=1, alias="department", description="LiveAgent department (team) name")
    dial_prefix: int = Field(alias="dialPrefix", description="short-dial prefix, 1 to 999")
    record_in_call: bool = Field(False, alias="recordInCall")
    record_out_call: bool = Field(False, alias="recordOutCall")
    auth_user: str = Field("", alias="authUser", description="SIP user to authenticate as, if not credentials.username")
    adopt: bool = Field(False, description="take over a LiveAgent number that already exists")
    take_over: bool = Field(False, alias="takeOver", description="attach it even if it is on another trunk")

    _prefix = field_validator("dial_prefix")(_rule(rules.dial_prefix_problem))
    _auth_user = field_validator("auth_user")(_rule(lambda user: rules.username_problem(user) if user else None))
    _number = field_validator("number")(_phone_number)


class LiveAgentNumberConfig(_Model):
    """The admin panel's SIP → Twilio profile, which every new LiveAgent number copies: the API documents its
    fields (`providerid`, `host_settings`, `port`) but not the values the "Twilio" profile puts there."""

    profile_from: str | None = Field(
        None,
        alias="profileFrom",
        description="an existing LiveAgent number made in the admin panel (SIP → Twilio) to copy the profile from",
    )
    provider_id: str | None = Field(None, alias="providerId", min_length=1, description="`providerid`, over the copy")
    host_settings: str | None = Field(None, alias="hostSettings", description="`host_settings` (JSON), over the copy")
    port: int | None = Field(None, ge=rules.SIP_PORT_RANGE[0], le=rules.SIP_PORT_RANGE[1], description="SIP port")

    @field_validator("profile_from")
    @classmethod
    def _profile_number(cls, value: Any, info: ValidationInfo) -> Any:
        return value if value is None else _phone_number(value, info)

    _host_settings = field_validator("host_settings")(
        _rule(lambda value: None if value is None else rules.host_settings_problem(value))
    )


class StackConfig(_Model):
    trunk: TrunkConfig
    origination: OriginationConfig = Field(default_factory=lambda: OriginationConfig.model_validate({}))
    credentials: CredentialsConfig
    numbers: list[NumberConfig] = Field(default_factory=list)
    outbound_countries: list[str] = Field(default_factory=list, alias="outboundCountries")
    adopt: bool = Field(False, description="take over what exists already (made by hand) instead of refusing it")
    default_region: str = Field(
        rules.DEFAULT_REGION,
        alias="defaultRegion",
        description="how a number without '+' is read (it is refused "
        "with its E.164 spelling as the suggestion), e.g. 050-1234-5678 in JP is +815012345678",
    )

    _region = field_validator("default_region")(_rule(rules.region_problem))

    liveagent_number: LiveAgentNumberConfig = Field(
        default_factory=lambda: LiveAgentNumberConfig.model_validate({}), alias="liveagentNumber"
    )

    @field_validator("outbound_countries")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        _rule(rules.countries_problem)(value)
        return [country.upper() for country in value]

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
        return rules.termination_domain(self.trunk.domain_prefix)

    @property
    def pinned_termination_host(self) -> str:
        return rules.pinned_termination_host(self.trunk.domain_prefix, self.trunk.edge)


def _location(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def _moved(key: str, value: Any, project: str) -> str:
    """The problem of an API settings key kept where it was before it moved, with the commands that move it."""
    namespace = MOVED[key]
    leaves = value if isinstance(value, dict) else {}
    secret = api_settings.SECRET_LEAVES[key]
    commands = [
        f"pulumi config set --path {'--secret ' if leaf in secret else ''}{namespace}:{key}.{leaf} "
        f'"$(pulumi config get --path {project}:{key}.{leaf})"'
        for leaf in leaves
    ]
    commands.append(f"pulumi config rm {project}:{key}")
    return (
        f"{project}:{key}: API settings are no longer read from here: they come from the environment (see README, "
        f"Credentials) or from {namespace}:{key}, where refresh and destroy always get their current values and "
        "no state holds them. Export the variables and remove this key, or move it:\n      " + "\n      ".join(commands)
    )


def _validate(raw: dict[str, Any], secret_keys: set[str] | None, project: str) -> tuple[StackConfig | None, list[str]]:
    problems = [_moved(key, raw[key], project) for key in MOVED if key in raw]
    raw = {key: value for key, value in raw.items() if key not in MOVED}
    leaves = {key: (leaf,) for key, leaf in SECRET_PATHS.items()}
    problems += api_settings.plain_text_secrets(raw, leaves, secret_keys, project, "")
    try:
        region = raw.get("defaultRegion", rules.DEFAULT_REGION)
        context = {"region": region if rules.region_problem(region) is None else None}
        return StackConfig.model_validate(raw, context=context), problems
    except ValidationError as error:
        for item in error.errors():
            where = _location(item["loc"])
            message = _message(item, where)
            problems.append(f"{project}:{where}: {message}" if where else f"{project}:{message}")
        return None, problems


# Whole-number keys and the range each takes, for a value that is not a whole number at all.
RANGES = {
    "dialPrefix": rules.DIAL_PREFIX_RANGE,
    "weight": rules.WEIGHT_RANGE,
    "priority": rules.PRIORITY_RANGE,
    "port": rules.SIP_PORT_RANGE,
}


def _message(item: Any, where: str) -> str:
    """What is wrong with one value, in the project's words (pydantic's where it says it well)."""
    leaf, value = where.split(".")[-1].split("[")[0], item.get("input")
    kind = item["type"]
    if kind == "missing":
        return "is required but not set" + (" (set it with --secret)" if leaf in SECRET_PATHS.values() else "")
    if kind == "extra_forbidden":
        return "is not a known setting" + _did_you_mean(leaf)
    if kind == "string_type" and leaf in NUMBER_KEYS:
        return f"{value!r} is not text: {SET_AS_TEXT}"
    if kind.startswith("int_") and leaf in RANGES:
        low, high = RANGES[leaf]
        return f"{value!r} is not a whole number: {leaf} is {low}–{high}"
    if kind in ("string_too_long", "string_too_short"):
        size = "at most {max_length}" if kind == "string_too_long" else "at least {min_length}"
        return f"{len(str(value))} characters, where {size.format(**item.get('ctx', {}))} are allowed"
    message = str(item["msg"]).removeprefix("Value error, ")
    meant = re.search(r"did you mean (\+\d+)", message)
    if leaf in NUMBER_KEYS and isinstance(value, str) and value.isdigit() and not value.startswith("0") and meant:
        # The '+' the user typed was dropped on the command line.
        message += f"; {SET_AS_TEXT}: pulumi config set --path --type string '{where}' {meant.group(1)}"
    return message


SET_AS_TEXT = "`pulumi config set --path` drops a leading '+' unless given `--type string`"


def _did_you_mean(key: str) -> str:
    close = difflib.get_close_matches(key, _known_keys(), n=1, cutoff=0.75)
    return f": did you mean {close[0]}?" if close else " (check the spelling against Pulumi.yaml)"


def _known_keys() -> set[str]:
    models: list[type[BaseModel]] = [StackConfig, TrunkConfig, Recording, DisasterRecovery, OriginationConfig]
    models += [CredentialsConfig, NumberConfig, LiveAgentNumberConfig]
    return {field.alias or name for model in models for name, field in model.model_fields.items()}


def _raise(problems: list[str]) -> None:
    if problems:
        raise ConfigError("invalid stack config:\n  " + "\n  ".join(problems))


def parse(raw: dict[str, Any], secret_keys: set[str] | None = None, project: str = PROJECT) -> StackConfig:
    """Validate raw config (keys without the project prefix); every problem is reported at once."""
    config, problems = _validate(raw, secret_keys, project)
    _raise(problems)
    assert config is not None
    return config


def parse_all(
    raw: dict[str, Any],
    provider_raw: dict[str, Any],
    environ: Mapping[str, str],
    secret_keys: set[str] | None = None,
    provider_secret_keys: set[str] | None = None,
    project: str = PROJECT,
) -> tuple[StackConfig, api_settings.ApiSettings]:
    """The project's config and both APIs' settings, with every problem of either reported at once."""
    config, problems = _validate(raw, secret_keys, project)
    apis = None
    try:
        apis = api_settings.resolve(provider_raw, environ, provider_secret_keys)
    except api_settings.ApiSettingsError as error:
        problems.extend(str(error).splitlines())
    _raise(problems)
    assert config is not None and apis is not None
    return config, apis


EXIT_AFTER_SHOWING_ERROR = 32  # Pulumi's language hosts' code for "the program already showed its error"


def _namespace(every_key: Mapping[str, Any], namespace: str) -> tuple[dict[str, Any], set[str]]:
    from pulumi.runtime.config import is_config_secret

    raw: dict[str, Any] = {}
    secret_keys = set()
    for full_key, value in every_key.items():
        if not full_key.startswith(namespace + ":"):
            continue  # another package's config, e.g. pulumi:tags
        key = full_key[len(namespace) + 1 :]
        raw[key] = api_settings.decode(value)
        if is_config_secret(full_key):
            secret_keys.add(key)
    return raw, secret_keys


def load() -> tuple[StackConfig, api_settings.ApiSettings]:
    """Read the stack's config through Pulumi (once, in the program) and validate it, API settings included."""
    import pulumi
    from pulumi.runtime.config import CONFIG, get_config_env

    project = pulumi.Config().name
    every_key = {**(get_config_env() or {}), **CONFIG.get()}
    raw, secret_keys = _namespace(every_key, project)
    provider_raw, provider_secret_keys = _namespace(every_key, api_settings.NAMESPACE)
    try:
        return parse_all(raw, provider_raw, os.environ, secret_keys, provider_secret_keys, project)
    except ConfigError as error:
        # Shown once, as it is; the exit code tells the language host the user has seen the error, so the
        # CLI adds no "program exited with non-zero exit code" line after it.
        pulumi.log.error(str(error))
        raise SystemExit(EXIT_AFTER_SHOWING_ERROR) from None
