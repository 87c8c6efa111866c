"""PhoneNumberAttachment: an owned Twilio number routed to the trunk. Destroy detaches; it never releases."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from stack.config import NumberConfig
from twilio_provider import phone_number_attachment

from .inputs import resource_inputs


@dataclass(frozen=True)
class PhoneNumberAttachmentArgs:
    config: NumberConfig
    """The number's entry in the stack config: its E.164 (a number the account owns already) and `takeOver`
    (attach it even if it is on another trunk, moving it, and its calls, to this one)."""
    trunk_sid: pulumi.Input[str]
    trunk_domain: str | None = None
    """The trunk's termination domain: tells, at preview, whether a number sits on our trunk or another."""


class PhoneNumberAttachment(pulumi.ComponentResource):
    phone_number_sid: pulumi.Output[str]

    def __init__(self, name: str, args: PhoneNumberAttachmentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("twilio-liveagent:twilio:PhoneNumberAttachment", name, None, opts)
        schema = phone_number_attachment.SCHEMA
        inputs = resource_inputs(schema, args.config, trunk_sid=args.trunk_sid, trunk_domain=args.trunk_domain)
        self.attachment = phone_number_attachment.PhoneNumberAttachment(
            f"{name}-attachment", inputs, pulumi.ResourceOptions(parent=self)
        )
        self.phone_number_sid = self.attachment.phone_number_sid
        self.register_outputs({"phone_number_sid": self.phone_number_sid})
