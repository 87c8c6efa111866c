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
    Resource,
    UpdateResult,
)

from provider_kit import takeover
from provider_kit.base import ConfiguredProvider, MissingCredentials, stack_numbers
from provider_kit.diff import as_int
from provider_kit.schema import Field, Schema, form_value, optional
from stack import api_settings, rules

from .client import LiveAgentClient, LiveAgentSettings
from .errors import LiveAgentApiError, PageFull

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
    Field("status", "status", choices=rules.NUMBER_STATUSES, default="A", group="status"),
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
NUMBER_TYPE = "S"  # a SIP number (the admin panel's "SIP phone number")
PROFILE = tuple(f.name for f in SCHEMA.fields if f.group == "profile")
# Fields a response adds, and `status`, which a whole-object PUT does not change: none of them is sent back.
NOT_PUT = ("dial_out_prefix_formatted", "department", "status_message", "status")


def to_form(props: dict[str, Any]) -> dict[str, str]:
    return {"type": NUMBER_TYPE, **{name: form_value(value) for name, value in SCHEMA.api_values(props).items()}}


def merged(current: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    """The whole number for a PUT: what is there now, with only our managed fields replaced; the password
    from our inputs, so that nothing depends on GET echoing it."""
    return {**as_found(current), **SCHEMA.api_values(props, group=""), "type": NUMBER_TYPE}


def as_found(current: dict[str, Any]) -> dict[str, Any]:
    """A number as a PUT takes it back: without the fields a response adds, and without `status`."""
    return {k: v for k, v in current.items() if k not in NOT_PUT}


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
            raise LiveAgentApiError(404, profile_missing(source), "GET", client.settings.api_base)
        for name in PROFILE:
            api = SCHEMA.by_name[name].api or name
            if found.get(api) not in (None, ""):
                copied[name] = found[api]
    return {**props, **copied, **{name: props[name] for name in PROFILE if props.get(name) is not None}}


def profile_missing(number: str) -> str:
    return (
        f"no LiveAgent number {number} to copy the SIP profile from (twilio-liveagent:liveagentNumber.profileFrom): "
        "make one in the admin panel (Configuration › Call › Numbers › SIP → Twilio) first, or set providerId, "
        "hostSettings and port there instead"
    )


ACCOUNT_NUMBERS = ("account numbers",)


def account_numbers(client: LiveAgentClient) -> list[dict[str, Any]] | None:
    """Every number of the account from one listing that the lookups of a run share (a `lookups` snapshot:
    "absent" and "free" answers hold past our own writes; "present" and "held" are confirmed fresh before
    they are acted on), or None when one page cannot hold them (each lookup then asks on its own)."""

    def listing() -> list[dict[str, Any]] | None:
        try:
            return client.find_numbers({})
        except PageFull:
            return None

    found: list[dict[str, Any]] | None = client.snapshots.get(ACCOUNT_NUMBERS, listing, lookups=True)
    return found


def _matching(client: LiveAgentClient, column: str, value: Any, fresh: bool) -> list[dict[str, Any]]:
    """Numbers to search for one with `column` = `value`: the run's listing of the account, or where one page
    cannot hold it, one filtered call that this run's lookups share the same way (a number's check and its
    create ask the same); `fresh`: one filtered call now. The caller compares each row itself."""
    listed = None if fresh else account_numbers(client)
    if listed is not None:
        return listed
    if fresh:
        return client.find_numbers({column: value})
    found: list[dict[str, Any]] = client.snapshots.get(
        (column, value), lambda: client.find_numbers({column: value}), lookups=True
    )
    return found


def prefix_holder(client: LiveAgentClient, prefix: int, own_number: str, fresh: bool = False) -> dict[str, Any] | None:
    """The other number that holds this dial prefix, if any; `fresh`: as it is now, not as last listed."""
    for found in _matching(client, "dial_out_prefix", prefix, fresh):
        if as_int(found.get("dial_out_prefix")) == prefix and not rules.same_number(found.get("number"), own_number):
            return found
    return None


def ours(holder: dict[str, Any], props: dict[str, Any]) -> bool:
    """Is the number holding a prefix one of this stack's (which may then be moved to a spare prefix)? The stack's
    numbers come with the provider's configuration, once for all; a number's state held them before."""
    numbers = stack_numbers() or props.get("stack_numbers") or []
    return any(rules.same_number(holder.get("number"), number) for number in numbers)


def held_elsewhere(holder: dict[str, Any], props: dict[str, Any]) -> str:
    return (
        f"dial prefix {as_int(props['dial_prefix'])} is held by LiveAgent number {holder.get('number')} (id "
        f"{holder.get('id')}, name {holder.get('name')!r}), which this stack does not manage. Give "
        f"{props['number']} another dialPrefix in the stack config (twilio-liveagent:numbers), or change that "
        "number's prefix in LiveAgent"
    )


def free_prefix(client: LiveAgentClient, props: dict[str, Any]) -> None:
    """Make the dial prefix this number wants free: a number of this stack that holds it (prefixes swapped,
    or given to another number in the config) moves to a spare prefix until its own update gives it its
    configured one, so a swap converges in one `up`; any other holder is an error naming it."""
    prefix = as_int(props["dial_prefix"])
    for _ in range(5):  # another number's update may take the spare prefix first: ask again
        holder = prefix_holder(client, prefix, props["number"], fresh=True)
        if holder is None:
            return
        if not ours(holder, props):
            raise LiveAgentApiError(409, held_elsewhere(holder, props), "PUT", client.settings.api_base)
        # As it is now, not as listed: its own update runs at the same time and may have moved it already.
        current = client.get_number(str(holder["id"]))
        # Moved where no config put it: the run's lookup listings would not know who holds the spare prefix.
        with client.snapshots.unsettled():
            spare = client.available_prefix()
            if current is None or as_int(current.get("dial_out_prefix")) != prefix or spare == prefix:
                continue  # it left the prefix meanwhile: look again
            # Its password too, in case GET does not echo it and the PUT would clear it: the numbers of a stack
            # share one termination credential, and its own update sends its password again anyway.
            password = current.get("password") or props.get("password")
            try:
                client.update_number(
                    str(holder["id"]), {**as_found(current), "dial_out_prefix": spare, "password": password}
                )
                return
            except LiveAgentApiError as error:
                if error.status not in (400, 409):
                    raise
    raise LiveAgentApiError(409, f"dial prefix {prefix} could not be freed", "PUT", client.settings.api_base)


def put_with_prefix(client: LiveAgentClient, number_id: str, current: dict[str, Any], props: dict[str, Any]) -> Any:
    """PUT the number with its configured prefix, freeing the prefix first; numbers of this stack trading
    prefixes update at the same time, so a clash is looked at again, a few times, before it is an error."""
    for attempt in range(4):
        if as_int(current.get("dial_out_prefix")) != as_int(props.get("dial_prefix")):
            free_prefix(client, props)
        try:
            return client.update_number(number_id, merged(current, props))
        except LiveAgentApiError as error:
            if error.status not in (400, 409) or attempt == 3:
                raise
            current = client.get_number(number_id) or current


def still_there(client: LiveAgentClient, listed: dict[str, Any], number: str) -> dict[str, Any] | None:
    """A number a listing showed, as it is now: read by its id (a filter may not match how it was typed), else
    (gone, or no longer this number) looked for afresh."""
    current = client.get_number(str(listed["id"]))
    if current is not None and rules.same_number(current.get("number"), number):
        return current
    return find_number(client, number, fresh=True)


def find_number(client: LiveAgentClient, number: str, fresh: bool = False) -> dict[str, Any] | None:
    """The LiveAgent number with exactly this E.164 (a filter's first hit could be another number); `fresh`:
    as it is now, not as the run's listing has it."""
    for found in _matching(client, "number", number, fresh):
        if rules.same_number(found.get("number"), number):
            return found
    return None


def _on_host(client: LiveAgentClient, host: Any) -> dict[str, dict[str, Any]]:
    """The SIP numbers on `host` by id, from one page; empty when that page cannot hold them all."""
    if not isinstance(host, str) or not host:
        return {}

    def listing() -> dict[str, dict[str, Any]]:
        try:
            return {str(n["id"]): n for n in client.find_numbers({"host": host, "type": NUMBER_TYPE})}
        except PageFull:
            return {}  # more numbers than a page: each read asks for its own

    found: dict[str, dict[str, Any]] = client.snapshots.get(("numbers on host", host), listing)
    return found


def _refusal(client: LiveAgentClient, found: dict[str, Any], props: dict[str, Any]) -> str | None:
    differences = SCHEMA.differences(observed(client, found), props)
    also = f" or on {props['number']} alone in twilio-liveagent:numbers"
    adopt = props.get(takeover.ADOPT)
    return takeover.problem("LiveAgent number", props["number"], found["id"], differences, adopt, "LiveAgent", also)


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
        department = inputs.get("department_name")
        if isinstance(department, str) and not failures:
            # A read-only lookup, so an unknown department fails at preview, before anything is written.
            try:
                departments = {d["name"]: d["department_id"] for d in self.client.departments()}
            except (LiveAgentApiError, MissingCredentials) as error:
                failures.append(CheckFailure("department_name", f"could not list LiveAgent departments: {error}"))
            else:
                if department in departments:
                    inputs["department_id"] = departments[department]
                else:
                    names = ", ".join(sorted(departments)) or "none"
                    failures.append(
                        CheckFailure(
                            "department_name",
                            f"no LiveAgent department is named {department!r}; set `department` of number "
                            f"{inputs.get('number')} in the stack config (twilio-liveagent:numbers) to one that "
                            f"exists: {names}",
                        )
                    )
        if not olds and not failures and isinstance(inputs.get("number"), str):
            # A new number: one that LiveAgent has already is refused here, at preview, or taken over.
            found = find_number(self.client, inputs["number"])
            found = found and still_there(self.client, found, inputs["number"])
            problem = _refusal(self.client, found, inputs) if found else None
            if problem:
                failures.append(CheckFailure("number", problem))
            elif found:
                inputs[takeover.TAKING_OVER] = takeover.taking_over(str(found["id"]))
            profile_from = inputs.get("profile_from")
            if not failures and isinstance(profile_from, str) and find_number(self.client, profile_from) is None:
                failures.append(CheckFailure("profile_from", profile_missing(profile_from)))
        prefix = inputs.get("dial_prefix")
        number = inputs.get("number")
        if (
            not failures
            and isinstance(number, str)
            and isinstance(prefix, int)
            and as_int(olds.get("dial_prefix")) != prefix
        ):
            # A prefix this number does not hold yet: held by a number of another stack or made by hand?
            holder = prefix_holder(self.client, prefix, number)
            if holder is not None and not ours(holder, inputs):
                holder = prefix_holder(self.client, prefix, number, fresh=True)  # as it is now, before refusing
            if holder is not None and not ours(holder, inputs):
                failures.append(CheckFailure("dial_prefix", held_elsewhere(holder, inputs)))
        return CheckResult(inputs, failures)

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
        problem = _refusal(client, found, props) if found else None
        if problem:
            raise takeover.AlreadyExists(problem)
        if found is None:
            if prefix_holder(client, as_int(props["dial_prefix"]), number) is not None:
                free_prefix(client, props)  # asks again, fresh, and moves a number of this stack aside
            form = to_form(with_profile(client, props))
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
        body = _on_host(client, props.get("host")).get(id_) or client.get_number(id_)
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


class SipNumber(Resource, module="liveagent", name="SipNumber"):
    """A LiveAgent SIP number; `password` is secret in state and output."""

    number_id: pulumi.Output[str]
    dial_prefix_formatted: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=SCHEMA.secrets))
        seeded = {"number_id": None, "dial_prefix_formatted": None, "department_id": None, "type": None}
        super().__init__(SipNumberProvider(), name, {**seeded, **props}, opts)
