"""CredentialList: the SIP credential list, its one credential, and its association with the trunk."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from twilio_provider import credential, credential_list, trunk_credential_list


@dataclass(frozen=True)
class CredentialListArgs:
    trunk_sid: pulumi.Input[str]
    list_name: str
    username: str
    password: pulumi.Input[str]
    """Secret; Twilio never returns it, so state keeps only a salted digest."""
    adopt: bool = False
    """Take over a list with this name and a credential with this username made by hand."""


class CredentialList(pulumi.ComponentResource):
    credential_list_sid: pulumi.Output[str]
    credential_sid: pulumi.Output[str]
    username: pulumi.Output[str]

    def __init__(self, name: str, args: CredentialListArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("twilio-liveagent:twilio:CredentialList", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.list = credential_list.CredentialList(
            f"{name}-list", {"friendly_name": args.list_name, "adopt": args.adopt, "trunk_sid": args.trunk_sid}, child
        )
        self.credential = credential.Credential(
            f"{name}-credential",
            {
                "credential_list_sid": self.list.id,
                "username": args.username,
                "password": pulumi.Output.secret(args.password),
                "adopt": args.adopt,
            },
            child,
        )
        self.association = trunk_credential_list.TrunkCredentialList(
            f"{name}-on-trunk",
            {
                "trunk_sid": args.trunk_sid,
                "credential_list_sid": self.list.id,
            },
            child,
        )
        self.credential_list_sid = self.list.id
        self.credential_sid = self.credential.id
        self.username = self.credential.username
        self.register_outputs(
            {
                "credential_list_sid": self.credential_list_sid,
                "credential_sid": self.credential_sid,
                "username": self.username,
            }
        )
