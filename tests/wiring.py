"""The program's resource graph for a config, in milliseconds: Pulumi's mocks stand in for the engine;
and what the guide says that graph must be (`resource_count`), which engine tests and the wiring test use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime import mocks

from components.integration import TwilioLiveAgentIntegration
from stack import api_settings
from stack.config import parse


@dataclass
class Planned:
    type: str
    name: str
    inputs: dict[str, Any]
    parent: str | None
    custom: bool
    provider: str | None = None


class _Recorder(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: list[Planned] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.resources.append(
            Planned(args.typ, args.name, dict(args.inputs), None, bool(args.custom), args.provider or None)
        )
        outputs = dict(args.inputs)
        outputs.setdefault("sid", f"{args.name}-sid")
        outputs.setdefault("number_id", f"{args.name}-id")
        outputs.setdefault("phone_number_sid", f"{args.name}-pn")
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


def planned(raw_config: dict[str, Any]) -> list[Planned]:
    """Every resource the program registers for this config (components and custom resources), in order.

    The stack itself is not among them: an engine run reports one more.
    """
    recorder = _Recorder()
    mocks.set_mocks(recorder, project="twilio-liveagent", stack="wiring", preview=True)
    config = parse(raw_config)

    @pulumi.runtime.test
    def build() -> pulumi.Output[Any]:
        provider = pulumi.ProviderResource(api_settings.NAMESPACE, "apis", {})  # as __main__.py makes it
        integration = TwilioLiveAgentIntegration("integration", config, pulumi.ResourceOptions(providers=[provider]))
        return pulumi.Output.all(integration.numbers, integration.pinned_termination_host)

    build()
    return recorder.resources


# What the guide's steps make, each a component and its dynamic resources, counted from the config alone
# (not from the program, so that a resource the program drops or adds by mistake shows).
STACK_AND_INTEGRATION = 2
API_PROVIDER = 1  # the explicit provider that reads the APIs' settings at each command
TRUNK = 2  # SipTrunk and its trunk
CREDENTIALS = 4  # CredentialList, the list, the credential, the list on the trunk
ORIGINATION = 2
DIALING_PERMISSIONS = 3  # only when outbound countries are listed: the component, its baseline, the permissions
PER_NUMBER = 4  # the Twilio attachment and the LiveAgent number, each a component and a resource


def resource_count(raw_config: dict[str, Any]) -> int:
    """What `pulumi up` reports as created for this config, stack included."""
    fixed = STACK_AND_INTEGRATION + API_PROVIDER + TRUNK + CREDENTIALS + ORIGINATION
    countries = DIALING_PERMISSIONS if raw_config.get("outboundCountries") else 0
    return fixed + countries + PER_NUMBER * len(raw_config.get("numbers") or [])
