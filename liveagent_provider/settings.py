"""LiveAgent account URL, API key and rate limit, read from stack config in `configure` or the environment."""

from __future__ import annotations

import os

from pulumi.dynamic import Config

import rules
from provider_base import MissingCredentials, config_object

from .client import LiveAgentSettings


def read_settings(config: Config | None) -> LiveAgentSettings:
    liveagent = config_object(config, "liveagent")
    url = liveagent.get("url") or os.environ.get("LIVEAGENT_URL")
    api_key = liveagent.get("apiKey") or os.environ.get("LIVEAGENT_API_KEY")
    if not url or not api_key:
        raise MissingCredentials(
            "LiveAgent settings are missing: set `liveagent.url` and the secret `liveagent.apiKey` in stack config "
            "(pulumi config set --path --secret liveagent.apiKey ...), or LIVEAGENT_URL and LIVEAGENT_API_KEY"
        )
    limit = liveagent.get("rateLimit") or {}
    return LiveAgentSettings(
        url=url,
        api_key=api_key,
        rate_requests=int(limit.get("requests", rules.LIVEAGENT_RATE_LIMIT[0])),
        rate_window_s=float(limit.get("windowSeconds", rules.LIVEAGENT_RATE_LIMIT[1])),
    )
