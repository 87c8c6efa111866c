"""The project's stacks through the Automation API, with the engine from .tools/bin and a local backend.

The Python language host (`pulumi-language-python`) cannot be built from the Go modules reachable here,
so the program runs in this process through the Automation API's own language runtime (`--client`);
everything else is the real CLI and engine. With a Pulumi installed the usual way, `pulumi up` works too.
"""

from __future__ import annotations

import os
import pickle
import runpy
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pulumi import automation as auto

PROJECT_DIR = Path(__file__).resolve().parent.parent
PROJECT_NAME = "twilio-liveagent"
DEFAULT_BACKEND = f"file://{PROJECT_DIR / '.pulumi-state'}"


class EngineMissing(RuntimeError):
    pass


def pulumi_root() -> Path:
    """The folder whose bin/ holds the engine: PULUMI_ROOT, or the project's .tools."""
    root = Path(os.environ.get("PULUMI_ROOT") or PROJECT_DIR / ".tools")
    if not (root / "bin" / "pulumi").exists():
        raise EngineMissing(
            f"no Pulumi engine at {root / 'bin' / 'pulumi'}: run `make engine` (builds it from Go modules, see README)"
        )
    return root


def _guard_pickler() -> None:
    """Undo the SDK's pickler patching after each provider serialisation.

    `serialize_provider` wraps `pickle._Pickler._batch_setitems` and `save_dict` again on every
    call and never unwraps them, so ~1000 dynamic resources in one process hit RecursionError.
    """
    import pulumi.dynamic.dynamic as dynamic

    original = dynamic.serialize_provider
    if getattr(original, "_guarded", False):
        return

    def serialize_provider(provider: Any) -> str:
        saved = (pickle._Pickler._batch_setitems, pickle._Pickler.save_dict)  # type: ignore[attr-defined]
        try:
            return str(original(provider))
        finally:
            pickle._Pickler._batch_setitems, pickle._Pickler.save_dict = saved  # type: ignore[attr-defined]

    serialize_provider._guarded = True  # type: ignore[attr-defined]
    dynamic.serialize_provider = serialize_provider


def program() -> None:
    """The project's `__main__.py`, run as the inline program."""
    _guard_pickler()
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))
    runpy.run_path(str(PROJECT_DIR / "__main__.py"), run_name="__main__")


def engine_env(backend_url: str | None = None, passphrase: str | None = None) -> dict[str, str]:
    env = {
        "PULUMI_BACKEND_URL": backend_url or os.environ.get("PULUMI_BACKEND_URL") or DEFAULT_BACKEND,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        # The dynamic-provider plugin runs in the project's virtualenv.
        "PULUMI_RUNTIME_VIRTUALENV": str(Path(sys.prefix)),
    }
    if passphrase is not None:
        env["PULUMI_CONFIG_PASSPHRASE"] = passphrase
    return env


def select_stack(
    stack: str,
    backend_url: str | None = None,
    passphrase: str | None = None,
    work_dir: Path = PROJECT_DIR,
    inline: Callable[[], None] = program,
) -> auto.Stack:
    url = backend_url or os.environ.get("PULUMI_BACKEND_URL") or DEFAULT_BACKEND
    if url.startswith("file://"):
        Path(url.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
    options = auto.LocalWorkspaceOptions(
        work_dir=str(work_dir),
        pulumi_command=auto.PulumiCommand(root=str(pulumi_root())),
        env_vars=engine_env(url, passphrase),
    )
    return auto.create_or_select_stack(stack, project_name=PROJECT_NAME, program=inline, opts=options)
