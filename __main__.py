"""The Pulumi program: one stack config converges the whole Twilio Elastic SIP Trunk ↔ LiveAgent setup."""

import pulumi

import pickler_guard
from components.integration import TwilioLiveAgentIntegration
from stack_config import load

pickler_guard.install()
config = load()
integration = TwilioLiveAgentIntegration("integration", config)

pulumi.export("trunkSid", integration.trunk_sid)
pulumi.export("terminationUri", integration.termination_uri)
pulumi.export("pinnedTerminationHost", integration.pinned_termination_host)
pulumi.export("originationUri", integration.origination_uri)
pulumi.export("credentialUsername", config.credentials.username)
pulumi.export("numbers", integration.numbers)
pulumi.export("outboundCountries", config.outbound_countries)
