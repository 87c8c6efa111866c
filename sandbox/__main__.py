"""`python -m sandbox`: start both emulators, print their URLs as one JSON line, stop on SIGTERM."""

from __future__ import annotations

import argparse
import errno
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import yaml

from . import store
from .liveagent import LiveAgentEmulator
from .server import RunningServer
from .twilio import TwilioEmulator

DEFAULT_SEED = Path(__file__).with_name("seed.yaml")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--seed", type=Path, default=DEFAULT_SEED, help="YAML seed (default: sandbox/seed.yaml)")
    parser.add_argument("--state-dir", type=Path, help="keep state in JSON files here, across restarts")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--twilio-port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--liveagent-port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--liveagent-rate-limit",
        type=int,
        default=180,
        help="LiveAgent requests allowed per API key per window (0: unlimited)",
    )
    parser.add_argument("--liveagent-rate-window", type=float, default=60.0, help="window in seconds")
    return parser.parse_args(argv)


def build(args: argparse.Namespace) -> tuple[TwilioEmulator, LiveAgentEmulator]:
    seed: dict[str, Any] = yaml.safe_load(args.seed.read_text(encoding="utf-8"))
    twilio_state = liveagent_state = None
    twilio_save = liveagent_save = None
    if args.state_dir:
        twilio_path, liveagent_path = args.state_dir / "twilio.json", args.state_dir / "liveagent.json"
        twilio_state, liveagent_state = store.load(twilio_path), store.load(liveagent_path)
        twilio_save, liveagent_save = store.saver(twilio_path), store.saver(liveagent_path)
    twilio = TwilioEmulator(seed["twilio"], save=twilio_save, state=twilio_state)
    liveagent = LiveAgentEmulator(
        seed["liveagent"],
        save=liveagent_save,
        state=liveagent_state,
        rate_limit=(args.liveagent_rate_limit, args.liveagent_rate_window),
    )
    return twilio, liveagent


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    twilio, liveagent = build(args)
    servers = []
    for emulator, port, flag in (
        (twilio, args.twilio_port, "--twilio-port"),
        (liveagent, args.liveagent_port, "--liveagent-port"),
    ):
        try:
            servers.append(RunningServer(emulator, args.host, port).start())
        except OSError as error:
            for server in servers:
                server.stop()
            if error.errno != errno.EADDRINUSE:
                raise
            # One line the caller can show as it is: which port, and how to pick another.
            print(
                f"sandbox: port {port} on {args.host} is already in use; stop what holds it or pass another {flag}",
                file=sys.stderr,
                flush=True,
            )
            return 3
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print(json.dumps({"twilio": servers[0].url, "liveagent": servers[1].url}), flush=True)
    stop.wait()
    for server in servers:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
