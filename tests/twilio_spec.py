"""The Twilio contract: operations, declared parameters and response schemas of the paths this project uses.

It is `tests/contract/twilio.json`, derived from Twilio's official OpenAPI files by `tools/twilio_contract.py`
(docs/twilio-api.md §8): one pruned OpenAPI document per file, with the files' paths, operation ids and
schemas, and no prose. Twilio's own files are an optional extra, read when present (`official_documents()`,
for the fuzzer and the check that the script reproduces the contract): the folder `$TWILIO_OAI_DIR` names (the
files, or a checkout of twilio/twilio-oai), else a checkout in `.twilio-oai/` (git-ignored).
"""

from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from deploy.cli import PROJECT_DIR
from tools import twilio_contract

# Where each file's paths are served by the sandbox.
FILES = {"twilio_trunking_v1.json": "/trunking", "twilio_api_v2010.json": "/api", "twilio_voice_v1.json": "/voice"}
CONTRACT = PROJECT_DIR / "tests" / "contract" / "twilio.json"
DEFAULT_OAI_DIR = PROJECT_DIR / ".twilio-oai"
ABSENT = "Twilio's OpenAPI files not found (set TWILIO_OAI_DIR, or clone twilio/twilio-oai into .twilio-oai/)"


def official_dir() -> Path | None:
    """The folder of Twilio's own files when present; a TWILIO_OAI_DIR that holds none of them is a mistake."""
    configured = os.environ.get("TWILIO_OAI_DIR")
    folder = twilio_contract.files_folder(Path(configured) if configured else DEFAULT_OAI_DIR)
    assert folder or not configured, (
        f"TWILIO_OAI_DIR={configured} holds none of {', '.join(FILES)} (nor its spec/json/)"
    )
    return folder


@cache
def contract() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(CONTRACT.read_text(encoding="utf-8"))
    return loaded


def documents() -> dict[str, dict[str, Any]]:
    """The contract's documents, by the name of the file each was derived from."""
    found: dict[str, dict[str, Any]] = contract()["documents"]
    assert set(found) == set(FILES), f"{CONTRACT} holds {sorted(found)}, not {sorted(FILES)}"
    return found


@cache
def official_documents() -> dict[str, dict[str, Any]] | None:
    """Twilio's own files, whole, or None when absent."""
    folder = official_dir()
    if folder is None:
        return None
    return {name: json.loads((folder / name).read_text(encoding="utf-8")) for name in FILES}


def openapi_document(name: str) -> dict[str, Any]:
    """The contract's document for `name` as a whole OpenAPI 3.0 document: with the `info` and the response
    descriptions OpenAPI requires (the contract leaves out prose), and nothing else added."""
    document = copy.deepcopy(documents()[name])
    about = contract()["source"]["files"][name]
    document["info"] = {"title": about["info_title"], "version": about["info_version"]}
    for item in document["paths"].values():
        for method, operation in item.items():
            if method in twilio_contract.METHODS:
                for response in operation["responses"].values():
                    response.setdefault("description", "")
    return document


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str  # as in the spec, e.g. /v1/Trunks/{Sid}
    prefix: str  # the sandbox's path prefix for the spec's host
    document: str
    parameters: frozenset[str]  # query parameters and form fields the spec declares
    required: frozenset[str]
    statuses: frozenset[str]

    @property
    def regex(self) -> re.Pattern[str]:
        return re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(self.prefix + self.path)) + "$")


@cache
def operations() -> dict[str, Operation]:
    """Keyed by "<sandbox prefix> <operationId>": operation ids may repeat across the three files."""
    found = {}
    for name, document in documents().items():
        for path, methods in document["paths"].items():
            for method, operation in methods.items():
                if method not in ("get", "post", "delete", "put"):
                    continue
                params = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
                body = operation.get("requestBody", {}).get("content", {})
                form = body.get("application/x-www-form-urlencoded", {}).get("schema", {})
                params |= set(form.get("properties", {}))
                found[f"{FILES[name]} {operation['operationId']}"] = Operation(
                    operation["operationId"],
                    method.upper(),
                    path,
                    FILES[name],
                    name,
                    frozenset(params),
                    frozenset(form.get("required", [])),
                    frozenset(operation["responses"]),
                )
    return found


def operation_for(method: str, sandbox_path: str) -> Operation:
    for operation in operations().values():
        if operation.method == method and operation.regex.match(sandbox_path):
            return operation
    raise AssertionError(
        f"{method} {sandbox_path} is not an operation of the contract: if Twilio's files have its path, add it to "
        "USED_PATHS in tools/twilio_contract.py and regenerate"
    )


def _rfc2822(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return False
    return bool(re.fullmatch(r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}", value))


FORMATS = FormatChecker()
FORMATS.checks("date-time-rfc-2822")(_rfc2822)
FORMATS.checks("date-time")(
    lambda v: (
        not isinstance(v, str)
        or bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", v))
    )
)


def response_schema_pointer(operation: Operation, status: int) -> str:
    method = operation.method.lower()
    escaped = operation.path.replace("~", "~0").replace("/", "~1")
    return f"urn:{operation.document}#/paths/{escaped}/{method}/responses/{status}/content/application~1json/schema"


def validate_response(operation: Operation, status: int, body: Any) -> None:
    """The body must validate against the operation's schema for that status (OpenAPI 3.0 semantics)."""
    if status >= 400:  # the spec declares success bodies only; errors share Twilio's classic error body
        assert set(body) == {"code", "message", "more_info", "status"}, body
        assert isinstance(body["code"], int) and body["status"] == status and isinstance(body["message"], str)
        return
    assert str(status) in operation.statuses, f"{operation.operation_id} does not declare status {status}"
    registry: Registry = Registry()
    for name, document in documents().items():
        registry = registry.with_resource(f"urn:{name}", Resource.from_contents(document, DRAFT4))
    schema = {"$ref": response_schema_pointer(operation, status)}
    OAS30Validator(schema, registry=registry, format_checker=FORMATS).validate(body)
    # No invented fields: every key the emulator returns is one the schema declares.
    resolved = registry.resolver().lookup(response_schema_pointer(operation, status)).contents
    undeclared = _undeclared_keys(body, resolved, registry, operation.document)
    assert not undeclared, f"{operation.operation_id} returned fields its schema does not declare: {undeclared}"


def _resolve(schema: dict[str, Any], registry: Registry, document: str) -> dict[str, Any]:
    while "$ref" in schema:
        ref = schema["$ref"]
        schema = registry.resolver().lookup(f"urn:{document}{ref}" if ref.startswith("#") else ref).contents
    return schema


def _undeclared_keys(
    body: Any, schema: dict[str, Any], registry: Registry, document: str, where: str = ""
) -> list[str]:
    schema = _resolve(schema, registry, document)
    if not isinstance(body, dict) or "properties" not in schema:
        return []
    found = []
    for key, value in body.items():
        if key not in schema["properties"]:
            found.append(where + key)
            continue
        child = _resolve(schema["properties"][key], registry, document)
        if child.get("type") == "array" and isinstance(value, list):
            for index, item in enumerate(value):
                found += _undeclared_keys(item, child.get("items", {}), registry, document, f"{where}{key}[{index}].")
        elif isinstance(value, dict) and child.get("properties"):
            found += _undeclared_keys(value, child, registry, document, f"{where}{key}.")
    return found
