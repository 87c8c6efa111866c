"""Credentials from the environment or `pulumi-python:` config, rotated at will, never kept in state.

Every command here is the plain CLI in the project folder, with credentials exported as a CI job does.
"""

from __future__ import annotations

import base64
import re
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from tests.conftest import base_config
from tests.engine import EngineStack, strip_ansi
from tests.sandbox_client import SEED_ACCOUNT_SID, SEED_API_KEY, SEED_AUTH_TOKEN, Sandbox

COMMANDS = (("refresh", "--yes"), ("preview",), ("up", "--yes"), ("destroy", "--yes"))


def without_credentials(config: dict[str, Any]) -> dict[str, Any]:
    """The base config with only the URLs left of the API settings: credentials come from the environment."""
    config["twilio"] = {"apiBaseUrl": config["twilio"]["apiBaseUrl"]}
    config["liveagent"] = {"url": config["liveagent"]["url"]}
    return config


def key_env(sid: str, secret: str, liveagent_key: str) -> dict[str, str]:
    return {
        "TWILIO_ACCOUNT_SID": SEED_ACCOUNT_SID,
        "TWILIO_API_KEY": sid,
        "TWILIO_API_SECRET": secret,
        "LIVEAGENT_API_KEY": liveagent_key,
    }


def shown(done: Any) -> str:
    return strip_ansi(done.stdout + done.stderr)


def run_ok(stack: EngineStack, *args: str) -> str:
    done = stack.run(*args, "--non-interactive")
    assert done.returncode == 0, f"pulumi {' '.join(args)}:\n{shown(done)}"
    return shown(done)


def encodings(secret: str, users: tuple[str, ...] = ()) -> set[str]:
    """A secret as it could sit in a file: plain, URL-encoded, base64 (alone or in a Basic-auth header of the
    account SID or of an API key's SID)."""
    forms = {secret, quote(secret, safe="")}
    for text in (secret, *(f"{user}:{secret}" for user in (SEED_ACCOUNT_SID, *users))):
        forms.add(base64.b64encode(text.encode()).decode().rstrip("="))
    return forms


def base64_blobs(text: str) -> str:
    """Every long base64 run in `text`, decoded (a pickled provider is one): a secret inside shows here."""
    decoded = []
    for blob in re.findall(r"[A-Za-z0-9+/]{40,}={0,2}", text):
        try:
            decoded.append(base64.b64decode(blob + "=" * (-len(blob) % 4)).decode("latin-1"))
        except ValueError:
            continue
    return "\n".join(decoded)


def assert_nowhere(secrets: list[str], texts: dict[str, str], users: tuple[str, ...] = ()) -> None:
    for where, text in texts.items():
        haystack = text + "\n" + base64_blobs(text)
        for secret in secrets:
            for form in encodings(secret, users):
                assert form not in haystack, f"a credential ({form[:4]}…) is in {where}"


def everything_kept(stack: EngineStack) -> dict[str, str]:
    """Every checkpoint, history and backup file of the backend, and both exports of the stack."""
    files = {
        str(path): path.read_text(encoding="utf-8", errors="replace")
        for path in stack.backend.rglob("*")
        if path.is_file()
    }
    assert any("/history/" in name for name in files), "the backend keeps history files; they are checked too"
    return {
        **files,
        "stack export": run_ok(stack, "stack", "export"),
        "stack export --show-secrets": run_ok(stack, "stack", "export", "--show-secrets"),
    }


class Forwarder:
    """A TCP relay to the sandbox on a port of its own: an API base URL that can be taken away."""

    def __init__(self, target: str):
        parts = urlsplit(target)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def forwarder(sandbox: Sandbox) -> Iterator[Callable[[str], Forwarder]]:
    made: list[Forwarder] = []

    def make(target: str) -> Forwarder:
        made.append(Forwarder(target))
        return made[-1]

    yield make
    for relay in made:
        relay.close()


