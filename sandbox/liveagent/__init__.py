"""The LiveAgent API v3 emulator: phone numbers, departments and ping, with the per-key rate limit.

Where `docs/liveagent-api.md` marks a behaviour open (§10), the emulator takes the stricter reading and the README
("The sandbox") says which: no next-page cursor is handed out (the docs do not say how one is returned), the
department is embedded only when `additionalObjects` asks for it, `status` in a whole-object PUT is ignored
(`PUT …/status` changes it), and a new number gets no invented `port`, `host_settings` or `providerid`.
"""

from .emulator import LiveAgentEmulator

__all__ = ["LiveAgentEmulator"]
