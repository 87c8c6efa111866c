"""Shared fixtures: the sandbox as a separate process, and throwaway stacks on the real engine."""

from __future__ import annotations

import copy
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from deploy.sandbox_process import running_sandbox
from stack import api_settings
from tests.engine import EngineStack
from tests.sandbox_client import SEED_ACCOUNT_SID, SEED_API_KEY, SEED_AUTH_TOKEN, Sandbox

# The shell's credentials and the live test's opt-in, as they were before the fixture below hid them: only
# tests/test_live.py reads them, and only under `make test-live`.
LIVE_OPT_IN = ("TWILIO_LIVEAGENT_LIVE_PREFIX", "TWILIO_LIVEAGENT_LIVE_NUMBER", "TWILIO_LIVEAGENT_LIVE_DEPARTMENT")
SHELL_CREDENTIALS = {name: os.environ[name] for name in (*api_settings.ENVIRONMENT, *LIVE_OPT_IN) if name in os.environ}


@pytest.fixture(scope="session", autouse=True)
def no_credentials_from_the_shell() -> Iterator[None]:
    """Credentials in the developer's shell would win over every test stack's config (api_settings)."""
    saved = {name: os.environ.pop(name) for name in api_settings.ENVIRONMENT if name in os.environ}
    yield
    os.environ.update(saved)


@pytest.fixture(scope="session", autouse=True)
def own_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each test process (each xdist worker) keeps the LiveAgent client's rate-limit files in a folder of its own
    (liveagent_provider/rate_limit.py keeps them under $XDG_CACHE_HOME, shared by every process of the user): no
    count is shared with another worker, the user's own `make demo` or a run of yesterday, and none is left behind.
    Every CLI, provider and `make` a test starts inherits it."""
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.getbasetemp() / "xdg-cache")
    yield
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved


@pytest.fixture(scope="session")
def sandbox_process() -> Iterator[Sandbox]:
    """One sandbox per test process: under xdist each worker has its own, on ports of its own."""
    # No LiveAgent rate limit by default, so the suite is not paced at 180 requests a minute;
    # the rate-limit test sets one itself.
    with running_sandbox("--liveagent-rate-limit", "0") as urls:
        yield Sandbox(urls["twilio"], urls["liveagent"])


@pytest.fixture
def sandbox(sandbox_process: Sandbox) -> Iterator[Sandbox]:
    """The worker's sandbox, back at its seed before and after the test: what a test made is gone afterwards."""
    sandbox_process.reset()
    sandbox_process.rate_limit(0, 60)
    yield sandbox_process
    sandbox_process.faults("twilio")
    sandbox_process.faults("liveagent")
    sandbox_process.rate_limit(0, 60)
    sandbox_process.reset()


def base_config(sandbox: Sandbox, prefix: str | None = None) -> dict[str, Any]:
    prefix = prefix or f"t{uuid.uuid4().hex[:10]}"
    return copy.deepcopy(
        {
            "twilio": {"accountSid": SEED_ACCOUNT_SID, "authToken": SEED_AUTH_TOKEN, "apiBaseUrl": sandbox.twilio_url},
            # The suite's sandbox has no rate limit (above), and the client's count is shared by every process of
            # the user (liveagent_provider/rate_limit.py): without this the whole suite would be paced at 180 a
            # minute. The tests of the limit set their own.
            "liveagent": {
                "url": sandbox.liveagent_url,
                "apiKey": SEED_API_KEY,
                "rateLimit": {"requests": 100000, "windowSeconds": 60},
            },
            "trunk": {
                "friendlyName": "LiveAgent test",
                "domainPrefix": prefix,
                "edge": "tokyo",
                "disasterRecovery": {"forwardTo": "+18008112345"},
            },
            "origination": {"uri": "sip:1-sip-la-sg.ladesk.com", "weight": 10, "priority": 10},
            "credentials": {
                "listName": f"LiveAgent {prefix}",
                "username": "testuser01",
                "password": "Passw0rdPassw0rd",
            },
            "numbers": [
                {"number": "+815012345678", "name": "Tokyo main", "department": "Support", "dialPrefix": 1},
                {"number": "+815012345679", "name": "Tokyo sales", "department": "Sales", "dialPrefix": 2},
            ],
            "outboundCountries": ["GB", "SG"],
        }
    )


