"""Starts `python -m sandbox` as a separate process and stops it again."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .cli import PROJECT_DIR


class SandboxDidNotStart(RuntimeError):
    """The sandbox's own one-line reason, e.g. a port already in use."""


@contextlib.contextmanager
def running_sandbox(*args: str, state_dir: Path | None = None) -> Iterator[dict[str, str]]:
    """Yields {"twilio": url, "liveagent": url}; the process is stopped with SIGTERM on exit.

    The sandbox's stderr is kept aside and shown once it stops, so a start-up failure reads as one line.
    It runs in a session of its own: a Ctrl-C in the terminal reaches the Pulumi CLI, which cancels
    gracefully against a sandbox that is still there, and the sandbox is stopped here afterwards.
    """
    command = [sys.executable, "-m", "sandbox", *args]
    if state_dir is not None:
        command += ["--state-dir", str(state_dir)]
    with tempfile.TemporaryFile(mode="w+") as stderr:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_DIR,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
        started = False
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line:
                code = process.wait(timeout=10)
                stderr.seek(0)
                lines = stderr.read().strip().splitlines()
                raise SandboxDidNotStart(lines[-1] if lines else f"the sandbox did not start (exit code {code})")
            started = True
            yield json.loads(line)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            stderr.seek(0)
            left = stderr.read()
            if left and started:  # a start-up failure was raised above as its one line
                print(left, end="", file=sys.stderr)
