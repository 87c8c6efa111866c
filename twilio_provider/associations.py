"""Trunk associations that Twilio cannot update, only create and delete: a credential list, a number.

Deleting a number association only detaches the number: nothing here buys or releases a number.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, Resource, UpdateResult

import rules
from resource_schema import Field, Schema

from . import paths
from .base import TwilioProvider
from .client import TwilioClient
from .errors import TwilioApiError

TRUNK_CREDENTIAL_LIST_SCHEMA = Schema(Field("trunk_sid", replaces=True), Field("credential_list_sid", replaces=True))
PHONE_NUMBER_ATTACHMENT_SCHEMA = Schema(
    Field("trunk_sid", replaces=True),
    Field("phone_number", replaces=True, check=rules.e164_problem),
    Field("phone_number_sid", output_only=True),
)


class TrunkCredentialListProvider(TwilioProvider):
    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        return TRUNK_CREDENTIAL_LIST_SCHEMA.diff(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        trunk_sid, list_sid = props["trunk_sid"], props["credential_list_sid"]
        self.client().post(*paths.trunk_credential_lists(trunk_sid), {"CredentialListSid": list_sid})
        return CreateResult(f"{trunk_sid}/{list_sid}", dict(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        trunk_sid, list_sid = id_.split("/")
        if self.client().fetch_or_none(*paths.trunk_credential_lists(trunk_sid, list_sid)) is None:
            return ReadResult(None, {})
        outs = {**props, "trunk_sid": trunk_sid, "credential_list_sid": list_sid}
        return ReadResult(id_, outs, TRUNK_CREDENTIAL_LIST_SCHEMA.read_inputs(outs))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(dict(news))  # only reached when the provider module moved; nothing remote changes

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        trunk_sid, list_sid = id_.split("/")
        self.client().delete_if_exists(*paths.trunk_credential_lists(trunk_sid, list_sid))


class TrunkCredentialList(Resource, module="twilio", name="TrunkCredentialList"):
    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        super().__init__(TrunkCredentialListProvider(), name, props, opts)


def find_owned_number(client: TwilioClient, phone_number: str) -> dict[str, Any]:
    """The account's own number with exactly this E.164 (Twilio's filter also matches partial numbers)."""
    service, path = paths.incoming_phone_numbers(client.settings.account_sid)
    for number in client.paginate(service, path, "incoming_phone_numbers", {"PhoneNumber": phone_number}):
        if number.get("phone_number") == phone_number:
            return number
    raise TwilioApiError(
        404,
        None,
        f"{phone_number} is not a number this Twilio account owns. This tool never "
        "buys numbers: buy or port it in the Twilio console, then run `pulumi up` again",
        "GET",
        client.url(service, path),
    )


class PhoneNumberAttachmentProvider(TwilioProvider):
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return PHONE_NUMBER_ATTACHMENT_SCHEMA.check(news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        # Detach before attaching elsewhere: a number belongs to one trunk at a time.
        return PHONE_NUMBER_ATTACHMENT_SCHEMA.diff(olds, news, delete_before_replace=True)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        number = find_owned_number(client, props["phone_number"])
        trunk_sid = props["trunk_sid"]
        if number.get("trunk_sid") != trunk_sid:
            client.post(*paths.trunk_phone_numbers(trunk_sid), {"PhoneNumberSid": number["sid"]})
        return CreateResult(f"{trunk_sid}/{number['sid']}", {**props, "phone_number_sid": number["sid"]})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        trunk_sid, number_sid = id_.split("/")
        body = self.client().fetch_or_none(*paths.trunk_phone_numbers(trunk_sid, number_sid))
        if body is None:
            return ReadResult(None, {})  # detached by hand: the next up attaches it again
        outs = {**props, "trunk_sid": trunk_sid, "phone_number_sid": number_sid, "phone_number": body["phone_number"]}
        return ReadResult(id_, outs, PHONE_NUMBER_ATTACHMENT_SCHEMA.read_inputs(outs))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({**_olds, **news})

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        trunk_sid, number_sid = id_.split("/")
        # Detach only. Never DELETE the IncomingPhoneNumber: that would release the number.
        self.client().delete_if_exists(*paths.trunk_phone_numbers(trunk_sid, number_sid))


class PhoneNumberAttachment(Resource, module="twilio", name="PhoneNumberAttachment"):
    phone_number_sid: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        super().__init__(PhoneNumberAttachmentProvider(), name, {"phone_number_sid": None, **props}, opts)
