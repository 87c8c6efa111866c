""".github/workflows: actionlint passes, the YAML only wires repository steps, and each step (`python -m deploy.ci …`)
does what the workflow relies on, run as the job runs it against the sandbox, with a stand-in `gh` for GitHub.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.cli import PROJECT_DIR, TOOLS_BIN
from stack import api_settings
from tests.conftest import base_config
from tests.engine import EngineStack, strip_ansi
from tests.sandbox_client import Sandbox

WORKFLOWS = PROJECT_DIR / ".github" / "workflows"
SETUP_ACTION = PROJECT_DIR / ".github" / "actions" / "setup" / "action.yml"
PASSWORD = "Passw0rdPassw0rd"  # base_config's SIP password: never in a comment, a summary or an issue


def actionlint(*args: str) -> subprocess.CompletedProcess[str]:
    binary = TOOLS_BIN / "actionlint"
    assert binary.exists(), f"{binary} is missing: `make setup` builds it (tools/install-actionlint.sh)"
    return subprocess.run([str(binary), *args], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120)


def test_actionlint_passes_on_the_workflows() -> None:
    assert sorted(path.name for path in WORKFLOWS.glob("*.yml")) == ["deploy.yml", "drift.yml", "preview.yml"]
    done = actionlint("-no-color")
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_fails_on_a_wrong_workflow(tmp_path: Path) -> None:
    wrong = (WORKFLOWS / "drift.yml").read_text(encoding="utf-8").replace("matrix.stack }}", "matrix.stak }}")
    (tmp_path / "drift.yml").write_text(wrong, encoding="utf-8")
    done = actionlint("-no-color", str(tmp_path / "drift.yml"))
    assert done.returncode != 0
    assert "stak" in done.stdout, done.stdout


def steps() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in [*WORKFLOWS.glob("*.yml"), SETUP_ACTION]:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        jobs = document.get("jobs") or {"composite": document["runs"]}
        for job in jobs.values():
            found += [(path.name, step) for step in job.get("steps", [])]
    return found


def test_every_run_step_is_a_make_target_or_a_deploy_ci_command() -> None:
    command = [sys.executable, "-m", "deploy.ci", "--help"]
    usage = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True)
    parser_commands = set(re.search(r"\{([a-z,-]+)\}", usage.stdout).group(1).split(","))  # type: ignore[union-attr]
    assert parser_commands == {"preview", "comment", "up", "drift", "drift-issue"}, usage.stdout
    make_targets = set()
    for line in (PROJECT_DIR / "Makefile").read_text(encoding="utf-8").splitlines():
        if ":" in line and not line.startswith(("\t", "#", " ")) and "=" not in line.split(":")[0]:
            make_targets.update(line.split(":")[0].split())
    runs = [(name, step["run"]) for name, step in steps() if "run" in step]
    assert runs
    for name, command in runs:
        words = shlex.split(command)
        if words[0] == "make":
            assert set(words[1:]) <= make_targets, f"{name}: {command}"
        else:
            assert words[:3] == ["venv/bin/python", "-m", "deploy.ci"], f"{name}: {command} is not a repository step"
            assert words[3] in parser_commands, f"{name}: {command}"


def test_stacks_are_guarded_by_concurrency_and_prod_by_its_environment() -> None:
    deploy = yaml.safe_load((WORKFLOWS / "deploy.yml").read_text(encoding="utf-8"))
    assert deploy["jobs"]["prod"]["environment"] == "production"
    assert deploy["jobs"]["prod"]["needs"] == "staging"
    for stack in ("staging", "prod"):
        assert deploy["jobs"][stack]["concurrency"] == {"group": f"pulumi-{stack}", "cancel-in-progress": False}
    drift = yaml.safe_load((WORKFLOWS / "drift.yml").read_text(encoding="utf-8"))["jobs"]["drift"]
    assert drift["concurrency"]["group"] == "pulumi-${{ matrix.stack }}", "the deploys' group: never at once"
    assert drift["strategy"]["matrix"]["stack"] == ["staging", "prod"]
    preview = yaml.safe_load((WORKFLOWS / "preview.yml").read_text(encoding="utf-8"))["jobs"]["preview"]
    assert "matrix.stack" in preview["concurrency"]["group"]
    # Every job that runs Pulumi gets the credentials' variables by the README's names, and the backend settings.
    needed = {"TWILIO_ACCOUNT_SID", "TWILIO_API_KEY", "TWILIO_API_SECRET", "LIVEAGENT_URL", "LIVEAGENT_API_KEY"}
    assert needed <= set(api_settings.ENVIRONMENT)
    for name, env in [
        ("deploy", yaml.safe_load((WORKFLOWS / "deploy.yml").read_text(encoding="utf-8"))["env"]),
        ("drift", drift["env"]),
        ("preview", preview["env"]),
    ]:
        for variable in needed:
            assert env[variable] == f"${{{{ secrets.{variable} }}}}", (name, variable)
        assert env["PULUMI_BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL }}", name
        assert env["PULUMI_CONFIG_PASSPHRASE"] == "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}", name


# ---- the steps, run as the jobs run them ----------------------------------------------------------------------


def ci(stack: EngineStack, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **stack.env, **(extra_env or {})}
    command = [sys.executable, "-m", "deploy.ci", *args]
    return subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture
def fake_gh(tmp_path: Path) -> dict[str, str]:
    """`gh` on PATH, answering from a state file: a PR (#7) with one unrelated comment, and one open PR (#3)."""
    bin_dir = tmp_path / "gh-bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(f'#!/bin/sh\nexec {sys.executable} {PROJECT_DIR / "tests" / "fake_gh.py"} "$@"\n')
    gh.chmod(0o755)
    state = tmp_path / "gh-state.json"
    state.write_text(
        json.dumps(
            {
                "next_id": 100,
                "calls": [],
                "comments": {"7": [{"id": 1, "body": "Looks good to me"}]},
                "issues": [{"number": 3, "body": "<!-- twilio-liveagent:drift:x -->", "pull_request": {"url": "…"}}],
            }
        )
    )
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_GH_STATE": str(state)}


def gh_state(fake_gh: dict[str, str]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(Path(fake_gh["FAKE_GH_STATE"]).read_text(encoding="utf-8"))
    return loaded


def test_the_pr_comment_is_created_once_then_edited_on_each_push(
    make_stack: Any, sandbox: Sandbox, tmp_path: Path, fake_gh: dict[str, str]
) -> None:
    stack = make_stack(base_config(sandbox))
    stack.up()
    [trunk] = sandbox.trunks()
    sandbox.twilio("POST", f"/trunking/v1/Trunks/{trunk['sid']}", FriendlyName="Hand made")
    out = tmp_path / "previews"
    previewed = ci(stack, "preview", "--stack", stack.name, "--out", str(out), "--cwd", str(stack.project_dir))
    assert previewed.returncode == 0, previewed.stdout + previewed.stderr
    stacks = f"{stack.name},prod"
    first = ci(stack, "comment", str(out), "--stacks", stacks, "--repo", "o/r", "--pr", "7", extra_env=fake_gh)
    assert first.returncode == 0, first.stderr
    assert "preview comment created" in first.stdout
    comments = gh_state(fake_gh)["comments"]["7"]
    assert len(comments) == 2 and comments[0]["body"] == "Looks good to me"
    body = comments[1]["body"]
    assert body.startswith("<!-- twilio-liveagent:preview -->")
    assert f"### Stack `{stack.name}`: preview" in body
    text = strip_ansi(body)
    # The renderer's rows: the drift, and what the update puts back.
    assert "`Hand made` in the console; `up` sets `LiveAgent test`" in text, text
    assert "### Stack `prod`: no preview" in body, "a stack whose job did not finish is named, not dropped"
    assert PASSWORD not in body

    # The next push: the same comment edited, no second one.
    sandbox.twilio("POST", f"/trunking/v1/Trunks/{trunk['sid']}", FriendlyName="Edited again")
    again = ci(stack, "preview", "--stack", stack.name, "--out", str(out), "--cwd", str(stack.project_dir))
    assert again.returncode == 0, again.stdout + again.stderr
    second = ci(stack, "comment", str(out), "--stacks", stacks, "--repo", "o/r", "--pr", "7", extra_env=fake_gh)
    assert second.returncode == 0, second.stderr
    assert f"preview comment updated {comments[1]['id']}" in second.stdout
    state = gh_state(fake_gh)
    assert [c["id"] for c in state["comments"]["7"]] == [1, comments[1]["id"]]
    assert "`Edited again` in the console; `up` sets `LiveAgent test`" in strip_ansi(state["comments"]["7"][1]["body"])
    assert [call["method"] for call in state["calls"]] == ["GET", "POST", "GET", "PATCH"]


def test_a_failed_preview_fails_its_step_and_the_comment_says_why(
    make_stack: Any, sandbox: Sandbox, tmp_path: Path, fake_gh: dict[str, str]
) -> None:
    config = base_config(sandbox)
    config["numbers"][1]["dialPrefix"] = 1000
    stack = make_stack(config)
    out = tmp_path / "previews"
    previewed = ci(stack, "preview", "--stack", stack.name, "--out", str(out), "--cwd", str(stack.project_dir))
    assert previewed.returncode != 0
    body = ci(stack, "comment", str(out), "--stacks", stack.name, "--body-only").stdout
    assert f"### Stack `{stack.name}`: preview failed" in body
    assert "twilio-liveagent:numbers[1].dialPrefix: 1000 is outside 1–999" in body, body


def test_the_drift_check_passes_when_converged_and_fails_with_what_drifted(
    make_stack: Any, sandbox: Sandbox, tmp_path: Path, fake_gh: dict[str, str]
) -> None:
    stack = make_stack(base_config(sandbox))
    stack.up()
    summary = tmp_path / "summary.md"
    report = tmp_path / "drift" / f"{stack.name}.md"
    args = ("drift", "--stack", stack.name, "--report", str(report), "--cwd", str(stack.project_dir))
    clean = ci(stack, *args, extra_env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "No drift" in summary.read_text(encoding="utf-8")

    [trunk] = sandbox.trunks()
    sandbox.twilio("POST", f"/trunking/v1/Trunks/{trunk['sid']}", FriendlyName="Hand made")
    summary.write_text("")
    drifted = ci(stack, *args, extra_env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert drifted.returncode != 0
    shown = summary.read_text(encoding="utf-8")
    assert f"## Drift on stack `{stack.name}`" in shown
    row = '| update | `sip-trunk-trunk` | `SipTrunk` | `friendly_name`: "Hand made" → "LiveAgent test" |'
    assert row in shown, shown
    assert shown.count("| update |") == 1, "only what drifted is listed"
    assert PASSWORD not in shown
    assert report.read_text(encoding="utf-8") == shown

    # The issue: opened on the first failing night, the same one updated on the next; PRs are not issues.
    issue_args = ("drift-issue", "--stack", stack.name, "--report", str(report), "--repo", "o/r")
    opened = ci(stack, *issue_args, "--run-url", "https://run/1", extra_env=fake_gh)
    assert opened.returncode == 0 and "drift issue opened" in opened.stdout, opened.stderr
    again = ci(stack, *issue_args, "--run-url", "https://run/2", extra_env=fake_gh)
    assert again.returncode == 0, again.stderr
    state = gh_state(fake_gh)
    issues = [issue for issue in state["issues"] if "pull_request" not in issue]
    assert len(issues) == 1, issues
    assert f"drift issue updated #{issues[0]['number']}" in again.stdout
    assert issues[0]["title"] == f"Drift on stack {stack.name}"
    assert "sip-trunk-trunk" in issues[0]["body"]
    assert state["comments"][str(issues[0]["number"])][0]["body"] == "Still drifted: https://run/2"


def test_the_deploy_step_makes_a_missing_stack_and_converges_it(
    make_stack: Any, sandbox: Sandbox, tmp_path: Path
) -> None:
    stack = make_stack(base_config(sandbox))
    # A new environment: its committed stack file exists, the backend has no such stack yet.
    stack_file = stack.project_dir / f"Pulumi.{stack.name}.yaml"
    committed = stack_file.read_text(encoding="utf-8")
    stack.stack.workspace.remove_stack(stack.name)
    stack_file.write_text(committed, encoding="utf-8")
    assert stack.run("stack", "ls").returncode == 0 and stack.name not in stack.run("stack", "ls").stdout
    first = ci(stack, "up", "--stack", stack.name, "--cwd", str(stack.project_dir))
    assert first.returncode == 0, first.stdout + first.stderr
    assert len(sandbox.trunks()) == 1
    sandbox.clear_counters()
    second = ci(stack, "up", "--stack", stack.name, "--cwd", str(stack.project_dir))
    assert second.returncode == 0, second.stdout + second.stderr
    assert sandbox.writes() == 0, "a second deploy writes nothing"


def test_the_comment_uses_the_preview_renderer_when_there_is_one(tmp_path: Path, monkeypatch: Any) -> None:
    """`python -m deploy.preview_report FILE` gets the saved `--json` output and its Markdown goes in the comment."""
    from deploy import ci

    renderer = tmp_path / "fake_report.py"
    renderer.write_text(
        "import json, sys\nplan = json.load(open(sys.argv[1]))\nprint(f'| trunk | {len(plan[\"steps\"])} steps |')\n"
    )
    monkeypatch.setattr(ci, "RENDERER", "fake_report")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    preview = ci.StackPreview("prod", 0, json.dumps({"steps": [{"op": "update"}]}), "json")
    body = ci.comment_body([preview], ["prod"], "abc123")
    assert "## Pulumi preview of abc123" in body
    assert "### Stack `prod`: preview\n\n| trunk | 1 steps |" in body, body
    broken = ci.StackPreview("prod", 0, "not json", "json")
    assert "<details><summary>pulumi preview --refresh --stack prod</summary>" in ci.comment_body([broken], [], None)
