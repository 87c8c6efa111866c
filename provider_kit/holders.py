"""Which state entry holds a live resource, so that the delete of a replaced entry leaves the resource alone.

Our creates look a resource up by its natural key and take it over when it is there. `pulumi up --replace`
(or `--target-replace`, or a resource whose name changed) creates the new state entry first and deletes the
old one last: both entries then name the same live trunk, credential or number, and the old entry's delete
would remove what the new one holds (a deleted trunk's domain stays locked for 30 days). So every create gives
its entry a token and records, per live resource, the token of the entry that holds it now; a delete whose
entry's token is not the recorded one leaves the live resource as it is and only lets the entry go.

Records live in this process and, so that a run killed between the create and the delete is covered too, in
the user's cache directory (`$XDG_CACHE_HOME/twilio-liveagent/holders/`, one small file per resource). A
record missing there (another machine) means the delete goes ahead, as it did before records were kept.

A resource of the whole account (the dialing permissions: one per account, the same id in every stack) keeps no
record, since another stack's entry may hold it as well; a delete of one in a process whose create made or
took it over (a replacement within one command) leaves it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

HOLDER = "holder"  # the output that carries an entry's token

_memory: dict[str, str] = {}
_created_here: set[str] = set()  # account-wide resources a create of this process made or took over
_lock = threading.Lock()
_warned = False


def folder(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    cache = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "twilio-liveagent" / "holders"


def _key(account: str, kind: str, resource_id: str) -> str:
    return hashlib.sha256(f"{account}\n{kind}\n{resource_id}".encode()).hexdigest()[:40]


def _write(key: str, token: str | None) -> None:
    global _warned
    try:
        path = folder() / key
        if token is None:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}")
        partial.write_text(token, encoding="utf-8")
        partial.replace(path)
    except OSError as error:
        if not _warned:
            _warned = True
            print(f"holders: {error}; records are kept in this process only", file=sys.stderr, flush=True)


def _read(key: str) -> str | None:
    if key in _memory:
        return _memory[key]
    try:
        return (folder() / key).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def hold(account: str, kind: str, resource_id: str, account_wide: bool = False) -> str | None:
    """A new entry holds this live resource (made, or taken over, by its create): its token (None for a
    resource of the whole account, which keeps no record)."""
    key = _key(account, kind, resource_id)
    with _lock:
        if account_wide:
            _created_here.add(key)
            return None
        token = secrets.token_hex(8)
        _memory[key] = token
        _write(key, token)
    return token


def held_by_another(account: str, kind: str, resource_id: str, token: object, account_wide: bool = False) -> bool:
    """Does another entry hold this live resource now (one whose create took it over after this one's)?"""
    key = _key(account, kind, resource_id)
    with _lock:
        if account_wide:
            return key in _created_here
        recorded = _read(key)
    return recorded is not None and recorded != token


def release(account: str, kind: str, resource_id: str) -> None:
    """The live resource is gone (deleted by its holder's delete)."""
    key = _key(account, kind, resource_id)
    with _lock:
        _memory.pop(key, None)
        _write(key, None)
