"""The guide's lifecycle against real accounts, opt-in (`make test-live`), the way Terraform providers run
their `TF_ACC` acceptance tests; without the opt-in, the same code runs against the sandbox in `make test`.

Opt in by exporting the accounts' credentials (TWILIO_ACCOUNT_SID with TWILIO_API_KEY/TWILIO_API_SECRET or
TWILIO_AUTH_TOKEN, LIVEAGENT_URL, LIVEAGENT_API_KEY) and naming what the test may use:
  TWILIO_LIVEAGENT_LIVE_PREFIX      a throwaway trunk domain prefix no trunk has (Twilio then holds it 30 days)
  TWILIO_LIVEAGENT_LIVE_NUMBER      one Twilio number the account owns, on no trunk, with no LiveAgent number
  TWILIO_LIVEAGENT_LIVE_DEPARTMENT  a LiveAgent department (default: the first one)
The test runs in a stack of its own in a temporary state folder, refuses a prefix or number already in use
(it did not make them), never buys or releases a number, and destroys what it made even when a step fails.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from liveagent_provider.client import LiveAgentClient
from stack import api_settings, rules
from tests.conftest import SHELL_CREDENTIALS
from tests.engine import EngineStack
from tests.sandbox_client import SEED_ACCOUNT_SID, SEED_API_KEY, SEED_AUTH_TOKEN, Sandbox
from twilio_provider import paths
from twilio_provider.client import TwilioClient

PREFIX, NUMBER, DEPARTMENT = (f"TWILIO_LIVEAGENT_LIVE_{name}" for name in ("PREFIX", "NUMBER", "DEPARTMENT"))


@dataclass(frozen=True)
class Target:
    """Where the lifecycle runs: the accounts' settings (as environment variables) and what it may use."""

    env: Mapping[str, str]
    prefix: str
    number: str
    department: str | None
    live: bool

    def clients(self) -> tuple[TwilioClient, LiveAgentClient]:
        return (
            TwilioClient(api_settings.twilio_settings({}, self.env)),
            LiveAgentClient(api_settings.liveagent_settings({}, self.env)),
        )


def live_target(environ: Mapping[str, str]) -> Target | None:
    """The real accounts, when the opt-in names a prefix and a number (both, or it is an error)."""
    named = [name for name in (PREFIX, NUMBER) if environ.get(name)]
    if not named:
        return None
    if len(named) == 1:
        raise pytest.UsageError(f"the live test needs both {PREFIX} and {NUMBER}; only {named[0]} is set")
    return Target(environ, environ[PREFIX], environ[NUMBER], environ.get(DEPARTMENT), live=True)


@pytest.fixture
def target(request: pytest.FixtureRequest) -> Target:
    live = live_target(SHELL_CREDENTIALS)
    if live is not None:
        return live
    sandbox: Sandbox = request.getfixturevalue("sandbox")
    env = {
        api_settings.TWILIO_ACCOUNT_SID: SEED_ACCOUNT_SID,
        api_settings.TWILIO_AUTH_TOKEN: SEED_AUTH_TOKEN,
        api_settings.TWILIO_API_BASE_URL: sandbox.twilio_url,
        api_settings.LIVEAGENT_URL: sandbox.liveagent_url,
        api_settings.LIVEAGENT_API_KEY: SEED_API_KEY,
    }
    return Target(env, f"acc{secrets.token_hex(5)}", "+815012345683", None, live=False)


