"""Which state entry holds a live resource, so that the delete of a replaced entry leaves the resource alone.

Our creates look a resource up by its natural key and take it over when it is there. `pulumi up --replace`
(or `--target-replace`, or a resource whose name changed) creates the new state entry first and deletes the
old one last: both entries then name the same live trunk, credential or number, and the old entry's delete
would remove what the new one holds (a deleted trunk's domain stays locked for 30 days). So every create gives
its entry a token and records, per live resource, the token of the entry that holds it now; a delete whose
entry's token is not the recorded one leaves the live resource as it is and only lets the entry go.

A record may also keep what its entry remembers and the resource cannot tell (no secret): which dialing
countries were on before this stack turned them on. The create of a replacing entry reads it, so the history
survives the replacement.

Records live in this process and, so that a run killed between the create and the delete is covered too, in
the user's cache directory (`$XDG_CACHE_HOME/twilio-liveagent/holders/`, one small file per resource). A
record missing there (another machine) means the delete goes ahead, as it did before records were kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

HOLDER = "holder"  # the output that carries an entry's token

_memory: dict[str, dict[str, Any]] = {}
_lock = threading.Lock()
_warned = False


def folder(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    cache = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "twilio-liveagent" / "holders"


def _key(account: str, kind: str, resource_id: str) -> str:
    return hashlib.sha256(f"{account}\n{kind}\n{resource_id}".encode()).hexdigest()[:40]


def _write(key: str, record: dict[str, Any] | None) -> None:
    global _warned
    try:
        path = folder() / key
        if record is None:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}")
        partial.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
        partial.replace(path)
    except OSError as error:
        if not _warned:
            _warned = True
            print(f"holders: {error}; records are kept in this process only", file=sys.stderr, flush=True)


def _read(key: str) -> dict[str, Any] | None:
    if key in _memory:
        return _memory[key]
    try:
        found = json.loads((folder() / key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def hold(account: str, kind: str, resource_id: str, remembered: Mapping[str, Any] | None = None) -> str:
    """A new entry holds this live resource (made, or taken over, by its create): its token."""
    record = {"token": secrets.token_hex(8), "remembered": dict(remembered or {})}
    key = _key(account, kind, resource_id)
    with _lock:
        _memory[key] = record
        _write(key, record)
    return str(record["token"])


def remember(account: str, kind: str, resource_id: str, token: object, remembered: Mapping[str, Any]) -> None:
    """The holding entry (`token`) was updated: keep what it remembers now."""
    key = _key(account, kind, resource_id)
    with _lock:
        record = _read(key)
        if record is not None and record.get("token") == token:
            record = {**record, "remembered": dict(remembered)}
            _memory[key] = record
            _write(key, record)


def held_by_another(account: str, kind: str, resource_id: str, token: object) -> bool:
    """Does another entry hold this live resource now (one whose create took it over after this one's)?"""
    with _lock:
        record = _read(_key(account, kind, resource_id))
    return record is not None and record.get("token") != token


def remembered(account: str, kind: str, resource_id: str) -> dict[str, Any]:
    """What the entry holding this resource remembers of it (before a replacing create records its own)."""
    with _lock:
        record = _read(_key(account, kind, resource_id))
    found = record.get("remembered") if record else None
    return dict(found) if isinstance(found, dict) else {}


def release(account: str, kind: str, resource_id: str) -> None:
    """The live resource is gone (deleted by its holder's delete)."""
    key = _key(account, kind, resource_id)
    with _lock:
        _memory.pop(key, None)
        _write(key, None)
