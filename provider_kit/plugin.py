"""The provider plugin process: how many calls it serves at once, and a watch on the engine that started it.

Nothing here imports Pulumi, so the HTTP core can size its pools and check the engine before each request.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Mapping

# How many provider calls the plugin serves at once (tools/dynamic_provider_host.py; the SDK's own server
# serves 4), and so how many connections each API's pool keeps. The engine bounds it further with
# `--parallel` (default 4 × CPUs), so a large number costs only idle threads.
PROVIDER_WORKERS_ENV = "TWILIO_LIVEAGENT_PROVIDER_WORKERS"
DEFAULT_PROVIDER_WORKERS = 64


def provider_workers(environ: Mapping[str, str] | None = None) -> int:
    """The plugin's worker-thread count: $TWILIO_LIVEAGENT_PROVIDER_WORKERS, else 64 (a bad value: 64)."""
    raw = (os.environ if environ is None else environ).get(PROVIDER_WORKERS_ENV, "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_PROVIDER_WORKERS


ENGINE_CHECK_S = 1.0
ENGINE_MISSES = 3
EXIT_ENGINE_GONE = 75
_engine: tuple[str, int] | None = None  # set in the provider plugin process only (by `configure`)


class EngineGone(RuntimeError):
    """The Pulumi CLI that started this provider process has gone (killed): nothing more is written."""


def _engine_alive(address: tuple[str, int]) -> bool:
    try:
        socket.create_connection(address, timeout=1.0).close()
        return True
    except OSError:
        return False


def watch_engine(argv: list[str]) -> None:
    """Exit this provider process once its engine is gone, checking every second.

    A CLI killed with SIGKILL leaves its plugins running, and an orphaned provider would carry on with the
    writes it was asked for, behind the back of the next run. The plugin's first argument is the engine's
    address (host:port); it stops answering when the CLI has died.
    """
    global _engine
    if _engine is not None or len(argv) < 2:
        return
    # The engine's address comes last, after any logging or tracing flags the CLI passes on.
    host, _, port = argv[-1].rpartition(":")
    if not host or not port.isdigit():
        return
    _engine = (host, int(port))

    def watch(address: tuple[str, int]) -> None:
        failures = 0
        while True:
            time.sleep(ENGINE_CHECK_S)
            failures = 0 if _engine_alive(address) else failures + 1
            if failures >= ENGINE_MISSES:  # not one failed connect: three in a row
                os._exit(EXIT_ENGINE_GONE)

    threading.Thread(target=watch, args=(_engine,), name="engine-watch", daemon=True).start()


def require_engine() -> None:
    """Before a write or a retry: refuse it when the engine that asked for it has gone (a no-op outside a
    provider process)."""
    if _engine is not None and not any(_engine_alive(_engine) for _ in range(ENGINE_MISSES)):
        raise EngineGone("the Pulumi CLI that started this provider has gone; nothing more is written")
