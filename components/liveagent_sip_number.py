"""LiveAgentSipNumber: the number in LiveAgent, pointed at the trunk's termination host and credential."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from liveagent_provider.sip_number import SipNumber


@dataclass(frozen=True)
class LiveAgentSipNumberArgs:
    number: str
    name: str
    department_name: str
    dial_prefix: int
    host: pulumi.Input[str]
    """The trunk's termination host (an output of the Twilio side)."""
    username: pulumi.Input[str]
    password: pulumi.Input[str]
    record_in_call: bool = False
    record_out_call: bool = False
    adopt: bool = False
    stack_numbers: tuple[str, ...] = ()
    """Every number of the stack: one of them may be moved aside to free the prefix this one wants."""
    profile_from: str | None = None
    """A LiveAgent number made in the admin panel whose SIP profile a new number copies."""
    provider_id: str | None = None
    host_settings: str | None = None
    port: int | None = None


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
        profile = {"profile_from": args.profile_from, "provider_id": args.provider_id}
        profile.update(host_settings=args.host_settings, port=str(args.port) if args.port else None)
        self.sip_number = SipNumber(
            f"{name}-number",
            {
                "number": args.number,
                "name": args.name,
                "department_name": args.department_name,
                "dial_prefix": args.dial_prefix,
                "host": args.host,
                "username": args.username,
                "password": pulumi.Output.secret(args.password),
                "status": "A",
                "record_in_call": args.record_in_call,
                "record_out_call": args.record_out_call,
                "adopt": args.adopt,
                "stack_numbers": list(args.stack_numbers),
                **{key: value for key, value in profile.items() if value is not None},
            },
            pulumi.ResourceOptions(parent=self),
        )
        self.number_id = self.sip_number.number_id
        self.dial_prefix_formatted = self.sip_number.dial_prefix_formatted
        self.register_outputs({"number_id": self.number_id, "dial_prefix_formatted": self.dial_prefix_formatted})
