"""An origination URL of a trunk (step 3 of the guide): where Twilio sends inbound calls."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, Resource, UpdateResult

import rules
import takeover
from resource_schema import Field, Schema

from . import paths
from .base import TwilioProvider

SCHEMA = Schema(
    Field("trunk_sid", replaces=True),  # in the path, not the form
    Field("sip_url", "SipUrl", check=rules.sip_uri_problem),
    Field("friendly_name", "FriendlyName", check=rules.friendly_name_problem),
    Field("weight", "Weight", default=rules.DEFAULT_ORIGINATION_WEIGHT, check=rules.within(rules.WEIGHT_RANGE)),
    Field("priority", "Priority", default=rules.DEFAULT_ORIGINATION_PRIORITY, check=rules.within(rules.PRIORITY_RANGE)),
    Field("enabled", "Enabled", default=True, decode=bool),
    Field("sid", output_only=True),
    Field(takeover.ADOPT, default=False, compared=False),
)


class OriginationUrlProvider(TwilioProvider):
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return SCHEMA.check(news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        return SCHEMA.diff(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client, trunk_sid = self.client, props["trunk_sid"]

        def find() -> dict[str, Any] | None:
            for found in client.paginate(*paths.origination_urls(trunk_sid), "origination_urls"):
                if found.get("sip_url") == props["sip_url"]:
                    return dict(found)
            return None

        found = find()
        if found is not None:
            current = SCHEMA.from_api(found)
            differences = SCHEMA.differences(current, props)
            takeover.take_or_refuse(
                "origination URL",
                f"{props['sip_url']} on trunk {trunk_sid}",
                found["sid"],
                differences,
                props.get(takeover.ADOPT),
                "Twilio",
            )
            if differences:
                found = client.post(*paths.origination_urls(trunk_sid, found["sid"]), SCHEMA.to_api(props))
            return CreateResult(found["sid"], {**props, **SCHEMA.from_api(found)})
        body = takeover.create_once(lambda: client.post(*paths.origination_urls(trunk_sid), SCHEMA.to_api(props)), find)
        return CreateResult(body["sid"], {**props, **SCHEMA.from_api(body)})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        body = self.client.fetch_or_none(*paths.origination_urls(props["trunk_sid"], id_))
        if body is None:
            return ReadResult(None, {})
        outs = {**props, **SCHEMA.from_api(body)}
        return ReadResult(id_, outs, SCHEMA.read_inputs(outs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        body = self.client.post(*paths.origination_urls(news["trunk_sid"], id_), SCHEMA.to_api(news))
        return UpdateResult({**news, **SCHEMA.from_api(body)})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self.client.delete_if_exists(*paths.origination_urls(props["trunk_sid"], id_))


class OriginationUrl(Resource, module="twilio", name="OriginationUrl"):
    sid: pulumi.Output[str]
    sip_url: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        super().__init__(OriginationUrlProvider(), name, {"sid": None, **props}, opts)
