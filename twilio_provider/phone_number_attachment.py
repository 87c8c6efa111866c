"""An owned Twilio number attached to the trunk (step 4 of the guide).

Deleting the attachment only detaches the number: nothing here buys or releases a number.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, ReadResult, UpdateResult

from provider_kit import takeover
from provider_kit.schema import Field, Schema, SchemaResource
from stack import rules

from . import paths
from .base import TwilioProvider, is_unknown
from .client import TwilioClient
from .errors import TwilioApiError

SCHEMA = Schema(
    Field("trunk_sid", replaces=True),
    Field("phone_number", replaces=True, check=rules.e164_problem, config="number"),
    Field("phone_number_sid", output_only=True),
    # Where the number is attached now: our trunk, unless someone moved it (then `up` moves it back).
    Field("attached_trunk_sid", output_only=True),
    # Attach a number that sits on another trunk (never done silently: it takes the number's calls away).
    Field("take_over", default=False, compared=False),
    # The trunk's domain, known at preview when its SID is not yet: tells our trunk from another one.
    Field("trunk_domain", default=None, compared=False),
)


# One listing of the account's numbers answers every attachment's lookup of a run; an account with more
# numbers than these pages hold is asked number by number instead (a filtered call each).
OWNED_PAGE = 1000  # Twilio's largest PageSize
OWNED_PAGES = 5


def _owned_numbers(client: TwilioClient) -> dict[str, dict[str, Any]] | None:
    def listing() -> dict[str, dict[str, Any]] | None:
        service, path = paths.incoming_phone_numbers(client.settings.account_sid)
        found: dict[str, dict[str, Any]] = {}
        for number in client.paginate(service, path, "incoming_phone_numbers", page_size=OWNED_PAGE):
            if len(found) >= OWNED_PAGE * OWNED_PAGES:
                return None
            found[str(number.get("phone_number"))] = number
        return found

    # A `lookups` snapshot: this run's attachments each move only their own number.
    owned: dict[str, dict[str, Any]] | None = client.snapshots.get(("owned numbers",), listing, lookups=True)
    return owned


def find_owned_number(client: TwilioClient, phone_number: str) -> dict[str, Any]:
    """The account's own number with exactly this E.164 (Twilio's filter also matches partial numbers). From
    the run's listing when it says the number is on no trunk; one on a trunk, or missing, is looked at again,
    as it is now, before anything is done or refused because of it."""
    owned = _owned_numbers(client)
    listed = owned.get(phone_number) if owned is not None else None
    if listed is not None and not listed.get("trunk_sid"):
        return listed
    service, path = paths.incoming_phone_numbers(client.settings.account_sid)
    for number in client.paginate(service, path, "incoming_phone_numbers", {"PhoneNumber": phone_number}):
        if number.get("phone_number") == phone_number:
            return number
    raise TwilioApiError(
        404,
        f"{phone_number} is not a number of this Twilio account (released, or never bought or ported here): "
        "remove it from numbers in the stack config (this tool never buys numbers), then run `pulumi up` again",
        "GET",
        client.url(service, path),
    )


def on_another_trunk(number: dict[str, Any], trunk_sid: Any) -> str | None:
    """The other trunk a number is attached to, or None (attached to `trunk_sid`, or to none)."""
    current = number.get("trunk_sid")
    return current if current and current != trunk_sid else None


def attached_elsewhere_message(phone_number: str, other_trunk: str) -> str:
    """The error for a number that another trunk holds, naming the switch that takes it over."""
    return (
        f"{phone_number} is attached to another trunk, {other_trunk}, which gets its calls. This stack takes a "
        f"number from another trunk only when told: set `takeOver: true` on {phone_number} in the stack config "
        "(twilio-liveagent:numbers) and run `pulumi up` again, or detach it from that trunk in the Twilio console"
    )


def _trunk_numbers(client: TwilioClient, trunk_sid: str) -> dict[str, dict[str, Any]]:
    def listing() -> dict[str, dict[str, Any]]:
        try:
            return {n["sid"]: n for n in client.paginate(*paths.trunk_phone_numbers(trunk_sid), "phone_numbers")}
        except TwilioApiError as error:
            if error.not_found:  # the trunk itself is gone: each read then finds out on its own
                return {}
            raise

    found: dict[str, dict[str, Any]] = client.snapshots.get(("trunk numbers", trunk_sid), listing)
    return found


class PhoneNumberAttachmentProvider(TwilioProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = SCHEMA.check(news)
        inputs = result.inputs
        if olds or result.failures or not isinstance(inputs.get("phone_number"), str):
            return result
        # A number attached for the first time: owned, and on no other trunk unless taken over (preview).
        try:
            number = find_owned_number(self.client, inputs["phone_number"])
        except TwilioApiError as error:
            if not error.not_found:
                raise
            result.failures.append(CheckFailure("phone_number", error.message))
            return result
        trunk_sid = inputs.get("trunk_sid")
        other = on_another_trunk(number, None if is_unknown(trunk_sid) else trunk_sid)
        if other and is_unknown(trunk_sid):
            # Our trunk is not made yet, or is being taken over: the domain tells whose trunk it is.
            body = self.client.fetch_or_none(*paths.trunk(other))
            domain = inputs.get("trunk_domain")
            if body is not None and domain and str(body.get("domain_name") or "").lower() == str(domain).lower():
                other = None
        if other and not inputs.get("take_over"):
            result.failures.append(
                CheckFailure("phone_number", attached_elsewhere_message(inputs["phone_number"], other))
            )
        return result

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        # Detach before attaching elsewhere: a number belongs to one trunk at a time.
        result = SCHEMA.diff(olds, news, delete_before_replace=True)
        if not result.replaces and olds.get("attached_trunk_sid") not in (None, olds.get("trunk_sid")):
            result.changes = True  # moved to another trunk by hand: `update` moves it back
            # Its refresh reported the trunk it is on as its `trunk_sid` input: the plan shows the move back.
            result.detailed_diff["trunk_sid"] = ("update", True)
        return result

    def _attach(self, client: TwilioClient, number: dict[str, Any], trunk_sid: str) -> None:
        other = on_another_trunk(number, trunk_sid)
        if other:
            client.delete_if_exists(*paths.trunk_phone_numbers(other, number["sid"]))
        if number.get("trunk_sid") != trunk_sid:
            takeover.create_once(
                lambda: client.create(*paths.trunk_phone_numbers(trunk_sid), {"PhoneNumberSid": number["sid"]}),
                lambda: client.fetch_or_none(*paths.trunk_phone_numbers(trunk_sid, number["sid"])),
            )

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client
        number = find_owned_number(client, props["phone_number"])
        trunk_sid = props["trunk_sid"]
        other = on_another_trunk(number, trunk_sid)
        if other and not props.get("take_over"):
            raise TwilioApiError(
                409, attached_elsewhere_message(props["phone_number"], other), "POST", client.url("trunking", "")
            )
        self._attach(client, number, trunk_sid)
        outs = {**props, "phone_number_sid": number["sid"], "attached_trunk_sid": trunk_sid}
        return CreateResult(f"{trunk_sid}/{number['sid']}", outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        trunk_sid, number_sid = id_.split("/")
        client = self.client
        attached_to = trunk_sid
        # One listing of the trunk's numbers answers every attachment's read of this refresh; a number not
        # in it is looked at on its own (detached or moved by hand).
        body = _trunk_numbers(client, trunk_sid).get(number_sid)
        if body is None:
            body = client.fetch_or_none(*paths.trunk_phone_numbers(trunk_sid, number_sid))
        if body is None:
            body = client.fetch_or_none(*paths.incoming_phone_numbers(client.settings.account_sid, number_sid))
            if body is None or not body.get("trunk_sid"):
                return ReadResult(None, {})  # detached by hand (or no longer owned): the next up attaches it again
            attached_to = body["trunk_sid"]  # moved to another trunk by hand: the next up moves it back
        outs = {
            **props,
            "trunk_sid": trunk_sid,
            "phone_number_sid": number_sid,
            "phone_number": body["phone_number"],
            "attached_trunk_sid": attached_to,
        }
        # As inputs, the trunk it is on now: a number moved by hand shows in the plan as `trunk_sid` going back.
        return ReadResult(id_, outs, {**SCHEMA.read_inputs(outs), "trunk_sid": attached_to})

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        trunk_sid = news["trunk_sid"]
        if olds.get("attached_trunk_sid") not in (None, trunk_sid):
            # This stack attached it; a move by hand is drift, repaired without asking for `takeOver`.
            client = self.client
            number = {"sid": olds["phone_number_sid"], "trunk_sid": olds["attached_trunk_sid"]}
            self._attach(client, number, trunk_sid)
        return UpdateResult({**olds, **news, "attached_trunk_sid": trunk_sid})

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        trunk_sid, number_sid = id_.split("/")
        # Detach only. Never DELETE the IncomingPhoneNumber: that would release the number.
        self.client.delete_if_exists(*paths.trunk_phone_numbers(trunk_sid, number_sid))


class PhoneNumberAttachment(
    SchemaResource, module="twilio", name="PhoneNumberAttachment", schema=SCHEMA, provider=PhoneNumberAttachmentProvider
):
    phone_number_sid: pulumi.Output[str]
