"""Check and diff shared by every dynamic provider here: rules applied to known inputs, new inputs
against old *outputs*, numbers as ints.

Comparing with outputs (not old inputs) is what makes drift found by a refresh show up and get
repaired (pulumi/pulumi#13679).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pulumi.dynamic import CheckFailure, DiffResult
from pulumi.output import Unknown


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def as_int(value: Any) -> Any:
    """The engine sends every number as a float (pulumi/pulumi#13830)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def check_failures(inputs: Mapping[str, Any], checks: Mapping[str, Callable[[Any], str | None]]) -> list[CheckFailure]:
    """Each known input run through its rule (from `rules`); values still unknown at preview are skipped."""
    failures = []
    for field, problem in checks.items():
        value = inputs.get(field)
        if not is_unknown(value):
            message = problem(value)
            if message:
                failures.append(CheckFailure(field, message))
    return failures


def changed_fields(olds: dict[str, Any], news: dict[str, Any], fields: Iterable[str]) -> list[str]:
    """Fields whose new input differs from the old *output* (so drift found by refresh shows)."""
    return [name for name in fields if is_unknown(news.get(name)) or as_int(olds.get(name)) != as_int(news.get(name))]


class NamedDiff(DiffResult):
    """A diff that names each changed property for the plan.

    The engine shows a dynamic resource's plan by comparing its old and new inputs, with secrets masked on
    both sides, so a secret that changed (a password edited in LiveAgent) and drift that a refresh found only
    in outputs (a number moved to another trunk) were listed as unchanged. `detailed_diff` maps each changed
    property to its kind (`update`, `update_replace`) and whether the old value is the old *input* (True) or
    the old *output* (False, what our diff compares); the plugin's launcher (tools/dynamic_provider_host.py)
    hands it to the engine, which then prints `~ password: [secret] => [secret]`. Where the SDK's own server
    runs instead, the attribute is ignored and the plan is as it was.
    """

    def __init__(
        self,
        changes: bool,
        replaces: list[str] | None = None,
        delete_before_replace: bool | None = None,
        detailed_diff: dict[str, tuple[str, bool]] | None = None,
    ):
        super().__init__(changes=changes, replaces=replaces, delete_before_replace=delete_before_replace)
        self.detailed_diff = detailed_diff or {}


def detailed_diff_of(
    changed: Iterable[str], replaces: Iterable[str] = (), old_is_input: Iterable[str] = ()
) -> dict[str, Any]:
    """`detailed_diff` of `NamedDiff`: each changed property, replacing or not, compared with its old output
    unless named in `old_is_input`."""
    replacing, from_inputs = set(replaces), set(old_is_input)
    return {name: ("update_replace" if name in replacing else "update", name in from_inputs) for name in changed}


def diff_result(
    olds: dict[str, Any],
    news: dict[str, Any],
    fields: Iterable[str],
    replace_on: Iterable[str] = (),
    delete_before_replace: bool = False,
) -> NamedDiff:
    changed = changed_fields(olds, news, fields)
    replaces = [name for name in changed if name in set(replace_on)]
    # A provider module renamed since the last up: rewrite the stored provider reference.
    provider_moved = olds.get("__provider") not in (None, news.get("__provider"))
    return NamedDiff(
        changes=bool(changed) or provider_moved,
        replaces=replaces,
        delete_before_replace=delete_before_replace if replaces else None,
        detailed_diff=detailed_diff_of(changed, replaces),
    )
