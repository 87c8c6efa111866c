"""A SIP credential list (API 2010-04-01) and the credentials in it (step 2 of the guide)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, Resource, UpdateResult

import rules

from .base import TwilioProvider, check_failures, diff_result, is_unknown


def password_digest(salt: str, password: str) -> str:
    """What state keeps instead of the password: enough to notice our own change, nothing to recover it."""
    return hmac.new(salt.encode(), password.encode(), hashlib.sha256).hexdigest()


class CredentialListProvider(TwilioProvider):
    def _path(self, sid: str = "") -> str:
        account = self.client().account_path
        return f"{account}/SIP/CredentialLists/{sid}.json" if sid else f"{account}/SIP/CredentialLists.json"

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(news, check_failures(news, {"friendly_name": rules.friendly_name_problem}))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        return diff_result(olds, news, ("friendly_name",))

    def create(self, props: dict[str, Any]) -> CreateResult:
        body = self.client().post("api", self._path(), {"FriendlyName": props["friendly_name"]})
        return CreateResult(body["sid"], {**props, "sid": body["sid"], "friendly_name": body["friendly_name"]})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        body = self.client().fetch_or_none("api", self._path(id_))
        if body is None:
            return ReadResult(None, {})
        outs = {**props, "sid": body["sid"], "friendly_name": body["friendly_name"]}
        return ReadResult(id_, outs, {"friendly_name": body["friendly_name"]})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        body = self.client().post("api", self._path(id_), {"FriendlyName": news["friendly_name"]})
        return UpdateResult({**news, "sid": body["sid"], "friendly_name": body["friendly_name"]})

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        self.client().delete_if_exists("api", self._path(id_))


class CredentialListResource(Resource, module="twilio", name="CredentialList"):
    sid: pulumi.Output[str]
    friendly_name: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        super().__init__(CredentialListProvider(), name, {"sid": None, **props}, opts)


class CredentialProvider(TwilioProvider):
    """One username/password. The username is immutable (replace); the password is write-only."""

    def _path(self, list_sid: str, sid: str = "") -> str:
        base = f"{self.client().account_path}/SIP/CredentialLists/{list_sid}/Credentials"
        return f"{base}/{sid}.json" if sid else f"{base}.json"

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checks = {"username": rules.username_problem, "password": rules.password_problem}
        return CheckResult(news, check_failures(news, checks))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        result = diff_result(
            olds, news, ("credential_list_sid", "username"), replace_on=("credential_list_sid", "username")
        )
        password = news.get("password")
        salt = olds.get("password_salt") or ""
        if is_unknown(password) or password_digest(salt, password or "") != olds.get("password_digest"):
            result.changes = True
        return result

    def _outs(self, props: dict[str, Any], body: dict[str, Any], salt: str) -> dict[str, Any]:
        outs = {key: value for key, value in props.items() if key != "password"}  # never the plain value
        outs.update(
            {
                "sid": body["sid"],
                "username": body["username"],
                "credential_list_sid": body["credential_list_sid"],
                "password_salt": salt,
                "password_digest": password_digest(salt, props["password"]),
            }
        )
        return outs

    def create(self, props: dict[str, Any]) -> CreateResult:
        body = self.client().post(
            "api",
            self._path(props["credential_list_sid"]),
            {"Username": props["username"], "Password": props["password"]},
        )
        return CreateResult(body["sid"], self._outs(props, body, secrets.token_hex(16)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        body = self.client().fetch_or_none("api", self._path(props["credential_list_sid"], id_))
        if body is None:
            return ReadResult(None, {})
        outs = {**props, "sid": body["sid"], "username": body["username"]}
        return ReadResult(
            id_, outs, {"credential_list_sid": props["credential_list_sid"], "username": body["username"]}
        )

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        body = self.client().post("api", self._path(news["credential_list_sid"], id_), {"Password": news["password"]})
        return UpdateResult(self._outs(news, body, secrets.token_hex(16)))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self.client().delete_if_exists("api", self._path(props["credential_list_sid"], id_))


class Credential(Resource, module="twilio", name="Credential"):
    sid: pulumi.Output[str]
    username: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=["password", "password_digest", "password_salt"])
        )
        super().__init__(
            CredentialProvider(), name, {"sid": None, "password_digest": None, "password_salt": None, **props}, opts
        )
