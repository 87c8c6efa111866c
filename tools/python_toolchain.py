"""The pip toolchain as Pulumi's Python language host uses it: the `virtualenv` option of Pulumi.yaml, the
interpreter and environment it implies, installed packages and the plugins they need, dependency installs.

Half of `pulumi_language_python.py` (the language host); kept apart so each module says one thing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from pulumi.runtime.proto import language_pb2, plugin_pb2

# Packages named pulumi-* that carry no plugin (the official host's list).
PACKAGES_WITHOUT_PLUGINS = {"pulumi-policy", "pulumi_policy", "pulumi-esc-sdk", "pulumi_esc_sdk"}


class HostError(Exception):
    """A failure the CLI shows to the user as the RPC's error message."""


# --- Options and the interpreter --------------------------------------------------------------------------


class PythonOptions:
    """The `runtime.options` of Pulumi.yaml that select the interpreter, as the official host reads them."""

    def __init__(self, root: str, program_dir: str, options: dict[str, Any]):
        self.root = root
        self.program_dir = program_dir
        virtualenv = options.get("virtualenv", "")
        if not isinstance(virtualenv, str):
            raise HostError("virtualenv option must be a string")
        toolchain = options.get("toolchain", "pip")
        if not isinstance(toolchain, str):
            raise HostError("toolchain option must be a string")
        if toolchain not in ("pip", "poetry", "uv"):
            raise HostError(f"unsupported toolchain option: {toolchain}")
        if toolchain != "pip":
            raise HostError(
                f"the toolchain option '{toolchain}' needs Pulumi's own Python language host; this project's host "
                "(tools/pulumi_language_python.py) serves the pip toolchain only"
            )
        typechecker = options.get("typechecker")
        if typechecker is not None:
            raise HostError(
                "the typechecker option needs Pulumi's own Python language host; run the type checker on its own"
            )
        self.virtualenv = virtualenv
        self.virtualenv_path = Path(root, virtualenv) if virtualenv else None  # an absolute path stays as it is

    @classmethod
    def of(cls, info: language_pb2.ProgramInfo | None) -> PythonOptions:
        if info is None or not info.root_directory:
            return cls(os.getcwd(), os.getcwd(), {})
        options = json_format.MessageToDict(info.options) if info.HasField("options") else {}
        return cls(info.root_directory, info.program_directory, options)

    def python(self) -> str:
        if self.virtualenv_path is not None:
            return str(self.virtualenv_path / "bin" / "python")
        return os.environ.get("PULUMI_PYTHON_CMD") or shutil.which("python3") or shutil.which("python") or "python3"

    def validate_virtualenv(self) -> None:
        path = self.virtualenv_path
        if path is None or (path / "bin" / "python").exists():
            return
        state = "doesn't appear to be a virtual environment" if path.is_dir() else "doesn't exist"
        requirements = Path(self.program_dir) / "requirements.txt"
        raise HostError(
            f'The \'virtualenv\' option in Pulumi.yaml is set to "{self.virtualenv}", but "{path}" {state}.\n'
            "Run the following commands to create the virtual environment and install dependencies into it:\n"
            f"    1. python3 -m venv {path}\n"
            f"    2. {path}/bin/python -m pip install -r {requirements}\n"
            "or run `pulumi install`."
        )

    def environment(self) -> dict[str, str]:
        """The process environment with the virtualenv activated, as `source venv/bin/activate` would."""
        env = dict(os.environ)
        if self.virtualenv_path is not None:
            env["VIRTUAL_ENV"] = str(self.virtualenv_path)
            env["PATH"] = f"{self.virtualenv_path / 'bin'}{os.pathsep}{env.get('PATH', '')}"
            env.pop("PYTHONHOME", None)
        return env

    def list_packages(self, transitive: bool = True) -> list[dict[str, str]]:
        """What `pip list` shows for the interpreter: name, version and location of each distribution.

        Every installed distribution is read with importlib.metadata (what pip reads, in a fifth of the time:
        this runs before every preview); only the top-level ones (`--not-required`) are left to pip.
        """
        if transitive:
            args = [self.python(), "-c", LIST_DISTRIBUTIONS]
        else:
            args = [self.python(), "-m", "pip", "list", "-v", "--format", "json", "--not-required"]
            args.append("--disable-pip-version-check")
        done = subprocess.run(args, capture_output=True, text=True, env=self.environment(), cwd=self.program_dir)
        if done.returncode != 0:
            raise HostError(f"failed to list python packages with {args[0]}: {done.stderr.strip()}")
        packages: list[dict[str, str]] = json.loads(done.stdout)
        return packages


