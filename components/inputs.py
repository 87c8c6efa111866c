"""How a component builds a dynamic resource's inputs: from the validated stack config, through the `Field`s of
the resource's `Schema`, so that no component lists a resource's settings one by one."""

from __future__ import annotations

from typing import Any

import pulumi
from pydantic import BaseModel, SecretStr

from provider_kit.schema import Field, Schema

_ABSENT: Any = object()


def _attribute(model: BaseModel, name: str) -> Any:
    """A model's field or derived property (`DisasterRecovery.url`); never one of pydantic's own methods."""
    held = name in type(model).model_fields or isinstance(getattr(type(model), name, None), property)
    return getattr(model, name) if held else _ABSENT


def _from_config(field: Field, model: BaseModel) -> Any:
    """The field's value in `model`, at its config path; absent where the path is not there or ends in null
    (an optional section left out, such as `trunk.disasterRecovery`: the provider's default applies)."""
    value: Any = model
    for part in (field.config or field.name).split("."):
        value = _attribute(value, part) if isinstance(value, BaseModel) else _ABSENT
        if value is _ABSENT or value is None:
            return _ABSENT
    return field.decode(value) if field.decode is not None else value


def _as_input(field: Field, value: Any) -> Any:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return pulumi.Output.secret(value) if field.secret else value


def resource_inputs(schema: Schema, *configs: BaseModel, **handed_on: Any) -> dict[str, Any]:
    """The inputs of a resource of `schema`: each of its fields that one of the config models holds (by the
    field's config path), and the values `handed_on` by the component (other resources' outputs, the stack-wide
    `adopt`), which win. Secrets go in as secret outputs; a name the schema does not declare is an error."""
    undeclared = sorted(set(handed_on) - set(schema.by_name))
    if undeclared:
        raise TypeError(f"not fields of this resource: {', '.join(undeclared)}")
    inputs: dict[str, Any] = {}
    for field in schema.fields:
        if field.output_only:
            continue
        found = [value for value in (_from_config(field, model) for model in configs) if value is not _ABSENT]
        if len(found) > 1:
            raise TypeError(f"{field.name} is held by more than one config model; say which with its `config` path")
        value = handed_on.get(field.name, found[0] if found else None)
        if value is not None:
            inputs[field.name] = _as_input(field, value)
    return inputs
