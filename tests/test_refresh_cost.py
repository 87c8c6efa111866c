"""What a `pulumi up` that changes nothing costs in API calls: a number that does not grow with the stack."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.engine import changes
from tests.resilience import APIS, config_for
from tests.sandbox_client import Sandbox


def no_op_reads(make_stack: Any, sandbox: Sandbox, numbers: int) -> dict[str, Counter[str]]:
    stack = make_stack(config_for(sandbox, numbers))
    stack.up()
    sandbox.clear_counters()
    assert changes(stack.up().summary.resource_changes or {}) == {}
    assert sandbox.writes() == 0
    routes = {api: Counter(sandbox.counters(api)["by_route"]) for api in APIS}
    stack.destroy()
    return routes


def test_a_no_op_up_reads_each_api_in_calls_that_do_not_grow_with_the_numbers(make_stack, sandbox: Sandbox) -> None:
    few = no_op_reads(make_stack, sandbox, 2)
    many = no_op_reads(make_stack, sandbox, 8)
    for api in APIS:
        assert many[api] == few[api], f"{api}: 2 numbers {dict(few[api])}, 8 numbers {dict(many[api])}"
    # The per-number reads are answered from one listing each.
    assert few["twilio"]["FetchPhoneNumber"] == 0 and few["liveagent"]["getPhoneNumber"] == 0


def first_up_reads(make_stack: Any, sandbox: Sandbox, numbers: int) -> dict[str, Counter[str]]:
    stack = make_stack(config_for(sandbox, numbers))
    sandbox.clear_counters()
    stack.up()
    routes = {api: Counter(sandbox.counters(api)["by_route"]) for api in APIS}
    reads = {api: sandbox.counters(api)["reads"] for api in APIS}
    stack.destroy()
    return {api: Counter({**routes[api], "reads": reads[api]}) for api in APIS}


def test_a_first_up_looks_numbers_up_in_calls_that_do_not_grow_with_the_numbers(make_stack, sandbox: Sandbox) -> None:
    """Each new number is checked (owned? on another trunk? in LiveAgent already? its prefix held?) at preview
    and again when it is made; one listing per API answers all of those lookups, so only the writes grow."""
    few = first_up_reads(make_stack, sandbox, 2)
    many = first_up_reads(make_stack, sandbox, 8)
    for api, lookup in (("twilio", "ListIncomingPhoneNumber"), ("liveagent", "getPhoneNumbersList")):
        assert many[api][lookup] == few[api][lookup], f"{api} {lookup}: {few[api][lookup]} → {many[api][lookup]}"
        assert many[api]["reads"] == few[api]["reads"], f"{api} reads: 2 numbers {few[api]}, 8 numbers {many[api]}"
