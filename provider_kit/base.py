"""What every dynamic provider here shares: settings per command, one API client per process, an engine watch.

Providers are pickled into state with their class, so nothing is kept on the instance: settings are read
for each command (api_settings), and clients, with their connection pools, rate limiters and credential
gates, live in a per-process cache keyed by those settings.
"""

from __future__ import annotations

import functools
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from pulumi.dynamic import ConfigureRequest, ResourceProvider

from . import holders

Client = TypeVar("Client")

_clients: dict[tuple[Any, Hashable], Any] = {}
_clients_lock = threading.Lock()


# How many provider calls the plugin serves at once (tools/dynamic_provider_host.py; the SDK's own server
# serves 4), and so how many connections each API's pool keeps. The engine bounds it further with
# `--parallel` (default 4 × CPUs), so a large number costs only idle threads.
PROVIDER_WORKERS_ENV = "TWILIO_LIVEAGENT_PROVIDER_WORKERS"
DEFAULT_PROVIDER_WORKERS = 64


def provider_workers(environ: Mapping[str, str] | None = None) -> int:
    """The plugin's worker-thread count: $TWILIO_LIVEAGENT_PROVIDER_WORKERS, else 64 (a bad value: 64)."""
    raw = (os.environ if environ is None else environ).get(PROVIDER_WORKERS_ENV, "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_PROVIDER_WORKERS


class MissingCredentials(RuntimeError):
    """The API's settings are in neither the stack config nor the environment; the message says how to set them."""


AUTH_FAILURES = frozenset({401, 403})
ENGINE_CHECK_S = 1.0
ENGINE_MISSES = 3
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


EXIT_ENGINE_GONE = 75


def require_engine() -> None:
    """Before a write: refuse it when the engine that asked for it has gone (a no-op outside a provider)."""
    if _engine is not None and not any(_engine_alive(_engine) for _ in range(ENGINE_MISSES)):
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


def gave_up(api: str, status: int, seconds: float, status_url: str) -> str:
    """The hint of an error that retries could not ride out: which API, for how long, and what to run next."""
    what = "did not answer" if status == 0 else f"kept answering HTTP {status}"
    return (
        f"{api} {what} through {seconds:.0f} s of retries: it is down, overloaded or out of reach from here "
        f"(network, proxy, firewall). Check {status_url}, then run `pulumi up` again: it carries on from where "
        "this run stopped, with nothing made twice"
    )


class Outage:
    """Once one request has given up on an API that does not answer, the others of this process do not wait
    through the same retries: they fail at once, pointing to that first error (a refresh of a stack with many
    resources would otherwise spend minutes repeating one message)."""

    def __init__(self) -> None:
        self._first: Exception | None = None

    def refusal(self, api: str) -> str | None:
        """Why a request is not sent, or None: it is sent."""
        if self._first is None:
            return None
        return f"not sent: {api} did not answer a moment ago (the first error: {self._first})"

    def record(self, error: Exception) -> None:
        self._first = self._first or error


class Snapshots:
    """Lists that one run reads once and answers many resources' reads and lookups from.

    A refresh reads each resource on its own; a list (a trunk's numbers, the numbers on one SIP host) answers
    all of them in a number of calls that does not grow with the stack. A snapshot serves for a few seconds
    and never past a write of this process (`written` counts them), so a read after our own write sees it;
    what is missing from a snapshot is read on its own, so a resource changed by hand is still seen.

    `lookups=True` marks a listing that only answers "is X there, who holds Y" before a resource is first
    written (check and create). It serves past this process's writes: those put each resource where its own
    config says, and no two resources want the same thing, so another resource's write cannot change the
    answer. A caller that acts on a "present" or "held" answer confirms it fresh first, and a write that moves
    something anywhere else (a spare dial prefix) runs inside `unsettled()`: until it has ended, lookups ask
    fresh, and afterwards every lookup listing is taken again.
    """

    TTL_S = 10.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}
        self._taken: dict[Hashable, tuple[float, int | None, Any]] = {}
        self._unsettled = 0
        self._settled = 0  # moves ended: a listing fetched across one is not kept
        self.written = 0

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Around a write: a snapshot taken while it was in flight is not used afterwards either."""
        self.written += 1
        try:
            yield
        finally:
            self.written += 1

    def get(self, key: Hashable, fetch: Callable[[], Any], lookups: bool = False) -> Any:
        if lookups and self._unsettled:
            return fetch()
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:  # concurrent reads of one key wait for the first one's list instead of each fetching it
            with self._lock:
                taken = self._taken.get(key)
            if taken and taken[1] in (None, self.written) and time.monotonic() - taken[0] < self.TTL_S:
                return taken[2]
            settled, written = self._settled, (None if lookups else self.written)
            value = fetch()
            with self._lock:
                if not (lookups and (self._unsettled or self._settled != settled)):
                    self._taken[key] = (time.monotonic(), written, value)
            return value

    @contextmanager
    def unsettled(self) -> Iterator[None]:
        """Around a write that moves something where no config put it: lookup listings are not trusted while
        it is in flight (whatever its outcome), and are all taken again after it."""
        with self._lock:
            self._unsettled += 1
        try:
            yield
        finally:
            with self._lock:
                self._unsettled -= 1
                self._settled += 1
                self._taken = {k: v for k, v in self._taken.items() if v[1] is not None}


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

    # Outputs the holder record keeps for a replacing entry's create (see `holders`); never a secret.
    remembered_outputs: tuple[str, ...] = ()

    def remembered(self, resource_id: str) -> dict[str, Any]:
        """What the entry that holds this resource now remembers of it, for a create that replaces it."""
        return holders.remembered(self.account(), type(self).__name__, resource_id)

    def _keep_holder(self, name: str, args: tuple[Any, ...], result: Any) -> None:
        """A create's entry gets its token; a read or update carries it on (and an update what it remembers)."""
        kind, outs = type(self).__name__, result.outs
        keep = {output: outs.get(output) for output in self.remembered_outputs}
        if name == "create":
            outs[holders.HOLDER] = holders.hold(self.account(), kind, str(result.id), keep)
            return
        token = args[1].get(holders.HOLDER)  # read(id, props), update(id, olds, news)
        if token is not None:
            outs.setdefault(holders.HOLDER, token)
            if name == "update" and keep:
                holders.remember(self.account(), kind, str(args[0]), token, keep)

    def held_elsewhere(self, resource_id: str, props: Any) -> bool:
        """Another state entry's create has taken this live resource over since this entry's (a replacement):
        this entry's delete must leave it."""
        token = props.get(holders.HOLDER) if isinstance(props, dict) else None
        return holders.held_by_another(self.account(), type(self).__name__, str(resource_id), token)

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
