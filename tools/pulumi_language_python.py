"""`pulumi-language-python`: the Python language host, for machines where Pulumi's own is not installed.

The Pulumi CLI runs a Python program through a language host: a plugin process that serves the
LanguageRuntime gRPC service and starts the program. Pulumi ships its own host (a Go program) with every
release, but it is a Go module of its own that the module proxy reachable here does not serve, so a CLI
built from Go modules has none, and `pulumi up` fails with "no language plugin 'pulumi-language-python'".
This module stands in for it, behaving as the official host does (pulumi/pulumi
`sdk/python/cmd/pulumi-language-python/main.go`) for the pip toolchain:

- started as `pulumi-language-python [-flags] ENGINE_ADDRESS`, it prints its port on stdout and serves;
- `Run` starts `<virtualenv>/bin/python pulumi-language-python-exec --monitor … --engine … ENTRY` (the
  SDK's own exec script, found beside this host), with `PULUMI_CONFIG` and `PULUMI_CONFIG_SECRET_KEYS` in
  its environment and its output streamed to the CLI; exit code 32 is a bail (the program already showed
  its error), any other non-zero code is reported as "program exited with non-zero exit code: N";
- `GetRequiredPackages`, `InstallDependencies`, `About`, `GetProgramDependencies`,
  `RuntimeOptionsPrompts`, `GetPluginInfo` and `Handshake` as the official host answers them, and, as it does,
  UNIMPLEMENTED for `Cancel` (a Ctrl-C reaches the program itself and the engine cancels gracefully);
- it watches the engine's health and exits when the engine is gone, so a killed CLI leaves no host behind.

Code generation, packing and plugin running (`pulumi convert`, `package gen-sdk`, Python policy packs)
are not served; they answer UNIMPLEMENTED, and the official host is the one to install for them.
`make engine` installs this host only when no official one is found on PATH. The interpreter, virtualenv
and package side (the pip toolchain) is in `python_toolchain.py` beside it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from importlib import metadata
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import json_format
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, language_pb2, language_pb2_grpc, plugin_pb2

try:
    from .python_toolchain import HostError, PythonOptions, install_dependencies, package_dependency
except ImportError:  # run as a script by the launcher in .tools/bin: the sibling module
    from python_toolchain import HostError, PythonOptions, install_dependencies, package_dependency

EXEC_SCRIPT = "pulumi-language-python-exec"
# The exec script exits with this code after it has shown the user an actionable message.
EXIT_AFTER_USER_ACTIONABLE_MESSAGE = 32
HEALTH_CHECK_SECONDS = 5 * 60  # as the official host: a dead engine is noticed within five minutes
MAX_MESSAGE_BYTES = 400 * 1024 * 1024  # Pulumi's gRPC limit


def sdk_version() -> str:
    return metadata.version("pulumi")


# --- The service ------------------------------------------------------------------------------------------


class LanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    def __init__(self, executor: str, engine_address: str, tracing: str, on_engine_gone: Callable[[], None]):
        self.executor = executor
        self.engine_address = engine_address
        self.tracing = tracing
        self.on_engine_gone = on_engine_gone
        self.running: set[subprocess.Popen[bytes]] = set()
        self.lock = threading.Lock()
        self.health: threading.Thread | None = None
        if engine_address:
            self.watch_engine()

    # Engine connection

    def watch_engine(self) -> None:
        """Exit when the engine no longer answers its health check (the CLI was killed)."""
        if self.health is not None:
            return

        def watch() -> None:
            channel = grpc.insecure_channel(self.engine_address)
            check = channel.unary_unary(
                "/grpc.health.v1.Health/Check", request_serializer=lambda _: b"", response_deserializer=lambda b: b
            )
            stop = threading.Event()
            while not stop.wait(HEALTH_CHECK_SECONDS):
                try:
                    check(None, timeout=30)
                except grpc.RpcError as error:
                    if error.code() != grpc.StatusCode.UNIMPLEMENTED:
                        self.on_engine_gone()
                        return

        self.health = threading.Thread(target=watch, name="engine-health", daemon=True)
        self.health.start()

    def log_to_engine(self) -> Callable[[bytes, bool], None]:
        """A writer of ephemeral engine messages, as the official host shows a virtualenv being made."""
        if not self.engine_address:
            return lambda data, _is_error: print(data.decode("utf-8", "replace"), end="", file=sys.stderr, flush=True)
        engine = engine_pb2_grpc.EngineStub(grpc.insecure_channel(self.engine_address))
        stream_id = int.from_bytes(os.urandom(3), "big")

        def write(data: bytes, is_error: bool) -> None:
            severity = engine_pb2.LogSeverity.ERROR if is_error else engine_pb2.LogSeverity.INFO
            message = data.decode("utf-8", "replace")
            engine.Log(engine_pb2.LogRequest(severity=severity, message=message, ephemeral=True, streamId=stream_id))

        return write

    def stop_programs(self) -> None:
        with self.lock:
            running = list(self.running)
        for process in running:
            if process.poll() is None:
                process.terminate()
        for process in running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    # RPCs

    def Handshake(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802 - gRPC method names
        self.engine_address = request.engine_address
        self.watch_engine()
        return language_pb2.LanguageHandshakeResponse()

    def GetPluginInfo(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        return plugin_pb2.PluginInfo(version=sdk_version())

    def GetRequiredPlugins(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "method GetRequiredPlugins not implemented")

    def GetRequiredPackages(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        with rpc_errors(context):
            options = PythonOptions.of(request.info)
            if options.virtualenv_path is not None and not (options.virtualenv_path / "bin" / "python").exists():
                install_dependencies(options, self.log_to_engine())
            options.validate_virtualenv()
            packages = [dependency for p in options.list_packages() if (dependency := package_dependency(p))]
            return language_pb2.GetRequiredPackagesResponse(packages=packages)

    def Run(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        if request.attach_debugger:
            return language_pb2.RunResponse(
                error="debugging (pulumi --attach-debugger) needs Pulumi's own Python language host; this project's "
                "host (tools/pulumi_language_python.py) does not start debugpy"
            )
        with rpc_errors(context):
            options = PythonOptions.of(request.info)
            options.validate_virtualenv()
            env = options.environment()
            env["PULUMI_CONFIG"] = json.dumps(dict(request.config))
            env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(list(request.configSecretKeys))
            command = [options.python(), self.executor, *self.arguments(request)]
            sys.stdout.flush()
            sys.stderr.flush()
            try:
                # stdout and stderr are this host's, which the CLI shows as the program's output.
                process = subprocess.Popen(command, env=env)
            except OSError as error:
                return language_pb2.RunResponse(
                    error=f"problem executing program (could not run language executor): {error}"
                )
            with self.lock:
                self.running.add(process)
            try:
                code = process.wait()
            finally:
                with self.lock:
                    self.running.discard(process)
            if code == 0:
                return language_pb2.RunResponse()
            if code == EXIT_AFTER_USER_ACTIONABLE_MESSAGE:
                return language_pb2.RunResponse(bail=True)
            # A program killed by a signal reads as Go's WaitStatus.ExitStatus() gives it: -1.
            return language_pb2.RunResponse(error=f"program exited with non-zero exit code: {max(code, -1)}")

    def arguments(self, request: Any) -> list[str]:
        """The exec script's command line, in the official host's order."""
        args: list[str] = []
        for flag, value in (
            ("monitor", request.monitor_address),
            ("engine", self.engine_address),
            ("project", request.project),
            ("root_directory", request.info.root_directory),
            ("stack", request.stack),
            ("pwd", request.pwd),
            ("dry_run", "true" if request.dryRun else "false"),
            ("parallel", str(request.parallel)),
            ("tracing", self.tracing),
            ("organization", request.organization),
        ):
            if value:
                args += [f"--{flag}", value]
        args.append(request.info.entry_point or ".")
        args += list(request.args)
        return args

    def InstallDependencies(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:  # noqa: N802
        chunks: list[Any] = []

        def write(data: bytes, is_error: bool) -> None:
            chunks.append(language_pb2.InstallDependenciesResponse(**{"stderr" if is_error else "stdout": data}))

        with rpc_errors(context):
            options = PythonOptions.of(request.info)
            if request.is_plugin and options.virtualenv_path is None:
                options = PythonOptions(options.root, options.program_dir, {"virtualenv": "venv"})
            yield language_pb2.InstallDependenciesResponse(stdout=b"Installing dependencies...\n\n")
            # Stream each line as it comes: a thread fills `chunks`, this generator drains it.
            done = threading.Event()
            failure: list[BaseException] = []

            def work() -> None:
                try:
                    install_dependencies(options, write)
                except BaseException as error:  # noqa: BLE001 - re-raised in the RPC thread below
                    failure.append(error)
                finally:
                    done.set()

            threading.Thread(target=work, daemon=True).start()
            while not done.wait(0.1) or chunks:
                while chunks:
                    yield chunks.pop(0)
            if failure:
                raise failure[0]
            yield language_pb2.InstallDependenciesResponse(stdout=b"Finished installing dependencies\n\n")

    def RuntimeOptionsPrompts(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        options = json_format.MessageToDict(request.info.options) if request.info.HasField("options") else {}
        prompt = language_pb2.RuntimeOptionPrompt
        string = prompt.RuntimeOptionType.STRING
        prompts = []
        if "toolchain" not in options:
            pip = prompt.RuntimeOptionValue(promptType=string, stringValue="pip", displayName="pip")
            choices = [pip] + [
                prompt.RuntimeOptionValue(promptType=string, stringValue=tool, displayName=tool)
                for tool in ("poetry", "uv")
                if shutil.which(tool)
            ]
            prompts.append(
                prompt(
                    key="toolchain",
                    description="The toolchain to use for installing dependencies and running the program",
                    promptType=string,
                    choices=choices,
                    default=pip,
                )
            )
        elif options["toolchain"] == "pip" and "virtualenv" not in options:
            venv = prompt.RuntimeOptionValue(promptType=string, stringValue="venv")
            prompts.append(
                prompt(
                    key="virtualenv",
                    description="The virtualenv to use",
                    promptType=string,
                    choices=[venv],
                    default=prompt.RuntimeOptionValue(promptType=string, stringValue="venv"),
                )
            )
        return language_pb2.RuntimeOptionsResponse(prompts=prompts)

    def About(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        with rpc_errors(context):
            options = PythonOptions.of(request.info if request.HasField("info") else None)
            options.validate_virtualenv()
            python = options.python()
            done = subprocess.run([python, "--version"], capture_output=True, text=True, env=options.environment())
            if done.returncode != 0:
                raise HostError(f"failed to run `{python} --version`: {done.stderr.strip()}")
            executable = shutil.which(python, path=options.environment()["PATH"]) or python
            return language_pb2.AboutResponse(
                executable=executable, version=done.stdout.strip().removeprefix("Python ")
            )

    def GetProgramDependencies(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        with rpc_errors(context):
            options = PythonOptions.of(request.info)
            packages = options.list_packages(transitive=request.transitiveDependencies)
            return language_pb2.GetProgramDependenciesResponse(
                dependencies=[language_pb2.DependencyInfo(name=p["name"], version=p["version"]) for p in packages]
            )


@contextlib.contextmanager
def rpc_errors(context: grpc.ServicerContext) -> Iterator[None]:
    """A HostError becomes the RPC's error status, whose message the CLI shows as it is."""
    try:
        yield
    except HostError as error:
        context.abort(grpc.StatusCode.UNKNOWN, str(error))


