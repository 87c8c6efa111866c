"""An owned Twilio number attached to the trunk (step 4 of the guide).

Deleting the attachment only detaches the number: nothing here buys or releases a number.
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

SCHEMA = Schema(
    Field("trunk_sid", replaces=True),
    Field("phone_number", replaces=True, check=rules.e164_problem),
    Field("phone_number_sid", output_only=True),
)


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
        return SCHEMA.check(news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        # Detach before attaching elsewhere: a number belongs to one trunk at a time.
        return SCHEMA.diff(olds, news, delete_before_replace=True)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client
        number = find_owned_number(client, props["phone_number"])
        trunk_sid = props["trunk_sid"]
        if number.get("trunk_sid") != trunk_sid:
            client.post(*paths.trunk_phone_numbers(trunk_sid), {"PhoneNumberSid": number["sid"]})
        return CreateResult(f"{trunk_sid}/{number['sid']}", {**props, "phone_number_sid": number["sid"]})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        trunk_sid, number_sid = id_.split("/")
        body = self.client.fetch_or_none(*paths.trunk_phone_numbers(trunk_sid, number_sid))
        if body is None:
            return ReadResult(None, {})  # detached by hand: the next up attaches it again
        outs = {**props, "trunk_sid": trunk_sid, "phone_number_sid": number_sid, "phone_number": body["phone_number"]}
        return ReadResult(id_, outs, SCHEMA.read_inputs(outs))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({**_olds, **news})

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        trunk_sid, number_sid = id_.split("/")
        # Detach only. Never DELETE the IncomingPhoneNumber: that would release the number.
        self.client.delete_if_exists(*paths.trunk_phone_numbers(trunk_sid, number_sid))


class PhoneNumberAttachment(Resource, module="twilio", name="PhoneNumberAttachment"):
    phone_number_sid: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        super().__init__(PhoneNumberAttachmentProvider(), name, {"phone_number_sid": None, **props}, opts)