LIST_DISTRIBUTIONS = """
import importlib.metadata as m, json
print(json.dumps([{"name": d.metadata["Name"], "version": d.version, "location": str(d.locate_file(""))}
                  for d in m.distributions()]))
"""


# --- Required packages ------------------------------------------------------------------------------------


def plugin_version(package_version: str) -> str | None:
    """A PEP 440 version as the plugin's semver: `1.2` -> `1.2.0`, `1.2.3a4` -> `1.2.3-alpha.4`,
    `1.2.3.post4.dev5` -> `1.2.3+post4dev5`; None where no plugin version follows from it (epochs, local
    versions, anything unparsed), as the official host decides."""
    match = re.fullmatch(
        r"(?P<release>\d+(?:\.\d+)*)(?:(?P<pre>a|b|rc)(?P<pre_n>\d*))?(?:\.post(?P<post>\d*))?(?:\.dev(?P<dev>\d*))?",
        package_version,
    )
    if match is None:
        return None
    segments = match["release"].split(".")
    segments += ["0"] * (3 - len(segments))
    version = ".".join(segments)
    if match["pre"]:
        version += {"a": "-alpha.", "b": "-beta.", "rc": "-rc."}[match["pre"]] + match["pre_n"]
    if match["post"] is not None:
        version += "+post" + match["post"]
    if match["dev"] is not None:
        version += ("" if match["post"] is not None else "+") + "dev" + match["dev"]
    return version


def package_dependency(package: dict[str, str]) -> plugin_pb2.PackageDependency | None:
    """The resource plugin a Pulumi package needs, from its pulumi-plugin.json or its name and version."""
    name = package["name"]
    if name in PACKAGES_WITHOUT_PLUGINS:
        return None
    module = name.replace("-", "_")
    manifest_path = Path(package.get("location", "")) / module / "pulumi-plugin.json"
    manifest: dict[str, Any] = {}
    if package.get("location") and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if not manifest.get("resource"):
            return None
    elif not (name.startswith("pulumi-") or name.startswith("pulumi_")):
        return None
    version = manifest.get("version") or plugin_version(package["version"])
    if not version:
        return None
    parameterization = None
    if manifest.get("parameterization"):
        p = manifest["parameterization"]
        parameterization = plugin_pb2.PackageParameterization(
            name=p.get("name", ""), version=p.get("version", ""), value=bytes(p.get("value", ""), "utf-8")
        )
    return plugin_pb2.PackageDependency(
        name=manifest.get("name") or name.removeprefix("pulumi-"),
        version=version if version.startswith("v") else f"v{version}",
        kind="resource",
        server=manifest.get("server", ""),
        parameterization=parameterization,
    )


# --- Dependency installation ------------------------------------------------------------------------------


def install_dependencies(options: PythonOptions, write: Callable[[bytes, bool], None]) -> None:
    """Create the virtualenv if it is missing and install requirements.txt into it (the pip toolchain)."""
    venv = options.virtualenv_path
    steps: list[list[str]] = []
    if venv is not None and not (venv / "bin" / "python").exists():
        base = os.environ.get("PULUMI_PYTHON_CMD") or shutil.which("python3") or "python3"
        steps.append([base, "-m", "venv", str(venv)])
    candidates = (Path(options.program_dir, "requirements.txt"), Path(options.root, "requirements.txt"))
    requirements = next((path for path in candidates if path.exists()), None)
    if requirements is not None:
        steps.append([options.python(), "-m", "pip", "install", "--disable-pip-version-check", "-r", str(requirements)])
    for step in steps:
        write(f"$ {' '.join(step)}\n".encode(), False)
        process = subprocess.Popen(
            step, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=options.environment(), cwd=options.program_dir
        )
        assert process.stdout is not None
        for line in process.stdout:
            write(line, False)
        if process.wait() != 0:
            raise HostError(f"`{' '.join(step)}` failed with exit code {process.returncode}")
