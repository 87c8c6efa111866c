"""What every dynamic provider here shares: settings read in `configure`, one API client per process.

Providers are pickled into state with their class, so nothing is kept on the instance but the config the
engine hands over in `configure` (never pickled: the program process never calls it). Clients, with
their connection pools and rate limiters, live in a per-process cache keyed by their settings.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Hashable
from typing import Any, Generic, TypeVar

from pulumi.dynamic import Config, ConfigureRequest, ResourceProvider

Client = TypeVar("Client")

_clients: dict[tuple[Any, Hashable], Any] = {}
_clients_lock = threading.Lock()


class MissingCredentials(RuntimeError):
    """The API's settings are in neither the stack config nor the environment; the message says how to set them."""


def config_object(config: Config | None, key: str) -> dict[str, Any]:
    """A structured stack-config key (it arrives as JSON text), or {} when unset."""
    raw = config.get(key) if config is not None else None
    if not raw:
        return {}
    value = json.loads(raw) if isinstance(raw, str) else raw
    return value if isinstance(value, dict) else {}


class ConfiguredProvider(ResourceProvider, Generic[Client]):
    """A provider whose API client is built from the stack config handed to `configure`."""

    _config: Config | None = None

    def configure(self, req: ConfigureRequest) -> None:
        self._config = req.config

    def settings(self, config: Config | None) -> Hashable:
        """The API's settings from the stack config (or the environment); raises MissingCredentials."""
        raise NotImplementedError

    def new_client(self, settings: Any) -> Client:
        raise NotImplementedError

    @property
    def client(self) -> Client:
        """The one client of this process for these settings (built on first use)."""
        settings = self.settings(self._config)
        key = (type(self).new_client, settings)
        with _clients_lock:
            if key not in _clients:
                _clients[key] = self.new_client(settings)
            client: Client = _clients[key]
            return client
