"""What every dynamic provider here shares: settings read in `configure`, one API client per process.

Providers are pickled into state with their class, so nothing is kept on the instance: settings are read
for each command (api_settings), and clients, with their connection pools, rate limiters and credential
gates, live in a per-process cache keyed by those settings.
"""

from __future__ import annotations

import os
import sys
import threading
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
