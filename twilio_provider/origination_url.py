"""An origination URL of a trunk (step 3 of the guide): where Twilio sends inbound calls."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, Resource, UpdateResult

import rules

from .base import TwilioProvider, as_int, check_failures, diff_result
from .client import boolean

DEFAULTS: dict[str, Any] = {
    "weight": rules.DEFAULT_ORIGINATION_WEIGHT,
    "priority": rules.DEFAULT_ORIGINATION_PRIORITY,
    "enabled": True,
}
FIELDS = ("trunk_sid", "sip_url", "friendly_name", "weight", "priority", "enabled")


def to_api(props: dict[str, Any]) -> dict[str, str]:
    return {
        "SipUrl": props["sip_url"],
        "FriendlyName": props["friendly_name"],
        "Weight": str(as_int(props["weight"])),
        "Priority": str(as_int(props["priority"])),
        "Enabled": boolean(props["enabled"]),
    }


def from_api(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "sid": body["sid"],
        "trunk_sid": body["trunk_sid"],
        "sip_url": body["sip_url"],
        "friendly_name": body["friendly_name"],
        "weight": body["weight"],
        "priority": body["priority"],
        "enabled": bool(body["enabled"]),
    }


class OriginationUrlProvider(TwilioProvider):
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = {**DEFAULTS, **{k: as_int(v) for k, v in news.items() if v is not None}}
        checks = {
            "sip_url": rules.sip_uri_problem,
            "friendly_name": rules.friendly_name_problem,
            "weight": rules.within(rules.WEIGHT_RANGE),
            "priority": rules.within(rules.PRIORITY_RANGE),
        }
        return CheckResult(inputs, check_failures(inputs, checks))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        return diff_result(olds, news, FIELDS, replace_on=("trunk_sid",))

    def create(self, props: dict[str, Any]) -> CreateResult:
        body = self.client().post("trunking", f"/v1/Trunks/{props['trunk_sid']}/OriginationUrls", to_api(props))
        return CreateResult(body["sid"], {**props, **from_api(body)})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        body = self.client().fetch_or_none("trunking", f"/v1/Trunks/{props['trunk_sid']}/OriginationUrls/{id_}")
        if body is None:
            return ReadResult(None, {})
        outs = {**props, **from_api(body)}
        return ReadResult(id_, outs, {name: outs[name] for name in FIELDS})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        body = self.client().post("trunking", f"/v1/Trunks/{news['trunk_sid']}/OriginationUrls/{id_}", to_api(news))
        return UpdateResult({**news, **from_api(body)})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self.client().delete_if_exists("trunking", f"/v1/Trunks/{props['trunk_sid']}/OriginationUrls/{id_}")


class OriginationUrl(Resource, module="twilio", name="OriginationUrl"):
    sid: pulumi.Output[str]
    sip_url: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        super().__init__(OriginationUrlProvider(), name, {"sid": None, **props}, opts)
