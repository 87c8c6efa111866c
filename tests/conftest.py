"""Shared fixtures: the sandbox as a separate process, and throwaway stacks on the real engine."""

from __future__ import annotations

import copy
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from deploy.sandbox_process import running_sandbox
from stack import api_settings
from tests.engine import EngineStack
from tests.sandbox_client import SEED_ACCOUNT_SID, SEED_API_KEY, SEED_AUTH_TOKEN, Sandbox

# The shell's credentials and the live test's opt-in, as they were before the fixture below hid them: only
# tests/test_live.py reads them, and only under `make test-live`.
LIVE_OPT_IN = ("TWILIO_LIVEAGENT_LIVE_PREFIX", "TWILIO_LIVEAGENT_LIVE_NUMBER", "TWILIO_LIVEAGENT_LIVE_DEPARTMENT")
SHELL_CREDENTIALS = {name: os.environ[name] for name in (*api_settings.ENVIRONMENT, *LIVE_OPT_IN) if name in os.environ}


@pytest.fixture(scope="session", autouse=True)
def no_credentials_from_the_shell() -> Iterator[None]:
    """Credentials in the developer's shell would win over every test stack's config (api_settings)."""
    saved = {name: os.environ.pop(name) for name in api_settings.ENVIRONMENT if name in os.environ}
    yield
    os.environ.update(saved)


@pytest.fixture(scope="session")
def sandbox_process() -> Iterator[Sandbox]:
    # No LiveAgent rate limit by default, so the suite is not paced at 180 requests a minute;
    # the rate-limit test sets one itself.
    with running_sandbox("--liveagent-rate-limit", "0") as urls:
        yield Sandbox(urls["twilio"], urls["liveagent"])


@pytest.fixture
def sandbox(sandbox_process: Sandbox) -> Iterator[Sandbox]:
    sandbox_process.reset()
    sandbox_process.rate_limit(0, 60)
    yield sandbox_process
    sandbox_process.faults("twilio")
    sandbox_process.faults("liveagent")


def base_config(sandbox: Sandbox, prefix: str | None = None) -> dict[str, Any]:
    prefix = prefix or f"t{uuid.uuid4().hex[:10]}"
    return copy.deepcopy(
        {
            "twilio": {"accountSid": SEED_ACCOUNT_SID, "authToken": SEED_AUTH_TOKEN, "apiBaseUrl": sandbox.twilio_url},
            # The suite's sandbox has no rate limit (above), and the client's count is shared by every process of
            # the user (liveagent_provider/rate_limit.py): without this the whole suite would be paced at 180 a
            # minute. The tests of the limit set their own.
            "liveagent": {
                "url": sandbox.liveagent_url,
                "apiKey": SEED_API_KEY,
                "rateLimit": {"requests": 100000, "windowSeconds": 60},
            },
            "trunk": {
                "friendlyName": "LiveAgent test",
                "domainPrefix": prefix,
                "edge": "tokyo",
                "disasterRecovery": {"forwardTo": "+18008112345"},
            },
            "origination": {"uri": "sip:1-sip-la-sg.ladesk.com", "weight": 10, "priority": 10},
            "credentials": {
                "listName": f"LiveAgent {prefix}",
                "username": "testuser01",
                "password": "Passw0rdPassw0rd",
            },
            "numbers": [
                {"number": "+815012345678", "name": "Tokyo main", "department": "Support", "dialPrefix": 1},
                {"number": "+815012345679", "name": "Tokyo sales", "department": "Sales", "dialPrefix": 2},
            ],
            "outboundCountries": ["GB", "SG"],
        }
    )


@pytest.fixture
def make_stack(tmp_path: Path, sandbox: Sandbox) -> Iterator[Callable[..., EngineStack]]:
    """Stacks made here are destroyed and removed at the end of the test."""
    made: list[EngineStack] = []

    def make(config: dict[str, Any] | None = None, **kwargs: Any) -> EngineStack:
        stack = EngineStack(tmp_path, **kwargs)
        if config is not None:
            stack.configure(config)
        made.append(stack)
        return stack

    yield make
    sandbox.faults("twilio")
    sandbox.faults("liveagent")
    for stack in made:
        try:
            stack.stack.destroy()
            stack.stack.workspace.remove_stack(stack.name)
        except Exception:  # noqa: BLE001 - best effort; the sandbox is reset before the next test anyway
            pass
