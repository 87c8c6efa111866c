"""The rules, limits, enums, defaults and derived names of the stack's settings, each said once.

The stack config's validation and the providers' `check` both use these, so a value the config accepts is
one the provider accepts. Not here: a setting's plain on, off, empty or unset default (`True`, `False`, `""`,
`None`), written beside its key in the config model and in its `Field`, and the name "LiveAgent" that
`stack/config.py` gives the trunk, the origination URL and the credential list by default. The emulators in
`sandbox/` keep their own copies on purpose, so they can catch us. Each `*_problem` function returns what is
wrong (for a message after the key's name), or None.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Literal, get_args

import phonenumbers
import pycountry

Problem = Callable[[Any], "str | None"]

# --- Phone numbers ------------------------------------------------------------------------------------------

# Numbers are parsed, checked and formatted by `phonenumbers` (Google's libphonenumber metadata), so a number
# must have the length and prefix of a real number of its country, not only the shape of E.164.
E164_MAX_DIGITS = 15  # ITU-T E.164: country code and national number together
DEFAULT_REGION = "JP"  # the stack's `defaultRegion`: how a number written without '+' is read (the guide's 050-...)
E164_EXAMPLE = "+815012345678"

_LENGTH_PROBLEMS = {
    phonenumbers.ValidationResult.TOO_SHORT: "is too short for",
    phonenumbers.ValidationResult.TOO_LONG: "is too long for",
    phonenumbers.ValidationResult.INVALID_LENGTH: "does not have the length of a number of",
}


def _country(number: phonenumbers.PhoneNumber) -> str:
    calling_code = number.country_code or 0
    region = phonenumbers.region_code_for_number(number) or phonenumbers.region_code_for_country_code(calling_code)
    country = pycountry.countries.get(alpha_2=region) if region and region.isalpha() else None
    name = country.name if country else None
    return f"{name} (+{number.country_code})" if name else f"country code +{number.country_code}"


def _parse(value: Any, region: str | None) -> tuple[phonenumbers.PhoneNumber | None, str | None]:
    """The parsed number, or what is wrong with the text as a phone number at all."""
    if not isinstance(value, str):
        return None, f"{value!r} is not text"
    digits = re.sub(r"\D", "", value)
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as error:
        if error.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            if value.strip().startswith("+"):
                return None, f"{value!r} does not start with a country code that exists"
            return None, f"{value!r} needs '+' and the country code, e.g. {E164_EXAMPLE}"
        if error.error_type == phonenumbers.NumberParseException.TOO_LONG or len(digits) > E164_MAX_DIGITS:
            return None, f"{value!r} is too long: {len(digits)} digits, over E.164's {E164_MAX_DIGITS}"
        return None, f"{value!r} is not a phone number"
    return number, None


def _length_hint(number: phonenumbers.PhoneNumber) -> str:
    """For a number of a plausible overall length but not valid: too long or short for numbers like it?"""
    national = phonenumbers.national_significant_number(number)

    def valid(digits: str) -> bool:
        candidate = phonenumbers.PhoneNumber(country_code=number.country_code, national_number=int(digits))
        return bool(digits) and phonenumbers.is_valid_number(candidate)

    if any(valid(national[:end]) for end in range(len(national) - 1, len(national) - 4, -1) if end > 0):
        return "is too long for"
    if any(valid(national + "0" * extra) or valid(national + "5" * extra) for extra in (1, 2, 3)):
        return "is too short for"
    return "is not a number in the numbering plan of"


def phone_number_problem(value: Any, region: str | None = None) -> str | None:
    """What is wrong with a phone number as the stack gives it, or None if it is a valid number in E.164.

    With a `region`, a national form (050-1234-5678 in JP) is read as that region's and answered with the
    E.164 spelling to use instead: the config stays the record of what is deployed, never rewritten.
    """
    problem = _number_problem(value, region)
    read_by_region = region and isinstance(value, str) and not value.strip().startswith("+")
    if problem and read_by_region and "did you mean" not in problem:
        problem += (
            f" (without '+' it is read as a number of {region}, the stack's defaultRegion; "
            f"write numbers in E.164, e.g. {E164_EXAMPLE})"
        )
    return problem


def _number_problem(value: Any, region: str | None) -> str | None:
    if isinstance(value, str) and value.startswith("00") and e164("+" + value[2:]) == "+" + value[2:]:
        # The guide writes the disaster-recovery number with 00 for '+' (the twimlet's form).
        return f"{value!r} must be written in E.164: did you mean +{value[2:]}? (00 stands for '+' only in the URL)"
    number, problem = _parse(value, region)
    if number is None:
        return problem
    spelt = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = len(spelt) - 1
    if digits > E164_MAX_DIGITS:
        return f"{value!r} is too long: {digits} digits, over E.164's {E164_MAX_DIGITS}"
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in _LENGTH_PROBLEMS:
        return f"{value!r} {_LENGTH_PROBLEMS[reason]} {_country(number)}"
    if not phonenumbers.is_valid_number(number):
        return f"{value!r} {_length_hint(number)} {_country(number)}"
    if value != spelt:
        form = "('+', country code, number, no spaces or dashes)"
        return f"{value!r} must be written in E.164 {form}: did you mean {spelt}?"
    return None


def e164_problem(value: Any) -> str | None:
    """A number as the providers get it: already E.164, no default region to read it by."""
    return phone_number_problem(value, None)


def e164(value: Any, region: str | None = None) -> str | None:
    """The E.164 spelling of a valid number (an API may return it with spaces or dashes), or None."""
    number, _ = _parse(value, region)
    if number is None or not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def same_number(a: Any, b: Any) -> bool:
    """Two spellings of one phone number, each with '+' and its country code (valid or not: this only compares)."""
    found = [_parse(x, None)[0] for x in (a, b)]
    spelt = [phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164) if n else None for n in found]
    return spelt[0] is not None and spelt[0] == spelt[1]


def region_problem(value: Any) -> str | None:
    if isinstance(value, str) and value in phonenumbers.SUPPORTED_REGIONS:
        return None
    return f"{value!r} is not a region with phone numbers; use an upper-case ISO 3166 code such as JP, US, GB"


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


DOMAIN_PREFIX_MAX = 63  # one DNS label


def domain_prefix_problem(value: Any) -> str | None:
    if isinstance(value, str) and re.fullmatch(DOMAIN_PREFIX, value):
        return None
    if isinstance(value, str) and len(value) > DOMAIN_PREFIX_MAX:
        return f"{len(value)} characters, where a domain prefix (one DNS label) has at most {DOMAIN_PREFIX_MAX}"
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


# Twilio's localized termination hosts: current edge names and the legacy region names (docs/twilio-api.md §4.4).
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


NUMBER_ACTIVE, NUMBER_INACTIVE = "A", "I"  # a LiveAgent number's `status`; every number this stack makes is active
NUMBER_STATUSES = (NUMBER_ACTIVE, NUMBER_INACTIVE)
SIP_PORT_RANGE = (1, 65535)


def host_settings_problem(value: Any) -> str | None:
    """`host_settings` of a LiveAgent number: "json encoded host settings" (the official client's model)."""
    try:
        decoded = json.loads(value) if isinstance(value, str) else None
    except json.JSONDecodeError:
        decoded = None
    return None if isinstance(decoded, dict) else f"{value!r} must be a JSON object as text, e.g. '{{}}'"


LIVEAGENT_RATE_LIMIT = (180, 60.0)  # requests per window per API key, window in seconds (docs/liveagent-api.md §2.7)

# --- Dialing permissions -----------------------------------------------------------------------------------

# ISO 3166-1 alpha-2, the codes Twilio's dialing permissions use: the regions phonenumbers knows a calling code
# for (every country one can dial, Kosovo's XK included); pycountry only to suggest a code for a name or alpha-3.
_RESERVED_ALIASES = {"UK": "GB"}  # reserved in ISO 3166 for the United Kingdom, but not its code


def _country_hint(value: str) -> str:
    if value.upper() in _RESERVED_ALIASES:
        return f" (did you mean {_RESERVED_ALIASES[value.upper()]}?)"
    try:
        return f" (did you mean {pycountry.countries.lookup(value).alpha_2}?)"
    except LookupError:
        return ""


def countries_problem(values: list[Any]) -> str | None:
    unknown = [c for c in values if not isinstance(c, str) or c.upper() not in phonenumbers.SUPPORTED_REGIONS]
    if unknown:
        hints = "".join(f"; {c!r}{_country_hint(c)}" for c in unknown if isinstance(c, str) and _country_hint(c))
        return f"unknown ISO 3166 country codes {unknown}; use two letters such as JP, US, GB{hints}"
    upper = [c.upper() for c in values]
    return "a country is listed twice" if len(set(upper)) != len(upper) else None


# --- Both APIs ---------------------------------------------------------------------------------------------

# How long a request waits for an answer before it counts as lost (and is retried where that is safe);
# `pulumi-python:twilio.timeoutSeconds` / `pulumi-python:liveagent.timeoutSeconds` change it.
READ_TIMEOUT_S = 30.0
READ_TIMEOUT_RANGE = (1.0, 300.0)
