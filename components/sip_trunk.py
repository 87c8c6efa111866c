"""SipTrunk: the Elastic SIP trunk with its termination URI and the region-pinned host derived from it."""

from __future__ import annotations

from dataclasses import dataclass, fields

import pulumi

from stack import rules
from twilio_provider import trunk


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
    transfer_caller_id: str = rules.DEFAULT_TRANSFER_CALLER_ID
    cnam_lookup_enabled: bool = False
    recording_mode: str = rules.DEFAULT_RECORDING_MODE
    recording_trim: str = rules.DEFAULT_RECORDING_TRIM
    adopt: bool = False
    """Take over a trunk with this domain made by hand, whatever its settings."""


class SipTrunk(pulumi.ComponentResource):
    trunk_sid: pulumi.Output[str]
    termination_uri: pulumi.Output[str]
    """`<prefix>.pstn.twilio.com`, the trunk's own domain."""
    pinned_termination_host: pulumi.Output[str]
    """`<prefix>.pstn.<edge>.twilio.com`, the host that keeps calls on one region (the guide's jp1 advice)."""

    def __init__(self, name: str, args: SipTrunkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("twilio-liveagent:twilio:SipTrunk", name, None, opts)
        domain = rules.termination_domain(args.domain_prefix)
        # Every argument named like a field of the trunk goes to it as it is: a new trunk setting is its
        # `Field` in the provider, its config key, and its argument here.
        settings = {f.name: getattr(args, f.name) for f in fields(args) if f.name in trunk.SCHEMA.by_name}
        self.trunk = trunk.Trunk(
            f"{name}-trunk",
            {**settings, "domain_name": domain, "secure": False},
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
