"""A setup made by hand, as the guide shows it, becomes a managed stack: one `discover`, one `config set
--secret`, one `pulumi up` (every id kept, nothing written but the password), through the plain CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from deploy.cli import PROJECT_DIR
from stack import rules
from tests.conftest import base_config
from tests.engine import EngineStack, strip_ansi
from tests.sandbox_client import SEED_ACCOUNT_SID, SEED_API_KEY, SEED_AUTH_TOKEN, Sandbox
from tests.test_safe_commands import identities, urn
from tests.test_takeover import guide_setup_by_hand


def the_guides_config(sandbox: Sandbox) -> dict[str, Any]:
    """The guide's setup: two numbers, one outbound country (JP and US are on in the seed already)."""
    config = base_config(sandbox)
    config["outboundCountries"] = ["GB"]
    return config


def with_api_settings(stack: EngineStack, sandbox: Sandbox) -> None:
    """The APIs' settings in the stack config, as a team keeps them (secrets encrypted)."""
    for path, value in (
        ("pulumi-python:twilio.accountSid", SEED_ACCOUNT_SID),
        ("pulumi-python:twilio.apiBaseUrl", sandbox.twilio_url),
        ("pulumi-python:liveagent.url", sandbox.liveagent_url),
        ("pulumi-python:liveagent.rateLimit.requests", "100000"),
    ):
        stack.cli("config", "set", "--path", path, value)
    stack.cli("config", "set", "--path", "--secret", "pulumi-python:twilio.authToken", SEED_AUTH_TOKEN)
    stack.cli("config", "set", "--path", "--secret", "pulumi-python:liveagent.apiKey", SEED_API_KEY)


