"""What every Twilio provider shares: settings from `configure`, a client per call, diff over outputs."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import ConfigureRequest, ResourceProvider

from provider_diff import as_int, changed_fields, check_failures, diff_result, is_unknown

from .client import TwilioClient
from .settings import read_settings

__all__ = ["TwilioProvider", "as_int", "changed_fields", "check_failures", "diff_result", "is_unknown"]


class TwilioProvider(ResourceProvider):
    """Base of the Twilio providers. Holds no credential when pickled: they are read in `configure`."""

    _config: Any = None

    def configure(self, req: ConfigureRequest) -> None:
        self._config = req.config

    def client(self) -> TwilioClient:
        return TwilioClient(read_settings(self._config))
