"""`make demo`'s main job, as a user runs it: the dev stack up against the sandbox, again, then torn down."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import yaml

from deploy.cli import PROJECT_DIR
from stack.config import SECRET_PATHS
from tests.wiring import resource_count


def deploy(command: str, tmp_path: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """`make demo` / `make demo-destroy`, with the state backend and sandbox state in a temp folder."""
    (tmp_path / "state").mkdir(exist_ok=True)
    env = {
        **os.environ,
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}",
        "DEMO_SANDBOX_STATE": str(tmp_path / "sandbox"),
        "PULUMI_CONFIG_PASSPHRASE": "sandbox-demo",
        **extra_env,
    }
    env.pop("MAKEFLAGS", None)
    return subprocess.run(
        ["make", "-s", command], cwd=PROJECT_DIR, env=env, text=True, capture_output=True, timeout=300
    )


def dev_resource_count() -> int:
    """How many resources the dev stack's config makes (its encrypted secrets replaced by valid stand-ins)."""
    config = yaml.safe_load((PROJECT_DIR / "Pulumi.dev.yaml").read_text(encoding="utf-8"))["config"]
    raw = {key.split(":", 1)[1]: value for key, value in config.items() if key.startswith("twilio-liveagent:")}
    for key, leaf in SECRET_PATHS.items():
        raw[key][leaf] = "Passw0rdPassw0rd"
    return resource_count(raw)


def test_demo_converges_the_dev_stack_and_demo_destroy_tears_it_down(tmp_path: Path) -> None:
    count = dev_resource_count()
    # A real account's token in the shell would win over the dev stack's; the demo must not send it anywhere.
    first = deploy("demo", tmp_path, TWILIO_AUTH_TOKEN="token-of-a-real-account")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "make demo: ignoring TWILIO_AUTH_TOKEN from your shell" in first.stdout
    assert "auth token from pulumi-python:twilio.authToken (stack config)" in first.stdout
    assert f"+ {count} created" in first.stdout
    assert "What now routes where:" in first.stdout
    assert "+815012345678: Twilio PN" in first.stdout and "dial prefix 01" in first.stdout
    assert "somethingliveagentjp.pstn.tokyo.twilio.com" in first.stdout
    assert "Sandbox2026Demo" not in first.stdout + first.stderr, "the demo password stays secret"
    assert (tmp_path / "sandbox" / "twilio.json").exists(), "the sandbox state is left to inspect"

    again = deploy("demo", tmp_path)
    assert again.returncode == 0 and f"{count} unchanged" in again.stdout

    gone = deploy("demo-destroy", tmp_path)
    assert gone.returncode == 0, gone.stdout + gone.stderr
    assert f"- {count} deleted" in gone.stdout


def test_demo_names_a_port_in_use_and_how_to_move_it(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 18081))
        holder.listen()
        taken = deploy("demo", tmp_path)
    assert taken.returncode != 0
    assert "Traceback" not in taken.stderr
    assert "port 18081 (pulumi-python:twilio.apiBaseUrl in Pulumi.dev.yaml) is already in use" in taken.stderr, (
        taken.stderr
    )
    assert ".tools/bin/pulumi config set --stack dev --path pulumi-python:twilio.apiBaseUrl" in taken.stderr
