"""LiveAgentSipNumber: the number in LiveAgent, pointed at the trunk's termination host and credential."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pydantic import SecretStr

from liveagent_provider.sip_number import SCHEMA, SipNumber
from stack.config import LiveAgentNumberConfig, NumberConfig

from .inputs import resource_inputs


@dataclass(frozen=True)
class LiveAgentSipNumberArgs:
    config: NumberConfig
    """The number's entry in the stack config: its name, department, dial prefix, recording, …"""
    profile: LiveAgentNumberConfig
    """The stack config's `liveagentNumber`: the SIP profile a new number copies."""
    host: pulumi.Input[str]
    """The trunk's termination host (an output of the Twilio side)."""
    username: pulumi.Input[str]
    password: SecretStr
    adopt: bool = False
    """Take over a LiveAgent number with this E.164 made by hand (the number's `adopt`, or the stack's)."""


class LiveAgentSipNumber(pulumi.ComponentResource):
    number_id: pulumi.Output[str]
    dial_prefix_formatted: pulumi.Output[str]

    def __init__(self, name: str, args: LiveAgentSipNumberArgs, opts: pulumi.ResourceOptions | None = None):
        # Its type was "…:SipNumber" (the name of the dynamic resource inside it) until the type tokens were
        # made to match the class names; the alias keeps stacks from that time from replacing their numbers.
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="twilio-liveagent:liveagent:SipNumber")])
        )
        super().__init__("twilio-liveagent:liveagent:LiveAgentSipNumber", name, None, opts)
        handed_on = {"host": args.host, "username": args.username, "password": args.password, "adopt": args.adopt}
        inputs = resource_inputs(SCHEMA, args.config, args.profile, **handed_on)
        self.sip_number = SipNumber(f"{name}-number", inputs, pulumi.ResourceOptions(parent=self))
        self.number_id = self.sip_number.number_id
        self.dial_prefix_formatted = self.sip_number.dial_prefix_formatted
        self.register_outputs({"number_id": self.number_id, "dial_prefix_formatted": self.dial_prefix_formatted})
