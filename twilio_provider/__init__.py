"""Pulumi dynamic providers for Twilio Elastic SIP Trunking, over Twilio's REST API with `requests`."""
