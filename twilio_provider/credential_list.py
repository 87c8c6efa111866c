"""A SIP credential list (API 2010-04-01) and the credentials in it (step 2 of the guide)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, ReadResult, Resource, UpdateResult

from .base import TwilioProvider, diff_result, is_unknown

USERNAME_RE = re.compile(r"^[A-Za-z0-9]{1,32}$")


def password_problems(password: str) -> list[str]:
    """Twilio's rule (12+ characters, mixed case, a digit) plus the guide's: no special characters."""
    problems = []
    if len(password) < 12:
        problems.append("at least 12 characters")
    if not re.search(r"[a-z]", password) or not re.search(r"[A-Z]", password):
        problems.append("upper- and lower-case letters")
    if not re.search(r"\d", password):
        problems.append("a digit")
    if not re.fullmatch(r"[A-Za-z0-9]*", password):
        problems.append("letters and digits only (no special characters such as @#$%)")
    return problems


def password_digest(salt: str, password: str) -> str:
    """What state keeps instead of the password: enough to notice our own change, nothing to recover it."""
    return hmac.new(salt.encode(), password.encode(), hashlib.sha256).hexdigest()


class CredentialListProvider(TwilioProvider):
    def _path(self, sid: str = "") -> str:
        account = self.client().account_path
        return f"{account}/SIP/CredentialLists/{sid}.json" if sid else f"{account}/SIP/CredentialLists.json"

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = []
        name = news.get("friendly_name")
        if not is_unknown(name) and (not isinstance(name, str) or not 1 <= len(name) <= 64):
            failures.append(CheckFailure("friendly_name", "must be 1 to 64 characters"))
        return CheckResult(news, failures)

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
        failures = []
        username = news.get("username")
        if not is_unknown(username) and (not isinstance(username, str) or not USERNAME_RE.match(username)):
            failures.append(CheckFailure("username", "must be 1 to 32 letters or digits (no special characters)"))
        password = news.get("password")
        if not is_unknown(password):
            problems = password_problems(password) if isinstance(password, str) else ["a string"]
            if problems:
                failures.append(CheckFailure("password", "needs " + ", ".join(problems)))
        return CheckResult(news, failures)

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
