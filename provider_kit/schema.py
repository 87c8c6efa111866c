"""Each dynamic resource's properties, declared once: request building, response parsing, check and diff, and
the resource's outputs and secrets (`SchemaResource`), follow from one `Schema` of `Field`s, the way a Terraform
provider's schema map drives its resource.

A field says what our property is called, where the stack config holds it, what the API calls it when we
send it and where it sits in a response, its default, whether a change replaces the resource, whether it is
secret, and its rule from `stack/rules.py`. Components build a resource's inputs from the validated config
through these declarations (`components/inputs.py`), so adding a setting to a resource is its `Field` in the
provider's module, its attribute in the config model (`stack/config.py`) and its description in `Pulumi.yaml`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import CheckResult, Resource, ResourceProvider

from provider_kit.diff import NamedDiff, as_int, check_failures, diff_result, is_unknown
from stack import rules

REQUIRED: Any = object()  # no default: the input must be given


def form_value(value: Any) -> str:
    """How a value is sent in a form body: booleans as `true`/`false` (both APIs), numbers as integers,
    nothing as empty (which clears a setting)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(as_int(value))


@dataclass(frozen=True)
class Field:
    name: str
    """Our property name, in inputs and state."""
    api: str | None = None
    """The request parameter that carries it; None: never sent."""
    response: str | None = None
    """Where it is in a response body, dotted for nested objects; by default our name (Twilio's own
    snake_case); "" where responses never carry it."""
    default: Any = REQUIRED
    """Used when the input is left out (the engine drops null inputs) and when a response omits it."""
    replaces: bool = False
    """A change needs a new resource."""
    secret: bool = False
    """Kept secret in state and output."""
    check: Callable[[Any], str | None] | None = None
    """The rule from `stack/rules.py`, run at preview on known values."""
    choices: tuple[str, ...] = ()
    """For an enum: the values allowed (a rule of its own)."""
    encode: Callable[[Any], str] = form_value
    """How the value is written in a form body (`form_params`)."""
    decode: Callable[[Any], Any] | None = None
    """How a value from a response, or from the stack config, becomes our property's (LiveAgent keeps `port` as
    text)."""
    output_only: bool = False
    """Computed by the API (a SID): read back, never an input."""
    compared: bool = True
    """Part of the diff; False for a write-only value that the provider compares its own way."""
    group: str = ""
    """Requests that carry it, where one resource is written through more than one endpoint."""
    config: str | None = None
    """Where the validated stack config holds it, dotted into nested models (`recording.mode`); by default our
    name. What no config model holds (another resource's SID, the stack-wide `adopt`) the component hands on."""

    @property
    def rule(self) -> Callable[[Any], str | None] | None:
        return rules.one_of(self.choices) if self.choices else self.check

    @property
    def response_path(self) -> str | None:
        if self.response == "":
            return None
        return self.response or self.name

    def read(self, body: Mapping[str, Any]) -> Any:
        value: Any = body
        for part in (self.response_path or "").split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if value in (None, "") and self.default is not REQUIRED:
            value = self.default
        return self.decode(value) if self.decode is not None and value is not None else value


