"""The preview a reviewer reads in a pull request: `pulumi preview --json` from the real engine against the
sandbox, rendered by `python -m deploy.preview_report`, as the PR-comment workflow calls it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

from deploy.cli import PROJECT_DIR
from deploy.preview_report import render_text
from tests.conftest import base_config
from tests.engine import EngineStack, strip_ansi
from tests.sandbox_client import Sandbox


def report(preview_json: str, stack: str = "prod") -> str:
    """The renderer through its command line, reading stdin, as the workflow script runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "deploy.preview_report", "-", "--stack", stack],
        input=preview_json,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def preview_json(stack: EngineStack, *args: str) -> tuple[int, str]:
    done = stack.run("preview", "--json", *args)
    json.loads(done.stdout)  # the engine's own JSON, also when the preview fails
    return done.returncode, done.stdout


def section(markdown: str, heading: str) -> str:
    """The text under one `####` heading, up to the next."""
    start = markdown.index(heading)
    rest = markdown[start + len(heading) :]
    return rest.split("\n####", 1)[0]


def assert_no_engine_words(markdown: str) -> None:
    assert "urn:pulumi" not in markdown
    assert "pulumi-python:dynamic" not in markdown
    assert "twilio-liveagent:index:" not in markdown and "twilio-liveagent:twilio:" not in markdown


def test_preview_of_a_new_stack_names_each_resource_in_the_guides_words(make_stack: Any, sandbox: Sandbox) -> None:
    config = base_config(sandbox)
    stack = make_stack(config)
    code, plan = preview_json(stack)
    assert code == 0, plan
    markdown = report(plan)
    assert markdown.startswith("### Pulumi preview of `prod`")
    assert "**11 to create, 0 unchanged**" in markdown, markdown
    domain = f"{config['trunk']['domainPrefix']}.pstn.twilio.com"
    for name in (
        f"SIP trunk {domain}",
        f"credential list {config['credentials']['listName']}",
        "credential testuser01",
        "origination URL sip:1-sip-la-sg.ladesk.com",
        "Twilio number +815012345678",
        "Twilio number +815012345679",
        "LiveAgent number +815012345678",
        "dialing permissions GB, SG",
    ):
        assert f"| create | {name} |" in markdown, (name, markdown)
    assert_no_engine_words(markdown)
    assert config["credentials"]["password"] not in markdown
    assert "password: [secret]" in markdown


def test_refresh_after_up_shows_no_change(make_stack: Any, sandbox: Sandbox) -> None:
    """No `+ auth_type` on the first refresh, no `[diff: -password]` on every one: a converged stack's refresh
    changes nothing, in what `pulumi refresh` prints, in `preview --refresh --json` and in the report."""
    stack = make_stack(base_config(sandbox))
    stack.up()
    for _ in range(2):  # the first refresh after `up`, and every later one
        refreshed = stack.run("refresh", "--yes", "--diff", "--non-interactive")
        assert refreshed.returncode == 0, refreshed.stderr
        shown = strip_ansi(refreshed.stdout)
        for noise in ("auth_type", "password", "[diff:", "(refresh)"):
            assert noise not in shown, (noise, shown)
        assert not re.search(r"^\s*[~+-] ", shown, re.MULTILINE), shown  # no property shown changing
    code, plan = preview_json(stack, "--refresh")
    assert code == 0, plan
    steps = json.loads(plan)["steps"]
    assert {step["op"] for step in steps} == {"refresh", "same"}
    for step in steps:
        if step["op"] == "refresh":
            assert step.get("oldState") == step.get("newState"), step["urn"]
    assert "**No changes** (11 unchanged)" in report(plan)


