"""The Twilio emulator (see `emulator.py`), split by concern: parameters and errors, state, paging,
representations, and one module of routes per resource family. It imports nothing from the product."""

from .emulator import TwilioEmulator
from .params import COUNTRY_FILTERS, INCOMING_UPDATE_PARAMS, ORIGINATION_PARAMS, PAGE_PARAMS, TRUNK_PARAMS

__all__ = [
    "COUNTRY_FILTERS",
    "INCOMING_UPDATE_PARAMS",
    "ORIGINATION_PARAMS",
    "PAGE_PARAMS",
    "TRUNK_PARAMS",
    "TwilioEmulator",
]
