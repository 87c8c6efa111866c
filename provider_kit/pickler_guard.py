"""A guard for the Pulumi SDK's dynamic-provider pickling, installed by the program before any resource."""

from __future__ import annotations

import pickle
from typing import Any


def install() -> None:
    """Undo the SDK's pickler patching after each provider serialisation.

    `serialize_provider` wraps `pickle._Pickler._batch_setitems` and `save_dict` again on every
    call and never unwraps them, so ~1000 dynamic resources in one process hit RecursionError.
    """
    import pulumi.dynamic.dynamic as dynamic

    original = dynamic.serialize_provider
    if getattr(original, "_guarded", False):
        return

    def serialize_provider(provider: Any) -> str:
        saved = (pickle._Pickler._batch_setitems, pickle._Pickler.save_dict)  # type: ignore[attr-defined]
        try:
            return str(original(provider))
        finally:
            pickle._Pickler._batch_setitems, pickle._Pickler.save_dict = saved  # type: ignore[attr-defined]

    serialize_provider._guarded = True  # type: ignore[attr-defined]
    dynamic.serialize_provider = serialize_provider
