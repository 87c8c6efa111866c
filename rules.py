"""Every rule, limit, enum, default and derived name of the integration, said once.

The stack config's validation and the providers' `check` both use these, so a value the config accepts is
one the provider accepts. The emulators in `sandbox/` keep their own copies on purpose, so they can catch us.
Each `*_problem` function returns what is wrong (for a message after the key's name), or None.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Literal, get_args

Problem = Callable[[Any], "str | None"]

# --- Phone numbers ------------------------------------------------------------------------------------------

E164 = r"^\+[1-9]\d{6,14}$"  # '+', a country code and up to 15 digits in all (ITU-T E.164)
E164_HINT = "must be E.164: '+', country code and number, no spaces or dashes, e.g. +815012345678"


def e164_problem(value: Any) -> str | None:
    return None if isinstance(value, str) and re.fullmatch(E164, value) else f"{value!r} {E164_HINT}"


def same_number(a: Any, b: Any) -> bool:
    """Two spellings of one phone number (an API may return it with spaces or dashes): same digits, both +."""
    digits_a, digits_b = (re.sub(r"[^\d+]", "", str(x or "")) for x in (a, b))
    return bool(digits_a) and digits_a == digits_b


# --- Names and credentials ---------------------------------------------------------------------------------

FRIENDLY_NAME_MAX = 64  # Twilio's limit for trunk, list and origination URL names


def friendly_name_problem(value: Any) -> str | None:
    ok = isinstance(value, str) and 1 <= len(value) <= FRIENDLY_NAME_MAX
    return None if ok else f"must be 1 to {FRIENDLY_NAME_MAX} characters"


NUMBER_NAME_MAX = 100  # the name LiveAgent shows for a number
USERNAME_MAX = 32


def username_problem(value: Any) -> str | None:
    """The guide's rule for the SIP username: letters and digits only (Twilio and LiveAgent reject @#$%)."""
    if isinstance(value, str) and re.fullmatch(rf"[A-Za-z0-9]{{1,{USERNAME_MAX}}}", value):
        return None
    return (
        f"must be 1 to {USERNAME_MAX} letters or digits, with no special characters "
        "(Twilio and LiveAgent reject characters such as @#$%)"
    )


def password_problems(password: str) -> list[str]:
    """Twilio's rule (12+ characters, mixed case, a digit) plus the guide's: no special characters."""
    problems = []
    if len(password) < 12:
        problems.append("at least 12 characters")
    if not re.search(r"[a-z]", password) or not re.search(r"[A-Z]", password):
        problems.append("upper- and lower-case letters")
    if not re.search(r"\d", password):
        problems.append("a digit")
    if not re.fullmatch(r"[A-Za-z0-9]*", password):
        problems.append("letters and digits only (no special characters such as @#$%)")
    return problems


def password_problem(value: Any) -> str | None:
    problems = password_problems(value) if isinstance(value, str) else ["to be text"]
    return "the password is too weak or not allowed: it needs " + ", ".join(problems) if problems else None


# --- Trunk -------------------------------------------------------------------------------------------------

DOMAIN_PREFIX = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"  # one DNS label


def domain_prefix_problem(value: Any) -> str | None:
    if isinstance(value, str) and re.fullmatch(DOMAIN_PREFIX, value):
        return None
    return (
        f"{value!r} must be letters, digits and inner hyphens only (no dots or underscores), "
        "e.g. 'somethingliveagentjp' for something.liveagent.jp"
    )


def termination_domain(domain_prefix: str) -> str:
    """The trunk's termination SIP URI host (step 2 of the guide)."""
    return f"{domain_prefix}.pstn.twilio.com"


def termination_domain_problem(value: Any) -> str | None:
    if isinstance(value, str) and re.fullmatch(rf"{DOMAIN_PREFIX}\.pstn\.twilio\.com", value):
        return None
    return f"{value!r} must look like <prefix>.pstn.twilio.com with letters, digits and '-' in the prefix"


# Twilio's localized termination hosts: current edge names and the legacy region names (twilio-api.md §4.4).
EDGES = {
    "ashburn": "us1",
    "umatilla": "us2",
    "dublin": "ie1",
    "frankfurt": "de1",
    "singapore": "sg1",
    "tokyo": "jp1",
    "sao-paulo": "br1",
    "sydney": "au1",
}
LEGACY_EDGES = frozenset(EDGES.values())
DEFAULT_EDGE = "tokyo"


def edge_problem(value: Any) -> str | None:
    if value is None or value in EDGES or value in LEGACY_EDGES:
        return None
    return (
        f"{value!r} is not a Twilio edge; use one of {', '.join(sorted(EDGES))} "
        f"(legacy {', '.join(sorted(LEGACY_EDGES))} also accepted) or null"
    )


