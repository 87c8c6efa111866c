"""OriginationUrl: where the trunk sends inbound calls (LiveAgent's SIP server)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from stack.config import OriginationConfig
from twilio_provider import origination_url

from .inputs import resource_inputs


@dataclass(frozen=True)
class OriginationUrlArgs:
    config: OriginationConfig
    """The stack config's `origination`: the SIP URL, its weight, priority and name, and `keepOthers` (leave other
    origination URLs on the trunk; by default `up` removes them, as they would take calls too)."""
    trunk_sid: pulumi.Input[str]
    adopt: bool = False
    """Take over an origination URL with this SIP URL on the trunk, made by hand, whatever its settings."""


class OriginationUrl(pulumi.ComponentResource):
    origination_url_sid: pulumi.Output[str]
    sip_url: pulumi.Output[str]

    def __init__(self, name: str, args: OriginationUrlArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("twilio-liveagent:twilio:OriginationUrl", name, None, opts)
        inputs = resource_inputs(origination_url.SCHEMA, args.config, trunk_sid=args.trunk_sid, adopt=args.adopt)
        self.url = origination_url.OriginationUrl(f"{name}-url", inputs, pulumi.ResourceOptions(parent=self))
        self.origination_url_sid = self.url.id
        self.sip_url = self.url.sip_url
        self.register_outputs({"origination_url_sid": self.origination_url_sid, "sip_url": self.sip_url})
