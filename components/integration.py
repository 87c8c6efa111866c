"""TwilioLiveAgentIntegration: the whole guide, from one validated stack config."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields
from typing import Any

import pulumi
from pydantic import BaseModel

from stack import rules
from stack.config import StackConfig

from .credential_list import CredentialList, CredentialListArgs
from .dialing_permissions import DialingPermissions, DialingPermissionsArgs
from .liveagent_sip_number import LiveAgentSipNumber, LiveAgentSipNumberArgs
from .origination_url import OriginationUrl, OriginationUrlArgs
from .phone_number_attachment import PhoneNumberAttachment, PhoneNumberAttachmentArgs
from .sip_trunk import SipTrunk, SipTrunkArgs


def number_slug(e164: str) -> str:
    """A child name that stays put when other numbers are added or removed."""
    return "n" + re.sub(r"\D", "", e164)


def _number_outputs(dial_prefix: int) -> Callable[[list[Any]], dict[str, object]]:
    def build(ids: list[Any]) -> dict[str, object]:
        return {"twilio_sid": ids[0], "liveagent_id": ids[1], "dial_prefix": dial_prefix}

    return build


def same_named(config: BaseModel, args_type: type[Any]) -> dict[str, Any]:
    """The config values whose names the component's arguments share (snake_case on both sides)."""
    return {f.name: getattr(config, f.name) for f in fields(args_type) if f.name in type(config).model_fields}


class TwilioLiveAgentIntegration(pulumi.ComponentResource):
    trunk_sid: pulumi.Output[str]
    termination_uri: pulumi.Output[str]
    pinned_termination_host: pulumi.Output[str]
    origination_uri: pulumi.Output[str]
    numbers: pulumi.Output[dict[str, dict[str, object]]]

    def __init__(self, name: str, args: StackConfig, opts: pulumi.ResourceOptions | None = None):
        super().__init__("twilio-liveagent:index:TwilioLiveAgentIntegration", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        trunk_config = args.trunk
        recovery = trunk_config.disaster_recovery
        self.trunk = SipTrunk(
            "sip-trunk",
            SipTrunkArgs(
                **same_named(trunk_config, SipTrunkArgs),
                disaster_recovery_url=recovery.url if recovery else None,
                disaster_recovery_method=recovery.method if recovery else rules.DEFAULT_HTTP_METHOD,
                recording_mode=trunk_config.recording.mode,
                recording_trim=trunk_config.recording.trim,
                adopt=args.adopt,
            ),
            child,
        )
        trunk_sid = self.trunk.trunk_sid
        password = pulumi.Output.secret(args.credentials.password.get_secret_value())
        self.credentials = CredentialList(
            "termination-credentials",
            CredentialListArgs(
                trunk_sid=trunk_sid,
                list_name=args.credentials.list_name,
                username=args.credentials.username,
                password=password,
                adopt=args.adopt,
            ),
            child,
        )
        origination = args.origination
        self.origination = OriginationUrl(
            "origination",
            OriginationUrlArgs(
                trunk_sid=trunk_sid,
                sip_url=origination.uri,
                friendly_name=origination.friendly_name,
                weight=origination.weight,
                priority=origination.priority,
                enabled=origination.enabled,
                keep_others=origination.keep_others,
                adopt=args.adopt,
            ),
            child,
        )
        self.dialing = (
            DialingPermissions("outbound", DialingPermissionsArgs(countries=args.outbound_countries), child)
            if args.outbound_countries
            else None
        )

        numbers: dict[str, pulumi.Output[dict[str, object]]] = {}
        for entry in args.numbers:
            slug = number_slug(entry.number)
            attachment = PhoneNumberAttachment(
                f"{slug}-twilio",
                PhoneNumberAttachmentArgs(
                    trunk_sid=trunk_sid,
                    phone_number=entry.number,
                    trunk_domain=args.termination_domain,
                    take_over=entry.take_over,
                ),
                child,
            )
            # Twilio first: the LiveAgent number points at a credential and a route that already exist, so a
            # changed password reaches Twilio before LiveAgent within one `pulumi up`.
            sip_number = LiveAgentSipNumber(
                f"{slug}-liveagent",
                LiveAgentSipNumberArgs(
                    number=entry.number,
                    name=entry.name,
                    department_name=entry.department,
                    dial_prefix=entry.dial_prefix,
                    host=self.trunk.pinned_termination_host,
                    username=self.credentials.username,
                    password=password,
                    record_in_call=entry.record_in_call,
                    record_out_call=entry.record_out_call,
                    adopt=entry.adopt or args.adopt,
                    stack_numbers=tuple(n.number for n in args.numbers),
                    **same_named(args.liveagent_number, LiveAgentSipNumberArgs),
                ),
                pulumi.ResourceOptions(parent=self, depends_on=[attachment, self.credentials]),
            )
            numbers[entry.number] = pulumi.Output.all(attachment.phone_number_sid, sip_number.number_id).apply(
                _number_outputs(entry.dial_prefix)
            )

        self.trunk_sid = trunk_sid
        self.termination_uri = self.trunk.termination_uri
        self.pinned_termination_host = self.trunk.pinned_termination_host
        self.origination_uri = self.origination.sip_url
        self.numbers = pulumi.Output.all(**numbers) if numbers else pulumi.Output.from_input({})
        self.register_outputs(
            {
                "trunk_sid": self.trunk_sid,
                "termination_uri": self.termination_uri,
                "pinned_termination_host": self.pinned_termination_host,
                "origination_uri": self.origination_uri,
                "numbers": self.numbers,
            }
        )
