"""What a preview can learn from one read per API before anything is planned: are the credentials good, and
does the API answer at all?

A refused credential, or an API that does not answer through the clients' retries, then fails the preview
with one message that names the API and what to do, instead of failing each resource's first call halfway
through `up`.
"""

from __future__ import annotations

from liveagent_provider.client import LiveAgentClient
from liveagent_provider.errors import LiveAgentApiError
from provider_kit.http import AUTH_FAILURES
from stack import api_settings
from twilio_provider.client import TwilioClient
from twilio_provider.errors import TwilioApiError


def problems(apis: api_settings.ApiSettings) -> list[str]:
    """One cheap authenticated GET per API; refusals and outages, as messages (empty when both answer)."""
    found = []
    try:
        TwilioClient(apis.twilio).get("trunking", "/v1/Trunks", params={"PageSize": 1})
    except TwilioApiError as error:
        if _stops_the_run(error.status):
            found.append(str(error))
    try:
        LiveAgentClient(apis.liveagent).request("GET", "/departments", params={"_page": 1, "_perPage": 1})
    except LiveAgentApiError as error:
        if _stops_the_run(error.status):
            found.append(str(error))
    return found


def _stops_the_run(status: int) -> bool:
    """Refused credentials, no answer, or server errors through every retry (a 4xx is a resource's business)."""
    return status in AUTH_FAILURES or status == 0 or status >= 500 or status == 429
