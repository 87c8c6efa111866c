"""Starts `python -m sandbox` as a separate process and stops it again."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from .workspace import PROJECT_DIR


@contextlib.contextmanager
def running_sandbox(*args: str, state_dir: Path | None = None) -> Iterator[dict[str, str]]:
    """Yields {"twilio": url, "liveagent": url}; the process is stopped with SIGTERM on exit."""
    command = [sys.executable, "-m", "sandbox", *args]
    if state_dir is not None:
        command += ["--state-dir", str(state_dir)]
    process = subprocess.Popen(
        command, cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the sandbox did not start (exit code {process.wait(timeout=10)})")
        yield json.loads(line)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
