"""What a preview can learn from one read per API before anything is planned: are the credentials good?

A refused credential then fails the preview with one message that names where it came from, instead of
failing each resource's first call halfway through `up`.
"""

from __future__ import annotations

import api_settings
from liveagent_provider.client import LiveAgentClient
from liveagent_provider.errors import LiveAgentApiError
from provider_base import AUTH_FAILURES
from twilio_provider.client import TwilioClient
from twilio_provider.errors import TwilioApiError


def problems(apis: api_settings.ApiSettings) -> list[str]:
    """One cheap authenticated GET per API; the refusals, as messages (empty when both are accepted)."""
    found = []
    try:
        TwilioClient(apis.twilio).get("trunking", "/v1/Trunks", params={"PageSize": 1})
    except TwilioApiError as error:
        if error.status in AUTH_FAILURES:
            found.append(str(error))
    try:
        LiveAgentClient(apis.liveagent).request("GET", "/departments", params={"_page": 1, "_perPage": 1})
    except LiveAgentApiError as error:
        if error.status in AUTH_FAILURES:
            found.append(str(error))
    return found
