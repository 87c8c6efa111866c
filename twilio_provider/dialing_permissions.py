"""Voice dialing permissions: the outbound countries whose low-risk numbers the account may call.

Only the listed countries are managed; others are left as they are. Deleting the resource (or
removing a country) restores each country to the state it had before this stack enabled it.

What that state was is recorded by a resource of its own, `DialingBaseline`, which only reads: it is in
state before the first permission is written, so a run killed halfway cannot mistake its own change for
what it found.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from provider_kit.diff import NamedDiff, detailed_diff_of
from stack import rules

from . import paths
from .base import TwilioProvider, is_unknown
from .client import TwilioClient

BASELINE_ID = "dialing-baseline"
PERMISSIONS_ID = "dialing-permissions"


def live_enabled(client: TwilioClient, countries: list[str]) -> dict[str, bool]:
    state = {}
    for iso in countries:
        body = client.get(*paths.dialing_permissions_country(iso))
        state[iso] = bool(body["low_risk_numbers_enabled"])
    return state


def bulk_update(client: TwilioClient, changes: dict[str, bool]) -> None:
    if not changes:
        return
    request = [
        {"iso_code": iso, "low_risk_numbers_enabled": "true" if enabled else "false"}
        for iso, enabled in sorted(changes.items())
    ]
    client.post(*paths.dialing_permissions_bulk_update(), {"UpdateRequest": json.dumps(request)})


def check_countries(news: dict[str, Any]) -> CheckResult:
    countries = news.get("countries")
    if is_unknown(countries):
        return CheckResult(news, [])
    failures = []
    normalised = sorted({str(c).upper() for c in countries or []})
    problem = rules.countries_problem(normalised)
    if problem:
        failures.append(CheckFailure("countries", problem))
    return CheckResult({**news, "countries": normalised}, failures)


class DialingBaselineProvider(TwilioProvider):
    """Records, once per country, whether it was enabled before this stack; writes nothing."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return check_countries(news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        wanted = news.get("countries")
        return DiffResult(changes=is_unknown(wanted) or not set(wanted or []) <= set(olds.get("enabled_before") or {}))

    account_wide = True

    def create(self, props: dict[str, Any]) -> CreateResult:
        before = live_enabled(self.client, props["countries"])
        return CreateResult(BASELINE_ID, {**props, "enabled_before": before})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props, {"countries": props.get("countries") or []})  # history: nothing to refresh

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        known = dict(olds.get("enabled_before") or {})
        new = [iso for iso in news["countries"] if iso not in known]
        return UpdateResult({**news, "enabled_before": {**live_enabled(self.client, new), **known}})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


class DialingBaseline(Resource, module="twilio", name="DialingBaseline"):
    enabled_before: pulumi.Output[dict[str, bool]]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        super().__init__(DialingBaselineProvider(), name, {"enabled_before": None, **props}, opts)


class DialingPermissionsProvider(TwilioProvider):
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return check_countries(news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        wanted = news.get("countries") or []
        if is_unknown(wanted):
            return DiffResult(changes=True)
        live = set(olds.get("enabled_countries") or [])
        changed = sorted(wanted) != sorted(olds.get("countries") or []) or not set(wanted) <= live
        # The refresh reported the countries still on as the `countries` input: the plan shows which go back on.
        countries = ["countries"] if changed else []
        return NamedDiff(
            changes=changed, replaces=[], detailed_diff=detailed_diff_of(countries, old_is_input=countries)
        )

    def _converge(
        self, client: TwilioClient, wanted: list[str], before: dict[str, bool], previously: list[str]
    ) -> dict[str, Any]:
        current = live_enabled(client, sorted(set(wanted) | set(previously)))
        before = {**{iso: current[iso] for iso in wanted if iso not in before}, **before}
        changes = {iso: True for iso in wanted if not current[iso]}
        for iso in previously:  # countries dropped from config go back to how we found them
            if iso not in wanted and current[iso] != before.get(iso, current[iso]):
                changes[iso] = before[iso]
        bulk_update(client, changes)
        kept_before = {iso: before[iso] for iso in wanted}
        return {"countries": wanted, "enabled_countries": sorted(wanted), "enabled_before": kept_before}

    account_wide = True

    def create(self, props: dict[str, Any]) -> CreateResult:
        outs = self._converge(self.client, props["countries"], dict(props.get("baseline") or {}), [])
        return CreateResult(PERMISSIONS_ID, {**props, **outs})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        countries = props.get("countries") or []
        state = live_enabled(self.client, countries)
        enabled = sorted(iso for iso, on in state.items() if on)
        outs = {**props, "enabled_countries": enabled}
        # As inputs, the configured countries that are on now: one turned off by hand shows in the plan.
        inputs = {"countries": enabled, **({"baseline": props["baseline"]} if "baseline" in props else {})}
        return ReadResult(id_, outs, inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        # What this resource recorded itself (stacks from before the baseline) comes first.
        before = {**dict(news.get("baseline") or {}), **dict(olds.get("enabled_before") or {})}
        outs = self._converge(self.client, news["countries"], before, list(olds.get("countries") or []))
        return UpdateResult({**news, **outs})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        before = props.get("enabled_before") or {}
        client = self.client
        current = live_enabled(client, sorted(before))
        bulk_update(client, {iso: was for iso, was in before.items() if current[iso] != was})


class DialingPermissions(Resource, module="twilio", name="DialingPermissions"):
    enabled_countries: pulumi.Output[list[str]]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            DialingPermissionsProvider(), name, {"enabled_countries": None, "enabled_before": None, **props}, opts
        )
