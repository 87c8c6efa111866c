"""Test-side access to a running sandbox: control endpoints and "by hand" edits through the public APIs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

SEED_ACCOUNT_SID = "AC5a4db0c0ffee5a4db0c0ffee5a4db0c0"
SEED_AUTH_TOKEN = "5b1e0d2c9f8a7b6c5d4e3f2a1b0c9d8e"
SEED_API_KEY = "sandboxliveagentapikey0123456789"


@dataclass
class Sandbox:
    twilio_url: str
    liveagent_url: str

    # -- control endpoints
    def reset(self) -> None:
        for base in (self.twilio_url, self.liveagent_url):
            requests.post(f"{base}/__sandbox/reset", timeout=10).raise_for_status()

    def clear_counters(self) -> None:
        for base in (self.twilio_url, self.liveagent_url):
            requests.delete(f"{base}/__sandbox/requests", timeout=10).raise_for_status()

    def counters(self, which: str) -> dict[str, Any]:
        base = self.twilio_url if which == "twilio" else self.liveagent_url
        body: dict[str, Any] = requests.get(f"{base}/__sandbox/requests", timeout=10).json()
        return body

    def writes(self) -> int:
        """Successful or failed write calls on both APIs since the counters were cleared."""
        return int(self.counters("twilio")["writes"]) + int(self.counters("liveagent")["writes"])

    def state(self, which: str) -> dict[str, Any]:
        base = self.twilio_url if which == "twilio" else self.liveagent_url
        body: dict[str, Any] = requests.get(f"{base}/__sandbox/state", timeout=10).json()
        return body

    def faults(self, which: str, **plan: Any) -> None:
        base = self.twilio_url if which == "twilio" else self.liveagent_url
        requests.post(f"{base}/__sandbox/faults", json=plan, timeout=10).raise_for_status()

    def rate_limit(self, requests_per_window: int, window_s: float) -> None:
        requests.post(
            f"{self.liveagent_url}/__sandbox/rate_limit",
            json={"requests": requests_per_window, "window_s": window_s},
            timeout=10,
        ).raise_for_status()

    # -- credentials, as a person changes them in each console
    def rotate_auth_token(self) -> str:
        """Twilio's "rotate auth token": the old one stops working."""
        response = requests.post(f"{self.twilio_url}/__sandbox/auth_token", json={}, timeout=10)
        response.raise_for_status()
        return str(response.json()["auth_token"])

    def new_twilio_api_key(self) -> tuple[str, str]:
        response = requests.post(f"{self.twilio_url}/__sandbox/api_keys", json={}, timeout=10)
        response.raise_for_status()
        return str(response.json()["sid"]), str(response.json()["secret"])

    def revoke_twilio_api_key(self, sid: str) -> None:
        requests.delete(f"{self.twilio_url}/__sandbox/api_keys/{sid}", timeout=10).raise_for_status()

    def new_liveagent_api_key(self) -> str:
        response = requests.post(f"{self.liveagent_url}/__sandbox/api_keys", json={}, timeout=10)
        response.raise_for_status()
        return str(response.json()["api_key"])

    def revoke_liveagent_api_key(self, key: str) -> None:
        requests.delete(f"{self.liveagent_url}/__sandbox/api_keys/{key}", timeout=10).raise_for_status()

    def password_works(self, credential_sid: str, password: str) -> bool:
        response = requests.post(
            f"{self.twilio_url}/__sandbox/verify_credential",
            json={"sid": credential_sid, "password": password},
            timeout=10,
        )
        return bool(response.json()["matches"])

    # -- the public APIs, as a person in a console would use them
    def twilio(self, method: str, path: str, **data: Any) -> Any:
        response = requests.request(
            method, f"{self.twilio_url}{path}", data=data or None, auth=(SEED_ACCOUNT_SID, SEED_AUTH_TOKEN), timeout=10
        )
        assert response.status_code < 400, response.text
        return response.json() if response.content else None

    def liveagent(
        self, method: str, path: str, form: dict[str, Any] | None = None, body: dict[str, Any] | None = None
    ) -> Any:
        response = requests.request(
            method,
            f"{self.liveagent_url}/api/v3{path}",
            data=form,
            json=body,
            headers={"apikey": SEED_API_KEY},
            timeout=10,
        )
        assert response.status_code < 400, response.text
        return response.json() if response.content else None

    def liveagent_edit(self, number_id: str, **changes: Any) -> dict[str, Any]:
        """GET the number, change fields, PUT the whole object back: the console's save."""
        current = self.liveagent("GET", f"/phone_numbers/{number_id}")
        updated = {**current, **changes}
        for output_only in ("dial_out_prefix_formatted", "department", "status_message"):
            updated.pop(output_only, None)
        result: dict[str, Any] = self.liveagent("PUT", f"/phone_numbers/{number_id}", body=updated)
        return result

    def trunks(self) -> list[dict[str, Any]]:
        return list(self.state("twilio")["trunks"].values())

    def numbers_by_e164(self) -> dict[str, dict[str, Any]]:
        return {n["phone_number"]: n for n in self.state("twilio")["phone_numbers"].values()}

    def liveagent_numbers(self) -> dict[str, dict[str, Any]]:
        return {n["number"]: n for n in self.state("liveagent")["phone_numbers"].values()}
