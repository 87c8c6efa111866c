"""Voice v1 dialing permissions: countries, their high-risk prefixes, bulk updates and settings."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from ..routing import Request, Response
from .base import Route
from .pages import page_v1
from .params import COUNTRY_FILTERS, PAGE_PARAMS, VOICE, error, not_found
from .representations import Representations

COUNTRIES = "/voice/v1/DialingPermissions/Countries"


class DialingPermissionRoutes(Representations):
    def dialing_permission_routes(self) -> list[Route]:
        return [
            ("GET", COUNTRIES, "ListDialingPermissionsCountry", self.list_countries),
            ("GET", COUNTRIES + "/{IsoCode}", "FetchDialingPermissionsCountry", self.fetch_country),
            (
                "GET",
                COUNTRIES + "/{IsoCode}/HighRiskSpecialPrefixes",
                "ListDialingPermissionsHrsPrefixes",
                self.list_hrs_prefixes,
            ),
            (
                "POST",
                "/voice/v1/DialingPermissions/BulkCountryUpdates",
                "CreateDialingPermissionsCountryBulkUpdate",
                self.bulk_country_update,
            ),
            ("GET", "/voice/v1/Settings", "FetchDialingPermissionsSettings", self.fetch_settings),
            ("POST", "/voice/v1/Settings", "UpdateDialingPermissionsSettings", self.update_settings),
        ]

    def _country_matches(self, country: dict[str, Any], filters: dict[str, Any]) -> bool:
        checks: dict[str, Callable[[Any], bool]] = {
            "IsoCode": lambda v: country["iso_code"] == v.upper(),
            "Continent": lambda v: country["continent"] == v.upper(),
            "CountryCode": lambda v: ("+" + v.lstrip("+")) in country["country_codes"],
            "LowRiskNumbersEnabled": lambda v: country["low_risk_numbers_enabled"] == v,
            "HighRiskSpecialNumbersEnabled": lambda v: country["high_risk_special_numbers_enabled"] == v,
            "HighRiskTollfraudNumbersEnabled": lambda v: country["high_risk_tollfraud_numbers_enabled"] == v,
        }
        return all(bool(checks[name](value)) for name, value in filters.items() if name in checks)

    def list_countries(self, request: Request) -> Response:
        filters = self.params(request, {**PAGE_PARAMS, **COUNTRY_FILTERS})
        items = [self.country_json(c) for c in self.state["countries"].values() if self._country_matches(c, filters)]
        extra = {
            k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in filters.items() if k not in PAGE_PARAMS
        }
        return page_v1(request, items, "content", f"{VOICE}/v1/DialingPermissions/Countries", extra)

    def fetch_country(self, request: Request) -> Response:
        self.params(request, {})
        country = self.state["countries"].get(request.params["IsoCode"].upper())
        if country is None:
            raise not_found(request.path.removeprefix("/voice"))
        return Response(200, self.country_json(country))

    def list_hrs_prefixes(self, request: Request) -> Response:
        self.params(request, PAGE_PARAMS)
        iso = request.params["IsoCode"].upper()
        if iso not in self.state["countries"]:
            raise not_found(request.path.removeprefix("/voice"))
        return page_v1(
            request, [], "content", f"{VOICE}/v1/DialingPermissions/Countries/{quote(iso)}/HighRiskSpecialPrefixes"
        )

    def bulk_country_update(self, request: Request) -> Response:
        values = self.params(request, {"UpdateRequest": "str"}, required=("UpdateRequest",))
        try:
            updates = json.loads(values["UpdateRequest"])
        except json.JSONDecodeError as exc:
            raise error(400, 20001, f"UpdateRequest is not valid JSON: {exc}") from exc
        if not isinstance(updates, list) or not updates:
            raise error(400, 20001, "UpdateRequest must be a non-empty JSON array of country updates")
        flags = ("low_risk_numbers_enabled", "high_risk_special_numbers_enabled", "high_risk_tollfraud_numbers_enabled")
        parsed = []
        for index, update in enumerate(updates):
            if not isinstance(update, dict) or "iso_code" not in update:
                raise error(400, 20001, f"UpdateRequest[{index}] must be an object with an iso_code")
            unknown = set(update) - {"iso_code", *flags}
            if unknown:
                raise error(400, 20001, f"UpdateRequest[{index}] has unknown fields: {', '.join(sorted(unknown))}")
            iso = str(update["iso_code"]).upper()
            if iso not in self.state["countries"]:
                raise error(400, 20001, f"UpdateRequest[{index}]: unknown iso_code {update['iso_code']!r}")
            changes = {}
            for flag in flags:
                if flag in update:
                    if update[flag] not in ("true", "false"):
                        raise error(400, 20001, f'UpdateRequest[{index}].{flag} must be "true" or "false"')
                    changes[flag] = update[flag] == "true"
            parsed.append((iso, changes))
        for iso, changes in parsed:  # all or nothing: validation above touched no state
            self.state["countries"][iso].update(changes)
        return Response(201, {"update_count": len(parsed), "update_request": "accepted"})

    def fetch_settings(self, request: Request) -> Response:
        self.params(request, {})
        return Response(200, {**self.state["settings"], "url": f"{VOICE}/v1/Settings"})

    def update_settings(self, request: Request) -> Response:
        values = self.params(request, {"DialingPermissionsInheritance": "bool"})
        if "DialingPermissionsInheritance" in values:
            self.state["settings"]["dialing_permissions_inheritance"] = values["DialingPermissionsInheritance"]
        return Response(202, {**self.state["settings"], "url": f"{VOICE}/v1/Settings"})
