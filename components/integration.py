"""TwilioLiveAgentIntegration: the whole guide, from one validated stack config."""

from __future__ import annotations

import re
from typing import Any

import pulumi

from stack.config import NumberConfig, StackConfig

from .credential_list import CredentialList, CredentialListArgs
from .dialing_permissions import DialingPermissions, DialingPermissionsArgs
from .liveagent_sip_number import LiveAgentSipNumber, LiveAgentSipNumberArgs
from .origination_url import OriginationUrl, OriginationUrlArgs
from .phone_number_attachment import PhoneNumberAttachment, PhoneNumberAttachmentArgs
from .sip_trunk import SipTrunk, SipTrunkArgs


def number_slug(e164: str) -> str:
    """A child name that stays put when other numbers are added or removed."""
    return "n" + re.sub(r"\D", "", e164)


class TwilioLiveAgentIntegration(pulumi.ComponentResource):
    trunk_sid: pulumi.Output[str]
    termination_uri: pulumi.Output[str]
    pinned_termination_host: pulumi.Output[str]
    origination_uri: pulumi.Output[str]
    numbers: pulumi.Output[dict[str, dict[str, object]]]

    def __init__(self, name: str, args: StackConfig, opts: pulumi.ResourceOptions | None = None):
        super().__init__("twilio-liveagent:index:TwilioLiveAgentIntegration", name, None, opts)
        self._config = args  # what each step below reads
        self.trunk = self._sip_trunk()  # step 1
        self.credentials = self._termination_credentials()  # step 2
        self.origination = self._origination()  # step 3
        # Outbound calls, after step 5 in the guide: account-wide, they wait for no number, and are registered
        # before the numbers, as they always were, so a preview lists the resources in the same order.
        self.dialing = self._dialing_permissions()
        numbers = {entry.number: self._route(entry) for entry in args.numbers}  # steps 4 and 5, number by number

        self.trunk_sid = self.trunk.trunk_sid
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

    @property
    def _child(self) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self)

    def _sip_trunk(self) -> SipTrunk:
        """Step 1: the trunk, with its termination URI (step 2's first half) and the host pinned to its edge."""
        return SipTrunk("sip-trunk", SipTrunkArgs(self._config.trunk, adopt=self._config.adopt), self._child)

    def _termination_credentials(self) -> CredentialList:
        """Step 2: the credential list, its one credential, and the list on the trunk."""
        args = CredentialListArgs(self._config.credentials, self.trunk.trunk_sid, adopt=self._config.adopt)
        return CredentialList("termination-credentials", args, self._child)

    def _origination(self) -> OriginationUrl:
        """Step 3: the trunk sends inbound calls to LiveAgent's SIP server."""
        args = OriginationUrlArgs(self._config.origination, self.trunk.trunk_sid, adopt=self._config.adopt)
        return OriginationUrl("origination", args, self._child)

    def _dialing_permissions(self) -> DialingPermissions | None:
        """After step 5: the countries agents may call, when the config lists any."""
        countries = self._config.outbound_countries
        return DialingPermissions("outbound", DialingPermissionsArgs(countries), self._child) if countries else None

    def _route(self, entry: NumberConfig) -> pulumi.Output[dict[str, object]]:
        """Steps 4 and 5 for one number: on the trunk in Twilio, then in LiveAgent; what the stack exports of it."""
        attachment = self._attach(entry)
        sip_number = self._liveagent_number(entry, attachment)

        def exported(ids: list[Any]) -> dict[str, object]:
            return {"twilio_sid": ids[0], "liveagent_id": ids[1], "dial_prefix": entry.dial_prefix}

        return pulumi.Output.all(attachment.phone_number_sid, sip_number.number_id).apply(exported)

    def _attach(self, entry: NumberConfig) -> PhoneNumberAttachment:
        """Step 4: an owned number added to the trunk."""
        args = PhoneNumberAttachmentArgs(entry, self.trunk.trunk_sid, trunk_domain=self._config.termination_domain)
        return PhoneNumberAttachment(f"{number_slug(entry.number)}-twilio", args, self._child)

    def _liveagent_number(self, entry: NumberConfig, attachment: PhoneNumberAttachment) -> LiveAgentSipNumber:
        """Step 5: the number in LiveAgent, with the host and credential of steps 1 and 2 handed on."""
        config = self._config
        args = LiveAgentSipNumberArgs(
            entry,
            config.liveagent_number,
            host=self.trunk.pinned_termination_host,
            username=self.credentials.username,
            password=config.credentials.password,
            adopt=entry.adopt or config.adopt,
        )
        # Twilio first: the LiveAgent number points at a route that already exists (and, through its username
        # input, at the credential), so a changed password reaches Twilio before LiveAgent within one `pulumi up`.
        after_twilio = pulumi.ResourceOptions(parent=self, depends_on=[attachment])
        return LiveAgentSipNumber(f"{number_slug(entry.number)}-liveagent", args, after_twilio)
