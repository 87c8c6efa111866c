"""An origination URL of a trunk (step 3 of the guide): where Twilio sends inbound calls."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, UpdateResult

from provider_kit import takeover
from provider_kit.schema import Field, Schema, SchemaResource
from stack import rules

from . import paths
from .base import TwilioProvider
from .errors import TwilioApiError

SCHEMA = Schema(
    Field("trunk_sid", replaces=True),  # in the path, not the form
    Field("sip_url", "SipUrl", check=rules.sip_uri_problem),
    Field("friendly_name", "FriendlyName", check=rules.friendly_name_problem),
    Field("weight", "Weight", default=rules.DEFAULT_ORIGINATION_WEIGHT, check=rules.within(rules.WEIGHT_RANGE)),
    Field("priority", "Priority", default=rules.DEFAULT_ORIGINATION_PRIORITY, check=rules.within(rules.PRIORITY_RANGE)),
    Field("enabled", "Enabled", default=True, decode=bool),
    Field("sid", output_only=True),
    Field(takeover.ADOPT, default=False, compared=False),
    # Other origination URLs on the trunk (added by hand): they take calls too, so `up` removes them unless
    # the config keeps them. Read by a refresh, so a preview shows them.
    Field("other_urls", response="", default=[], compared=False),
    Field("keep_others", default=False, compared=False),
)


class OriginationUrlProvider(TwilioProvider):
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return SCHEMA.check(news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        result = SCHEMA.diff(olds, news)
        if olds.get("other_urls") and not news.get("keep_others"):
            result.changes = True
            result.detailed_diff["other_urls"] = ("delete", False)
        return result

    def _other_urls(self, trunk_sid: str, own_sid: str) -> list[dict[str, Any]]:
        urls = self.client.paginate(*paths.origination_urls(trunk_sid), "origination_urls")
        return [dict(url) for url in urls if url.get("sid") != own_sid]

    def create(self, props: dict[str, Any]) -> CreateResult:
        client, trunk_sid = self.client, props["trunk_sid"]

        def find() -> dict[str, Any] | None:
            return self._find(trunk_sid, props["sip_url"])

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
                found = client.post(*paths.origination_urls(trunk_sid, found["sid"]), SCHEMA.form_params(props))
            # Taken over, nothing deleted now; other URLs on the trunk show in the next preview.
            others = sorted(url["sip_url"] for url in self._other_urls(trunk_sid, found["sid"]))
            return CreateResult(found["sid"], {**props, **SCHEMA.from_api(found), "other_urls": others})
        body = takeover.create_once(
            lambda: client.create(*paths.origination_urls(trunk_sid), SCHEMA.form_params(props)), find
        )
        others = sorted(url["sip_url"] for url in self._other_urls(trunk_sid, body["sid"]))
        return CreateResult(body["sid"], {**props, **SCHEMA.from_api(body), "other_urls": others})

    def _find(self, trunk_sid: str, sip_url: Any) -> dict[str, Any] | None:
        """The origination URL with this SIP URL on the trunk (None when the trunk itself is gone)."""
        try:
            for found in self.client.paginate(*paths.origination_urls(trunk_sid), "origination_urls"):
                if found.get("sip_url") == sip_url:
                    return dict(found)
        except TwilioApiError as error:
            if not error.not_found:
                raise
        return None

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        body = self.client.fetch_or_none(*paths.origination_urls(props["trunk_sid"], id_))
        if body is None:
            body = self._find(props["trunk_sid"], props.get("sip_url"))  # deleted and made again by hand
        if body is None:
            return ReadResult(None, {})
        id_ = body["sid"]
        others = sorted(url["sip_url"] for url in self._other_urls(props["trunk_sid"], id_))
        outs = {**props, **SCHEMA.from_api(body), "other_urls": others}
        inputs = SCHEMA.read_inputs(outs)
        if not props.get("keep_others"):
            inputs["other_urls"] = others  # so the preview shows them going: `other_urls: [...] => []`
        return ReadResult(id_, outs, inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client, trunk_sid = self.client, news["trunk_sid"]
        body = client.get(*paths.origination_urls(trunk_sid, id_))
        if SCHEMA.differences(SCHEMA.from_api(body), news):
            body = client.post(*paths.origination_urls(trunk_sid, id_), SCHEMA.form_params(news))
        others = self._other_urls(trunk_sid, id_)
        if not news.get("keep_others"):
            for url in others:
                client.delete_if_exists(*paths.origination_urls(trunk_sid, url["sid"]))
            others = []
        kept = sorted(url["sip_url"] for url in others)
        return UpdateResult({**olds, **news, **SCHEMA.from_api(body), "other_urls": kept})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self.client.delete_if_exists(*paths.origination_urls(props["trunk_sid"], id_))


class OriginationUrl(
    SchemaResource, module="twilio", name="OriginationUrl", schema=SCHEMA, provider=OriginationUrlProvider
):
    sid: pulumi.Output[str]
    sip_url: pulumi.Output[str]
