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
        child = pulumi.ResourceOptions(parent=self)
        countries = sorted(args.countries)
        # Read first, in a resource of its own, so what was there before survives a run killed mid-write.
        self.baseline = dialing_permissions.DialingBaseline(f"{name}-baseline", {"countries": countries}, child)
        self.permissions = dialing_permissions.DialingPermissions(
            f"{name}-countries", {"countries": countries, "baseline": self.baseline.enabled_before}, child
        )
        self.enabled_countries = self.permissions.enabled_countries
        self.register_outputs({"enabled_countries": self.enabled_countries})
