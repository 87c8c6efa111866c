"""One stack config converges the whole integration, through the real engine, against the sandbox."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import base_config
from tests.converged import mismatches
from tests.engine import EngineStack, changes, strip_ansi
from tests.sandbox_client import SEED_API_KEY, SEED_AUTH_TOKEN, Sandbox
from tests.wiring import resource_count


def trunk(sandbox: Sandbox) -> dict[str, Any]:
    [only] = sandbox.trunks()
    return only


def assert_converged(sandbox: Sandbox, config: dict[str, Any]) -> None:
    """The sandbox holds exactly what the config says, field by field."""
    assert mismatches(sandbox, config) == []


def test_new_stack_converges_to_the_config_and_a_second_up_writes_nothing(make_stack, sandbox: Sandbox) -> None:
    config = base_config(sandbox)
    stack = make_stack(config)
    preview = stack.preview()
    assert changes(preview.change_summary) == {"create": resource_count(config)}
    result = stack.up()
    assert changes(result.summary.resource_changes or {}) == {"create": resource_count(config)}
    assert_converged(sandbox, config)
    outputs = stack.outputs()
    assert outputs["terminationUri"] == f"{config['trunk']['domainPrefix']}.pstn.twilio.com"
    assert outputs["pinnedTerminationHost"] == f"{config['trunk']['domainPrefix']}.pstn.tokyo.twilio.com"
    assert set(outputs["numbers"]) == {"+815012345678", "+815012345679"}

    sandbox.clear_counters()
    again = stack.up()
    assert changes(again.summary.resource_changes or {}) == {}
    assert sandbox.writes() == 0


# -- drift made by hand in either console, repaired by the next plain `pulumi up` -----------------------------


def _tk(sandbox: Sandbox) -> str:
    return str(trunk(sandbox)["sid"])


def _origination(sandbox: Sandbox) -> dict[str, Any]:
    [origination] = sandbox.state("twilio")["origination_urls"].values()
    return origination


def _la(sandbox: Sandbox, e164: str = "+815012345678") -> str:
    return str(sandbox.liveagent_numbers()[e164]["id"])


EDITS: dict[str, Callable[[Sandbox], Any]] = {
    "rename the trunk": lambda s: s.twilio("POST", f"/trunking/v1/Trunks/{_tk(s)}", FriendlyName="Hand made"),
    "turn Secure Trunking on": lambda s: s.twilio("POST", f"/trunking/v1/Trunks/{_tk(s)}", Secure="true"),
    "delete the origination URL": lambda s: s.twilio(
        "DELETE", f"/trunking/v1/Trunks/{_tk(s)}/OriginationUrls/{_origination(s)['sid']}"
    ),
    "change the origination weight": lambda s: s.twilio(
        "POST", f"/trunking/v1/Trunks/{_tk(s)}/OriginationUrls/{_origination(s)['sid']}", Weight="99"
    ),
    "detach a number": lambda s: s.twilio(
        "DELETE", f"/trunking/v1/Trunks/{_tk(s)}/PhoneNumbers/{s.numbers_by_e164()['+815012345679']['sid']}"
    ),
    "remove the credential list from the trunk": lambda s: s.twilio(
        "DELETE", f"/trunking/v1/Trunks/{_tk(s)}/CredentialLists/{next(iter(s.state('twilio')['credential_lists']))}"
    ),
    "delete the LiveAgent number": lambda s: s.liveagent("DELETE", f"/phone_numbers/{_la(s)}"),
    "change the LiveAgent host": lambda s: s.liveagent_edit(_la(s), host="wrong.pstn.twilio.com"),
    "change the LiveAgent department": lambda s: s.liveagent_edit(_la(s), departmentid="d0000002"),
    "change the LiveAgent dial prefix": lambda s: s.liveagent_edit(_la(s), dial_out_prefix=77),
    "set an auth user on the LiveAgent number": lambda s: s.liveagent_edit(_la(s), auth_user="handmade01"),
    "deactivate the LiveAgent number": lambda s: s.liveagent(
        "PUT", f"/phone_numbers/{_la(s)}/status", form={"status": "I"}
    ),
    "disable an outbound country": lambda s: s.twilio(
        "POST",
        "/voice/v1/DialingPermissions/BulkCountryUpdates",
        UpdateRequest=json.dumps([{"iso_code": "GB", "low_risk_numbers_enabled": "false"}]),
    ),
}


@pytest.fixture(scope="module")
def deployed(sandbox_process: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Any:
    sandbox_process.reset()
    sandbox_process.rate_limit(0, 60)
    config = base_config(sandbox_process)
    stack = EngineStack(tmp_path_factory.mktemp("drift"))
    stack.configure(config)
    stack.up()
    yield stack, config, sandbox_process
    stack.stack.destroy()


@pytest.mark.parametrize("edit", list(EDITS))
def test_console_edit_shows_in_preview_and_is_repaired_by_the_next_up(deployed: Any, edit: str) -> None:
    stack, config, sandbox = deployed
    EDITS[edit](sandbox)
    preview = stack.preview()
    assert changes(preview.change_summary), f"the preview after '{edit}' shows no change"
    result = stack.up()
    assert changes(result.summary.resource_changes or {})
    assert_converged(sandbox, config)
    sandbox.clear_counters()
    assert changes(stack.up().summary.resource_changes or {}) == {}
    assert sandbox.writes() == 0


# -- config changes converge in one up, with exactly the expected operations --------------------------------


def test_config_changes_converge_in_one_up_each(make_stack, sandbox: Sandbox) -> None:
    config = base_config(sandbox)
    stack = make_stack(config)
    stack.up()

    before = resource_count(config)
    config["numbers"].append(
        {"number": "+815012345680", "name": "Tokyo extra", "department": "Support", "dialPrefix": 3}
    )
    per_number = resource_count(config) - before  # a component and a resource on each side
    stack.configure(config)
    # And the provider, which holds the stack's numbers once (__main__.py), is updated in place.
    assert changes(stack.up().summary.resource_changes or {}) == {"create": per_number, "update": 1}
    assert_converged(sandbox, config)

    del config["numbers"][0]
    stack.configure(config)
    assert changes(stack.up().summary.resource_changes or {}) == {"delete": per_number, "update": 1}
    assert_converged(sandbox, config)
    assert sandbox.numbers_by_e164()["+815012345678"]["trunk_sid"] is None, "a removed number is only detached"

    config["credentials"]["password"] = "N3wPasswordRotated"
    stack.configure(config)
    assert changes(stack.up().summary.resource_changes or {}) == {"update": 3}  # credential + 2 LiveAgent numbers
    assert_converged(sandbox, config)

    config["trunk"]["domainPrefix"] = config["trunk"]["domainPrefix"] + "b"
    stack.configure(config)
    assert changes(stack.up().summary.resource_changes or {}) == {"update": 3}  # trunk + 2 LiveAgent hosts
    assert_converged(sandbox, config)

    config["credentials"]["username"] = "testuser02"
    stack.configure(config)
    result = stack.up()
    assert changes(result.summary.resource_changes or {}) == {"replace": 1, "update": 2}  # username is immutable
    assert_converged(sandbox, config)

    config["numbers"][0]["authUser"] = "testuser02"
    stack.configure(config)
    assert changes(stack.up().summary.resource_changes or {}) == {"update": 1}
    assert_converged(sandbox, config)


def test_two_stacks_in_one_sandbox_do_not_touch_each_other(make_stack, sandbox: Sandbox) -> None:
    dev = base_config(sandbox)
    dev["outboundCountries"] = ["GB"]
    staging = base_config(sandbox)
    staging["numbers"] = [{"number": "+815012345681", "name": "Osaka", "department": "Sales", "dialPrefix": 9}]
    staging["credentials"]["username"] = "staginguser"
    staging["outboundCountries"] = ["SG"]
    first, second = make_stack(dev), make_stack(staging)
    first.up()
    second.up()
    assert len(sandbox.trunks()) == 2
    second.destroy()
    assert_converged(sandbox, dev)
    assert sandbox.state("twilio")["countries"]["SG"]["low_risk_numbers_enabled"] is False
    sandbox.clear_counters()
    assert changes(first.up().summary.resource_changes or {}) == {}
    assert sandbox.writes() == 0


def test_destroy_leaves_nothing_but_the_owned_numbers_detached(make_stack, sandbox: Sandbox) -> None:
    stack = make_stack(base_config(sandbox))
    owned_before = set(sandbox.numbers_by_e164())
    stack.up()
    stack.destroy()
    twilio = sandbox.state("twilio")
    assert twilio["trunks"] == {} and twilio["origination_urls"] == {} and twilio["credential_lists"] == {}
    assert twilio["credentials"] == {} and all(not m for m in twilio["trunk_credential_lists"].values())
    assert sandbox.liveagent_numbers() == {}
    numbers = sandbox.numbers_by_e164()
    assert set(numbers) == owned_before, "no number was bought or released"
    assert all(n["trunk_sid"] is None for n in numbers.values())
    assert twilio["countries"]["GB"]["low_risk_numbers_enabled"] is False, "permissions restored"
    routes = sandbox.counters("twilio")["by_route"]
    assert "CreateIncomingPhoneNumber" not in routes and "DeleteIncomingPhoneNumber" not in routes


def test_no_secret_appears_in_state_export_or_cli_output(make_stack, sandbox: Sandbox) -> None:
    config = base_config(sandbox)
    stack: EngineStack = make_stack(config)
    stack.preview(diff=True)
    stack.up(diff=True)
    config["credentials"]["password"] = "An0therSecretPassw"
    stack.configure(config)
    stack.preview(diff=True)
    stack.up(diff=True)
    secrets = [SEED_AUTH_TOKEN, SEED_API_KEY, "Passw0rdPassw0rd", "An0therSecretPassw"]
    places = {
        "stack export": stack.export(),
        "state file": stack.state_file_text(),
        "CLI output": strip_ansi(stack.text),
    }
    for where, text in places.items():
        for secret in secrets:
            for form in (secret, base64.b64encode(secret.encode()).decode()):
                assert form not in text, f"a secret appears in the {where}"
    assert "[secret]" in strip_ansi(stack.text)
    # The pickled providers are secret-wrapped in state; decrypted, they still must hold no credential.
    pickles = list(_provider_pickles(json.loads(stack.cli("stack", "export", "--show-secrets"))))
    assert len(pickles) >= 6, "the export holds the pickled providers"
    for pickled in pickles:
        provider = base64.b64decode(pickled)
        assert not any(secret.encode() in provider for secret in secrets), "a credential was pickled"


def _provider_pickles(node: Any) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "__provider":
                if isinstance(value, dict):  # {"<sig>": "<secret sig>", "plaintext": "\"<base64>\""}
                    value = json.loads(value.get("plaintext", '""'))
                if isinstance(value, str):  # propertyDependencies also has a "__provider" key: a list
                    yield value
            else:
                yield from _provider_pickles(value)
    elif isinstance(node, list):
        for item in node:
            yield from _provider_pickles(item)


def test_preview_of_a_config_change_shows_the_plan_and_writes_nothing(make_stack, sandbox: Sandbox) -> None:
    config = base_config(sandbox)
    stack = make_stack(config)
    stack.up()
    config["trunk"]["domainPrefix"] += "new"
    config["credentials"]["username"] = "renamed01"
    stack.configure(config)
    sandbox.clear_counters()
    preview = stack.preview(diff=True)
    assert changes(preview.change_summary) == {"update": 3, "replace": 1}
    assert sandbox.writes() == 0
    assert f"{config['trunk']['domainPrefix']}.pstn.twilio.com" in strip_ansi(stack.text)
