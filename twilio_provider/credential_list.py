"""The SIP credential list (API 2010-04-01) that holds the termination credential (step 2 of the guide)."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, ReadResult, UpdateResult

from provider_kit import takeover
from provider_kit.schema import Field, Schema, SchemaResource
from stack import rules

from . import paths
from .base import TwilioProvider

SCHEMA = Schema(
    Field("friendly_name", "FriendlyName", check=rules.friendly_name_problem, config="list_name"),
    Field("sid", output_only=True),
    Field(takeover.ADOPT, default=False, compared=False),
    Field(takeover.TAKING_OVER, response="", default=None, compared=False),
    # The stack's trunk: a list with our name that another trunk uses is that setup's, not a leftover of ours.
    Field("trunk_sid", response="", default=None, compared=False),
)


class CredentialListProvider(TwilioProvider):
    def _path(self, sid: str = "") -> tuple[str, str]:
        return paths.credential_lists(self.client.settings.account_sid, sid)

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = SCHEMA.check(news)
        name = result.inputs.get("friendly_name")
        if not olds and not result.failures and isinstance(name, str):
            found = self._find(name)
            trunk_sid = result.inputs.get("trunk_sid")
            problem = self._why_list_not_taken(found, result.inputs) if found and isinstance(trunk_sid, str) else None
            if problem:
                result.failures.append(CheckFailure("friendly_name", problem))
            elif found:
                result.inputs[takeover.TAKING_OVER] = takeover.taking_over(found["sid"])
        return result

    def _why_list_not_taken(self, found: dict[str, Any], props: dict[str, Any]) -> str | None:
        """Why a list found by our name is not ours to take: another trunk uses it (unless adopt says share)."""
        if props.get(takeover.ADOPT):
            return None
        for trunk in self.client.paginate(*paths.trunks(), "trunks"):
            if trunk["sid"] == props.get("trunk_sid"):
                continue
            if self.client.fetch_or_none(*paths.trunk_credential_lists(trunk["sid"], found["sid"])):
                return (
                    f"credential list {props['friendly_name']!r} already exists in Twilio (id {found['sid']}) and "
                    f"trunk {trunk['sid']}, not this stack's, uses it: give credentials.listName another name in "
                    "the stack config, or set `adopt: true` to share that list (and its password) with it"
                )
        return None

    def _find(self, name: str) -> dict[str, Any] | None:
        service, path = self._path()
        for body in self.client.paginate(service, path, "credential_lists"):
            if body.get("friendly_name") == name:
                return dict(body)
        return None

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        return SCHEMA.diff(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        # Its name is its natural key and all it has: one found by that name is what this create would make.
        service, path = self._path()

        def find() -> dict[str, Any] | None:
            return self._find(props["friendly_name"])

        found = find()
        problem = self._why_list_not_taken(found, props) if found else None
        if problem:
            raise takeover.AlreadyExists(problem)
        body = found or takeover.create_once(lambda: self.client.create(service, path, SCHEMA.form_params(props)), find)
        return CreateResult(body["sid"], {**props, **SCHEMA.from_api(body)})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        body = self.client.fetch_or_none(*self._path(id_))
        if body is None and isinstance(props.get("friendly_name"), str):
            body = self._find(props["friendly_name"])  # deleted and made again by hand: ours, under a new id
            if body is not None and self._why_list_not_taken(body, {**props, takeover.ADOPT: False}):
                body = None  # another trunk's list of that name: ours is gone
        if body is None:
            return ReadResult(None, {})
        outs = {**props, **SCHEMA.from_api(body)}
        return ReadResult(body["sid"], outs, SCHEMA.read_inputs(outs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        body = self.client.post(*self._path(id_), SCHEMA.form_params(news))
        return UpdateResult({**news, **SCHEMA.from_api(body)})

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        self.client.delete_if_exists(*self._path(id_))


class CredentialList(
    SchemaResource, module="twilio", name="CredentialList", schema=SCHEMA, provider=CredentialListProvider
):
    sid: pulumi.Output[str]
    friendly_name: pulumi.Output[str]


# Stacks deployed before the credential had a module of its own refer to its provider here.
from .credential import CredentialProvider  # noqa: E402, F401
