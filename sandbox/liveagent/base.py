"""The LiveAgent emulator's common ground: seed and state, API keys, the rate limit, errors, number lookup."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from ..emulator import Emulator
from ..routing import Request
from ..store import Saver
from .params import fail
from .rate_limit import RateLimiter


class LiveAgentBase(Emulator):
    name = "liveagent"

    def __init__(
        self,
        seed: dict[str, Any],
        save: Saver | None = None,
        state: dict[str, Any] | None = None,
        rate_limit: tuple[int, float] = (180, 60.0),
    ):
        self.limiter = RateLimiter(*rate_limit)
        super().__init__(seed, save, state)

    def seeded_state(self) -> dict[str, Any]:
        departments = {}
        for entry in self.seed.get("departments", []):
            department_id = entry.get("department_id") or uuid.uuid4().hex[:8]
            departments[department_id] = {
                "department_id": department_id,
                "name": entry["name"],
                "agent_count": entry.get("agent_count", 0),
                "online_status": entry.get("online_status", "F"),
                "agent_ids": entry.get("agent_ids", []),
                "mailaccount_id": entry.get("mailaccount_id", ""),
            }
        return {"phone_numbers": {}, "departments": departments}

    def reset_credentials(self) -> None:
        self.api_keys: set[str] = set(self.seed.get("api_keys") or [self.seed["api_key"]])

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(self.state)

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"message": message}

    def _number(self, request: Request) -> dict[str, Any]:
        number = self.state["phone_numbers"].get(request.params["phoneNumberId"])
        if number is None:
            raise fail(404, "Phone number not found")
        return number