def test_console_edits_show_as_drift_apart_from_the_config_change(make_stack: Any, sandbox: Sandbox) -> None:
    config = base_config(sandbox)
    stack = make_stack(config)
    stack.up()
    # By hand in the consoles: the trunk renamed, a LiveAgent number's host changed.
    [trunk] = sandbox.trunks()
    sandbox.twilio("POST", f"/trunking/v1/Trunks/{trunk['sid']}", FriendlyName="Hand made")
    sandbox.liveagent_edit(str(sandbox.liveagent_numbers()["+815012345678"]["id"]), host="wrong.pstn.twilio.com")
    # In the pull request: a new username (replaces the credential), a new password, a number dropped
    # (deleted in LiveAgent, detached in Twilio), the origination weight changed (an update).
    changed = json.loads(json.dumps(config))
    changed["credentials"].update(username="testuser02", password="NewPassw0rdNew1")
    changed["numbers"] = changed["numbers"][:1]
    changed["origination"]["weight"] = 20
    stack.configure(changed)
    code, plan = preview_json(stack, "--refresh")
    assert code == 0, plan
    markdown = report(plan)

    destructive = "#### ⚠️ Replacements and deletions"
    drift = "#### Drift: changed outside Pulumi (found by refresh), put back by `up`"
    from_config = "#### Changes from the config"
    assert markdown.index(destructive) < markdown.index(drift) < markdown.index(from_config), markdown
    first = section(markdown, destructive)
    assert "| replace | credential testuser02 | username: `testuser01` → `testuser02` *(forces replacement)* |" in first
    assert "| delete | LiveAgent number +815012345679 | deleted |" in first
    assert "| delete | Twilio number +815012345679 | detached from the trunk |" in first

    drifted = section(markdown, drift)
    assert "friendly name: `LiveAgent test` → `Hand made` in the console; `up` sets `LiveAgent test`" in drifted
    host = f"{config['trunk']['domainPrefix']}.pstn.tokyo.twilio.com"
    assert f"host: `{host}` → `wrong.pstn.twilio.com` in the console; `up` sets `{host}`" in drifted
    assert "weight" not in drifted

    configured = section(markdown, from_config)
    assert "origination URL sip:1-sip-la-sg.ladesk.com | weight: `10` → `20` |" in configured, configured
    assert "Hand made" not in configured and "wrong.pstn" not in configured
    assert "**2 to delete, 1 to replace, 3 to update, 5 unchanged**" in markdown, markdown
    for secret in ("Passw0rdPassw0rd", "NewPassw0rdNew1"):
        assert secret not in markdown
    assert_no_engine_words(markdown)


def test_a_failed_preview_is_rendered_with_its_error(make_stack: Any, sandbox: Sandbox) -> None:
    config = base_config(sandbox)
    config["numbers"][0]["department"] = "Nope"
    stack = make_stack(config)
    code, plan = preview_json(stack)
    assert code != 0
    markdown = report(plan)
    assert "**The preview failed.** Nothing was changed." in markdown, markdown
    assert "numbers[0].department: LiveAgent has no department named 'Nope'" in markdown, markdown
    assert "department_name" not in markdown, "the error names the config key, not the provider's property"
    assert "Resource monitor has terminated" not in markdown
    assert "**Planned before the preview stopped:" in markdown
    assert_no_engine_words(markdown)


def test_a_secret_field_is_masked_even_when_the_json_does_not_mark_it() -> None:
    step = {
        "op": "update",
        "urn": "urn:pulumi:prod::twilio-liveagent::pulumi-python:dynamic/liveagent:SipNumber::n1-liveagent-number",
        "oldState": {
            "type": "pulumi-python:dynamic/liveagent:SipNumber",
            "inputs": {"number": "+815012345678", "password": "old-plain-1", "name": "A"},
        },
        "newState": {
            "type": "pulumi-python:dynamic/liveagent:SipNumber",
            "inputs": {"number": "+815012345678", "password": "new-plain-2", "name": "B"},
        },
    }
    markdown = render_text(json.dumps({"steps": [step], "changeSummary": {"update": 1}}))
    assert "old-plain-1" not in markdown and "new-plain-2" not in markdown
    assert "password: [secret] → [secret]" in markdown
    assert "| update | LiveAgent number +815012345678 | name: `A` → `B`" in markdown


def test_output_that_is_not_a_preview_is_said_to_be_so() -> None:
    markdown = report("error: no stack named 'prod' found\n")
    assert "**The preview produced no plan**" in markdown