def test_api_keys_from_the_environment_converge_and_rotate_with_no_state_surgery(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    sid, secret = sandbox.new_twilio_api_key()
    liveagent_key = sandbox.new_liveagent_api_key()
    stack = make_stack(without_credentials(base_config(sandbox)), env=key_env(sid, secret, liveagent_key))
    first = run_ok(stack, "up", "--yes")
    assert (
        "Twilio: API key from TWILIO_API_KEY/TWILIO_API_SECRET (environment); "
        "LiveAgent: API key from LIVEAGENT_API_KEY (environment)" in first
    ), first
    assert len(sandbox.liveagent_numbers()) == 2 and len(sandbox.trunks()) == 1
    kept_after_up = {f"after the first up, {where}": text for where, text in everything_kept(stack).items()}

    # Both keys rotated in the consoles: new ones made, the old ones revoked; CI exports the new ones.
    new_sid, new_secret = sandbox.new_twilio_api_key()
    new_liveagent_key = sandbox.new_liveagent_api_key()
    sandbox.revoke_twilio_api_key(sid)
    sandbox.revoke_liveagent_api_key(liveagent_key)
    stack.env.update(key_env(new_sid, new_secret, new_liveagent_key))
    for command in COMMANDS:
        if command[0] == "up":
            sandbox.clear_counters()
        run_ok(stack, *command)
        if command[0] == "up":
            assert sandbox.writes() == 0, "a rotated key is not a change to make"
    assert sandbox.liveagent_numbers() == {} and sandbox.trunks() == []
    every_secret = [secret, new_secret, liveagent_key, new_liveagent_key, SEED_AUTH_TOKEN, SEED_API_KEY]
    assert_nowhere(every_secret, {**kept_after_up, **everything_kept(stack)}, users=(sid, new_sid))


def test_config_credentials_rotate_and_base_urls_move_with_plain_commands(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox, forwarder: Callable[[str], Forwarder]
) -> None:
    relay = forwarder(sandbox.twilio_url)
    config = base_config(sandbox)
    config["twilio"]["apiBaseUrl"] = relay.url
    stack = make_stack(config)
    assert "Twilio: auth token from pulumi-python:twilio.authToken (stack config)" in run_ok(stack, "up", "--yes")

    # The auth token is rotated, the LiveAgent key replaced, and the old Twilio URL goes away.
    token = sandbox.rotate_auth_token()
    liveagent_key = sandbox.new_liveagent_api_key()
    sandbox.revoke_liveagent_api_key(SEED_API_KEY)
    relay.close()
    run_ok(stack, "config", "set", "--path", "--secret", "pulumi-python:twilio.authToken", token)
    run_ok(stack, "config", "set", "--path", "--secret", "pulumi-python:liveagent.apiKey", liveagent_key)
    run_ok(stack, "config", "set", "--path", "pulumi-python:twilio.apiBaseUrl", sandbox.twilio_url)
    for command in COMMANDS:
        run_ok(stack, *command)
    assert sandbox.liveagent_numbers() == {} and sandbox.trunks() == []
    assert_nowhere([SEED_AUTH_TOKEN, token, SEED_API_KEY, liveagent_key], everything_kept(stack))


@pytest.mark.parametrize("api", ["twilio", "liveagent"])
def test_a_revoked_key_fails_the_preview_with_one_request_naming_the_variable(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox, api: str
) -> None:
    sid, secret = sandbox.new_twilio_api_key()
    liveagent_key = sandbox.new_liveagent_api_key()
    stack = make_stack(without_credentials(base_config(sandbox)), env=key_env(sid, secret, liveagent_key))
    run_ok(stack, "up", "--yes")
    if api == "twilio":
        sandbox.revoke_twilio_api_key(sid)
        names = "API key from TWILIO_API_KEY/TWILIO_API_SECRET (environment)"
    else:
        sandbox.revoke_liveagent_api_key(liveagent_key)
        names = "API key from LIVEAGENT_API_KEY (environment)"
    sandbox.clear_counters()

    done = stack.run("preview", "--non-interactive")  # refreshes first (Pulumi.yaml), so every resource reads
    text = shown(done)
    assert done.returncode != 0, text
    assert f"did not accept the {names}: correct or replace it" in text, text
    assert "Traceback" not in text, text
    refused = sandbox.counters(api)["by_status"]
    assert refused.get("401", 0) + refused.get("403", 0) == 1, f"one refused request, not one per resource: {refused}"
    assert sandbox.writes() == 0
    stack.env.update(key_env(*sandbox.new_twilio_api_key(), sandbox.new_liveagent_api_key()))
    run_ok(stack, "destroy", "--yes")


def test_a_wrong_key_on_a_new_stack_fails_at_preview_before_anything_is_planned(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    wrong = "n0tTheSecretAtAll"
    stack = make_stack(without_credentials(base_config(sandbox)), env=key_env("SK" + "0" * 32, wrong, wrong))
    sandbox.clear_counters()
    done = stack.run("preview", "--non-interactive")
    text = shown(done)
    assert done.returncode != 0
    assert "Twilio did not accept the API key from TWILIO_API_KEY/TWILIO_API_SECRET (environment)" in text, text
    assert "LiveAgent did not accept the API key from LIVEAGENT_API_KEY (environment)" in text, text
    assert sandbox.counters("twilio")["total"] == 1 and sandbox.counters("liveagent")["total"] == 1
    assert wrong not in text
