"""Throwaway stacks of this project on the real Pulumi engine: a file:// backend in a temp dir."""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from deploy.workspace import PROJECT_DIR, program, pulumi_root, select_stack
from stack_config import SECRET_PATHS

PASSPHRASE = "test-passphrase"
# What the dynamic-provider plugin must be able to import from its working directory.
LINKED = (
    "Pulumi.yaml",
    "__main__.py",
    "stack_config.py",
    "provider_diff.py",
    "components",
    "twilio_provider",
    "liveagent_provider",
)


def work_dir(tmp: Path, project_file: str | None = None) -> Path:
    """A project dir of links, so stack files of tests stay out of the repository.

    `project_file` replaces Pulumi.yaml, for inline programs that use no stack config of the project.
    """
    project = tmp / "project"
    project.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        link = project / name
        if name == "Pulumi.yaml" and project_file is not None:
            link.write_text(project_file, encoding="utf-8")
        elif not link.exists():
            link.symlink_to(PROJECT_DIR / name)
    return project


class EngineStack:
    """One stack; every CLI run's output is kept in `self.output` so tests can grep it."""

    def __init__(
        self,
        tmp: Path,
        name: str | None = None,
        inline: Callable[[], None] = program,
        backend: Path | None = None,
        project_file: str | None = None,
    ):
        self.tmp = tmp
        self.name = name or f"t{uuid.uuid4().hex[:8]}"
        self.backend = backend or tmp / "state"
        os.environ.setdefault("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
        self.stack = select_stack(
            self.name,
            backend_url=f"file://{self.backend}",
            passphrase=PASSPHRASE,
            work_dir=work_dir(tmp, project_file),
            inline=inline,
        )
        self.output: list[str] = []

    def _capture(self, line: str) -> None:
        self.output.append(line)

    @property
    def text(self) -> str:
        return "".join(self.output)

    def configure(
        self, config: dict[str, Any], secret: set[str] = frozenset(SECRET_PATHS), project: str = "twilio-liveagent"
    ) -> None:
        """Replace the stack config; the secret leaf of each key in `secret` is stored encrypted."""
        existing = self.stack.get_all_config()
        if existing:
            self.stack.remove_all_config(list(existing))
        config = json.loads(json.dumps(config))
        secrets = {}
        for key in secret:
            leaf = SECRET_PATHS[key]
            if isinstance(config.get(key), dict) and leaf in config[key]:
                secrets[f"{project}:{key}.{leaf}"] = str(config[key].pop(leaf))
        payload = {}
        for key, value in config.items():
            entry: dict[str, Any] = {"secret": False}
            if isinstance(value, (dict, list)):
                entry["value"] = json.dumps(value)
                entry["objectValue"] = value
            else:
                entry["value"] = str(value)
            payload[f"{project}:{key}"] = entry
        if payload:
            self.stack.set_all_config_json(json.dumps(payload))
        for path, value in secrets.items():  # `config set-all --json` cannot store secrets inside objects
            self.stack.set_config(path, auto.ConfigValue(value, secret=True), path=True)

    def preview(self, **kwargs: Any) -> auto.PreviewResult:
        return self.stack.preview(on_output=self._capture, **kwargs)

    def up(self, **kwargs: Any) -> auto.UpResult:
        return self.stack.up(on_output=self._capture, **kwargs)

    def refresh(self, **kwargs: Any) -> auto.RefreshResult:
        return self.stack.refresh(on_output=self._capture, **kwargs)

    def destroy(self, **kwargs: Any) -> auto.DestroyResult:
        return self.stack.destroy(on_output=self._capture, **kwargs)

    def cli(self, *args: str) -> str:
        """Runs the CLI as a person would, in the stack's project folder."""
        workspace = self.stack.workspace
        command = [str(pulumi_root() / "bin" / "pulumi"), *args, "--stack", self.name, "--non-interactive"]
        return subprocess.run(
            command,
            cwd=workspace.work_dir,
            env={**os.environ, **workspace.env_vars},
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def export(self) -> str:
        """`pulumi stack export`, without --show-secrets (the SDK's export_stack always adds it)."""
        return self.cli("stack", "export")

    def outputs(self) -> dict[str, Any]:
        return {key: value.value for key, value in self.stack.outputs().items()}

    def state_file_text(self) -> str:
        return "\n".join(path.read_text(encoding="utf-8") for path in self.backend.rglob("*.json"))


def changes(summary: dict[str, int]) -> dict[str, int]:
    """The operations of a run other than `same`."""
    return {op: count for op, count in summary.items() if op != "same" and count}


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)
