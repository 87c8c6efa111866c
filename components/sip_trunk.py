"""SipTrunk: the Elastic SIP trunk with its termination URI and the region-pinned host derived from it."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

import rules
from twilio_provider.trunk import Trunk


@dataclass(frozen=True)
class SipTrunkArgs:
    friendly_name: str
    domain_prefix: str
    """The termination SIP URI is `<domain_prefix>.pstn.twilio.com`."""
    edge: str | None = rules.DEFAULT_EDGE
    """Edge (or legacy region, e.g. jp1) of the pinned host; derived, never sent to Twilio."""
    disaster_recovery_url: str | None = None
    disaster_recovery_method: str = rules.DEFAULT_HTTP_METHOD
    transfer_mode: str = rules.DEFAULT_TRANSFER_MODE
    cnam_lookup_enabled: bool = False
    recording_mode: str = rules.DEFAULT_RECORDING_MODE
    recording_trim: str = rules.DEFAULT_RECORDING_TRIM


class SipTrunk(pulumi.ComponentResource):
    trunk_sid: pulumi.Output[str]
    termination_uri: pulumi.Output[str]
    """`<prefix>.pstn.twilio.com`, the trunk's own domain."""
    pinned_termination_host: pulumi.Output[str]
    """`<prefix>.pstn.<edge>.twilio.com`, the host that keeps calls on one region (the guide's jp1 advice)."""

    def __init__(self, name: str, args: SipTrunkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("twilio-liveagent:twilio:SipTrunk", name, None, opts)
        domain = rules.termination_domain(args.domain_prefix)
        self.trunk = Trunk(
            f"{name}-trunk",
            {
                "friendly_name": args.friendly_name,
                "domain_name": domain,
                "secure": False,
                "disaster_recovery_url": args.disaster_recovery_url,
                "disaster_recovery_method": args.disaster_recovery_method,
                "transfer_mode": args.transfer_mode,
                "cnam_lookup_enabled": args.cnam_lookup_enabled,
                "recording_mode": args.recording_mode,
                "recording_trim": args.recording_trim,
            },
            pulumi.ResourceOptions(parent=self),
        )
        self.trunk_sid = self.trunk.id
        self.termination_uri = self.trunk.domain_name
        pinned = rules.pinned_termination_host(args.domain_prefix, args.edge)
        # Tied to the trunk so dependants wait for it, but computed here: Twilio never stores it.
        self.pinned_termination_host = self.trunk.domain_name.apply(lambda _: pinned)
        self.register_outputs(
            {
                "trunk_sid": self.trunk_sid,
                "termination_uri": self.termination_uri,
                "pinned_termination_host": self.pinned_termination_host,
            }
        )
