"""The program's one change to how the Pulumi SDK reports its end: no "Resource monitor has terminated" line.

When a resource's check fails (a number on another trunk, say), the engine reports that error and stops its
resource monitor while the program is still registering resources; the SDK then turns the refused calls into
`RunError("Resource monitor has terminated, shutting down")`, and the program's runner logs it as an error of
its own, sometimes above the real one. The cause has already been reported by the engine, so that one line is
dropped; every other error is logged as before. Should the SDK word it otherwise, nothing is dropped.
"""

from __future__ import annotations

from typing import Any

MONITOR_GONE = "Resource monitor has terminated, shutting down"


def install() -> None:
    import pulumi

    log_error = pulumi.log.error
    if getattr(log_error, "_quiet", False):
        return

    def error(msg: str, *args: Any, **kwargs: Any) -> None:
        if msg.strip() == MONITOR_GONE:
            return
        log_error(msg, *args, **kwargs)

    error._quiet = True  # type: ignore[attr-defined]
    pulumi.log.error = error
