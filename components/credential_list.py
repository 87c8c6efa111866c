"""CredentialList: the SIP credential list, its one credential, and its association with the trunk."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from stack.config import CredentialsConfig
from twilio_provider import credential, credential_list, trunk_credential_list

from .inputs import resource_inputs


@dataclass(frozen=True)
class CredentialListArgs:
    config: CredentialsConfig
    """The stack config's `credentials`: the list's name, the username and the password (secret: Twilio never
    returns it; state holds it encrypted in the credential's inputs, and a salted digest of it to compare)."""
    trunk_sid: pulumi.Input[str]
    adopt: bool = False
    """Take over a list with this name and a credential with this username made by hand."""


class CredentialList(pulumi.ComponentResource):
    credential_list_sid: pulumi.Output[str]
    credential_sid: pulumi.Output[str]
    username: pulumi.Output[str]

    def __init__(self, name: str, args: CredentialListArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("twilio-liveagent:twilio:CredentialList", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        config, trunk_sid, adopt = args.config, args.trunk_sid, args.adopt
        self.list = credential_list.CredentialList(
            f"{name}-list", resource_inputs(credential_list.SCHEMA, config, adopt=adopt, trunk_sid=trunk_sid), child
        )
        list_sid = self.list.id
        self.credential = credential.Credential(
            f"{name}-credential",
            resource_inputs(credential.SCHEMA, config, credential_list_sid=list_sid, adopt=adopt),
            child,
        )
        self.association = trunk_credential_list.TrunkCredentialList(
            f"{name}-on-trunk",
            resource_inputs(trunk_credential_list.SCHEMA, trunk_sid=trunk_sid, credential_list_sid=list_sid),
            child,
        )
        self.credential_list_sid = list_sid
        self.credential_sid = self.credential.id
        self.username = self.credential.username
        self.register_outputs(
            {
                "credential_list_sid": self.credential_list_sid,
                "credential_sid": self.credential_sid,
                "username": self.username,
            }
        )
