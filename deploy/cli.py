"""Where the Pulumi CLI is in this folder, and the environment it runs in: `.tools/bin` first on PATH."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
TOOLS_BIN = PROJECT_DIR / ".tools" / "bin"


class EngineMissing(RuntimeError):
    pass


def pulumi_binary() -> Path:
    binary = TOOLS_BIN / "pulumi"
    if not binary.exists():
        raise EngineMissing(f"no Pulumi CLI at {binary}: run `make engine` (builds it from Go modules, see README)")
    return binary


def pulumi_env() -> dict[str, str]:
    """The environment `make preview|up|destroy` gives the CLI: PATH with .tools/bin first, nothing else changed."""
    env = dict(os.environ)
    env["PATH"] = f"{TOOLS_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("PULUMI_SKIP_UPDATE_CHECK", "true")
    return env
