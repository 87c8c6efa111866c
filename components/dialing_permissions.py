"""DialingPermissions: the outbound countries agents may call (Voice geographic permissions)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from twilio_provider import dialing_permissions


@dataclass(frozen=True)
class DialingPermissionsArgs:
    countries: list[str]
    """ISO 3166 alpha-2 codes whose low-risk numbers may be dialled."""


class DialingPermissions(pulumi.ComponentResource):
    enabled_countries: pulumi.Output[list[str]]

    def __init__(self, name: str, args: DialingPermissionsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("twilio-liveagent:twilio:DialingPermissions", name, None, opts)
        self.permissions = dialing_permissions.DialingPermissions(
            f"{name}-countries", {"countries": sorted(args.countries)}, pulumi.ResourceOptions(parent=self)
        )
        self.enabled_countries = self.permissions.enabled_countries
        self.register_outputs({"enabled_countries": self.enabled_countries})
