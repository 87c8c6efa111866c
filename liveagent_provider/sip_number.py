"""The LiveAgent SIP phone number (step 5 of the guide): a `type: S` number routed over the trunk."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from provider_kit import takeover
from provider_kit.base import ConfiguredProvider, MissingCredentials
from provider_kit.diff import as_int
from provider_kit.schema import Field, Schema, SchemaResource, form_value, optional
from stack import api_settings, rules

from .client import LiveAgentClient, LiveAgentSettings
from .errors import LiveAgentApiError
from .numbers import (
    NUMBER_TYPE,
    find_number,
    free_prefix,
    in_this_stack,
    numbers_on_host,
    prefix_holder,
    prefix_taken_message,
    still_there,
    writable_fields,
)

# What this stack manages on a LiveAgent phone number; every other field of the number is left as it is.
SCHEMA = Schema(
    Field("number", "number", replaces=True, check=rules.e164_problem),
    Field("name", "name"),
    # Chosen by name in the config, resolved to its id at preview; a number carries only `departmentid`, so
    # the live name comes from the departments list (`observed`), never from an embedded object.
    Field("department_name", response=""),
    Field("department_id", "departmentid", "departmentid"),
    Field("dial_prefix", "dial_out_prefix", "dial_out_prefix", check=rules.dial_prefix_problem),
    Field("host", "host"),
    Field("username", "user", "user"),
    # The panel's advanced "auth user": empty, LiveAgent authenticates as `user` (the credential list's username).
    Field("auth_user", "auth_user", default="", check=optional(rules.username_problem)),
    # Sent from our inputs on every write, kept from state where a response does not echo it.
    Field("password", "password", secret=True),
    # Sent when a number is created; changed afterwards only through PUT /phone_numbers/{id}/status.
    Field("status", "status", choices=rules.NUMBER_STATUSES, default=rules.NUMBER_ACTIVE, group="status"),
    Field("record_in_call", "record_in_call", default=False, decode=bool),
    Field("record_out_call", "record_out_call", default=False, decode=bool),
    Field("adopt", response="", default=False, compared=False),  # how to create, not a property of the number
    Field(takeover.TAKING_OVER, response="", default=None, compared=False),
    # The admin panel's SIP profile ("Twilio"), undocumented: copied into a number when it is created, from the
    # number `profile_from` names and/or the explicit values (which win); never compared or rewritten after.
    Field("profile_from", response="", default=None, compared=False, check=optional(rules.e164_problem)),
    Field("provider_id", "providerid", response="", default=None, compared=False, group="profile"),
    Field(
        "host_settings",
        "host_settings",
        response="",
        default=None,
        compared=False,
        group="profile",
        check=optional(rules.host_settings_problem),
    ),
    Field("port", "port", response="", default=None, compared=False, group="profile", decode=str),
    Field("number_id", response="id", output_only=True),
    Field("dial_prefix_formatted", response="dial_out_prefix_formatted", output_only=True),
    Field("type", output_only=True),
)
PROFILE = tuple(f.name for f in SCHEMA.fields if f.group == "profile")


def new_number_form(props: dict[str, Any]) -> dict[str, str]:
    """The form of POST /phone_numbers: every managed value that is set, the status and SIP profile included."""
    return {"type": NUMBER_TYPE, **{name: form_value(value) for name, value in SCHEMA.json_values(props).items()}}


def put_body(current: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    """The whole number for a PUT: what is there now, with only our managed fields replaced; the password
    from our inputs, so that nothing depends on GET echoing it."""
    return {**writable_fields(current), **SCHEMA.json_values(props, group=""), "type": NUMBER_TYPE}


def observed(client: LiveAgentClient, body: dict[str, Any]) -> dict[str, Any]:
    """Our properties of a number as LiveAgent has it; the department's name through the departments list."""
    found = SCHEMA.from_api(body)
    names = {str(d.get("department_id")): d.get("name") for d in client.departments()}
    found["department_name"] = names.get(str(body.get("departmentid") or ""))
    return found


def with_status(client: LiveAgentClient, number_id: str, body: dict[str, Any], props: dict[str, Any]) -> Any:
    """The number with the configured status, set through the status operation when it differs."""
    if body.get("status") == props.get("status"):
        return body
    return client.update_status(number_id, props["status"])


