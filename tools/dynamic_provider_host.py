"""The dynamic-provider plugin's server, as the SDK's `python -m pulumi.dynamic` runs it, with more worker threads.

The SDK's `pulumi/dynamic/__main__.py` serves gRPC from `futures.ThreadPoolExecutor(max_workers=4)`, so at most
four provider calls (each one or more API round trips) run at once, whatever the engine's `--parallel`. This
launcher (installed by tools/install-engine.sh as `.tools/bin/pulumi-resource-pulumi-python`) runs that same
module source with the pool sized by `provider_kit.plugin.provider_workers()` instead. It changes nothing else: when
the SDK's source does not hold the expected line exactly once (another SDK release), it says so in one line on
stderr and runs the SDK's module unchanged.
"""

from __future__ import annotations

import importlib.util
import os
import runpy
import sys
import types
from importlib.metadata import PackageNotFoundError, version

EXPECTED = "futures.ThreadPoolExecutor(max_workers=4)"
MODULE = "pulumi.dynamic.__main__"
DEFAULT_WORKERS = 64  # as provider_kit.plugin.DEFAULT_PROVIDER_WORKERS, when provider_kit cannot be imported


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


def patched_source(count: int) -> tuple[str, str] | str:
    """(source, file name) of the SDK's server module with `count` workers, or why it cannot be done."""
    spec = importlib.util.find_spec(MODULE)
    if spec is None or not spec.origin or not os.path.isfile(spec.origin):
        return f"{MODULE} was not found"
    with open(spec.origin, encoding="utf-8") as handle:
        source = handle.read()
    found = source.count(EXPECTED)
    if found != 1:
        return f"{spec.origin} holds {EXPECTED!r} {found} times, not once"
    return source.replace(EXPECTED, f"futures.ThreadPoolExecutor(max_workers={count})"), spec.origin


def main() -> None:
    # As `python -m` does: the working directory (the project folder, where the providers' modules are) comes
    # first on the module path, not this script's folder.
    sys.path[0] = os.getcwd()
    count = workers()
    patched = patched_source(count) if count != 4 else "4 workers asked for"
    if isinstance(patched, str):
        if count != 4:
            print(
                f"dynamic provider: pulumi {sdk_version()}: {patched}; running the SDK's server unchanged "
                "(4 provider calls at a time)",
                file=sys.stderr,
                flush=True,
            )
        runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)
        return
    source, origin = patched
    # The SDK's module becomes __main__, as under `python -m pulumi.dynamic`.
    module = types.ModuleType("__main__")
    module.__file__ = origin
    module.__package__ = "pulumi.dynamic"
    sys.modules["__main__"] = module
    exec(compile(source, origin, "exec"), module.__dict__)  # the SDK's own module, one argument changed


if __name__ == "__main__":
    main()
