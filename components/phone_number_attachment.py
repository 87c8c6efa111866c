"""PhoneNumberAttachment: an owned Twilio number routed to the trunk. Destroy detaches; it never releases."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from twilio_provider import phone_number_attachment


@dataclass(frozen=True)
class PhoneNumberAttachmentArgs:
    trunk_sid: pulumi.Input[str]
    phone_number: str
    """E.164; must already be a number of the account."""
    trunk_domain: str | None = None
    """The trunk's termination domain: tells, at preview, whether a number sits on our trunk or another."""
    take_over: bool = False
    """Attach it even if it is on another trunk (moving it, and its calls, to this one)."""


class PhoneNumberAttachment(pulumi.ComponentResource):
    phone_number_sid: pulumi.Output[str]

    def __init__(self, name: str, args: PhoneNumberAttachmentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("twilio-liveagent:twilio:PhoneNumberAttachment", name, None, opts)
        self.attachment = phone_number_attachment.PhoneNumberAttachment(
            f"{name}-attachment",
            {
                "trunk_sid": args.trunk_sid,
                "phone_number": args.phone_number,
                "trunk_domain": args.trunk_domain,
                "take_over": args.take_over,
            },
            pulumi.ResourceOptions(parent=self),
        )
        self.phone_number_sid = self.attachment.phone_number_sid
        self.register_outputs({"phone_number_sid": self.phone_number_sid})