def with_profile(client: LiveAgentClient, props: dict[str, Any]) -> dict[str, Any]:
    """The inputs of a new number with its SIP profile filled in: copied from the `profile_from` number (made
    in the admin panel), with the explicit values over them."""
    copied: dict[str, Any] = {}
    source = props.get("profile_from")
    if source:
        found = find_number(client, source)
        if found is None:
            raise LiveAgentApiError(404, no_profile_message(source), "GET", client.settings.api_base)
        for name in PROFILE:
            api = SCHEMA.by_name[name].api or name
            if found.get(api) not in (None, ""):
                copied[name] = found[api]
    return {**props, **copied, **{name: props[name] for name in PROFILE if props.get(name) is not None}}


def no_profile_message(number: str) -> str:
    """The error for a `profileFrom` number that LiveAgent does not have."""
    return (
        f"no LiveAgent number {number} to copy the SIP profile from (twilio-liveagent:liveagentNumber.profileFrom): "
        "make one in the admin panel (Configuration › Call › Numbers › SIP → Twilio) first, or set providerId, "
        "hostSettings and port there instead"
    )


def put_with_prefix(client: LiveAgentClient, number_id: str, current: dict[str, Any], props: dict[str, Any]) -> Any:
    """PUT the number with its configured prefix, freeing the prefix first; numbers of this stack trading
    prefixes update at the same time, so a clash is looked at again, a few times, before it is an error."""
    for attempt in range(4):
        if as_int(current.get("dial_out_prefix")) != as_int(props.get("dial_prefix")):
            free_prefix(client, props)
        try:
            return client.update_number(number_id, put_body(current, props))
        except LiveAgentApiError as error:
            if error.status not in (400, 409) or attempt == 3:
                raise
            current = client.get_number(number_id) or current


def _why_number_not_taken(client: LiveAgentClient, found: dict[str, Any], props: dict[str, Any]) -> str | None:
    """Why the LiveAgent number found with this E.164 may not be taken over (it differs and neither `adopt` is
    on), or None."""
    differences = SCHEMA.differences(observed(client, found), props)
    also = f" or on {props['number']} alone in twilio-liveagent:numbers"
    adopt = props.get(takeover.ADOPT)
    return takeover.why_not_taken(
        "LiveAgent number", props["number"], found["id"], differences, adopt, "LiveAgent", also
    )