# --- Process ----------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The official host's flags (Go style, one dash); the obsolete ones are accepted and ignored.

    The CLI puts the engine's address last; before it may come the CLI's own logging flags (`--logtostderr`,
    `-v=9` with `pulumi --logflow`), which the official host takes for its logging and this one ignores.
    """
    parser = argparse.ArgumentParser(
        prog="pulumi-language-python", description=__doc__.splitlines()[0], allow_abbrev=False
    )
    parser.add_argument("-tracing", "--tracing", default="")
    parser.add_argument("-use-executor", "--use-executor", dest="executor", default="")
    for obsolete in ("virtualenv", "root", "typechecker", "toolchain"):
        parser.add_argument(f"-{obsolete}", f"--{obsolete}", default="", help=argparse.SUPPRESS)
    rest = list(argv)
    engine_address = rest.pop() if rest and re.fullmatch(r"[^-].*:\d+", rest[-1]) else ""
    host_args = []
    while rest:
        arg = rest.pop(0)
        flag = re.fullmatch(r"--?(v|logtostderr|alsologtostderr|logflow|log_dir|stderrthreshold|vmodule)(=.*)?", arg)
        if flag:  # the CLI's logging flags (glog style); `-v N` takes the next argument too
            if flag[1] == "v" and flag[2] is None and rest and rest[0].isdigit():
                rest.pop(0)
            continue
        host_args += arg.split("=", 1) if arg.startswith("-") and "=" in arg else [arg]
    known = parser.parse_args(host_args)
    known.engine_address = engine_address
    return known


def find_executor(given: str) -> str:
    """The SDK's exec script: as given, or beside this host's command (the official host's rule)."""
    if given:
        return given
    beside = Path(os.environ.get("PULUMI_LANGUAGE_PYTHON_BIN") or sys.argv[0]).resolve().parent / EXEC_SCRIPT
    if not beside.exists():
        sys.exit(f"error: missing executor {beside}")
    return str(beside)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    executor = find_executor(args.executor)
    stopped = threading.Event()
    engine_gone = threading.Event()
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=16),
        options=[(f"grpc.max_{way}_message_length", MAX_MESSAGE_BYTES) for way in ("receive", "send")],
    )

    def on_engine_gone() -> None:
        engine_gone.set()
        stopped.set()

    host = LanguageHost(executor, args.engine_address, args.tracing, on_engine_gone=on_engine_gone)
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(host, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)  # the CLI reads the port from our first line
    # As the official host: an interrupt stops serving, and a running program finishes on its own (it got
    # the same interrupt); an engine that is gone leaves nobody to report to, so its programs are stopped.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    # Waited for in short steps: a signal the kernel hands to one of gRPC's threads only flags the handler, which
    # runs when this (main) thread next runs Python code; an endless wait would never get there.
    while not stopped.wait(timeout=0.5):
        pass
    if engine_gone.is_set():
        host.stop_programs()
    server.stop(grace=30).wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
