"""What a setup made by hand holds, read from both accounts, as the stack config that describes it.

Read only: every call here is a GET. What the consoles hold in a way the guide does not (a LiveAgent number on
another host, a number with no LiveAgent number, two LiveAgent numbers for one E.164) is left out of the config,
each with its reason, so that what is written can be taken over by `pulumi up` without a change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from liveagent_provider.client import LiveAgentClient
from stack import rules
from twilio_provider import paths
from twilio_provider.client import TwilioClient

SIP_NUMBER = "S"  # LiveAgent's type of a SIP number


@dataclass
class Finding:
    """One row of the table discover prints: what it found, its id, and whether the config has it."""

    what: str
    found: str
    id: str = ""
    left_out: str = ""  # why it is not in the config; empty: it is
    note: str = ""  # what `pulumi up` will change about it, where the consoles differ from the guide


@dataclass
class Discovered:
    config: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    username: str | None = None

    def add(self, what: str, found: str, id_: str = "", left_out: str = "", note: str = "") -> None:
        self.findings.append(Finding(what, found, id_, left_out, note))


class NotFound(Exception):
    """The trunk asked for is not in the account; the message lists those that are."""


def trunks(twilio: TwilioClient) -> list[dict[str, Any]]:
    return [dict(t) for t in twilio.paginate(*paths.trunks(), "trunks")]


def domain_prefix_of(trunk: dict[str, Any]) -> str:
    return str(trunk.get("domain_name") or "").lower().removesuffix(".pstn.twilio.com")


def discover(twilio: TwilioClient, liveagent: LiveAgentClient, domain_prefix: str) -> Discovered:
    found = Discovered()
    domain = rules.termination_domain(domain_prefix).lower()
    everything = trunks(twilio)
    trunk = next((t for t in everything if str(t.get("domain_name") or "").lower() == domain), None)
    if trunk is None:
        names = ", ".join(sorted(str(t.get("domain_name")) for t in everything)) or "none"
        raise NotFound(
            f"no trunk of this Twilio account has the termination domain {domain} (the account has: {names})"
        )
    found.add("trunk", f"{trunk.get('friendly_name')} ({domain})", trunk["sid"])
    numbers = _liveagent_numbers(liveagent, twilio, trunk, domain_prefix, found)
    found.config["trunk"] = _trunk(trunk, domain_prefix, numbers, found)
    found.config["credentials"] = _credentials(twilio, trunk, numbers, found)
    found.config["origination"] = _origination(twilio, trunk, found)
    for entry, _ in numbers:
        user = entry.pop("_user", None)
        if found.username and user != found.username:
            what = f"{entry['number']}: LiveAgent's SIP username is {user}"
            found.add("number", what, note=f"`pulumi up` sets the trunk credential's, {found.username}")
    found.config["numbers"] = [entry for entry, _ in numbers]
    if numbers:
        profile_from = numbers[0][0]["number"]
        found.config["liveagentNumber"] = {"profileFrom": profile_from}
        found.add("SIP profile to copy", f"from {profile_from} (liveagentNumber.profileFrom)")
    found.config["outboundCountries"] = _countries(twilio, found)
    found.config["adopt"] = True
    return found


def _trunk(
    trunk: dict[str, Any], prefix: str, numbers: list[tuple[dict[str, Any], str]], found: Discovered
) -> dict[str, Any]:
    config: dict[str, Any] = {"friendlyName": trunk.get("friendly_name"), "domainPrefix": prefix}
    hosts = {host for _, host in numbers}
    config["edge"] = _edge(next(iter(hosts)), prefix) if hosts else rules.DEFAULT_EDGE
    for key, api, default in (
        ("transferMode", "transfer_mode", rules.DEFAULT_TRANSFER_MODE),
        ("transferCallerId", "transfer_caller_id", rules.DEFAULT_TRANSFER_CALLER_ID),
        ("cnamLookupEnabled", "cnam_lookup_enabled", False),
    ):
        if trunk.get(api) not in (None, default):
            config[key] = trunk[api]
    recording = trunk.get("recording") or {}
    mode = recording.get("mode") or rules.DEFAULT_RECORDING_MODE
    trim = recording.get("trim") or rules.DEFAULT_RECORDING_TRIM
    if (mode, trim) != (rules.DEFAULT_RECORDING_MODE, rules.DEFAULT_RECORDING_TRIM):
        config["recording"] = {"mode": mode, "trim": trim}
    if trunk.get("secure"):
        found.add("Secure Trunking", "on", trunk["sid"], note="LiveAgent needs it off: `pulumi up` turns it off")
    recovery = trunk.get("disaster_recovery_url")
    if recovery:
        forward_to = forward_number(str(recovery))
        if forward_to:
            method = trunk.get("disaster_recovery_method") or rules.DEFAULT_HTTP_METHOD
            config["disasterRecovery"] = {"forwardTo": forward_to, "method": method}
            found.add("disaster recovery", f"forward to {forward_to}")
        else:
            found.add(
                "disaster recovery",
                str(recovery),
                left_out="not the guide's forward twimlet: `pulumi up` would clear it; set it in the console after",
            )
    return config


def forward_number(url: str) -> str | None:
    """The E.164 number a twimlets forward URL calls (the guide writes it with 00 for '+'), or None."""
    parts = urlsplit(url)
    if parts.netloc != "twimlets.com" or parts.path.rstrip("/") != "/forward":
        return None
    number = (parse_qs(parts.query).get("PhoneNumber") or [""])[0].strip()
    number = "+" + number[2:] if number.startswith("00") else number
    return number if rules.e164(number) == number else None


def _edge(host: str, prefix: str) -> str | None:
    if host == rules.termination_domain(prefix):
        return None
    match = re.fullmatch(rf"{re.escape(prefix)}\.pstn\.([a-z0-9-]+)\.twilio\.com", host)
    return match.group(1) if match else rules.DEFAULT_EDGE


def _credentials(
    twilio: TwilioClient, trunk: dict[str, Any], numbers: list[tuple[dict[str, Any], str]], found: Discovered
) -> dict[str, Any]:
    account = twilio.settings.account_sid
    lists = [dict(c) for c in twilio.paginate(*paths.trunk_credential_lists(trunk["sid"]), "credential_lists")]
    users = {user for _, user in _users(numbers)}
    for credential_list in lists:
        service, path = paths.credentials(account, credential_list["sid"])
        credentials = [dict(c) for c in twilio.paginate(service, path, "credentials")]
        chosen = [c for c in credentials if c.get("username") in users] or credentials[:1]
        if chosen and (len(lists) == 1 or chosen[0].get("username") in users):
            name, username = credential_list.get("friendly_name"), chosen[0].get("username")
            found.add("credential list", str(name), credential_list["sid"])
            found.add("credential", f"username {username}", chosen[0].get("sid", ""))
            found.username = str(username)
            return {"listName": name, "username": username}
    found.add("credential list", "none on the trunk", left_out="add the guide's credential list, then run this again")
    return {}


def _users(numbers: list[tuple[dict[str, Any], str]]) -> list[tuple[str, str]]:
    return [(entry["number"], str(entry.get("_user") or "")) for entry, _ in numbers]


def _origination(twilio: TwilioClient, trunk: dict[str, Any], found: Discovered) -> dict[str, Any]:
    urls = [dict(u) for u in twilio.paginate(*paths.origination_urls(trunk["sid"]), "origination_urls")]
    if not urls:
        found.add("origination URL", "none on the trunk", left_out="`pulumi up` will add the guide's")
        return {}
    chosen = next((u for u in urls if u.get("sip_url") == rules.DEFAULT_ORIGINATION_URI), None)
    chosen = chosen or next((u for u in urls if "ladesk.com" in str(u.get("sip_url"))), urls[0])
    found.add("origination URL", str(chosen.get("sip_url")), chosen.get("sid", ""))
    config: dict[str, Any] = {
        "uri": chosen.get("sip_url"),
        "weight": chosen.get("weight"),
        "priority": chosen.get("priority"),
        "enabled": bool(chosen.get("enabled")),
        "friendlyName": chosen.get("friendly_name"),
    }
    others = [u for u in urls if u is not chosen]
    if others:
        config["keepOthers"] = True
        for other in others:
            found.add(
                "other origination URL", str(other.get("sip_url")), other.get("sid", ""), "kept as it is (keepOthers)"
            )
    return config


def _liveagent_numbers(
    liveagent: LiveAgentClient, twilio: TwilioClient, trunk: dict[str, Any], prefix: str, found: Discovered
) -> list[tuple[dict[str, Any], str]]:
    """Each number on the trunk with its one LiveAgent SIP number on this trunk's host: (config entry, host)."""
    on_trunk = [dict(n) for n in twilio.paginate(*paths.trunk_phone_numbers(trunk["sid"]), "phone_numbers")]
    departments = {str(d.get("department_id")): d.get("name") for d in liveagent.departments()}
    listed = liveagent.find_numbers({})  # every page: one read per 100 numbers, not one per number
    kept: list[tuple[dict[str, Any], str]] = []
    for number in sorted(on_trunk, key=lambda n: str(n.get("phone_number"))):
        e164 = str(number.get("phone_number"))
        matches = [
            r
            for r in listed
            if rules.same_number(_plus(r.get("number")), e164) and r.get("type", SIP_NUMBER) == SIP_NUMBER
        ]
        reason = _why_left_out(e164, matches, prefix, kept)
        if reason:
            found.add("number", e164, number.get("sid", ""), reason)
            continue
        row = matches[0]
        entry = {
            "number": e164,
            "name": row.get("name"),
            "department": departments.get(str(row.get("departmentid") or "")),
            "dialPrefix": int(row.get("dial_out_prefix") or 0),
            "_user": row.get("user"),
        }
        for key, api in (("recordInCall", "record_in_call"), ("recordOutCall", "record_out_call")):
            if row.get(api) in (True, "true", "1", 1):
                entry[key] = True
        found.add("number", f"{e164} → LiveAgent {row.get('name')!r}", f"{number.get('sid')} / {row.get('id')}")
        kept.append((entry, str(row.get("host"))))
    return kept