class Schema:
    """The fields of one resource kind and everything derived from them."""

    def __init__(self, *fields: Field):
        self.fields = fields
        self.by_name = {field.name: field for field in fields}

    @property
    def inputs(self) -> tuple[str, ...]:
        """The properties diffed against state (drift on any of them is repaired)."""
        return tuple(f.name for f in self.fields if not f.output_only and f.compared)

    @property
    def defaults(self) -> dict[str, Any]:
        return {f.name: f.default for f in self.fields if not f.output_only and f.default is not REQUIRED}

    @property
    def secrets(self) -> list[str]:
        return [f.name for f in self.fields if f.secret]

    def with_defaults(self, news: Mapping[str, Any]) -> dict[str, Any]:
        """Inputs as the provider sees them: defaults filled in, numbers as ints (they arrive as floats)."""
        return {**self.defaults, **{key: as_int(value) for key, value in news.items() if value is not None}}

    def check(self, news: Mapping[str, Any]) -> CheckResult:
        inputs = self.with_defaults(news)
        checks = {f.name: f.rule for f in self.fields if f.rule is not None}
        return CheckResult(inputs, check_failures(inputs, checks))

    def diff(self, olds: Mapping[str, Any], news: Mapping[str, Any], delete_before_replace: bool = False) -> NamedDiff:
        replacing = [f.name for f in self.fields if f.replaces]
        # A field declared after the state was written is at its default until a refresh reads it: a stack that
        # leaves a new setting unset shows no change, even with `--refresh=false`.
        olds = {**{name: value for name, value in self.defaults.items() if name not in olds}, **olds}
        return diff_result(olds, dict(news), self.inputs, replacing, delete_before_replace)

    def form_params(
        self, props: Mapping[str, Any], group: str = "", only: Iterable[str] | None = None
    ) -> dict[str, str]:
        """A form body: the request parameters of the fields in `group` (or just `only`), each encoded as text
        (`Field.encode`), with defaults for those left out and an empty value for one with neither."""
        chosen = set(only) if only is not None else None
        params = {}
        for f in self.fields:
            if f.api is None or f.output_only or (chosen is None and f.group != group):
                continue
            if chosen is not None and f.name not in chosen:
                continue
            value = props.get(f.name)
            if value is None:
                value = None if f.default is REQUIRED else f.default
            params[f.api] = f.encode(value)
        return params

    def json_values(self, props: Mapping[str, Any], group: str | None = None) -> dict[str, Any]:
        """For a JSON body: the values we manage, under the API's names, as they are (numbers as ints, nothing
        encoded as text); unset ones left out; only those of `group` when one is given, else those of every group."""
        return {
            f.api: as_int(props[f.name])
            for f in self.fields
            if f.api is not None
            and not f.output_only
            and props.get(f.name) is not None
            and (group is None or f.group == group)
        }

    def from_api(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Our properties from a response; a field the response does not carry gets its default, or is left
        out (so state keeps what it had, e.g. a password the API does not echo)."""
        found = {}
        for f in self.fields:
            if f.response_path is None:
                continue
            head = f.response_path.split(".")[0]
            if head in body:
                found[f.name] = f.read(body)
            elif f.default is not REQUIRED:
                found[f.name] = f.default
        return found

    def differences(self, found: Mapping[str, Any], props: Mapping[str, Any]) -> list[str]:
        """The compared properties on which a resource found in the API (`from_api` of it) differs from the
        inputs; what a response does not carry, or an input not yet known (preview), is not a difference."""
        return [
            name
            for name in self.inputs
            if name in found and not is_unknown(props.get(name)) and as_int(found[name]) != as_int(props.get(name))
        ]

    def read_inputs(self, outs: Mapping[str, Any]) -> dict[str, Any]:
        """The inputs a refresh reports: what is live now, so a later diff shows the drift; and, as they were,
        the inputs that only steer the provider (`adopt`, …), so a refresh does not show them going."""
        steering = {
            f.name: outs[f.name] for f in self.fields if not f.output_only and not f.compared and f.name in outs
        }
        return {**steering, **{name: outs.get(name) for name in self.inputs}}


def optional(problem: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    """A rule that also accepts an empty value."""
    return lambda value: problem(value) if value else None


class SchemaResource(Resource):
    """A dynamic resource whose provider works to a `Schema`: its output-only fields (and `also_seeded`) go in as
    unset inputs, so that each is an output attribute of the resource, and its secret fields stay secret in state
    and output. A subclass names its schema and provider beside its type token, in its class statement:
    `class Trunk(SchemaResource, module="twilio", name="Trunk", schema=SCHEMA, provider=TrunkProvider)`."""

    schema: ClassVar[Schema]
    provider: ClassVar[type[ResourceProvider]]
    also_seeded: ClassVar[tuple[str, ...]]  # filled in by the provider, though not output-only

    def __init_subclass__(
        cls,
        schema: Schema,
        provider: type[ResourceProvider],
        also_seeded: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        cls.schema, cls.provider, cls.also_seeded = schema, provider, also_seeded

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        schema = self.schema
        if schema.secrets:
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=schema.secrets))
        seeded = {f.name: None for f in schema.fields if f.output_only or f.name in self.also_seeded}
        super().__init__(self.provider(), name, {**seeded, **props}, opts)
