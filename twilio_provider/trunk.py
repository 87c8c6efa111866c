"""The Elastic SIP trunk (step 1 of the guide, plus its termination domain and recording settings)."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, Resource, UpdateResult

import rules

from .base import TwilioProvider, check_failures, diff_result
from .client import TwilioClient, boolean
from .errors import TwilioApiError

DEFAULTS: dict[str, Any] = {
    "secure": False,
    "disaster_recovery_url": None,
    "disaster_recovery_method": rules.DEFAULT_HTTP_METHOD,
    "transfer_mode": rules.DEFAULT_TRANSFER_MODE,
    "transfer_caller_id": rules.DEFAULT_TRANSFER_CALLER_ID,
    "cnam_lookup_enabled": False,
    "recording_mode": rules.DEFAULT_RECORDING_MODE,
    "recording_trim": rules.DEFAULT_RECORDING_TRIM,
}
FIELDS = ("friendly_name", "domain_name", *DEFAULTS)
ENUMS = {
    "disaster_recovery_method": rules.HTTP_METHODS,
    "transfer_mode": rules.TRANSFER_MODES,
    "transfer_caller_id": rules.TRANSFER_CALLER_IDS,
    "recording_mode": rules.RECORDING_MODES,
    "recording_trim": rules.RECORDING_TRIMS,
}


def to_api(props: dict[str, Any]) -> dict[str, str]:
    """Trunk parameters, Secure always sent explicitly (the guide requires it off).

    The engine drops null inputs, so optional settings fall back to their defaults here.
    """
    value = {**DEFAULTS, **{k: v for k, v in props.items() if v is not None}}
    return {
        "FriendlyName": value["friendly_name"],
        "DomainName": value["domain_name"],
        "Secure": boolean(value["secure"]),
        "DisasterRecoveryUrl": value["disaster_recovery_url"] or "",
        "DisasterRecoveryMethod": value["disaster_recovery_method"],
        "TransferMode": value["transfer_mode"],
        "TransferCallerId": value["transfer_caller_id"],
        "CnamLookupEnabled": boolean(value["cnam_lookup_enabled"]),
    }


def from_api(body: dict[str, Any]) -> dict[str, Any]:
    recording = body.get("recording") or {}
    return {
        "sid": body["sid"],
        "friendly_name": body.get("friendly_name"),
        "domain_name": body.get("domain_name"),
        "secure": bool(body.get("secure")),
        "disaster_recovery_url": body.get("disaster_recovery_url") or None,
        "disaster_recovery_method": body.get("disaster_recovery_method") or "POST",
        "transfer_mode": body.get("transfer_mode"),
        "transfer_caller_id": body.get("transfer_caller_id"),
        "cnam_lookup_enabled": bool(body.get("cnam_lookup_enabled")),
        "recording_mode": recording.get("mode", "do-not-record"),
        "recording_trim": recording.get("trim", "do-not-trim"),
        "auth_type": body.get("auth_type") or "",
    }


def _inputs(outs: dict[str, Any]) -> dict[str, Any]:
    return {name: outs.get(name) for name in FIELDS}


class TrunkProvider(TwilioProvider):
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = {**DEFAULTS, **{k: v for k, v in news.items() if v is not None}}
        checks = {
            "friendly_name": rules.friendly_name_problem,
            "domain_name": rules.termination_domain_problem,
            "disaster_recovery_url": lambda url: rules.http_url_problem(url) if url else None,
            **{field: rules.one_of(allowed) for field, allowed in ENUMS.items()},
        }
        return CheckResult(inputs, check_failures(inputs, checks))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        return diff_result(olds, news, FIELDS)

    def _apply_recording(self, client: TwilioClient, sid: str, props: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = client.post(
            "trunking",
            f"/v1/Trunks/{sid}/Recording",
            {
                "Mode": props.get("recording_mode") or DEFAULTS["recording_mode"],
                "Trim": props.get("recording_trim") or DEFAULTS["recording_trim"],
            },
        )
        return body

    def _save(self, client: TwilioClient, path: str, props: dict[str, Any]) -> dict[str, Any]:
        try:
            body: dict[str, Any] = client.post("trunking", path, to_api(props))
            return body
        except TwilioApiError as error:
            if error.code == 21248:
                error.message += (
                    f". {props['domain_name']} belongs to another trunk, or to one deleted in the last 30 days "
                    "(Twilio keeps a deleted trunk's domain for 30 days): choose another trunk.domainPrefix"
                )
            raise

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        body = self._save(client, "/v1/Trunks", props)
        sid = body["sid"]
        if (props.get("recording_mode"), props.get("recording_trim")) not in (
            ("do-not-record", "do-not-trim"),
            (None, None),
        ):
            recording = self._apply_recording(client, sid, props)
            body["recording"] = recording
        return CreateResult(sid, {**props, **from_api(body)})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        body = self.client().fetch_or_none("trunking", f"/v1/Trunks/{id_}")
        if body is None:
            return ReadResult(None, {})  # deleted in the console: the engine drops it, the next up recreates it
        outs = {**props, **from_api(body)}
        return ReadResult(id_, outs, _inputs(outs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client()
        body = self._save(client, f"/v1/Trunks/{id_}", news)
        if (olds.get("recording_mode"), olds.get("recording_trim")) != (
            news.get("recording_mode"),
            news.get("recording_trim"),
        ):
            body["recording"] = self._apply_recording(client, id_, news)
        return UpdateResult({**news, **from_api(body)})

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        self.client().delete_if_exists("trunking", f"/v1/Trunks/{id_}")


class Trunk(Resource, module="twilio", name="Trunk"):
    """An Elastic SIP trunk. `domain_name` is the termination SIP URI host (`<prefix>.pstn.twilio.com`)."""

    sid: pulumi.Output[str]
    friendly_name: pulumi.Output[str]
    domain_name: pulumi.Output[str]
    secure: pulumi.Output[bool]
    auth_type: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        super().__init__(TrunkProvider(), name, {"sid": None, "auth_type": None, **props}, opts)
