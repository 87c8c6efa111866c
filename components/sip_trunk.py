"""SipTrunk: the Elastic SIP trunk with its termination URI and the region-pinned host derived from it."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from stack import rules
from stack.config import TrunkConfig
from twilio_provider import trunk

from .inputs import resource_inputs


@dataclass(frozen=True)
class SipTrunkArgs:
    config: TrunkConfig
    """The stack config's `trunk`: every setting of the trunk, and the prefix and edge of its domain."""
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
        config = args.config
        domain = rules.termination_domain(config.domain_prefix)
        self.trunk = trunk.Trunk(
            f"{name}-trunk",
            resource_inputs(trunk.SCHEMA, config, domain_name=domain, adopt=args.adopt),
            pulumi.ResourceOptions(parent=self),
        )
        self.trunk_sid = self.trunk.id
        self.termination_uri = self.trunk.domain_name
        pinned = rules.pinned_termination_host(config.domain_prefix, config.edge)
        # Tied to the trunk so dependants wait for it, but computed here: Twilio never stores it.
        self.pinned_termination_host = self.trunk.domain_name.apply(lambda _: pinned)
        self.register_outputs(
            {
                "trunk_sid": self.trunk_sid,
                "termination_uri": self.termination_uri,
                "pinned_termination_host": self.pinned_termination_host,
            }
        )
