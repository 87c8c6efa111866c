"""The LiveAgent API v3 emulator: phone numbers, departments and ping, with the per-key rate limit.

Where `docs/liveagent-api.md` marks a behaviour open (§10), the emulator takes the stricter reading and the README
("The sandbox") says which: `GET /phone_numbers` pages by cursor as LiveAgent documents it, refusing a
`_perPage` over 100 and a cursor under another sort (§2.4), the department is embedded only when
`additionalObjects` asks for it, `status` in a whole-object PUT is ignored
(`PUT …/status` changes it), and a new number gets no invented `port`, `host_settings` or `providerid`.
"""

from .emulator import LiveAgentEmulator

__all__ = ["LiveAgentEmulator"]