class SipNumberProvider(ConfiguredProvider[LiveAgentClient]):
    api_name = "LiveAgent"
    account_is_identity = False

    def account(self) -> str:
        return f"account {self.settings().url.rstrip('/')}"

    def source(self) -> str:
        return f"{self.settings().source} and URL"

    def settings(self) -> LiveAgentSettings:
        return api_settings.in_plugin(api_settings.liveagent_settings)

    def new_client(self, settings: LiveAgentSettings) -> LiveAgentClient:
        return LiveAgentClient(settings)

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checked = SCHEMA.check(news)
        inputs, failures = checked.inputs, list(checked.failures or [])
        # Each step asks LiveAgent (read-only), so it runs only while the inputs have passed every check before it.
        for step in (self._check_department, self._check_new_number, self._check_prefix):
            if failures:
                break
            failures += step(olds, inputs)
        return CheckResult(inputs, failures)

    def _check_department(self, _olds: dict[str, Any], inputs: dict[str, Any]) -> list[CheckFailure]:
        """The department named in the config, resolved to its id (into `inputs`), so an unknown one fails at
        preview, before anything is written."""
        department = inputs.get("department_name")
        if not isinstance(department, str):
            return []
        try:
            departments = {d["name"]: d["department_id"] for d in self.client.departments()}
        except (LiveAgentApiError, MissingCredentials) as error:
            return [CheckFailure("department_name", f"could not list LiveAgent departments: {error}")]
        if department in departments:
            inputs["department_id"] = departments[department]
            return []
        names = ", ".join(sorted(departments)) or "none"
        return [
            CheckFailure(
                "department_name",
                f"no LiveAgent department is named {department!r}; set `department` of number "
                f"{inputs.get('number')} in the stack config (twilio-liveagent:numbers) to one that "
                f"exists: {names}",
            )
        ]

    def _check_new_number(self, olds: dict[str, Any], inputs: dict[str, Any]) -> list[CheckFailure]:
        """A new number: one that LiveAgent has already is refused here, at preview, or taken over (said in
        `inputs`); the number its SIP profile is copied from must exist."""
        if olds or not isinstance(inputs.get("number"), str):
            return []
        found = find_number(self.client, inputs["number"])
        found = found and still_there(self.client, found, inputs["number"])
        problem = _why_number_not_taken(self.client, found, inputs) if found else None
        if problem:
            return [CheckFailure("number", problem)]
        if found:
            inputs[takeover.TAKING_OVER] = takeover.taking_over(str(found["id"]))
        profile_from = inputs.get("profile_from")
        if isinstance(profile_from, str) and find_number(self.client, profile_from) is None:
            return [CheckFailure("profile_from", no_profile_message(profile_from))]
        return []

    def _check_prefix(self, olds: dict[str, Any], inputs: dict[str, Any]) -> list[CheckFailure]:
        """A prefix this number does not hold yet: held by a number of another stack or made by hand?"""
        prefix, number = inputs.get("dial_prefix"), inputs.get("number")
        if not isinstance(number, str) or not isinstance(prefix, int) or as_int(olds.get("dial_prefix")) == prefix:
            return []
        holder = prefix_holder(self.client, prefix, number)
        if holder is not None and not in_this_stack(holder, inputs):
            holder = prefix_holder(self.client, prefix, number, fresh=True)  # as it is now, before refusing
        if holder is not None and not in_this_stack(holder, inputs):
            return [CheckFailure("dial_prefix", prefix_taken_message(holder, inputs))]
        return []

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # Delete first on replace: the dial prefix must be free before the new number takes it.
        return SCHEMA.diff(olds, news, delete_before_replace=True)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client
        number = props["number"]
        # The run's listing answers the usual case (not there, prefix free) with no call of its own; what it
        # says is there is looked at again before anything is done about it (deleted by this run's replace).
        found = find_number(client, number)
        found = found and still_there(client, found, number)
        problem = _why_number_not_taken(client, found, props) if found else None
        if problem:
            raise takeover.AlreadyExists(problem)
        if found is None:
            if prefix_holder(client, as_int(props["dial_prefix"]), number) is not None:
                free_prefix(client, props)  # asks again, fresh, and moves a number of this stack aside
            form = new_number_form(with_profile(client, props))
            body = takeover.create_once(lambda: client.add_number(form), lambda: find_number(client, number, True))
        elif SCHEMA.differences(observed(client, found), props):
            body = put_with_prefix(client, str(found["id"]), found, props)
        else:
            body = found  # taken over as it is: nothing to write
        body = with_status(client, str(body["id"]), body, props)
        return CreateResult(body["id"], {**props, **observed(client, body)})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        client = self.client
        # One listing of the numbers on this stack's SIP host answers every number's read of this refresh; a
        # number not in it (its host edited by hand, or gone) is read on its own.
        body = numbers_on_host(client, props.get("host")).get(id_) or client.get_number(id_)
        if body is None and isinstance(props.get("number"), str):
            # Deleted and added again by hand: this stack's number, under a new id. The refresh takes the new
            # id, and the next `up` puts back any field that differs from the config.
            body = find_number(client, props["number"])
        if body is None:
            self.same_account(props)  # not another account's URL, where every number would look deleted
            return ReadResult(None, {})  # deleted in LiveAgent: the next up creates it again
        # `stack_numbers` was every number's own copy of the stack's numbers; the provider holds them now.
        outs = {**{k: v for k, v in props.items() if k != "stack_numbers"}, **observed(client, body)}
        inputs = {**SCHEMA.read_inputs(outs), "adopt": props.get("adopt", False)}
        return ReadResult(str(body["id"]), outs, inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client
        current = client.get_number(id_)
        if current is None:
            raise LiveAgentApiError(
                404,
                f"number {news['number']} (id {id_}) vanished during the update; run `pulumi up` again to recreate it",
                "PUT",
                client.settings.api_base,
            )
        body = with_status(client, id_, put_with_prefix(client, id_, current, news), news)
        return UpdateResult({**news, **observed(client, body)})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if not self.client.delete_number(id_):
            self.same_account(props)  # gone already, or the URL is another account's


class SipNumber(
    SchemaResource,
    module="liveagent",
    name="SipNumber",
    schema=SCHEMA,
    provider=SipNumberProvider,
    also_seeded=("department_id",),  # resolved from the department's name at preview (`check`)
):
    """A LiveAgent SIP number; `password` is secret in state and output."""

    number_id: pulumi.Output[str]
    dial_prefix_formatted: pulumi.Output[str]
