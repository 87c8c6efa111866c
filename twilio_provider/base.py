"""The base of the Twilio providers: settings from `configure`, one client per process."""

from __future__ import annotations

from pulumi.dynamic import Config

from provider_base import ConfiguredProvider
from provider_diff import is_unknown

from .client import TwilioClient, TwilioSettings
from .settings import read_settings

__all__ = ["TwilioProvider", "is_unknown"]


class TwilioProvider(ConfiguredProvider[TwilioClient]):
    def settings(self, config: Config | None) -> TwilioSettings:
        return read_settings(config)

    def new_client(self, settings: TwilioSettings) -> TwilioClient:
        return TwilioClient(settings)
