"""The base of the Twilio providers: settings of the current command, one client per process."""

from __future__ import annotations

from provider_kit.base import ConfiguredProvider
from provider_kit.diff import is_unknown
from stack import api_settings

from .client import TwilioClient, TwilioSettings

__all__ = ["TwilioProvider", "is_unknown"]


class TwilioProvider(ConfiguredProvider[TwilioClient]):
    api_name = "Twilio"

    def account(self) -> str:
        return f"account {self.settings().account_sid}"

    def source(self) -> str:
        return self.settings().source

    def settings(self) -> TwilioSettings:
        return api_settings.in_plugin(api_settings.twilio_settings)

    def new_client(self, settings: TwilioSettings) -> TwilioClient:
        return TwilioClient(settings)
