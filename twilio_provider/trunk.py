"""The Elastic SIP trunk (step 1 of the guide, plus its termination domain and recording settings)."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, ReadResult, UpdateResult

from provider_kit import takeover
from provider_kit.schema import Field, Schema, SchemaResource, optional
from stack import rules

from . import paths
from .base import TwilioProvider
from .client import TwilioClient
from .errors import TwilioApiError


def _recording(name: str, choices: tuple[str, ...], default: str) -> Field:
    """A recording setting (`recording_mode`): written through its own endpoint (POST /Trunks/{sid}/Recording)
    as `Mode`, read from the trunk's `recording.mode`, and held in the config's `trunk.recording.mode`."""
    setting = name.removeprefix("recording_")
    path = f"recording.{setting}"
    return Field(name, setting.capitalize(), path, choices=choices, default=default, group="recording", config=path)


SCHEMA = Schema(
    Field("friendly_name", "FriendlyName", check=rules.friendly_name_problem),
    Field("domain_name", "DomainName", check=rules.termination_domain_problem),
    Field("secure", "Secure", default=False, decode=bool),  # always sent: the guide requires it off
    Field(
        "disaster_recovery_url",
        "DisasterRecoveryUrl",
        default=None,
        check=optional(rules.http_url_problem),
        config="disaster_recovery.url",  # the twimlets URL that forwards to `disasterRecovery.forwardTo`
    ),
    Field(
        "disaster_recovery_method",
        "DisasterRecoveryMethod",
        choices=rules.HTTP_METHODS,
        default=rules.DEFAULT_HTTP_METHOD,
        config="disaster_recovery.method",
    ),
    Field("transfer_mode", "TransferMode", choices=rules.TRANSFER_MODES, default=rules.DEFAULT_TRANSFER_MODE),
    Field(
        "transfer_caller_id",
        "TransferCallerId",
        choices=rules.TRANSFER_CALLER_IDS,
        default=rules.DEFAULT_TRANSFER_CALLER_ID,
    ),
    Field("cnam_lookup_enabled", "CnamLookupEnabled", default=False, decode=bool),
    _recording("recording_mode", rules.RECORDING_MODES, rules.DEFAULT_RECORDING_MODE),
    _recording("recording_trim", rules.RECORDING_TRIMS, rules.DEFAULT_RECORDING_TRIM),
    Field("sid", output_only=True),
    Field(takeover.ADOPT, default=False, compared=False),  # never sent: decides what `create` may take over
    Field(takeover.TAKING_OVER, response="", default=None, compared=False),
)
RECORDING_DEFAULTS = (rules.DEFAULT_RECORDING_MODE, rules.DEFAULT_RECORDING_TRIM)


def find_trunk(client: TwilioClient, domain_name: str) -> dict[str, Any] | None:
    """The account's trunk with this termination domain (its natural key), if there is one."""
    for body in client.paginate(*paths.trunks(), "trunks"):
        if str(body.get("domain_name") or "").lower() == domain_name.lower():
            return body
    return None


def _why_trunk_not_taken(found: dict[str, Any], props: dict[str, Any]) -> str | None:
    """Why the trunk found with this domain may not be taken over (it differs and `adopt` is off), or None."""
    # Recording is written right after the trunk, by a request of its own: a run killed in between leaves a
    # trunk whose recording differs, and that is still this stack's leftover.
    recording = {f.name for f in SCHEMA.fields if f.group == "recording"}
    differences = [name for name in SCHEMA.differences(SCHEMA.from_api(found), props) if name not in recording]
    return takeover.why_not_taken(
        "trunk", props["domain_name"], found["sid"], differences, props.get(takeover.ADOPT), "Twilio"
    )


