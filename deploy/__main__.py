"""`python -m deploy demo | demo-destroy` (`make demo`, `make demo-destroy`).

demo          start the sandbox on the ports in Pulumi.dev.yaml, then, as a user would in this folder,
              `pulumi stack select --create dev` and `pulumi up --yes --stack dev`; print what routes where
demo-destroy  start the sandbox, `pulumi destroy --yes --stack dev`, reset the sandbox to its seed
sandbox       serve the demo's sandbox (its kept state, the same ports) until Ctrl-C
discover      write the stack config that takes over a setup made by hand (`discover --help`)

Everything between is the plain Pulumi CLI: its output, errors and exit code are the user's to see.
What this adds is only what the CLI cannot do: run the sandbox, and read the outputs back as a summary.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import yaml

from stack import api_settings

from . import discover
from .cli import PROJECT_DIR, EngineMissing, pulumi_binary, pulumi_env
from .sandbox_process import SandboxDidNotStart, running_sandbox

STACK = "dev"
DEMO_PASSPHRASE = "sandbox-demo"  # Pulumi.dev.yaml's secrets are sandbox values; the passphrase is public
DEMO_STATE = Path(os.environ.get("DEMO_SANDBOX_STATE") or PROJECT_DIR / ".sandbox" / "state")
# Where the dev stack expects each emulator: the config key holding its URL, and the sandbox's port flag.
SANDBOX_ENDPOINTS = (("twilio", "apiBaseUrl", "--twilio-port"), ("liveagent", "url", "--liveagent-port"))


class PortTaken(RuntimeError):
    pass


def sandbox_ports(stack_file: Path = PROJECT_DIR / f"Pulumi.{STACK}.yaml") -> list[str]:
    """The sandbox's port flags, read from the dev stack's config so the two always agree.

    A port already taken is reported with the config key that chose it and how to choose another.
    """
    config = yaml.safe_load(stack_file.read_text(encoding="utf-8"))["config"]
    args = []
    for key, field, flag in SANDBOX_ENDPOINTS:
        url = urlsplit(config[f"{api_settings.NAMESPACE}:{key}"][field])
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the sandbox binds
            try:
                probe.bind((url.hostname or "127.0.0.1", url.port or 0))
            except OSError:
                raise PortTaken(
                    f"port {url.port} ({api_settings.NAMESPACE}:{key}.{field} in {stack_file.name}) is already in use: "
                    f"stop what holds it (another `make demo` or `make sandbox`?) or move the demo with "
                    f"`.tools/bin/pulumi config set --stack {STACK} --path {api_settings.NAMESPACE}:{key}.{field} "
                    "http://127.0.0.1:<free port>`"
                ) from None
        args += [flag, str(url.port)]
    return args


def summary(outputs: Mapping[str, Any]) -> str:
    lines = [
        "",
        "What now routes where:",
        f"  Inbound:  caller -> Twilio number -> trunk {outputs.get('trunkSid')} -> {outputs.get('originationUri')}"
        " -> LiveAgent",
        f"  Outbound: LiveAgent -> sip:{outputs.get('pinnedTerminationHost')} (user "
        f"{outputs.get('credentialUsername')}) -> Twilio -> PSTN",
    ]
    for number, ids in sorted((outputs.get("numbers") or {}).items()):
        lines.append(
            f"  {number}: Twilio {ids['twilio_sid']} on the trunk; LiveAgent number {ids['liveagent_id']}, "
            f"dial prefix {ids['dial_prefix']:02d}"
        )
    countries = outputs.get("outboundCountries") or []
    lines.append(f"  Outbound countries allowed: {', '.join(countries) or 'none managed'}")
    return "\n".join(lines)


def pulumi(*args: str, capture: bool = False) -> subprocess.CompletedProcess[str]:
    """The CLI in this folder, its output on the terminal (or captured, for `stack output --json`).

    A Ctrl-C reaches the CLI too, which cancels gracefully and releases the stack's lock; this waits for it
    rather than killing it (what `subprocess.run` would do), so the next `make demo` finds the stack free.
    """
    env = pulumi_env()
    env.setdefault("PULUMI_CONFIG_PASSPHRASE", DEMO_PASSPHRASE)
    # The demo talks to the sandbox with the sandbox's credentials in Pulumi.dev.yaml; credentials of a real
    # account in the shell would win over them (README, Credentials) and must never be sent to the sandbox.
    for name in api_settings.ENVIRONMENT:
        env.pop(name, None)
    print(f"$ pulumi {' '.join(args)}", flush=True)
    pipe = subprocess.PIPE if capture else None
    process = subprocess.Popen(
        [str(pulumi_binary()), *args], cwd=PROJECT_DIR, env=env, text=True, stdout=pipe, stderr=pipe
    )
    while True:
        try:
            stdout, stderr = process.communicate()
            return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        except KeyboardInterrupt:
            print("\nmake demo: waiting for pulumi to cancel cleanly...", file=sys.stderr, flush=True)


def demo(destroy: bool) -> int:
    ignored = [name for name in api_settings.ENVIRONMENT if os.environ.get(name)]
    if ignored:
        print(f"make demo: ignoring {', '.join(ignored)} from your shell: the demo uses the sandbox's credentials")
    try:
        with running_sandbox(*sandbox_ports(), state_dir=DEMO_STATE) as urls:
            print(f"sandbox: Twilio at {urls['twilio']}, LiveAgent at {urls['liveagent']} (state in {DEMO_STATE})")
            if pulumi("stack", "select", "--create", STACK).returncode != 0:
                return 1
            if destroy:
                if pulumi("destroy", "--yes", "--stack", STACK).returncode != 0:
                    return 1
                # Back to the seed, which also ends the emulated 30-day hold on the deleted trunk's domain, so
                # the next `make demo` can take the same termination URI again.
                for url in urls.values():
                    requests.post(f"{url}/__sandbox/reset", timeout=10).raise_for_status()
                print("sandbox: reset to its seed")
                return 0
            if pulumi("up", "--yes", "--stack", STACK).returncode != 0:
                return 1
            outputs = pulumi("stack", "output", "--json", "--stack", STACK, capture=True)
            if outputs.returncode != 0:
                print(outputs.stderr, file=sys.stderr)
                return 1
            print(summary(json.loads(outputs.stdout)))
    except (PortTaken, SandboxDidNotStart) as error:
        print(f"make demo: {error}", file=sys.stderr)
        return 2
    print(
        f"\nThe sandbox state is kept in {DEMO_STATE}/ (twilio.json, liveagent.json); `make sandbox` serves it "
        "again on the same ports, with every resource under /__sandbox/state."
    )
    return 0


def serve_sandbox() -> int:
    try:
        with running_sandbox(*sandbox_ports(), state_dir=DEMO_STATE) as urls:
            print(f"sandbox: Twilio at {urls['twilio']}, LiveAgent at {urls['liveagent']} (state in {DEMO_STATE})")
            print("Ctrl-C stops it.")
            stop = {signal.SIGINT, signal.SIGTERM}
            signal.pthread_sigmask(signal.SIG_BLOCK, stop)
            signal.sigwait(stop)
    except (PortTaken, SandboxDidNotStart) as error:
        print(f"make sandbox: {error}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["demo", "demo-destroy", "sandbox", "discover"])
    args, rest = parser.parse_known_args(argv)
    if args.command == "discover":
        return discover.main(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # ours and the CLI's lines in order
    try:
        if args.command == "sandbox":
            return serve_sandbox()
        return demo(destroy=args.command == "demo-destroy")
    except EngineMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
