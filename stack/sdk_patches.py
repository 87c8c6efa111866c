"""The program's two adjustments to the Pulumi SDK it runs in, each made only on the SDK release it was written
against (`SDK`), so another release runs as it is.

- Shorter stack traces in state. The SDK records, for every resource, the whole Python stack that registered it:
  frames through the runner, `runpy` and asyncio, 18 of them and over a third of a checkpoint, rewritten on every
  step of an `up`. Each resource keeps the frames in this project's own code (outside its virtualenv), which
  say where the resource comes from; the rest no one reads.
- No "Resource monitor has terminated" line. When a resource fails (a number refused at its check, say), the
  engine reports that error and stops its resource monitor while the program is still registering; the SDK turns
  the refused calls into `RunError("Resource monitor has terminated, shutting down")`, and the program's runner
  logs it as an error of its own, sometimes above the real one. That one line is dropped.
"""

from __future__ import annotations

import os
from importlib.metadata import version
from typing import Any
from urllib.parse import unquote, urlsplit

SDK = "3.272.0"  # requirements.txt's pulumi; a release with other internals is left as it is
MONITOR_GONE = "Resource monitor has terminated, shutting down"
KEPT_FRAMES = 2  # of this project's own code, innermost first: where the resource is made, and what made it


def install() -> None:
    import pulumi
    from pulumi.runtime import resource

    if version("pulumi") != SDK or getattr(resource, "_short_traces", False):
        return
    project = os.path.abspath(os.getcwd())
    own_trace = resource._get_stack_trace

    def stack_trace() -> Any:
        trace = own_trace()
        kept = [frame for frame in trace.frames if _ours(frame.pc.uri, project)][:KEPT_FRAMES]
        del trace.frames[:]
        trace.frames.extend(kept)
        return trace

    resource._get_stack_trace = stack_trace
    resource._short_traces = True  # type: ignore[attr-defined]
    log_error = pulumi.log.error

    def error(msg: str, *args: Any, **kwargs: Any) -> None:
        if msg.strip() != MONITOR_GONE:
            log_error(msg, *args, **kwargs)

    pulumi.log.error = error


def _ours(uri: str, project: str) -> bool:
    """A frame in this project's code: under its folder, not in its virtualenv (the SDK's own frames)."""
    path = os.path.abspath(unquote(urlsplit(uri).path)) if uri else ""  # as imported: links not resolved
    inside = path.startswith(project + os.sep)
    return inside and not path[len(project) + 1 :].startswith(("venv" + os.sep, ".tools" + os.sep))
