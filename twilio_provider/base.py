"""What every Twilio provider shares: settings from `configure`, a client per call, diff over outputs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pulumi.dynamic import ConfigureRequest, DiffResult, ResourceProvider
from pulumi.output import Unknown

from .client import TwilioClient
from .settings import read_settings


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def as_int(value: Any) -> Any:
    """The engine sends every number as a float (pulumi/pulumi#13830)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def changed_fields(olds: dict[str, Any], news: dict[str, Any], fields: Iterable[str]) -> list[str]:
    """Fields whose new input differs from the old *output* (so drift found by refresh shows)."""
    return [name for name in fields if is_unknown(news.get(name)) or as_int(olds.get(name)) != as_int(news.get(name))]


def diff_result(
    olds: dict[str, Any],
    news: dict[str, Any],
    fields: Iterable[str],
    replace_on: Iterable[str] = (),
    delete_before_replace: bool = False,
) -> DiffResult:
    changed = changed_fields(olds, news, fields)
    replaces = [name for name in changed if name in set(replace_on)]
    # A provider module renamed since the last up: rewrite the stored provider reference.
    provider_moved = olds.get("__provider") not in (None, news.get("__provider"))
    return DiffResult(
        changes=bool(changed) or provider_moved,
        replaces=replaces,
        delete_before_replace=delete_before_replace if replaces else None,
    )


class TwilioProvider(ResourceProvider):
    """Base of the Twilio providers. Holds no credential when pickled: they are read in `configure`."""

    _config: Any = None

    def configure(self, req: ConfigureRequest) -> None:
        self._config = req.config

    def client(self) -> TwilioClient:
        return TwilioClient(read_settings(self._config))
