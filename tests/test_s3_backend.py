"""Shared state for a team: the stack kept in an S3-compatible bucket (moto's server, started here) instead of files.

Every run is the real CLI with `PULUMI_BACKEND_URL=s3://…`, as README "Shared state for a team" tells a team to set it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from deploy.cli import TOOLS_BIN, pulumi_env
from tests.conftest import base_config
from tests.engine import PASSPHRASE, changes, strip_ansi, work_dir
from tests.sandbox_client import Sandbox

PROJECT = "twilio-liveagent"


@dataclass
class Bucket:
    name: str
    port: int

    @property
    def env(self) -> dict[str, str]:
        """What a CI job or a teammate's shell exports: the bucket's URL and (dummy) AWS credentials."""
        return {
            "PULUMI_BACKEND_URL": (
                f"s3://{self.name}?endpoint=127.0.0.1:{self.port}&disableSSL=true&s3ForcePathStyle=true"
                "&response_checksum_validation=when_required"
            ),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
        }

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.port}",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def keys(self) -> list[str]:
        client = self.client()
        listed = client.list_objects_v2(Bucket=self.name)
        return [item["Key"] for item in listed.get("Contents", [])]

    def read(self, key: str) -> str:
        client = self.client()
        body: bytes = client.get_object(Bucket=self.name, Key=key)["Body"].read()
        return body.decode("utf-8")


@pytest.fixture
def bucket() -> Iterator[Bucket]:
    """moto's S3 server on an ephemeral port, with one empty bucket; stopped at the end of the test."""
    server = Path(sys.executable).parent / "moto_server"
    assert server.exists(), f"{server} is missing: `make setup` installs moto[server] from requirements-dev.txt"
    process = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert process.stdout is not None
        port = 0
        deadline = time.monotonic() + 30
        while not port and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            found = re.search(r"Running on http://127\.0\.0\.1:(\d+)", line)
            port = int(found.group(1)) if found else 0
        assert port, "moto_server did not say which port it listens on"
        # Keep reading its log so the pipe never fills up and blocks the server.
        drain = subprocess.Popen(["cat"], stdin=process.stdout, stdout=subprocess.DEVNULL)
        made = Bucket("pulumi-state", port)
        boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ).create_bucket(Bucket=made.name)
        yield made
        drain.terminate()
        drain.wait(timeout=10)
    finally:
        process.terminate()
        process.wait(timeout=10)


def shown(done: subprocess.CompletedProcess[str]) -> str:
    return strip_ansi(done.stdout + done.stderr)


def checkpoint(bucket: Bucket, stack_name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(bucket.read(f".pulumi/stacks/{PROJECT}/{stack_name}.json"))
    return loaded


def resource_types(state: dict[str, Any]) -> list[str]:
    return [resource["type"] for resource in state["checkpoint"].get("latest", {}).get("resources") or []]


def test_up_preview_and_destroy_keep_the_stack_in_the_bucket(
    bucket: Bucket, make_stack: Any, sandbox: Sandbox, tmp_path: Path
) -> None:
    stack = make_stack(base_config(sandbox), env=bucket.env)
    result = stack.up()
    assert changes(result.summary.resource_changes or {}).get("create"), result.stdout
    assert f".pulumi/stacks/{PROJECT}/{stack.name}.json" in bucket.keys(), bucket.keys()
    types = resource_types(checkpoint(bucket, stack.name))
    assert any("SipTrunk" in kind for kind in types), types
    assert not list(stack.backend.rglob("*.json")), "nothing may go to the local state folder"

    # A teammate: another checkout with the committed stack file, the bucket's URL and the team's passphrase.
    teammate = work_dir(tmp_path / "teammate")
    shutil.copy(stack.project_dir / f"Pulumi.{stack.name}.yaml", teammate)

    def teammate_runs(*args: str, passphrase: str) -> subprocess.CompletedProcess[str]:
        env = {**pulumi_env(), **stack.env, "PULUMI_CONFIG_PASSPHRASE": passphrase}
        command = [str(TOOLS_BIN / "pulumi"), *args]
        return subprocess.run(command, cwd=teammate, env=env, capture_output=True, text=True, timeout=600)

    listed = teammate_runs("stack", "ls", "--json", passphrase=PASSPHRASE)
    assert listed.returncode == 0, shown(listed)
    [entry] = [entry for entry in json.loads(listed.stdout) if entry["name"] == stack.name]
    assert entry["resourceCount"] > 0, entry
    converged = teammate_runs("preview", "--expect-no-changes", "--stack", stack.name, passphrase=PASSPHRASE)
    assert converged.returncode == 0, shown(converged)
    wrong = teammate_runs("preview", "--stack", stack.name, passphrase="not the team's")
    assert wrong.returncode != 0
    assert "incorrect passphrase" in shown(wrong), shown(wrong)

    destroyed = stack.destroy()
    assert changes(destroyed.summary.resource_changes or {}).get("delete"), destroyed.stdout
    assert resource_types(checkpoint(bucket, stack.name)) == []
    assert sandbox.trunks() == []


def test_a_second_up_on_a_locked_stack_fails_and_the_state_stays_intact(
    bucket: Bucket, make_stack: Any, sandbox: Sandbox
) -> None:
    stack = make_stack(base_config(sandbox), env=bucket.env)
    sandbox.faults("twilio", latency_ms=400)  # a slow first run that holds the lock
    sandbox.faults("liveagent", latency_ms=400)
    command, env = stack.make_command("up", "--yes")
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not [key for key in bucket.keys() if key.startswith(".pulumi/locks/")]:
            time.sleep(0.2)
        locks = [key for key in bucket.keys() if key.startswith(".pulumi/locks/")]
        assert locks, f"the first up never took the lock in the bucket: {bucket.keys()}"
        second = stack.make("up", "--yes")
        assert second.returncode != 0
        text = shown(second)
        assert "the stack is currently locked by 1 lock(s)" in text, text
        assert "pulumi cancel" in text, text
        assert locks[0].rsplit("/", 1)[1].removesuffix(".json") in text, "the message names the lock it found"
    finally:
        first_output, _ = first.communicate(timeout=300)
        sandbox.faults("twilio")
        sandbox.faults("liveagent")
    assert first.returncode == 0, first_output
    assert not [key for key in bucket.keys() if key.startswith(".pulumi/locks/")], "the first up released its lock"

    state = checkpoint(bucket, stack.name)
    assert not state["checkpoint"].get("latest", {}).get("pending_operations"), state
    assert len(sandbox.trunks()) == 1, "the refused up made nothing"
    converged = stack.run("preview", "--expect-no-changes")
    assert converged.returncode == 0, shown(converged)
