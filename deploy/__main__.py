"""`python -m deploy COMMAND`: run the program on a stack through the real Pulumi engine.

up | preview | refresh | destroy [--stack NAME]   the usual operations (default stack: dev)
demo          start the sandbox, `pulumi up` the dev stack, print what routes where
demo-destroy  start the sandbox, `pulumi destroy` the dev stack
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests
from pulumi import automation as auto

from .sandbox_process import running_sandbox
from .workspace import PROJECT_DIR, EngineMissing, select_stack

DEMO_PASSPHRASE = "sandbox-demo"  # Pulumi.dev.yaml's secrets are sandbox values; the passphrase is public
DEMO_PORTS = ("--twilio-port", "18081", "--liveagent-port", "18082")
DEMO_STATE = Path(os.environ.get("DEMO_SANDBOX_STATE") or PROJECT_DIR / ".sandbox" / "state")


def _print(line: str) -> None:
    print(line, end="" if line.endswith("\n") else "\n", flush=True)


def summary(outputs: Mapping[str, Any]) -> str:
    value = {key: output.value for key, output in outputs.items()}
    lines = [
        "",
        "What now routes where:",
        f"  Inbound:  caller -> Twilio number -> trunk {value.get('trunkSid')} -> {value.get('originationUri')}"
        " -> LiveAgent",
        f"  Outbound: LiveAgent -> sip:{value.get('pinnedTerminationHost')} (user "
        f"{value.get('credentialUsername')}) -> Twilio -> PSTN",
    ]
    for number, ids in sorted((value.get("numbers") or {}).items()):
        lines.append(
            f"  {number}: Twilio {ids['twilio_sid']} on the trunk; LiveAgent number {ids['liveagent_id']}, "
            f"dial prefix {ids['dial_prefix']:02d}"
        )
    countries = value.get("outboundCountries") or []
    lines.append(f"  Outbound countries allowed: {', '.join(countries) or 'none managed'}")
    return "\n".join(lines)


def run(command: str, stack_name: str, passphrase: str | None) -> int:
    stack = select_stack(stack_name, passphrase=passphrase)
    if command == "preview":
        stack.preview(on_output=_print, diff=True)
    elif command == "up":
        result = stack.up(on_output=_print)
        print(summary(result.outputs))
    elif command == "refresh":
        stack.refresh(on_output=_print)
    elif command == "destroy":
        stack.destroy(on_output=_print)
    return 0


def demo(destroy: bool) -> int:
    passphrase = os.environ.get("PULUMI_CONFIG_PASSPHRASE", DEMO_PASSPHRASE)
    with running_sandbox(*DEMO_PORTS, state_dir=DEMO_STATE) as urls:
        print(
            f"sandbox: Twilio at {urls['twilio']}, LiveAgent at {urls['liveagent']} (state in {DEMO_STATE})", flush=True
        )
        run("destroy" if destroy else "up", "dev", passphrase)
        if destroy:
            # Back to the seed, which also ends the emulated 30-day hold on the deleted trunk's domain, so
            # the next `make demo` can take the same termination URI again.
            for url in urls.values():
                requests.post(f"{url}/__sandbox/reset", timeout=10).raise_for_status()
            print("sandbox: reset to its seed", flush=True)
    if not destroy:
        print(
            f"\nThe sandbox state is kept in {DEMO_STATE}/ (twilio.json, liveagent.json); `make sandbox` serves it "
            "again on the same ports, with every resource under /__sandbox/state."
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["up", "preview", "refresh", "destroy", "demo", "demo-destroy"])
    parser.add_argument("--stack", default="dev")
    args = parser.parse_args(argv)
    try:
        if args.command in ("demo", "demo-destroy"):
            return demo(destroy=args.command == "demo-destroy")
        return run(args.command, args.stack, os.environ.get("PULUMI_CONFIG_PASSPHRASE"))
    except EngineMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except auto.CommandError:
        return 1  # the engine already printed what failed


if __name__ == "__main__":
    sys.exit(main())
