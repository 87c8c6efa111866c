"""What every dynamic provider here shares: settings per command, one API client per process, the engine watch.

Providers are pickled into state with their class, so nothing is kept on the instance: settings are read
for each command (api_settings), and clients, with their connection pools, rate limiters and credential
gates (provider_kit.http), live in a per-process cache keyed by those settings.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from pulumi.dynamic import ConfigureRequest, ResourceProvider

from . import holders, unread
from .plugin import watch_engine

Client = TypeVar("Client")

_clients: dict[tuple[Any, Hashable], Any] = {}
_clients_lock = threading.Lock()


# The provider's one input (see __main__.py): every number of the stack, once for all its resources, so that a
# LiveAgent number holding a prefix another one wants can be told to be the stack's own.
STACK_NUMBERS = "stackNumbers"
_stack_numbers: list[str] = []


def stack_numbers() -> list[str]:
    """The stack's numbers, as the provider was configured with them (empty before it was)."""
    return list(_stack_numbers)


class MissingCredentials(RuntimeError):
    """The API's settings are in neither the stack config nor the environment; the message says how to set them."""


ACCOUNT = "api_account"  # the output recording which account a resource lives in


class WrongAccount(RuntimeError):
    """The credentials in use are for another account than the one the stack's resources live in."""


def _in_account(method: Callable[..., Any], name: str) -> Callable[..., Any]:
    """Check, before a read, update or delete, that the resource lives in the account of the credentials in
    use; record that account in what create, read and update return. Keep the entry's holder token (see
    `holders`): a create records it, a delete of an entry that no longer holds its resource leaves it be."""

    @functools.wraps(method)
    def run(self: ConfiguredProvider[Any], *args: Any) -> Any:
        if name in ("read", "update", "delete") and self.account_is_identity:
            self.same_account(args[1])  # read(id, props), update(id, olds, news), delete(id, props)
        if name == "delete" and self.held_elsewhere(args[0], args[1]):
            return None
        if name == "read":
            result = unread.read_or_keep(lambda: method(self, *args), str(args[0]), args[1])
        else:
            result = method(self, *args)
        outs = getattr(result, "outs", None)
        if isinstance(outs, dict) and (name != "read" or getattr(result, "id", None)):
            outs[ACCOUNT] = self.account()
            self._keep_holder(name, args, result)
        if name == "delete":
            holders.release(self.account(), type(self).__name__, str(args[0]))
        return result

    return run


class ConfiguredProvider(ResourceProvider, Generic[Client]):
    """A provider whose API client is built from the settings of the current command (see api_settings)."""

    api_name = "the API"
    # True where `account()` names the account itself (a Twilio account SID): any change is refused. False
    # where it is only a URL that may move (LiveAgent): the provider calls `same_account` when a resource is
    # missing, so a moved URL is fine and another account is refused rather than built again.
    account_is_identity = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in ("create", "read", "update", "delete"):
            if name in cls.__dict__:
                setattr(cls, name, _in_account(cls.__dict__[name], name))

    def account(self) -> str:
        """Which account the settings in use reach (not a secret: an account SID, an account URL)."""
        raise NotImplementedError

    def source(self) -> str:
        raise NotImplementedError

    # A resource of the whole account (one per account, the same id in every stack): see `holders`.
    account_wide = False

    def _keep_holder(self, name: str, args: tuple[Any, ...], result: Any) -> None:
        """A create's entry gets its token; a read or update carries it on."""
        outs = result.outs
        if name == "create":
            token = holders.hold(self.account(), type(self).__name__, str(result.id), self.account_wide)
            if token is not None:
                outs[holders.HOLDER] = token
            return
        token = args[1].get(holders.HOLDER)  # read(id, props), update(id, olds, news)
        if token is not None:
            outs.setdefault(holders.HOLDER, token)

    def held_elsewhere(self, resource_id: str, props: Any) -> bool:
        """Another state entry's create has taken this live resource over since this entry's (a replacement):
        this entry's delete must leave it."""
        token = props.get(holders.HOLDER) if isinstance(props, dict) else None
        kind = type(self).__name__
        return holders.held_by_another(self.account(), kind, str(resource_id), token, self.account_wide)

    def same_account(self, props: Any) -> None:
        recorded = props.get(ACCOUNT) if isinstance(props, dict) else None
        current = self.account()
        if recorded and recorded != current:
            # A shell's variables for another account would otherwise make every resource read as gone, and
            # the next `up` would build the whole integration again in that account.
            raise WrongAccount(
                f"this stack's {self.api_name} resources are in {recorded}, but the {self.source()} reach "
                f"{current}: point them back at {recorded} (or unset the environment variables that override "
                "the stack config) and run the command again"
            )

    def configure(self, req: ConfigureRequest) -> None:
        # The config handed over here is the provider resource's inputs: the stack's numbers, for the explicit
        # provider the program registers (and the whole stack config of the last deployment, for stacks from
        # before it). The APIs' settings are read per command instead, in `settings`.
        #
        # The SDK answers any exception of a provider with `traceback.format_exc()`, which the CLI shows
        # whole; without frames the user reads just the error, which names what to fix.
        if not os.environ.get("PROVIDER_TRACEBACKS"):
            sys.tracebacklimit = 0
        watch_engine(sys.argv)
        # The SDK's Config keeps the inputs as they came (`get` would add the project's namespace to the key).
        numbers = getattr(req.config, "_props", {}).get(STACK_NUMBERS)
        if isinstance(numbers, str):
            _stack_numbers[:] = json.loads(numbers)

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
