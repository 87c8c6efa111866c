"""OriginationUrl: where the trunk sends inbound calls (LiveAgent's SIP server)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from stack import rules
from twilio_provider import origination_url


@dataclass(frozen=True)
class OriginationUrlArgs:
    trunk_sid: pulumi.Input[str]
    sip_url: str
    friendly_name: str = "LiveAgent"
    weight: int = rules.DEFAULT_ORIGINATION_WEIGHT
    priority: int = rules.DEFAULT_ORIGINATION_PRIORITY
    enabled: bool = True
    keep_others: bool = False
    """Leave other origination URLs on the trunk; by default `up` removes them (they would take calls too)."""
    adopt: bool = False
    """Take over an origination URL with this SIP URL on the trunk, made by hand, whatever its settings."""


class OriginationUrl(pulumi.ComponentResource):
    origination_url_sid: pulumi.Output[str]
    sip_url: pulumi.Output[str]

    def __init__(self, name: str, args: OriginationUrlArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("twilio-liveagent:twilio:OriginationUrl", name, None, opts)
        self.url = origination_url.OriginationUrl(
            f"{name}-url",
            {
                "trunk_sid": args.trunk_sid,
                "sip_url": args.sip_url,
                "friendly_name": args.friendly_name,
                "weight": args.weight,
                "priority": args.priority,
                "enabled": args.enabled,
                "adopt": args.adopt,
                "keep_others": args.keep_others,
            },
            pulumi.ResourceOptions(parent=self),
        )
        self.origination_url_sid = self.url.id
        self.sip_url = self.url.sip_url
        self.register_outputs({"origination_url_sid": self.origination_url_sid, "sip_url": self.sip_url})
