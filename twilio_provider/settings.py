"""Twilio credentials and API base URL, read from stack config in `configure` or from the environment."""

from __future__ import annotations

import os

from pulumi.dynamic import Config

from provider_base import MissingCredentials, config_object

from .client import TwilioSettings


def read_settings(config: Config | None) -> TwilioSettings:
    twilio = config_object(config, "twilio")
    account_sid = twilio.get("accountSid") or os.environ.get("TWILIO_ACCOUNT_SID")
    auth_token = twilio.get("authToken") or os.environ.get("TWILIO_AUTH_TOKEN")
    if not account_sid or not auth_token:
        raise MissingCredentials(
            "Twilio credentials are missing: set `twilio.accountSid` and the secret `twilio.authToken` in stack "
            "config (pulumi config set --path --secret twilio.authToken ...), or TWILIO_ACCOUNT_SID and "
            "TWILIO_AUTH_TOKEN in the environment"
        )
    base_url = twilio.get("apiBaseUrl") or os.environ.get("TWILIO_API_BASE_URL") or None
    return TwilioSettings(account_sid=account_sid, auth_token=auth_token, base_url=base_url)
