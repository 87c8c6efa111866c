"""The LiveAgent emulator's common ground: seed and state, API keys, the rate limit, errors, number lookup."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from typing import Any

from ..emulator import Emulator
from ..routing import Request
from .params import fail
from .rate_limit import RateLimiter


class LiveAgentBase(Emulator):
    name = "liveagent"

    def __init__(
        self,
        seed: dict[str, Any],
        save: Callable[[dict[str, Any]], None] | None = None,
        state: dict[str, Any] | None = None,
        rate_limit: tuple[int, float] = (180, 60.0),
    ):
        super().__init__(save)
        self.seed = seed
        self.api_keys: set[str] = set(seed.get("api_keys") or [seed["api_key"]])
        self.state: dict[str, Any] = state if state is not None else self._initial_state()
        self.limiter = RateLimiter(*rate_limit)
        self._register_routes()

    def _initial_state(self) -> dict[str, Any]:
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

    def reset(self) -> None:
        self.state = self._initial_state()
        self.api_keys = set(self.seed.get("api_keys") or [self.seed["api_key"]])

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(self.state)

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"message": message}

    def _register_routes(self) -> None:
        raise NotImplementedError

    def _number(self, request: Request) -> dict[str, Any]:
        number = self.state["phone_numbers"].get(request.params["phoneNumberId"])
        if number is None:
            raise fail(404, "Phone number not found")
        return number