class TrunkProvider(TwilioProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = SCHEMA.check(news)
        domain = result.inputs.get("domain_name")
        if not olds and not result.failures and isinstance(domain, str):
            # A new trunk: one made by hand with this domain is refused here, at preview, or taken over.
            found = find_trunk(self.client, domain)
            problem = _why_trunk_not_taken(found, result.inputs) if found else None
            if problem:
                result.failures.append(CheckFailure("domain_name", problem))
            elif found:
                result.inputs[takeover.TAKING_OVER] = takeover.taking_over(found["sid"])
        return result

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        return SCHEMA.diff(olds, news)

    def _apply_recording(self, client: TwilioClient, sid: str, props: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = client.post(*paths.trunk_recording(sid), SCHEMA.form_params(props, group="recording"))
        return body

    def _write_trunk(
        self, client: TwilioClient, path: tuple[str, str], props: dict[str, Any], create: bool = False
    ) -> dict[str, Any]:
        """Create or update the trunk's own fields (recording has an endpoint of its own): the trunk as answered."""
        try:
            send = client.create if create else client.post
            body: dict[str, Any] = send(*path, SCHEMA.form_params(props))
            return body
        except TwilioApiError as error:
            if error.code == 21248:
                error.message += (
                    f". {props['domain_name']} belongs to another trunk, or to one deleted in the last 30 days "
                    "(Twilio keeps a deleted trunk's domain for 30 days): choose another trunk.domainPrefix"
                )
            raise

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client
        found = find_trunk(client, props["domain_name"])
        if found is None:
            body = takeover.create_once(
                lambda: self._write_trunk(client, paths.trunks(), props, create=True),
                lambda: find_trunk(client, props["domain_name"]),
            )
            recording_differs = (props.get("recording_mode"), props.get("recording_trim")) not in (
                RECORDING_DEFAULTS,
                (None, None),
            )
        else:
            problem = _why_trunk_not_taken(found, props)
            if problem:
                raise takeover.AlreadyExists(problem)
            current = SCHEMA.from_api(found)
            body = (
                self._write_trunk(client, paths.trunk(found["sid"]), props)
                if SCHEMA.differences(current, props)
                else found
            )
            recording_differs = any(current.get(k) != props.get(k) for k in ("recording_mode", "recording_trim"))
        sid = body["sid"]
        if recording_differs:
            body["recording"] = self._apply_recording(client, sid, props)
        return CreateResult(sid, {**props, **SCHEMA.from_api(body)})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        body = self.client.fetch_or_none(*paths.trunk(id_))
        if body is None:
            return ReadResult(None, {})  # deleted in the console: the engine drops it, the next up recreates it
        outs = {**props, **SCHEMA.from_api(body)}
        return ReadResult(id_, outs, SCHEMA.read_inputs(outs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client
        try:
            body = self._write_trunk(client, paths.trunk(id_), news)
        except TwilioApiError as error:
            renamed = olds.get("domain_name")
            if error.code == 21248 and renamed and renamed != news["domain_name"]:
                # The domain was changed outside this stack (a refresh put the live one in `olds`).
                prefix = str(renamed).removesuffix(".pstn.twilio.com")
                error.message = (
                    f"this trunk's termination domain was changed from {news['domain_name']} to {renamed} outside "
                    f"this stack, and Twilio holds a domain a trunk gave up for 30 days, so it cannot be put back "
                    f"yet. To keep the trunk as it is now, set trunk.domainPrefix to {prefix} "
                    f"(pulumi config set --path trunk.domainPrefix {prefix}); LiveAgent's numbers then follow it"
                )
            raise
        if (olds.get("recording_mode"), olds.get("recording_trim")) != (
            news.get("recording_mode"),
            news.get("recording_trim"),
        ):
            body["recording"] = self._apply_recording(client, id_, news)
        return UpdateResult({**news, **SCHEMA.from_api(body)})

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        self.client.delete_if_exists(*paths.trunk(id_))


class Trunk(SchemaResource, module="twilio", name="Trunk", schema=SCHEMA, provider=TrunkProvider):
    """An Elastic SIP trunk. `domain_name` is the termination SIP URI host (`<prefix>.pstn.twilio.com`)."""

    sid: pulumi.Output[str]
    friendly_name: pulumi.Output[str]
    domain_name: pulumi.Output[str]
    secure: pulumi.Output[bool]
