"""What every dynamic provider here shares: settings per command, one API client per process, an engine watch.

Providers are pickled into state with their class, so nothing is kept on the instance: settings are read
for each command (api_settings), and clients, with their connection pools, rate limiters and credential
gates, live in a per-process cache keyed by those settings.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from pulumi.dynamic import ConfigureRequest, ResourceProvider

Client = TypeVar("Client")

_clients: dict[tuple[Any, Hashable], Any] = {}
_clients_lock = threading.Lock()


class MissingCredentials(RuntimeError):
    """The API's settings are in neither the stack config nor the environment; the message says how to set them."""


AUTH_FAILURES = frozenset({401, 403})
ENGINE_CHECK_S = 1.0
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
    host, _, port = argv[1].rpartition(":")
    if not host or not port.isdigit():
        return
    _engine = (host, int(port))

    def watch(address: tuple[str, int]) -> None:
        while True:
            time.sleep(ENGINE_CHECK_S)
            if not _engine_alive(address):
                os._exit(EXIT_ENGINE_GONE)

    threading.Thread(target=watch, args=(_engine,), name="engine-watch", daemon=True).start()


EXIT_ENGINE_GONE = 75


def require_engine() -> None:
    """Before a write: refuse it when the engine that asked for it has gone (a no-op outside a provider)."""
    if _engine is not None and not _engine_alive(_engine):
        raise EngineGone("the Pulumi CLI that started this provider has gone; nothing more is written")


class CredentialGate:
    """Until an API has answered once, a client's requests go one at a time; once it has refused the
    credentials (401/403), nothing more is sent: a wrong key costs one request and gives one error."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._accepted = False
        self._rejection: Exception | None = None

    @contextmanager
    def request(self) -> Iterator[None]:
        if self._rejection is not None:
            raise self._rejection
        if self._accepted:
            yield
            return
        with self._lock:
            if self._rejection is not None:
                raise self._rejection
            yield

    def answered(self, status: int, error: Exception | None = None) -> None:
        if status in AUTH_FAILURES and error is not None:
            self._rejection = error
        elif status:
            self._accepted = True


class ConfiguredProvider(ResourceProvider, Generic[Client]):
    """A provider whose API client is built from the settings of the current command (see api_settings)."""

    def configure(self, req: ConfigureRequest) -> None:
        # The config handed over here is the provider resource's inputs: nothing, for the explicit provider
        # the program registers (and the whole stack config of the last deployment, for stacks from before
        # it). Settings are read per command instead, in `settings`.
        #
        # The SDK answers any exception of a provider with `traceback.format_exc()`, which the CLI shows
        # whole; without frames the user reads just the error, which names what to fix.
        if not os.environ.get("PROVIDER_TRACEBACKS"):
            sys.tracebacklimit = 0
        watch_engine(sys.argv)

    def settings(self) -> Hashable:
        """The API's settings from the environment or `pulumi-python:` config; raises MissingCredentials."""
        raise NotImplementedError

    def new_client(self, settings: Any) -> Client:
        raise NotImplementedError

    @property
    def client(self) -> Client:
        """The one client of this process for these settings (built on first use)."""
        settings = self.settings()
        key = (type(self).new_client, settings)
        with _clients_lock:
            if key not in _clients:
                _clients[key] = self.new_client(settings)
            client: Client = _clients[key]
            return client
