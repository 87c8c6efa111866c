"""The one SIP credential (username and password) in the credential list (step 2 of the guide)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, UpdateResult

from provider_kit import takeover
from provider_kit.schema import Field, Schema, SchemaResource
from stack import rules

from . import paths
from .base import TwilioProvider, is_unknown
from .errors import TwilioApiError

SCHEMA = Schema(
    Field("credential_list_sid", replaces=True),  # in the path, not the form
    Field("username", "Username", replaces=True, check=rules.username_problem),  # Twilio cannot rename one
    # Write-only: Twilio never returns it. State keeps it (encrypted) only among the inputs; the outputs hold a
    # salted digest of it instead, which `diff` compares.
    Field("password", "Password", response="", secret=True, compared=False, check=rules.password_problem),
    Field("sid", output_only=True),
    Field("password_salt", response="", secret=True, output_only=True),
    Field("password_digest", response="", secret=True, output_only=True),
    Field(takeover.ADOPT, default=False, compared=False),
)


def password_digest(salt: str, password: str) -> str:
    """What the outputs keep instead of the password: enough to notice our own change, nothing to recover it."""
    return hmac.new(salt.encode(), password.encode(), hashlib.sha256).hexdigest()


class CredentialProvider(TwilioProvider):
    """One username/password. The username is immutable (replace); the password is write-only."""

    def _path(self, list_sid: str, sid: str = "") -> tuple[str, str]:
        return paths.credentials(self.client.settings.account_sid, list_sid, sid)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return SCHEMA.check(news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        result = SCHEMA.diff(olds, news)
        password = news.get("password")
        salt = olds.get("password_salt") or ""
        if is_unknown(password) or password_digest(salt, password or "") != olds.get("password_digest"):
            result.changes = True
            result.detailed_diff["password"] = ("update", True)  # state keeps no password: the old input's
        return result

    def _outputs(self, props: dict[str, Any], body: dict[str, Any], salt: str) -> dict[str, Any]:
        outs = {key: value for key, value in props.items() if key != "password"}  # never the plain value
        outs.update(SCHEMA.from_api(body))
        outs.update({"password_salt": salt, "password_digest": password_digest(salt, props["password"])})
        return outs

    def _find(self, props: dict[str, Any]) -> dict[str, Any] | None:
        """The credential with this username in its list (None when the list itself is gone)."""
        service, path = self._path(props["credential_list_sid"])
        try:
            for found in self.client.paginate(service, path, "credentials"):
                if found.get("username") == props.get("username"):
                    return dict(found)
        except TwilioApiError as error:
            if not error.not_found:
                raise
        return None

    def create(self, props: dict[str, Any]) -> CreateResult:
        service, path = self._path(props["credential_list_sid"])

        def find() -> dict[str, Any] | None:
            return self._find(props)

        found = find()
        if found is not None:
            # Its password cannot be read back, so it cannot differ visibly: set the config's, and it is this one.
            form = SCHEMA.form_params(props, only=["password"])
            body = self.client.post(*self._path(props["credential_list_sid"], found["sid"]), form)
        else:  # found after a lost answer: made by that very request, with this password
            body = takeover.create_once(lambda: self.client.create(service, path, SCHEMA.form_params(props)), find)
        return CreateResult(body["sid"], self._outputs(props, body, secrets.token_hex(16)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        body = self.client.fetch_or_none(*self._path(props["credential_list_sid"], id_))
        if body is None:
            found = self._find(props)
            if found is None:
                return ReadResult(None, {})
            # Deleted and made again by hand: ours, under a new id, with a password we cannot know, so the
            # digest is cleared and the next `up` sets the config's password.
            return ReadResult(found["sid"], {**props, **SCHEMA.from_api(found), "password_digest": ""})
        # No inputs returned, so the engine keeps the old ones: they hold the password, which Twilio never
        # returns (returning inputs without it showed a "-password" change on every refresh). Drift of the
        # username or list still shows, because `diff` compares with these outputs.
        return ReadResult(id_, {**props, **SCHEMA.from_api(body)})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        form = SCHEMA.form_params(news, only=["password"])  # the only thing Twilio lets us change
        body = self.client.post(*self._path(news["credential_list_sid"], id_), form)
        return UpdateResult(self._outputs(news, body, secrets.token_hex(16)))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self.client.delete_if_exists(*self._path(props["credential_list_sid"], id_))


class Credential(SchemaResource, module="twilio", name="Credential", schema=SCHEMA, provider=CredentialProvider):
    sid: pulumi.Output[str]
    username: pulumi.Output[str]
