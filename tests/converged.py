"""Does the sandbox hold exactly what a stack config says? Field by field, and nothing twice."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.sandbox_client import Sandbox


def mismatches(sandbox: Sandbox, config: dict[str, Any]) -> list[str]:
    """Every difference between the sandbox and `config` (empty when converged), duplicates included."""
    found: list[str] = []

    def expect(what: str, actual: Any, wanted: Any) -> None:
        if actual != wanted:
            found.append(f"{what}: {actual!r}, expected {wanted!r}")

    twilio = sandbox.state("twilio")
    prefix = config["trunk"]["domainPrefix"]
    trunks = sandbox.trunks()
    expect("trunks", len(trunks), 1)
    if len(trunks) != 1:
        return found
    [trunk] = trunks
    expect("trunk friendly_name", trunk["friendly_name"], config["trunk"]["friendlyName"])
    expect("trunk domain_name", trunk["domain_name"], f"{prefix}.pstn.twilio.com")
    expect("trunk secure", trunk["secure"], False)
    forward = config["trunk"]["disasterRecovery"]["forwardTo"].replace("+", "00")
    expect(
        "trunk disaster_recovery_url",
        trunk["disaster_recovery_url"],
        f"https://twimlets.com/forward?PhoneNumber={forward}",
    )
    expect("trunk recording", trunk["recording"], {"mode": "do-not-record", "trim": "do-not-trim"})

    originations = [o for o in twilio["origination_urls"].values() if o["trunk_sid"] == trunk["sid"]]
    expect("origination URLs on the trunk", len(originations), 1)
    wanted_origination = config["origination"]
    for origination in originations[:1]:
        expect(
            "origination",
            (origination["sip_url"], origination["weight"], origination["priority"], origination["enabled"]),
            (wanted_origination["uri"], wanted_origination["weight"], wanted_origination["priority"], True),
        )

    lists = list(twilio["credential_lists"].values())
    expect("credential lists", len(lists), 1)
    for credential_list in lists[:1]:
        expect("credential list name", credential_list["friendly_name"], config["credentials"]["listName"])
        expect(
            "lists linked to the trunk", list(twilio["trunk_credential_lists"][trunk["sid"]]), [credential_list["sid"]]
        )
    credentials = list(twilio["credentials"].values())
    expect("credentials", len(credentials), 1)
    for credential in credentials[:1]:
        expect("credential username", credential["username"], config["credentials"]["username"])
        expect("password works", sandbox.password_works(credential["sid"], config["credentials"]["password"]), True)

    wanted = {entry["number"] for entry in config["numbers"]}
    numbers = sandbox.numbers_by_e164()
    expect("numbers on the trunk", {e164 for e164, n in numbers.items() if n["trunk_sid"] == trunk["sid"]}, wanted)

    rows = list(sandbox.state("liveagent")["phone_numbers"].values())
    twice = sorted(e164 for e164, count in Counter(row["number"] for row in rows).items() if count > 1)
    expect("LiveAgent numbers made twice", twice, [])
    liveagent = sandbox.liveagent_numbers()
    expect("LiveAgent numbers", set(liveagent), wanted)
    departments = {d["name"]: d["department_id"] for d in sandbox.state("liveagent")["departments"].values()}
    for entry in config["numbers"]:
        number = liveagent.get(entry["number"])
        if number is None:
            continue
        where = f"LiveAgent {entry['number']}"
        expect(f"{where} type/status", (number["type"], number["status"]), ("S", "A"))
        expect(f"{where} name", number["name"], entry["name"])
        expect(f"{where} departmentid", number["departmentid"], departments.get(entry["department"]))
        expect(f"{where} dial_out_prefix", number["dial_out_prefix"], entry["dialPrefix"])
        expect(f"{where} host", number["host"], f"{prefix}.pstn.tokyo.twilio.com")
        expect(f"{where} user", number["user"], config["credentials"]["username"])
        expect(f"{where} auth_user", number.get("auth_user", ""), entry.get("authUser", ""))
        expect(f"{where} password", number["password"], config["credentials"]["password"])

    countries = twilio["countries"]
    for iso in config["outboundCountries"]:
        expect(f"dialing permission {iso}", countries[iso]["low_risk_numbers_enabled"], True)
    return found
