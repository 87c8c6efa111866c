"""Throwaway stacks of this project on the real Pulumi engine: a file:// backend in a temp dir.

Every run goes through the project folder as a user's does: the CLI (`.tools/bin/pulumi`) starts the
Python language host, which runs `__main__.py` in the project's virtualenv. The Automation API's
LocalWorkspace drives the CLI on that folder (no inline program); `run` calls the CLI directly.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import uuid
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

from deploy.cli import PROJECT_DIR, TOOLS_BIN, pulumi_binary, pulumi_env
from stack import api_settings
from stack.config import SECRET_PATHS

PASSPHRASE = "test-passphrase"
ALL_SECRET_KEYS = frozenset({*SECRET_PATHS, *api_settings.SECRET_LEAVES})


def linked_entries(source: Path) -> list[str]:
    """What a stack's project folder links from `source`: every top-level entry, so a new package needs no
    list, but dot-entries (state, build output), stack files (a test's own are written in its folder) and
    the virtualenv (always this checkout's)."""
    found = [entry.name for entry in sorted(source.iterdir()) if not entry.name.startswith(".")]
    return ["venv", *(name for name in found if name != "venv" and not _stack_file(name))]


def _stack_file(name: str) -> bool:
    return name.startswith("Pulumi.") and name != "Pulumi.yaml"


def work_dir(tmp: Path, project_file: str | None = None, main: Path | None = None, source: Path = PROJECT_DIR) -> Path:
    """A project dir of links, so stack files of tests stay out of the repository.

    `project_file` replaces Pulumi.yaml and `main` replaces `__main__.py`, for programs of a test's own;
    `source` is the tree linked to (another release's, for the upgrade test); the virtualenv is always ours.
    """
    project = tmp / "project"
    project.mkdir(parents=True, exist_ok=True)
    for name in linked_entries(source):
        link = project / name
        target = (PROJECT_DIR if name == "venv" else source) / name
        if name == "Pulumi.yaml" and project_file is not None:
            link.write_text(project_file, encoding="utf-8")
        elif name == "__main__.py" and main is not None:
            link.symlink_to(main)
        elif not link.is_symlink() and target.exists():
            link.symlink_to(target)
    return project


@functools.cache
def pulumi_command() -> auto.PulumiCommand:
    """The pinned CLI for the Automation API, made once per test process: making one runs `pulumi version`."""
    return auto.PulumiCommand(root=str(pulumi_binary().parent.parent))


class EngineStack:
    """One stack; every CLI run's output is kept in `self.output` so tests can grep it."""

    def __init__(
        self,
        tmp: Path,
        name: str | None = None,
        backend: Path | None = None,
        project_file: str | None = None,
        main: Path | None = None,
        source: Path = PROJECT_DIR,
        env: dict[str, str] | None = None,
    ):
        """`env` is added to every CLI run's environment (e.g. credentials, as a CI job exports them)."""
        self.tmp = tmp
        self.name = name or f"t{uuid.uuid4().hex[:8]}"
        self.backend = backend or tmp / "state"
        self.backend.mkdir(parents=True, exist_ok=True)
        self.project_dir = work_dir(tmp, project_file, main, source)
        self.env = {
            "PULUMI_BACKEND_URL": f"file://{self.backend}",
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PATH": pulumi_env()["PATH"],
            **(env or {}),
        }
        options = auto.LocalWorkspaceOptions(
            work_dir=str(self.project_dir), pulumi_command=pulumi_command(), env_vars=self.env
        )
        # A name of our own making is new: `stack init` at once, not `stack select` failing first.
        initialise = auto.create_or_select_stack if name else auto.create_stack
        self.stack = initialise(self.name, work_dir=str(self.project_dir), opts=options)
        self.output: list[str] = []

    def _capture(self, line: str) -> None:
        self.output.append(line)

    @property
    def text(self) -> str:
        return "".join(self.output)

    def configure(
        self,
        config: dict[str, Any],
        secret: frozenset[str] = ALL_SECRET_KEYS,
        project: str = "twilio-liveagent",
        api_namespace: str = api_settings.NAMESPACE,
    ) -> None:
        """Replace the stack config; the secret leaves of each key in `secret` are stored encrypted.

        The APIs' settings (`twilio`, `liveagent`) go to `api_namespace`, the rest to the project's.
        """
        existing = self.stack.get_all_config() if self._has_config() else {}
        if existing:
            self.stack.remove_all_config(list(existing))
        config = json.loads(json.dumps(config))

        def namespace(key: str) -> str:
            return api_namespace if key in api_settings.SECRET_LEAVES else project

        secrets = {}
        for key in secret:
            for leaf in api_settings.SECRET_LEAVES.get(key) or (SECRET_PATHS[key],):
                if isinstance(config.get(key), dict) and leaf in config[key]:
                    secrets[f"{namespace(key)}:{key}.{leaf}"] = str(config[key].pop(leaf))
        payload = {}
        for key, value in config.items():
            entry: dict[str, Any] = {"secret": False}
            if isinstance(value, (dict, list)):
                entry["value"] = json.dumps(value)
                entry["objectValue"] = value
            else:
                entry["value"] = json.dumps(value) if isinstance(value, bool) else str(value)
            payload[f"{namespace(key)}:{key}"] = entry
        if payload:
            self.stack.set_all_config_json(json.dumps(payload))
        if secrets:  # `config set-all --json` cannot store secrets inside objects; `--path --secret` can, all at once
            self.stack.set_all_config(
                {path: auto.ConfigValue(value, secret=True) for path, value in secrets.items()}, path=True
            )

    def _has_config(self) -> bool:
        """Whether the stack file holds any config (a new stack's holds only its encryption salt): reading the
        file spares a CLI run that derives the passphrase key for nothing."""
        stack_file = self.project_dir / f"Pulumi.{self.name}.yaml"
        if not stack_file.exists():
            return True  # config kept elsewhere: ask the CLI
        return bool((yaml.safe_load(stack_file.read_text(encoding="utf-8")) or {}).get("config"))

    def preview(self, **kwargs: Any) -> auto.PreviewResult:
        return self.stack.preview(on_output=self._capture, **kwargs)

    def up(self, **kwargs: Any) -> auto.UpResult:
        return self.stack.up(on_output=self._capture, **kwargs)

    def refresh(self, **kwargs: Any) -> auto.RefreshResult:
        return self.stack.refresh(on_output=self._capture, **kwargs)

    def destroy(self, **kwargs: Any) -> auto.DestroyResult:
        return self.stack.destroy(on_output=self._capture, **kwargs)

    def run(
        self, *args: str, timeout: float = 600, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """The CLI as a person runs it in the project folder: `pulumi ARGS --stack NAME`, nothing captured away."""
        command = [str(TOOLS_BIN / "pulumi"), *args, "--stack", self.name]
        env = {**pulumi_env(), **self.env, **(extra_env or {})}
        return subprocess.run(command, cwd=self.project_dir, env=env, capture_output=True, text=True, timeout=timeout)

    def make_command(self, target: str, *args: str) -> tuple[list[str], dict[str, str]]:
        """`make TARGET STACK=NAME ARGS='…'` in the repository, pointed at this stack's folder with `--cwd`."""
        command = ["make", "-s", "-C", str(PROJECT_DIR), target, f"STACK={self.name}"]
        command.append(f"ARGS={' '.join(['--cwd', str(self.project_dir), *args])}")
        env = {**os.environ, **self.env}
        env.pop("MAKEFLAGS", None)
        return command, env

    def make(self, target: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        command, env = self.make_command(target, *args)
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)

    def cli(self, *args: str) -> str:
        """`run`, non-interactive, that must succeed; its stdout."""
        done = self.run(*args, "--non-interactive")
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

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
