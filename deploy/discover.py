"""`python -m deploy discover --stack NAME [--domain-prefix PREFIX]` (`make discover STACK=… ARGS=…`): a setup
made by hand, following the guide, written as the stack config that takes it over.

It reads both accounts with the credentials the providers would use (the environment first, then the stack's
`pulumi-python:` config), writes `Pulumi.<stack>.yaml` with `adopt: true` and never a secret, and prints what it
found in one table, with the commands to run next. It writes nothing to either API.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from liveagent_provider.client import LiveAgentClient
from liveagent_provider.errors import LiveAgentApiError
from stack import api_settings
from stack.config import PROJECT, parse
from twilio_provider.client import TwilioClient
from twilio_provider.errors import TwilioApiError

from .cli import pulumi_binary, pulumi_env
from .discovery import Discovered, NotFound, discover, domain_prefix_of, trunks

EXAMPLE_PASSWORD = "Example1Password"  # only to check the config discover writes; never written


class Refused(Exception):
    """Discover will not go on; the message says why and what to do."""


def provider_config(stack: str, project_dir: Path) -> dict[str, Any]:
    """The stack's `pulumi-python:` config, secrets decrypted by the CLI; empty when the stack does not exist yet
    (the environment must then hold the credentials)."""
    done = subprocess.run(
        [str(pulumi_binary()), "config", "--json", "--show-secrets", "--stack", stack],
        cwd=project_dir,
        env=pulumi_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        return {}
    every = json.loads(done.stdout or "{}")
    prefix = f"{api_settings.NAMESPACE}:"
    return {
        key.removeprefix(prefix): entry.get("objectValue", api_settings.decode(entry.get("value")))
        for key, entry in every.items()
        if key.startswith(prefix)
    }


def clients(config: Mapping[str, Any], environ: Mapping[str, str]) -> tuple[TwilioClient, LiveAgentClient]:
    try:
        twilio = api_settings.twilio_settings(config, environ)
        liveagent = api_settings.liveagent_settings(config, environ)
    except api_settings.ApiSettingsError as error:
        raise Refused(f"no credentials to read the accounts with: {error}") from None
    return TwilioClient(twilio), LiveAgentClient(liveagent)


def choose_prefix(twilio: TwilioClient, stack: str) -> str:
    """The trunk to discover, asked for at a terminal; without one, the list and how to name it."""
    prefixes = sorted(domain_prefix_of(t) for t in trunks(twilio))
    if not prefixes:
        raise Refused("this Twilio account has no Elastic SIP trunk: there is nothing to discover")
    listing = "\n".join(f"  {i}. {prefix}.pstn.twilio.com" for i, prefix in enumerate(prefixes, 1))
    if not sys.stdin.isatty():
        raise Refused(
            f"the account has these trunks:\n{listing}\nname one: python -m deploy discover --stack {stack} "
            "--domain-prefix PREFIX"
        )
    print(f"The account's trunks:\n{listing}")
    answer = input("Which one (number)? ").strip()
    if not answer.isdigit() or not 1 <= int(answer) <= len(prefixes):
        raise Refused(f"{answer!r} is not one of 1 to {len(prefixes)}")
    return prefixes[int(answer) - 1]


def checked(found: Discovered) -> None:
    """The config written must be one the program accepts (with the password still to be set)."""
    raw = json.loads(json.dumps(found.config))
    raw.setdefault("credentials", {})["password"] = EXAMPLE_PASSWORD
    parse(raw)


def write_stack_file(path: Path, config: Mapping[str, Any], force: bool) -> None:
    """Our keys into the stack file; every other key (the APIs' settings, the encryption salt) kept as it is."""
    document: dict[str, Any] = {}
    if path.exists():
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    existing = document.setdefault("config", {}) or {}
    project_keys = sorted(key for key in existing if key.startswith(f"{PROJECT}:"))
    if project_keys and not force:
        raise Refused(
            f"{path.name} already sets {', '.join(project_keys)}: discover would replace them. Move the file aside, or "
            "run again with --force to replace those keys (the others are kept)"
        )
    kept = {key: value for key, value in existing.items() if not key.startswith(f"{PROJECT}:")}
    document["config"] = {**kept, **{f"{PROJECT}:{key}": value for key, value in config.items()}}
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")


# The table in the guide's order: the trunk, its termination credential, origination, numbers, countries.
ORDER = (
    "trunk",
    "Secure Trunking",
    "disaster recovery",
    "credential list",
    "credential",
    "origination URL",
    "other origination URL",
)


def table(found: Discovered) -> str:
    def place(what: str) -> int:
        return ORDER.index(what) if what in ORDER else len(ORDER)

    findings = sorted(found.findings, key=lambda f: place(f.what))  # stable: numbers keep their order
    rows = [("what", "found", "id", "in the config")] + [
        (f.what, f.found, f.id, f"left out: {f.left_out}" if f.left_out else f"yes: {f.note}" if f.note else "yes")
        for f in findings
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3]
        for row in rows
    )


def next_steps(stack: str, path: Path, username: str | None) -> str:
    who = f" of {username}" if username else ""
    return "\n".join(
        [
            f"Wrote {path}. Next, in this folder:",
            f"  pulumi stack init {stack}            # if the stack does not exist yet",
            f"  pulumi config set --path --secret credentials.password '<the SIP password{who}>' --stack {stack}",
            f"  pulumi preview --diff --stack {stack}   # take-overs and the password, nothing else",
            f"  pulumi up --stack {stack}                # keeps every id; sends the password again",
        ]
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy discover", description=__doc__)
    parser.add_argument("--stack", required=True, help="the stack whose Pulumi.<stack>.yaml is written")
    parser.add_argument("--domain-prefix", help="the trunk's termination domain is <prefix>.pstn.twilio.com")
    parser.add_argument("--force", action="store_true", help="replace the twilio-liveagent keys the file has")
    parser.add_argument("--dir", type=Path, default=Path.cwd(), help="the project folder (default: here)")
    args = parser.parse_args(argv)
    return run(args.stack, args.domain_prefix, args.dir, args.force)


def run(stack: str, domain_prefix: str | None, project_dir: Path, force: bool) -> int:
    try:
        twilio, liveagent = clients(provider_config(stack, project_dir), os.environ)
        prefix = domain_prefix or choose_prefix(twilio, stack)
        found = discover(twilio, liveagent, prefix)
        checked(found)
        path = project_dir / f"Pulumi.{stack}.yaml"
        write_stack_file(path, found.config, force)
    except (Refused, NotFound, ValueError, TwilioApiError, LiveAgentApiError) as error:
        print(f"discover: {error}", file=sys.stderr)
        return 2
    print(table(found))
    print()
    print(next_steps(stack, path, found.username))
    return 0