def unused(target: Target) -> tuple[dict[str, Any], str]:
    """The owned number's Twilio record and the department to use, after checking nothing is in use: a prefix,
    number or LiveAgent number that exists was not made by this test, so it is refused, never taken over."""
    twilio, liveagent = target.clients()
    domain = rules.termination_domain(target.prefix)
    taken = [t["sid"] for t in twilio.paginate(*paths.trunks(), "trunks") if t.get("domain_name") == domain]
    assert not taken, f"{PREFIX}: a trunk already has {domain} ({taken[0]}); name a prefix of no trunk"
    service, path = paths.incoming_phone_numbers(twilio.settings.account_sid)
    owned = [n for n in twilio.paginate(service, path, "incoming_phone_numbers", {"PhoneNumber": target.number})]
    owned = [n for n in owned if n.get("phone_number") == target.number]
    assert owned, f"{NUMBER}: {target.number} is not a number of this Twilio account (this test never buys one)"
    assert not owned[0].get("trunk_sid"), f"{NUMBER}: {target.number} is on trunk {owned[0]['trunk_sid']}"
    in_liveagent = [n for n in liveagent.find_numbers({"number": target.number}) if n.get("number") == target.number]
    assert not in_liveagent, f"{NUMBER}: LiveAgent already has {target.number} (id {in_liveagent[0].get('id')})"
    departments = [str(d["name"]) for d in liveagent.departments()]
    department = target.department or (departments[0] if departments else "")
    assert department in departments, f"{DEPARTMENT}: no LiveAgent department {department!r}: {departments}"
    return owned[0], department


def lifecycle_config(target: Target, department: str) -> dict[str, Any]:
    password = "Acc" + secrets.token_hex(8) + "9Z"  # letters and digits, mixed case, a digit
    return {
        "trunk": {"friendlyName": "LiveAgent acceptance", "domainPrefix": target.prefix, "edge": "tokyo"},
        "credentials": {"listName": f"LiveAgent {target.prefix}", "username": target.prefix, "password": password},
        "numbers": [{"number": target.number, "name": "Acceptance", "department": department, "dialPrefix": 99}],
    }


@pytest.fixture
def lifecycle_stack(tmp_path: Path, target: Target) -> Iterator[Callable[[dict[str, Any]], EngineStack]]:
    """A stack of the test's own; destroyed at the end whatever happened (its error is then reported)."""
    made: list[EngineStack] = []

    def make(config: dict[str, Any]) -> EngineStack:
        stack = EngineStack(tmp_path, name=f"acceptance-{target.prefix}", env=dict(target.env))
        stack.configure(config)
        made.append(stack)
        return stack

    yield make
    for stack in made:
        done = stack.run("destroy", "--yes", "--skip-preview", "--non-interactive")
        assert done.returncode == 0, f"clean-up failed; remove what is left by hand:\n{done.stdout}{done.stderr}"


def test_the_guides_lifecycle_on_the_target_accounts(
    target: Target, lifecycle_stack: Callable[[dict[str, Any]], EngineStack]
) -> None:
    owned, department = unused(target)
    stack = lifecycle_stack(lifecycle_config(target, department))
    stack.cli("up", "--yes", "--skip-preview")
    assert stack.run("preview", "--expect-no-changes", "--non-interactive").returncode == 0, "converged in one up"

    twilio, liveagent = target.clients()
    trunk_sid = stack.outputs()["trunkSid"]
    twilio.post(*paths.trunk(trunk_sid), {"FriendlyName": "changed in the console"})  # a hand edit
    drifted = stack.run("preview", "--expect-no-changes", "--non-interactive")
    assert drifted.returncode != 0, "the hand edit shows in the preview"
    stack.cli("up", "--yes", "--skip-preview")
    assert twilio.get(*paths.trunk(trunk_sid))["friendly_name"] == "LiveAgent acceptance", "repaired"
    assert stack.run("preview", "--expect-no-changes", "--non-interactive").returncode == 0

    stack.cli("destroy", "--yes", "--skip-preview")
    number = twilio.get(*paths.incoming_phone_numbers(twilio.settings.account_sid, owned["sid"]))
    assert number["phone_number"] == target.number and not number.get("trunk_sid"), "detached, still owned"
    assert not [n for n in liveagent.find_numbers({"number": target.number}) if n.get("number") == target.number]