def pinned_termination_host(domain_prefix: str, edge: str | None) -> str:
    """The host given to LiveAgent: `<prefix>.pstn.<edge>.twilio.com` keeps calls in one region (the
    guide's jp1 advice); without an edge it is the termination domain itself."""
    return termination_domain(domain_prefix) if edge is None else f"{domain_prefix}.pstn.{edge}.twilio.com"


SECURE_PROBLEM = "LiveAgent's SIP numbers need Secure Trunking off: set it to false or leave it out"

HttpMethod = Literal["GET", "POST"]
HTTP_METHODS: tuple[str, ...] = get_args(HttpMethod)
DEFAULT_HTTP_METHOD: HttpMethod = "POST"  # of the disaster-recovery URL, as the console defaults it

TransferMode = Literal["disable-all", "enable-all", "sip-only"]
TRANSFER_MODES: tuple[str, ...] = get_args(TransferMode)
DEFAULT_TRANSFER_MODE: TransferMode = "disable-all"
TransferCallerId = Literal["from-transferee", "from-transferor"]
TRANSFER_CALLER_IDS: tuple[str, ...] = get_args(TransferCallerId)
DEFAULT_TRANSFER_CALLER_ID: TransferCallerId = "from-transferee"

RecordingMode = Literal[
    "do-not-record",
    "record-from-ringing",
    "record-from-answer",
    "record-from-ringing-dual",
    "record-from-answer-dual",
]
RECORDING_MODES: tuple[str, ...] = get_args(RecordingMode)
DEFAULT_RECORDING_MODE: RecordingMode = "do-not-record"
RecordingTrim = Literal["trim-silence", "do-not-trim"]
RECORDING_TRIMS: tuple[str, ...] = get_args(RecordingTrim)
DEFAULT_RECORDING_TRIM: RecordingTrim = "do-not-trim"


def one_of(allowed: tuple[str, ...]) -> Problem:
    return lambda value: None if value in allowed else f"{value!r} must be one of {', '.join(allowed)}"


def http_url_problem(value: Any) -> str | None:
    return None if isinstance(value, str) and re.match(r"^https?://", value) else f"{value!r} must be an http(s) URL"


def twimlets_forward_url(forward_to: str) -> str:
    """The guide's disaster-recovery URL: Twilio's forward twimlet, the number with 00 in place of '+'."""
    return f"https://twimlets.com/forward?PhoneNumber=00{forward_to[1:]}"


# --- Origination -------------------------------------------------------------------------------------------

DEFAULT_ORIGINATION_URI = "sip:1-sip-la-sg.ladesk.com"  # LiveAgent's SIP server (step 3 of the guide)
DEFAULT_ORIGINATION_WEIGHT = 10
DEFAULT_ORIGINATION_PRIORITY = 10
WEIGHT_RANGE = (1, 65535)
PRIORITY_RANGE = (0, 65535)


def sip_uri_problem(value: Any) -> str | None:
    if isinstance(value, str) and re.fullmatch(r"sip:[^\s]+", value):
        return None
    return f"{value!r} must be a sip: URI (sips: is not supported), e.g. {DEFAULT_ORIGINATION_URI}"


def within(bounds: tuple[int, int]) -> Problem:
    low, high = bounds

    def problem(value: Any) -> str | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        return None if ok else f"{value!r} must be an integer from {low} to {high}"

    return problem


# --- LiveAgent ---------------------------------------------------------------------------------------------

DIAL_PREFIX_RANGE = (1, 999)


def dial_prefix_problem(value: Any) -> str | None:
    low, high = DIAL_PREFIX_RANGE
    ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    return None if ok else f"{value} is outside {low}–{high}"


NUMBER_STATUSES = ("A", "I")  # active, inactive
SIP_PORT_RANGE = (1, 65535)


def host_settings_problem(value: Any) -> str | None:
    """`host_settings` of a LiveAgent number: "json encoded host settings" (the official client's model)."""
    try:
        decoded = json.loads(value) if isinstance(value, str) else None
    except json.JSONDecodeError:
        decoded = None
    return None if isinstance(decoded, dict) else f"{value!r} must be a JSON object as text, e.g. '{{}}'"


LIVEAGENT_RATE_LIMIT = (180, 60.0)  # requests per window per API key, window in seconds (liveagent-api.md)

# --- Dialing permissions -----------------------------------------------------------------------------------

# ISO 3166-1 alpha-2, the codes Twilio's dialing permissions use.
ISO_COUNTRIES = frozenset(
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ "
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO "
    "FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE "
    "JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO "
    "MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW "
    "PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM "
    "TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK".split()
)


def countries_problem(values: list[Any]) -> str | None:
    unknown = [c for c in values if not isinstance(c, str) or c.upper() not in ISO_COUNTRIES]
    if unknown:
        return f"unknown ISO 3166 country codes {unknown}; use two letters such as JP, US, GB"
    upper = [c.upper() for c in values]
    return "a country is listed twice" if len(set(upper)) != len(upper) else None
