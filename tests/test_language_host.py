"""The project's Python language host, spoken to over gRPC as the CLI speaks to it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import language_pb2, language_pb2_grpc

from deploy.cli import PROJECT_DIR
from tools.pulumi_language_python import parse_args
from tools.python_toolchain import plugin_version

HOST = PROJECT_DIR / "tools" / "pulumi_language_python.py"
# Stands in for the SDK's exec script: records how it was started, then exits with the code it is told.
RECORDER = """
import json, os, pathlib, sys
folder = pathlib.Path(os.environ["RECORD_DIR"])
with open(folder / "record.json", "w") as f:
    json.dump({"argv": sys.argv[1:], "config": os.environ.get("PULUMI_CONFIG"),
               "secret_keys": os.environ.get("PULUMI_CONFIG_SECRET_KEYS"), "venv": os.environ.get("VIRTUAL_ENV"),
               "python": sys.executable}, f)
print("program output line")
exit_with = folder / "exit_with"
code = exit_with.read_text() if exit_with.exists() else "0"
if code == "kill":
    os.kill(os.getpid(), 9)
sys.exit(int(code))
"""


@pytest.fixture
def host(tmp_path: Path) -> Iterator[language_pb2_grpc.LanguageRuntimeStub]:
    recorder = tmp_path / "exec.py"
    recorder.write_text(RECORDER, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(HOST), "-use-executor", str(recorder)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_DIR,
        env={**os.environ, "RECORD_DIR": str(tmp_path)},  # the host passes its environment on to the program
    )
    assert process.stdout is not None
    port = int(process.stdout.readline())
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield language_pb2_grpc.LanguageRuntimeStub(channel)
    channel.close()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0, "SIGTERM stops the host cleanly"


def info(options: dict[str, Any] | None = None, root: Path = PROJECT_DIR) -> language_pb2.ProgramInfo:
    struct = struct_pb2.Struct()
    struct.update({"toolchain": "pip", "virtualenv": "venv"} if options is None else options)
    return language_pb2.ProgramInfo(
        root_directory=str(root), program_directory=str(root), entry_point=".", options=struct
    )


def run(host: Any, tmp_path: Path, exit_with: int | str = 0) -> tuple[Any, dict[str, Any]]:
    (tmp_path / "exit_with").write_text(str(exit_with))
    response = host.Run(
        language_pb2.RunRequest(
            monitor_address="127.0.0.1:1",
            project="twilio-liveagent",
            stack="dev",
            pwd=str(PROJECT_DIR),
            config={"twilio-liveagent:numbers": "[]"},
            configSecretKeys=["twilio-liveagent:twilio"],
            dryRun=True,
            parallel=8,
            organization="organization",
            info=info(),
        ),
    )
    return response, json.loads((tmp_path / "record.json").read_text(encoding="utf-8"))


def test_plugin_versions_follow_pep440_as_the_official_host_maps_them() -> None:
    assert plugin_version("1.0") == "1.0.0"
    assert plugin_version("3.272.0") == "3.272.0"
    assert plugin_version("1.2.3a4") == "1.2.3-alpha.4"
    assert plugin_version("1.2.3rc1") == "1.2.3-rc.1"
    assert plugin_version("1.2.3.post4") == "1.2.3+post4"
    assert plugin_version("1.2.3.post4.dev5") == "1.2.3+post4dev5"
    assert plugin_version("1.2.3.dev5") == "1.2.3+dev5"
    assert plugin_version("1!2.0") is None
    assert plugin_version("1.0+local") is None


def test_plugin_info_about_and_dependencies(host: Any) -> None:
    assert host.GetPluginInfo(empty_pb2.Empty()).version
    about = host.About(language_pb2.AboutRequest(info=info()))
    assert about.executable == str(PROJECT_DIR / "venv" / "bin" / "python")
    assert about.version == ".".join(map(str, sys.version_info[:3]))
    dependencies = host.GetProgramDependencies(
        language_pb2.GetProgramDependenciesRequest(info=info(), transitiveDependencies=True)
    )
    names = {d.name.lower(): d.version for d in dependencies.dependencies}
    assert names["pulumi"] == "3.272.0" and "pydantic" in names
    # No pulumi-* resource package is installed: the engine needs no plugin beyond its own.
    assert list(host.GetRequiredPackages(language_pb2.GetRequiredPackagesRequest(info=info())).packages) == []


def test_runtime_option_prompts_as_the_official_host(host: Any) -> None:
    no_toolchain = host.RuntimeOptionsPrompts(language_pb2.RuntimeOptionsRequest(info=info({})))
    assert [p.key for p in no_toolchain.prompts] == ["toolchain"]
    assert no_toolchain.prompts[0].default.stringValue == "pip"
    pip_only = host.RuntimeOptionsPrompts(language_pb2.RuntimeOptionsRequest(info=info({"toolchain": "pip"})))
    assert [p.key for p in pip_only.prompts] == ["virtualenv"]
    assert list(host.RuntimeOptionsPrompts(language_pb2.RuntimeOptionsRequest(info=info())).prompts) == []


def test_run_starts_the_exec_script_in_the_virtualenv_with_config(host: Any, tmp_path: Path) -> None:
    response, record = run(host, tmp_path)
    assert response.error == "" and not response.bail
    assert record["python"] == str(PROJECT_DIR / "venv" / "bin" / "python")
    assert record["venv"] == str(PROJECT_DIR / "venv")
    assert json.loads(record["config"]) == {"twilio-liveagent:numbers": "[]"}
    assert json.loads(record["secret_keys"]) == ["twilio-liveagent:twilio"]
    argv = record["argv"]
    flags = dict(zip(argv[:-1:2], argv[1::2], strict=False))
    assert flags["--monitor"] == "127.0.0.1:1" and flags["--stack"] == "dev" and flags["--dry_run"] == "true"
    assert flags["--parallel"] == "8" and flags["--root_directory"] == str(PROJECT_DIR)
    assert flags["--organization"] == "organization"
    assert argv[-1] == ".", "the entry point comes last"


def test_a_failed_program_is_reported_as_the_official_host_reports_it(host: Any, tmp_path: Path) -> None:
    failed, _ = run(host, tmp_path, exit_with=3)
    assert failed.error == "program exited with non-zero exit code: 3" and not failed.bail
    bailed, _ = run(host, tmp_path, exit_with=32)  # the program already showed the user its error
    assert bailed.bail and bailed.error == ""
    killed, _ = run(host, tmp_path, exit_with="kill")
    assert killed.error == "program exited with non-zero exit code: -1", "as Go reports a signalled process"


def test_a_missing_virtualenv_is_named_with_the_fix(host: Any, tmp_path: Path) -> None:
    with pytest.raises(grpc.RpcError) as failed:
        host.About(language_pb2.AboutRequest(info=info({"toolchain": "pip", "virtualenv": "nowhere"}, root=tmp_path)))
    assert failed.value.code() == grpc.StatusCode.UNKNOWN
    with pytest.raises(grpc.RpcError) as failed:
        host.Run(language_pb2.RunRequest(info=info({"virtualenv": "nowhere"}, root=tmp_path)))
    details = failed.value.details()
    assert "The 'virtualenv' option in Pulumi.yaml is set to \"nowhere\"" in details
    assert "python3 -m venv" in details and "pulumi install" in details


def test_toolchains_it_does_not_serve_are_named(host: Any) -> None:
    with pytest.raises(grpc.RpcError) as failed:
        host.GetRequiredPackages(language_pb2.GetRequiredPackagesRequest(info=info({"toolchain": "uv"})))
    assert "toolchain option 'uv' needs Pulumi's own Python language host" in failed.value.details()


def test_the_clis_logging_flags_are_accepted_and_the_engine_address_comes_last() -> None:
    # `pulumi --logflow -v=9 …` starts plugins with its logging flags before the engine's address.
    parsed = parse_args(["-use-executor", "/x/exec", "--logtostderr", "-v=9", "127.0.0.1:40123"])
    assert parsed.engine_address == "127.0.0.1:40123" and parsed.executor == "/x/exec"
    parsed = parse_args(["-v", "5", "--logflow", "-tracing=http://zipkin:9411", "localhost:5"])
    assert parsed.engine_address == "localhost:5" and parsed.tracing == "http://zipkin:9411"
    assert parse_args(["-virtualenv", "venv"]).engine_address == "", "obsolete flags, no engine: still parses"


def test_cancel_is_left_to_the_engine_and_the_debugger_to_the_official_host(host: Any) -> None:
    with pytest.raises(grpc.RpcError) as failed:
        host.Cancel(empty_pb2.Empty())
    assert failed.value.code() == grpc.StatusCode.UNIMPLEMENTED  # the CLI then cancels without us
    response = host.Run(language_pb2.RunRequest(info=info(), attach_debugger=True))
    assert "needs Pulumi's own Python language host" in response.error


def test_install_dependencies_streams_pip_into_the_virtualenv(host: Any, tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("# nothing to add\n")
    request = language_pb2.InstallDependenciesRequest(
        info=info({"toolchain": "pip", "virtualenv": str(PROJECT_DIR / "venv")}, root=tmp_path)
    )
    chunks = [chunk.stdout.decode() + chunk.stderr.decode() for chunk in host.InstallDependencies(request)]
    assert chunks[0] == "Installing dependencies...\n\n" and chunks[-1] == "Finished installing dependencies\n\n"
    assert any("pip install" in chunk and str(tmp_path / "requirements.txt") in chunk for chunk in chunks)