@pytest.fixture
def make_stack(tmp_path: Path, sandbox: Sandbox) -> Callable[..., EngineStack]:
    """Throwaway stacks whose state lives in the test's temp folder.

    What they made in the sandbox goes with the `sandbox` fixture's reset at the end of the test (a `pulumi destroy`
    per stack here, whose errors nobody saw, cost an engine run each and checked nothing). The tests of destroy
    itself run it and check what it leaves.
    """

    def make(config: dict[str, Any] | None = None, **kwargs: Any) -> EngineStack:
        stack = EngineStack(tmp_path, **kwargs)
        if config is not None:
            stack.configure(config)
        return stack

    return make


# -- parallel workers (pytest-xdist: `make test` runs `pytest -n N --dist loadgroup`) ------------------------------
#
# Each worker is a pytest process of its own: its own sandbox (`sandbox_process`, on free ports), temp folders and
# state backends (`tmp_path`), and rate-limit files (`own_cache_dir`). The tests that must stay together run as one
# unit in one worker, one after the other in file order (GROUPS; the scheduler below). They are listed here, not
# marked with `xdist_group` in their modules: pytest-xdist 3.8 groups by rewriting node ids, which pytest 9.2 no
# longer reads, so its marks group nothing.
GROUPS = {
    # `make demo` listens on the dev stack's fixed ports 18081/18082.
    "tests/test_demo.py::": "demo-ports",
    # The console edits share one module-scoped stack (`deployed`), which another test's sandbox reset would empty.
    "tests/test_lifecycle.py::test_console_edit_shows_in_preview_and_is_repaired_by_the_next_up": "lifecycle-drift",
    # Its last test reads what the fuzzing before it reached, on the module's own emulator.
    "tests/test_sandbox_twilio_fuzz.py::": "twilio-fuzz",
}
# Handed out first, slowest first, so that no worker starts a long test while the others run out of work; the
# tests without the engine go last and fill the gaps. Only the order depends on these lists, never a result.
SLOW_FIRST = (
    "tests/test_interrupted.py::",
    "tests/test_lifecycle.py::test_console_edit_shows_in_preview_and_is_repaired_by_the_next_up",
    "tests/test_lifecycle.py::test_config_changes_converge_in_one_up_each",
    "tests/test_scale.py::test_more_than_four_provider_calls_reach_the_api_at_once",
    "tests/test_demo.py::",
    "tests/test_providers.py::test_fifty_numbers_stay_under_the_rate_limit",
    "tests/test_resilience.py::",
    "tests/test_upgrade.py::",
    "tests/test_refresh_cost.py::",
    "tests/test_credentials.py::",
    "tests/test_providers.py::test_429_and_503_at_30_percent_are_ridden_out",
    "tests/test_s3_backend.py::",
    "tests/test_ci_workflows.py::",
    "tests/test_takeover.py::",
    "tests/test_lifecycle.py::",
    "tests/test_preview_report.py::",
    "tests/test_sandbox_twilio_fuzz.py::",
)
NO_ENGINE_LAST = (
    "tests/test_sandbox_",
    "tests/test_units.py::",
    "tests/test_api_settings.py::",
    "tests/test_wiring.py::",
    "tests/test_language_host.py::",
    "tests/test_readme_ja.py::",
)


def group_of(nodeid: str) -> str | None:
    return next((group for prefix, group in GROUPS.items() if nodeid.startswith(prefix)), None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In an xdist worker only: the collection in the order the scheduler hands it out (a stable sort, the same
    in every worker). A plain `pytest` keeps file order."""
    if not hasattr(config, "workerinput"):
        return

    def rank(item: pytest.Item) -> int:
        found = [index for index, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix)]
        if found:
            return found[0]
        return len(SLOW_FIRST) + (1 if item.nodeid.startswith(NO_ENGINE_LAST) else 0)

    items.sort(key=rank)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadgroup` with GROUPS as the groups: each group one unit of work, every other test a unit alone,
    handed out in collection order (above)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class Grouped(LoadGroupScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid) or nodeid

        def _assign_work_unit(self, node: Any) -> None:
            """As xdist's, but every item of each node id: Schemathesis gives the operations of one fuzz test
            the same node id, and xdist's unit, keyed by node id, would run only the first of them."""
            scope, work_unit = self.workqueue.popitem(last=False)
            self.assigned_work.setdefault(node, {})[scope] = work_unit
            collection = self.registered_collections[node]
            node.send_runtest_some([index for index, nodeid in enumerate(collection) if work_unit.get(nodeid) is False])

    config.option.loadscopereorder = False  # keep the order above, not the biggest group first
    return Grouped(config, log)