def discover(stack: EngineStack, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m deploy discover` as a person runs it in the stack's project folder."""
    env = {**os.environ, **stack.env}
    return subprocess.run(
        [sys.executable, "-m", "deploy", "discover", "--stack", stack.name, "--dir", str(stack.project_dir), *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def stack_file(stack: EngineStack) -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load((stack.project_dir / f"Pulumi.{stack.name}.yaml").read_text())
    return found


def test_a_setup_made_by_hand_becomes_a_managed_stack_with_every_id_kept(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    config = the_guides_config(sandbox)
    # As the guide leaves it: the trunk's friendly name and the origination weight are the person's own.
    guide_setup_by_hand(sandbox, config)
    stack = make_stack()
    with_api_settings(stack, sandbox)
    before = identities(sandbox)

    sandbox.clear_counters()
    done = discover(stack, "--domain-prefix", config["trunk"]["domainPrefix"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert sandbox.writes() == 0, "discover only reads"
    written = stack_file(stack)["config"]
    assert written["twilio-liveagent:adopt"] is True
    assert written["twilio-liveagent:trunk"]["friendlyName"] == "Trunk for LiveAgent"
    assert written["twilio-liveagent:trunk"]["disasterRecovery"]["forwardTo"] == "+18008112345"
    assert written["twilio-liveagent:origination"]["weight"] == 1
    assert [n["number"] for n in written["twilio-liveagent:numbers"]] == ["+815012345678", "+815012345679"]
    assert written["twilio-liveagent:liveagentNumber"] == {"profileFrom": "+815012345678"}
    assert written["twilio-liveagent:outboundCountries"] == ["GB", "JP", "US"]
    assert "pulumi-python:twilio" in written, "the file's other keys are kept"
    text = (stack.project_dir / f"Pulumi.{stack.name}.yaml").read_text()
    for secret in (config["credentials"]["password"], SEED_AUTH_TOKEN, SEED_API_KEY):
        assert secret not in text + done.stdout + done.stderr, "discover never writes or prints a secret"
    assert "pulumi config set --path --secret credentials.password" in done.stdout

    stack.cli("config", "set", "--path", "--secret", "credentials.password", config["credentials"]["password"])
    plan = strip_ansi(stack.cli("preview", "--diff"))
    assert "taking_over" in plan and " delete" not in plan and "replace" not in plan, plan
    sandbox.clear_counters()
    stack.cli("up", "--yes", "--skip-preview")
    assert identities(sandbox) == before, "every id kept, every number where it was"
    assert sandbox.counters("twilio")["writes"] == 1, "the password, sent again: Twilio never shows it"
    assert sandbox.counters("liveagent")["writes"] == 0
    assert stack.run("preview", "--expect-no-changes", "--non-interactive").returncode == 0

    for what in ("trunk", "credential"):
        stack.cli("up", "--yes", "--skip-preview", "--replace", urn(stack, what))
        assert identities(sandbox) == before, f"after --replace of the {what}: one of each, the same ids"


def test_discover_writes_what_agrees_with_the_guide_and_names_what_it_leaves_out(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    config = the_guides_config(sandbox)
    made = guide_setup_by_hand(sandbox, config)
    prefix = config["trunk"]["domainPrefix"]
    owned = sandbox.numbers_by_e164()
    departments = {d["name"]: d["department_id"] for d in sandbox.state("liveagent")["departments"].values()}
    # A LiveAgent number pointed at another host, a number on the trunk with no LiveAgent number, and one with two.
    sandbox.liveagent_edit(made["liveagent"]["+815012345679"], host="elsewhere.pstn.tokyo.twilio.com")
    for number in ("+815012345680", "+815012345681"):
        sandbox.twilio("POST", f"/trunking/v1/Trunks/{made['trunk']}/PhoneNumbers", PhoneNumberSid=owned[number]["sid"])
    for prefix_number, spelt in ((7, "+815012345681"), (8, "815012345681")):  # once with '+', once without
        form = {"type": "S", "number": spelt, "name": f"twice {prefix_number}", "status": "A"}
        form.update(departmentid=departments["Support"], dial_out_prefix=str(prefix_number), user="testuser01")
        form.update(host=rules.pinned_termination_host(prefix, "tokyo"), password="Passw0rdPassw0rd")
        sandbox.liveagent("POST", "/phone_numbers", form=form)
    stack = make_stack()
    with_api_settings(stack, sandbox)

    done = discover(stack, "--domain-prefix", prefix)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [n["number"] for n in stack_file(stack)["config"]["twilio-liveagent:numbers"]] == ["+815012345678"]
    rows = {line.split()[1]: line for line in done.stdout.splitlines() if line.startswith("number ")}
    assert "not this trunk's" in rows["+815012345679"]
    assert "LiveAgent has no SIP number for it" in rows["+815012345680"]
    assert "LiveAgent has 2 SIP numbers for it" in rows["+815012345681"]

    again = discover(stack, "--domain-prefix", prefix)
    assert again.returncode == 2 and "--force" in again.stderr, "keys already in the file are not lost silently"
    forced = discover(stack, "--domain-prefix", prefix, "--force")
    assert forced.returncode == 0, forced.stderr


def test_discover_without_a_prefix_lists_the_accounts_trunks(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox
) -> None:
    config = the_guides_config(sandbox)
    guide_setup_by_hand(sandbox, config)
    stack = make_stack()
    with_api_settings(stack, sandbox)
    done = discover(stack)
    assert done.returncode == 2
    assert f"{config['trunk']['domainPrefix']}.pstn.twilio.com" in done.stderr
    assert "--domain-prefix PREFIX" in done.stderr
    assert not (stack.project_dir / f"Pulumi.{stack.name}.yaml").read_text().count("twilio-liveagent:")


def test_discover_reads_with_the_environments_credentials_first(
    make_stack: Callable[..., EngineStack], sandbox: Sandbox, tmp_path: Path
) -> None:
    config = the_guides_config(sandbox)
    guide_setup_by_hand(sandbox, config)
    stack = make_stack(
        env={
            "TWILIO_ACCOUNT_SID": SEED_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": SEED_AUTH_TOKEN,
            "TWILIO_API_BASE_URL": sandbox.twilio_url,
            "LIVEAGENT_URL": sandbox.liveagent_url,
            "LIVEAGENT_API_KEY": SEED_API_KEY,
        }
    )
    done = discover(stack, "--domain-prefix", config["trunk"]["domainPrefix"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.dumps(stack_file(stack)["config"]).count("pulumi-python") == 0, "nothing of the environment written"
