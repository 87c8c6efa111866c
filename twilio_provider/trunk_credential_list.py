"""The credential list's association with the trunk (step 2 of the guide): created and deleted, never updated."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from provider_kit import takeover
from provider_kit.schema import Field, Schema, SchemaResource

from . import paths
from .base import TwilioProvider

SCHEMA = Schema(Field("trunk_sid", replaces=True), Field("credential_list_sid", replaces=True))


class TrunkCredentialListProvider(TwilioProvider):
    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        return SCHEMA.diff(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        trunk_sid, list_sid = props["trunk_sid"], props["credential_list_sid"]
        link = paths.trunk_credential_lists(trunk_sid, list_sid)
        if self.client.fetch_or_none(*link) is None:
            takeover.create_once(
                lambda: self.client.create(*paths.trunk_credential_lists(trunk_sid), {"CredentialListSid": list_sid}),
                lambda: self.client.fetch_or_none(*link),
            )
        return CreateResult(f"{trunk_sid}/{list_sid}", dict(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        trunk_sid, list_sid = id_.split("/")
        if self.client.fetch_or_none(*paths.trunk_credential_lists(trunk_sid, list_sid)) is None:
            return ReadResult(None, {})
        outs = {**props, "trunk_sid": trunk_sid, "credential_list_sid": list_sid}
        return ReadResult(id_, outs, SCHEMA.read_inputs(outs))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(dict(news))  # only reached when the provider module moved; nothing remote changes

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        trunk_sid, list_sid = id_.split("/")
        self.client.delete_if_exists(*paths.trunk_credential_lists(trunk_sid, list_sid))


class TrunkCredentialList(
    SchemaResource, module="twilio", name="TrunkCredentialList", schema=SCHEMA, provider=TrunkCredentialListProvider
):
    """The credential list's association with the trunk; its id is `<trunk SID>/<list SID>`."""
