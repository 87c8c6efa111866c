"""What a preview can learn from a few reads before anything is planned, and say at once.

First, one cheap read per API, both at the same time: are the credentials good, and does the API answer at
all? A refused credential, or an API that does not answer through the clients' retries, fails the preview
with one message per API instead of one per resource halfway through `up`.

Then, at preview, the checks that can fail for many entries of the config, each from one listing: every
number the Twilio account does not own, every department LiveAgent does not have, every dial prefix a
LiveAgent number outside the config holds. All of them are reported in one go, naming the config key as it is
written; the providers' own checks stay behind them for what changes later.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from liveagent_provider.client import LiveAgentClient
from provider_kit.http import AUTH_FAILURES, ApiError
from stack import api_settings, rules
from stack.config import PROJECT, StackConfig
from twilio_provider import paths
from twilio_provider.client import TwilioClient

OWNED_PAGE = 1000  # Twilio's largest page
NUMBERS_KEY = f"{PROJECT}:numbers"


def problems(apis: api_settings.ApiSettings, config: StackConfig | None = None) -> list[str]:
    """Refusals and outages (one message per API), then, with a `config`, every entry the accounts refuse."""
    twilio, liveagent = TwilioClient(apis.twilio), LiveAgentClient(apis.liveagent)
    found = _both(
        lambda: _answers(twilio.get("trunking", "/v1/Trunks", params={"PageSize": 1})),
        lambda: _answers(liveagent.request("GET", "/departments", params={"_page": 1, "_perPage": 1})),
    )
    if found or config is None or not config.numbers:
        return found
    return _both(lambda: twilio_problems(twilio, config), lambda: liveagent_problems(liveagent, config))


def _answers(_body: Any) -> list[str]:
    return []  # it answered: nothing to say


def _both(twilio: Callable[[], list[str]], liveagent: Callable[[], list[str]]) -> list[str]:
    """Both APIs asked at once: what stops the run, in messages (each call returns its own problems)."""
    found: list[str] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(twilio), pool.submit(liveagent)]:
            try:
                found.extend(future.result())
            except ApiError as error:
                if _stops_the_run(error.status):
                    found.append(str(error))
    return found


def _whole(value: Any) -> int | None:
    """A dial prefix as LiveAgent lists it (a number, or its digits as text)."""
    return int(value) if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()) else None


def _stops_the_run(status: int) -> bool:
    """Refused credentials, no answer, or server errors through every retry (a 4xx is a resource's business)."""
    return status in AUTH_FAILURES or status == 0 or status >= 500 or status == 429


def twilio_problems(twilio: TwilioClient, config: StackConfig) -> list[str]:
    """Every configured number the Twilio account does not own. (One on another trunk is the attachment's own
    check: only a number the stack has not attached yet may be refused for it, and the state knows which.)"""
    service, path = paths.incoming_phone_numbers(twilio.settings.account_sid)
    listing = twilio.paginate(service, path, "incoming_phone_numbers", {}, OWNED_PAGE)
    owned = {str(n.get("phone_number")) for n in listing}
    return [
        f"{NUMBERS_KEY}[{index}].number: {entry.number} is not a number of this Twilio account (released, or never "
        "bought or ported here). Remove it from numbers; this tool never buys numbers"
        for index, entry in enumerate(config.numbers)
        if entry.number not in owned
    ]


def liveagent_problems(liveagent: LiveAgentClient, config: StackConfig) -> list[str]:
    """Every department LiveAgent does not have, every dial prefix a number outside the config holds."""
    departments = sorted(str(d.get("name")) for d in liveagent.departments())
    found = [
        f"{NUMBERS_KEY}[{index}].department: LiveAgent has no department named {entry.department_name!r}; use one "
        f"of {', '.join(departments) or 'none (add one in LiveAgent first)'}"
        for index, entry in enumerate(config.numbers)
        if entry.department_name not in departments
    ]
    listed = liveagent.find_numbers({})  # every page (docs/liveagent-api.md §2.4)
    ours = [entry.number for entry in config.numbers]
    for index, entry in enumerate(config.numbers):
        holder = next(
            (
                n
                for n in listed
                if _whole(n.get("dial_out_prefix")) == entry.dial_prefix
                and not any(rules.same_number(n.get("number"), number) for number in ours)
            ),
            None,
        )
        if holder is not None:
            name = f", name {holder['name']!r}" if holder.get("name") else ""
            found.append(
                f"{NUMBERS_KEY}[{index}].dialPrefix: dial prefix {entry.dial_prefix} is held by LiveAgent number "
                f"{holder.get('number')} (id {holder.get('id')}{name}), which this stack does not manage. Choose "
                "another dialPrefix, or change that number's prefix in LiveAgent"
            )
    return found
