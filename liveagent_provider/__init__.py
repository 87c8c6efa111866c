"""Pulumi dynamic provider for a LiveAgent SIP phone number (API v3), over `requests`."""