def _plus(number: Any) -> Any:
    """A LiveAgent number typed in the admin panel without its '+' (`815012345678`) is still that E.164."""
    return f"+{number}" if isinstance(number, str) and number.isdigit() else number


def _why_left_out(e164: str, matches: list[dict[str, Any]], prefix: str, kept: list[tuple[dict[str, Any], str]]) -> str:
    """Why a number on the trunk is left out of the config (its LiveAgent `matches` do not fit this setup or the
    numbers `kept` so far), or "" when it goes in."""
    if not matches:
        return "on the trunk, but LiveAgent has no SIP number for it: add it there (the guide's step 5), or detach it"
    if len(matches) > 1:
        ids = ", ".join(str(m.get("id")) for m in matches)
        return f"LiveAgent has {len(matches)} SIP numbers for it (ids {ids}): delete all but one there, then run again"
    host = str(matches[0].get("host") or "")
    edges = (*rules.EDGES, *rules.LEGACY_EDGES)
    trunk_hosts = {rules.termination_domain(prefix)} | {rules.pinned_termination_host(prefix, edge) for edge in edges}
    if host not in trunk_hosts:
        return f"its LiveAgent number's host is {host}, not this trunk's: point it at this trunk, or leave it out"
    if kept and host != kept[0][1]:
        return f"its LiveAgent number's host {host} differs from the others' ({kept[0][1]}): one edge for all"
    users = {str(entry.get("_user")) for entry, _ in kept}
    if users and str(matches[0].get("user")) not in users:
        return f"its LiveAgent number's SIP username {matches[0].get('user')} differs from the others'"
    if not matches[0].get("departmentid"):
        return "its LiveAgent number has no department: choose one there, then run this again"
    return ""


def _countries(twilio: TwilioClient, found: Discovered) -> list[str]:
    enabled = twilio.paginate(*paths.dialing_permissions_countries(), "content", {"LowRiskNumbersEnabled": "true"})
    countries = sorted(str(c["iso_code"]) for c in enabled if c.get("low_risk_numbers_enabled"))
    found.add("outbound countries", ", ".join(countries) or "none")
    return countries
