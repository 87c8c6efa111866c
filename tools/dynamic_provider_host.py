"""The dynamic-provider plugin's server, as the SDK's `python -m pulumi.dynamic` runs it, with two edits.

The launcher (installed by tools/install-engine.sh as `.tools/bin/pulumi-resource-pulumi-python`) runs the SDK's
own `pulumi/dynamic/__main__.py` source with:
- more worker threads: the SDK serves gRPC from `futures.ThreadPoolExecutor(max_workers=4)`, so at most four
  provider calls (each one or more API round trips) ran at once, whatever the engine's `--parallel`; the pool
  is sized by `provider_kit.plugin.provider_workers()` instead;
- named diffs: the SDK's `Diff` answers only "changed or not", so the engine's plan compared old and new
  inputs with secrets masked on both sides, and a changed password or a drift seen only in outputs was listed
  as unchanged; a diff of ours that names its properties (`provider_kit.diff.NamedDiff`) is handed to the
  engine as its detailed diff;
- errors as answers: the SDK sends the engine a provider's exception as its traceback, whose last line starts
  with the exception's module and class (`twilio_provider.errors.TwilioApiError: …`); an error raised by this
  project's code, whose message says what to do, is sent as that message alone;
- refusals as answers: a check's failures would be shown by the engine as `property <internal name> value
  {…} has a problem: …`, while our reasons already name the config key and the fix; they are sent as one
  error of their reasons instead.
Each edit is made only when the SDK's source holds its expected line exactly once (the refusals one only with
the errors one); one that does not apply (another SDK release) is said in one line on stderr, and the others
still apply. With none, the SDK's module runs unchanged.
"""

from __future__ import annotations

import importlib.util
import os
import runpy
import sys
import types
from importlib.metadata import PackageNotFoundError, version
from typing import Any

EXPECTED = "futures.ThreadPoolExecutor(max_workers=4)"
DIFF_EXPECTED = "        return proto.DiffResponse(**fields)"
ERROR_EXPECTED = "context.abort(grpc.StatusCode.UNKNOWN, traceback.format_exc())"
CHECK_EXPECTED = "        failures = result.failures"
OURS = ("provider_kit.", "twilio_provider.", "liveagent_provider.", "stack.")  # modules whose errors are answers
MODULE = "pulumi.dynamic.__main__"
DEFAULT_WORKERS = 64  # as provider_kit.plugin.DEFAULT_PROVIDER_WORKERS, when it cannot be imported


def workers() -> int:
    try:
        from provider_kit.plugin import provider_workers
    except ImportError:
        return DEFAULT_WORKERS
    return provider_workers()


def sdk_version() -> str:
    try:
        return version("pulumi")
    except PackageNotFoundError:
        return "unknown"


def detailed_diff_fields(result: Any) -> dict[str, Any]:
    """The DiffResponse fields that name a diff's changed properties (none for a diff that names none)."""
    detailed = getattr(result, "detailed_diff", None)
    if not detailed or not getattr(result, "changes", False):
        return {}
    from pulumi.runtime.proto import provider_pb2

    return {
        "detailedDiff": {
            path: provider_pb2.PropertyDiff(
                kind=provider_pb2.PropertyDiff.Kind.Value(kind.upper()), inputDiff=old_is_input
            )
            for path, (kind, old_is_input) in detailed.items()
        },
        "hasDetailedDiff": True,
        "diffs": sorted({path.split(".")[0].split("[")[0] for path in detailed}),
    }


class CheckRefused(ValueError):
    """A check's failures, as one error whose message is each reason."""


def refused(failures: Any) -> Any:
    """A check's failures, raised as one error when there are any."""
    if failures:
        raise CheckRefused("; ".join(str(failure.reason) for failure in failures))
    return failures


def error_text() -> str:
    """What the engine is told of the exception being handled: its message where this project raised it."""
    error = sys.exc_info()[1]
    ours = isinstance(error, CheckRefused) or type(error).__module__.startswith(OURS)
    if error is not None and ours and str(error):
        return str(error)
    import traceback

    return traceback.format_exc()


def _edits(count: int) -> list[tuple[str, str, str]]:
    """(expected text, its replacement, what is lost when it does not apply)."""
    edits = [
        (DIFF_EXPECTED, DIFF_EXPECTED[:-1] + ", **_detailed_diff_fields(result))", "plans name no property"),
        (ERROR_EXPECTED, "context.abort(grpc.StatusCode.UNKNOWN, _error_text())", "errors show their class"),
        (CHECK_EXPECTED, "        failures = _refused(result.failures)", "refusals name internal properties"),
    ]
    if count != 4:
        edits.append((EXPECTED, f"futures.ThreadPoolExecutor(max_workers={count})", "4 provider calls at a time"))
    return edits


def patched_source(count: int) -> tuple[str, str, list[str]] | str:
    """(source, file name, one line per edit that did not apply) of the SDK's server module with `count`
    workers and named diffs, or why no edit could be made."""
    spec = importlib.util.find_spec(MODULE)
    if spec is None or not spec.origin or not os.path.isfile(spec.origin):
        return f"{MODULE} was not found"
    with open(spec.origin, encoding="utf-8") as handle:
        source = handle.read()
    problems, applied = [], 0
    for expected, replacement, lost in _edits(count):
        if expected == CHECK_EXPECTED and ERROR_EXPECTED in source:
            # Raised without the errors edit, a refusal would reach the engine as a traceback: leave it be.
            problems.append(f"{spec.origin}: the errors edit did not apply, so neither does the refusals one ({lost})")
            continue
        found = source.count(expected)
        if found != 1:
            problems.append(f"{spec.origin} holds {expected.strip()!r} {found} times, not once ({lost})")
            continue
        source, applied = source.replace(expected, replacement), applied + 1
    if not applied:
        return "; ".join(problems) + ": running the SDK's server unchanged"
    return source, spec.origin, problems


def _say(line: str) -> None:
    print(f"dynamic provider: pulumi {sdk_version()}: {line}", file=sys.stderr, flush=True)


def main() -> None:
    # As `python -m` does: the working directory (the project folder, where the providers' modules are) comes
    # first on the module path, not this script's folder.
    sys.path[0] = os.getcwd()
    patched = patched_source(workers())
    if isinstance(patched, str):
        _say(patched)
        runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)
        return
    source, origin, problems = patched
    for problem in problems:
        _say(problem)
    # The SDK's module becomes __main__, as under `python -m pulumi.dynamic`.
    module = types.ModuleType("__main__")
    module.__file__ = origin
    module.__package__ = "pulumi.dynamic"
    module.__dict__["_detailed_diff_fields"] = detailed_diff_fields
    module.__dict__["_error_text"] = error_text
    module.__dict__["_refused"] = refused
    sys.modules["__main__"] = module
    exec(compile(source, origin, "exec"), module.__dict__)  # the SDK's own module, with the edits above


if __name__ == "__main__":
    main()
