"""The LiveAgent SIP phone number (step 5 of the guide): a `type: S` number routed over the trunk."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

import rules
from provider_diff import as_int, check_failures, diff_result

from .client import LiveAgentClient
from .errors import LiveAgentApiError
from .settings import MissingCredentials, read_settings

DEFAULTS: dict[str, Any] = {"status": "A", "record_in_call": False, "record_out_call": False, "adopt": False}
# Our property -> the PhoneNumber field it manages. Everything else on the number is left as it is.
MANAGED = {
    "name": "name",
    "number": "number",
    "department_id": "departmentid",
    "dial_prefix": "dial_out_prefix",
    "host": "host",
    "username": "user",
    "password": "password",
    "status": "status",
    "record_in_call": "record_in_call",
    "record_out_call": "record_out_call",
}
FIELDS = (
    "name",
    "number",
    "department_name",
    "department_id",
    "dial_prefix",
    "host",
    "username",
    "password",
    "status",
    "record_in_call",
    "record_out_call",
)


def from_api(body: dict[str, Any]) -> dict[str, Any]:
    department = body.get("department") or {}
    live = {
        "number_id": body["id"],
        "name": body.get("name"),
        "number": body.get("number"),
        "department_id": body.get("departmentid"),
        "department_name": department.get("name"),
        "dial_prefix": body.get("dial_out_prefix"),
        "dial_prefix_formatted": body.get("dial_out_prefix_formatted"),
        "host": body.get("host"),
        "username": body.get("user"),
        "status": body.get("status"),
        "record_in_call": bool(body.get("record_in_call")),
        "record_out_call": bool(body.get("record_out_call")),
        "type": body.get("type"),
    }
    # Whether LiveAgent echoes the SIP password is not documented: when it does not, state keeps ours.
    if "password" in body:
        live["password"] = body["password"]
    return live


def to_form(props: dict[str, Any]) -> dict[str, str]:
    form = {"type": "S"}
    for prop, field in MANAGED.items():
        value = as_int(props.get(prop))
        if value is None:
            continue
        form[field] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return form


def merged(current: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    """The whole number for a PUT: what is there now, with only our managed fields replaced."""
    number = {
        k: v for k, v in current.items() if k not in ("dial_out_prefix_formatted", "department", "status_message")
    }
    for prop, field in MANAGED.items():
        if props.get(prop) is not None:
            number[field] = as_int(props[prop])
    number["type"] = "S"
    return number


class SipNumberProvider(ResourceProvider):
    """Credentials come from `configure`; nothing on the instance is pickled into state."""

    _config: Any = None

    def configure(self, req: ConfigureRequest) -> None:
        self._config = req.config

    def client(self) -> LiveAgentClient:
        return LiveAgentClient(read_settings(self._config))

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = {**DEFAULTS, **{k: as_int(v) for k, v in news.items() if v is not None}}
        checks = {
            "number": rules.e164_problem,
            "dial_prefix": rules.dial_prefix_problem,
            "status": rules.one_of(rules.NUMBER_STATUSES),
        }
        failures = check_failures(inputs, checks)
        department = inputs.get("department_name")
        if isinstance(department, str) and not failures:
            # A read-only lookup, so an unknown department fails at preview, before anything is written.
            try:
                departments = {d["name"]: d["department_id"] for d in self.client().departments()}
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
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # Delete first on replace: the dial prefix must be free before the new number takes it.
        return diff_result(olds, news, FIELDS, replace_on=("number",), delete_before_replace=True)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        existing = client.find_numbers({"number": props["number"]})
        if existing:
            found = existing[0]
            if not props.get("adopt"):
                raise LiveAgentApiError(
                    409,
                    (
                        f"LiveAgent already has number {props['number']} (id {found['id']}, name "
                        f"{found.get('name')!r}) and this stack did not create it. To manage it from this stack, set "
                        "`adopt: true` on that number in the stack config and run `pulumi up` again; or delete it in "
                        "LiveAgent first"
                    ),
                    "POST",
                    client.settings.api_base + "/phone_numbers",
                )
            body = client.update_number(found["id"], merged(found, props))
        else:
            body = client.add_number(to_form(props))
        return CreateResult(body["id"], {**props, **from_api(body)})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        body = self.client().get_number(id_)
        if body is None:
            return ReadResult(None, {})  # deleted in LiveAgent: the next up creates it again
        outs = {**props, **from_api(body)}
        inputs = {name: outs.get(name) for name in FIELDS}
        inputs["adopt"] = props.get("adopt", False)
        return ReadResult(id_, outs, inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client()
        current = client.get_number(id_)
        if current is None:
            raise LiveAgentApiError(
                404,
                f"number {news['number']} (id {id_}) vanished during the update; run `pulumi up` again to recreate it",
                "PUT",
                client.settings.api_base,
            )
        body = client.update_number(id_, merged(current, news))
        return UpdateResult({**news, **from_api(body)})

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        self.client().delete_number(id_)


class SipNumber(Resource, module="liveagent", name="SipNumber"):
    """A LiveAgent SIP number; `password` is secret in state and output."""

    number_id: pulumi.Output[str]
    dial_prefix_formatted: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["password"]))
        seeded = {"number_id": None, "dial_prefix_formatted": None, "department_id": None, "type": None}
        super().__init__(SipNumberProvider(), name, {**seeded, **props}, opts)
