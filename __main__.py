"""The Pulumi program: one stack config converges the whole Twilio Elastic SIP Trunk ↔ LiveAgent setup."""

import json

import pulumi

from components.integration import TwilioLiveAgentIntegration
from provider_kit import pickler_guard
from provider_kit.base import STACK_NUMBERS
from stack import api_settings, preflight, sdk_patches
from stack.config import EXIT_AFTER_SHOWING_ERROR, load

pickler_guard.install()
sdk_patches.install()
config, apis = load()
pulumi.log.info(f"Twilio: {apis.twilio.source}; LiveAgent: {apis.liveagent.source}")
# The entries' checks (every number, department, prefix at once) at preview, where a plan is read first.
refused = preflight.problems(apis, config if pulumi.runtime.is_dry_run() else None)
if refused:
    pulumi.log.error("\n".join(refused))
    raise SystemExit(EXIT_AFTER_SHOWING_ERROR)

# An explicit provider: the default one would be handed the whole stack config and keep it in state; this one
# reads the APIs' settings at each command (api_settings), so state holds none of them. Its one input is the
# stack's numbers, kept once in state rather than in every number's (LiveAgent prefixes, provider_kit.base).
numbers = {STACK_NUMBERS: json.dumps([entry.number for entry in config.numbers])}
provider = pulumi.ProviderResource(api_settings.NAMESPACE, "apis", numbers)
integration = TwilioLiveAgentIntegration("integration", config, pulumi.ResourceOptions(providers=[provider]))

pulumi.export("trunkSid", integration.trunk_sid)
pulumi.export("terminationUri", integration.termination_uri)
pulumi.export("pinnedTerminationHost", integration.pinned_termination_host)
pulumi.export("originationUri", integration.origination_uri)
pulumi.export("credentialUsername", config.credentials.username)
pulumi.export("numbers", integration.numbers)
pulumi.export("outboundCountries", config.outbound_countries)
