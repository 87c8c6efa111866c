"""Derives the Twilio contract in `tests/contract/twilio.json` from Twilio's official OpenAPI files.

The contract is what the tests hold the Twilio emulator and client to: for every path this project uses (the
client's `twilio_provider/paths.py` and the routes of `sandbox/twilio/`), each operation with its parameters,
request body and response schemas, and the component schemas those reference, as pruned OpenAPI 3.0 documents
(one per file) with the prose taken out. It names the upstream repository, the commit, and each file's
SHA-256, so that anyone can fetch the same files and regenerate it byte for byte:

    git clone https://github.com/twilio/twilio-oai .twilio-oai && git -C .twilio-oai checkout <commit>
    python -m tools.twilio_contract --oai-dir .twilio-oai --commit <commit>          # writes the contract
    python -m tools.twilio_contract --oai-dir .twilio-oai --commit <commit> --check  # exit 1 if it differs

`--oai-dir` is a checkout of twilio/twilio-oai (its `spec/json/` is read, its HEAD recorded) or a folder holding
the three files; `--commit` names the commit they were taken from (with a checkout it must match its HEAD, and
is recorded as written).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "contract" / "twilio.json"
REPOSITORY = "https://github.com/twilio/twilio-oai"
SPEC_FOLDER = "spec/json"  # where the files sit in a checkout of that repository

# Every path this project uses, per file, as the file spells it; every operation of each path is kept.
USED_PATHS: dict[str, tuple[str, ...]] = {
    "twilio_trunking_v1.json": (
        "/v1/Trunks",
        "/v1/Trunks/{Sid}",
        "/v1/Trunks/{TrunkSid}/Recording",
        "/v1/Trunks/{TrunkSid}/OriginationUrls",
        "/v1/Trunks/{TrunkSid}/OriginationUrls/{Sid}",
        "/v1/Trunks/{TrunkSid}/CredentialLists",
        "/v1/Trunks/{TrunkSid}/CredentialLists/{Sid}",
        "/v1/Trunks/{TrunkSid}/IpAccessControlLists",  # the emulator's only (the guide uses credentials)
        "/v1/Trunks/{TrunkSid}/IpAccessControlLists/{Sid}",
        "/v1/Trunks/{TrunkSid}/PhoneNumbers",
        "/v1/Trunks/{TrunkSid}/PhoneNumbers/{Sid}",
    ),
    "twilio_api_v2010.json": (
        "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{CredentialListSid}/Credentials.json",
        "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{CredentialListSid}/Credentials/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json",
        "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json",
    ),
    "twilio_voice_v1.json": (
        "/v1/DialingPermissions/Countries",  # the emulator's only, like the three below but one
        "/v1/DialingPermissions/Countries/{IsoCode}",
        "/v1/DialingPermissions/Countries/{IsoCode}/HighRiskSpecialPrefixes",
        "/v1/DialingPermissions/BulkCountryUpdates",
        "/v1/Settings",
    ),
}
METHODS = ("get", "post", "put", "patch", "delete")
# What an operation keeps: the rest is prose (description, summary), grouping (tags) or Twilio's generator hints.
OPERATION_KEYS = ("operationId", "deprecated", "parameters", "requestBody", "responses", "security")
# Prose in a schema or parameter; every `x-` extension (PII handling, generator hints) goes too.
PROSE = frozenset({"description", "summary", "title"})
KEPT = (
    "Per file: openapi, servers, security, the used paths' operations (operationId, parameters, requestBody, "
    "responses, security), and the components they reference. Parameters and request bodies keep their "
    "examples (the fuzzer draws its explicit cases from them); responses keep only their schemas. Dropped: "
    "descriptions, summaries, titles, tags, response headers and examples, and every x- extension."
)


class ContractError(Exception):
    """The official files are missing, incomplete or not what the contract expects; the message says which."""


def files_folder(oai_dir: Path) -> Path | None:
    """The folder holding the three files: `oai_dir` itself, or its `spec/json/` (a checkout); None if neither."""
    for folder in (oai_dir, oai_dir / SPEC_FOLDER):
        if all((folder / name).is_file() for name in USED_PATHS):
            return folder
    return None


def git_commit(folder: Path) -> str | None:
    """The commit of the checkout holding `folder`, or None when git does not track the files there (no git, or
    a copy inside some other repository, e.g. an untracked `.twilio-oai/` in this one). A checkout whose files
    differ from its commit names no commit truthfully: that is an error."""
    git = ["git", "-C", str(folder)]
    try:
        head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return None
    tracked = subprocess.run(
        [*git, "ls-files", "--error-unmatch", "--", *USED_PATHS], capture_output=True, text=True, check=False
    )
    if head.returncode != 0 or tracked.returncode != 0:
        return None
    changed = subprocess.run(
        [*git, "status", "--porcelain", "--", *USED_PATHS],
        capture_output=True,
        text=True,
        check=False,
    )
    if changed.stdout.strip():
        raise ContractError(f"{folder}: the files differ from commit {head.stdout.strip()}:\n{changed.stdout}")
    return head.stdout.strip()


def license_text(folder: Path) -> str:
    """twilio-oai's LICENSE (MIT): its notice travels with what is derived from the files."""
    for candidate in (folder, folder.parent, folder.parent.parent):
        found = candidate / "LICENSE"
        if found.is_file() and "Twilio" in found.read_text(encoding="utf-8"):
            return found.read_text(encoding="utf-8")
    raise ContractError(f"twilio-oai's LICENSE is not beside {folder} or above it (a checkout has it at its root)")


def _schema(node: Any) -> Any:
    """A JSON Schema without its prose; `properties` maps names (which may be "description") to schemas."""
    if isinstance(node, list):
        return [_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    kept: dict[str, Any] = {}
    for key, value in node.items():
        if key in PROSE or key.startswith("x-"):
            continue
        if key == "properties":
            kept[key] = {name: _schema(child) for name, child in value.items()}
        elif key in ("enum", "required", "default"):
            kept[key] = value  # values, not schemas
        else:
            kept[key] = _schema(value)
    return kept


def _without_prose(node: dict[str, Any], schema_keys: Iterable[str] = ("schema",)) -> dict[str, Any]:
    """A parameter or media type: prose and extensions dropped, its schema cleaned."""
    keys = set(schema_keys)
    return {
        key: _schema(value) if key in keys else value
        for key, value in node.items()
        if key not in PROSE and not key.startswith("x-")
    }


def _operation(operation: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {key: operation[key] for key in OPERATION_KEYS if key in operation}
    if "parameters" in kept:
        kept["parameters"] = [_without_prose(parameter) for parameter in kept["parameters"]]
    if "requestBody" in kept:
        body = _without_prose(kept["requestBody"], ())
        body["content"] = {media: _without_prose(value) for media, value in body["content"].items()}
        kept["requestBody"] = body
    kept["responses"] = {
        status: (
            {"content": {media: {"schema": _schema(value["schema"])} for media, value in response["content"].items()}}
            if "content" in response
            else {}
        )
        for status, response in kept["responses"].items()
    }
    return kept


def _references(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _references(value)
        return found
    if isinstance(node, list):
        return set().union(*(_references(item) for item in node)) if node else set()
    return set()


def derived_document(name: str, document: dict[str, Any]) -> dict[str, Any]:
    """What the contract holds of one file: the used paths and what they reference, without the prose."""
    paths: dict[str, Any] = {}
    for path in USED_PATHS[name]:
        item = document["paths"].get(path)
        if item is None:
            raise ContractError(f"{name} has no path {path}: Twilio moved or removed it; see USED_PATHS")
        paths[path] = {method: _operation(item[method]) for method in METHODS if method in item}
        if "parameters" in item:
            paths[path]["parameters"] = [_without_prose(parameter) for parameter in item["parameters"]]
    components: dict[str, dict[str, Any]] = {
        "securitySchemes": {
            scheme: _without_prose(value, ()) for scheme, value in document["components"]["securitySchemes"].items()
        }
    }
    pending, seen = sorted(_references(paths)), set()
    while pending:
        reference = pending.pop()
        if reference in seen:
            continue
        seen.add(reference)
        prefix, _, component = reference.partition("#/components/schemas/")
        if prefix or not component:
            raise ContractError(f"{name}: a reference this script does not follow: {reference}")
        schema = _schema(document["components"]["schemas"][component])
        components.setdefault("schemas", {})[component] = schema
        pending.extend(sorted(_references(schema) - seen))
    return {
        "openapi": document["openapi"],
        "servers": document["servers"],
        "security": document["security"],
        "components": components,
        "paths": paths,
    }


def derive(folder: Path, commit: str | None) -> dict[str, Any]:
    """The contract for the files in `folder`; `commit` names where they come from (None: not known)."""
    files: dict[str, Any] = {}
    documents: dict[str, Any] = {}
    for name in USED_PATHS:
        raw = (folder / name).read_bytes()
        document = json.loads(raw)
        files[name] = {
            "sha256": hashlib.sha256(raw).hexdigest(),
            "openapi": document["openapi"],
            "info_title": document["info"]["title"],
            "info_version": document["info"]["version"],
        }
        documents[name] = derived_document(name, document)
    source: dict[str, Any] = {
        "repository": REPOSITORY,
        "commit": commit,
        "path": SPEC_FOLDER,
        "files": files,
        "license": license_text(folder),
    }
    if commit is None:
        source["commit_note"] = (
            "not known: the files were not in a git checkout and no --commit was given; the files' sha256 "
            "and info_version identify them"
        )
    return {
        "about": (
            "Derived from Twilio's official OpenAPI files by tools/twilio_contract.py; do not edit. Regenerate: "
            "python -m tools.twilio_contract --oai-dir <checkout of twilio/twilio-oai> --commit <its commit> "
            "(docs/twilio-api.md §8)"
        ),
        "kept": KEPT,
        "source": source,
        "documents": documents,
    }


def render(contract: dict[str, Any]) -> str:
    """Deterministic text: sorted keys, two-space indents, one final newline."""
    return json.dumps(contract, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def build(oai_dir: Path, commit: str | None = None) -> str:
    folder = files_folder(oai_dir)
    if folder is None:
        raise ContractError(
            f"{oai_dir} holds none of the files {', '.join(USED_PATHS)} (neither in it nor in its {SPEC_FOLDER}/)"
        )
    found = git_commit(folder)
    if commit and found and not found.startswith(commit):
        raise ContractError(f"{folder} is a checkout of {found}, not of --commit {commit}")
    return render(derive(folder, commit or found))  # a --commit the checkout confirms is kept as spelled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.twilio_contract", description=__doc__.split("\n")[0])
    parser.add_argument("--oai-dir", type=Path, required=True, help="a checkout of twilio/twilio-oai, or its spec/json")
    parser.add_argument("--commit", help="the twilio-oai commit the files come from, when they are not in a checkout")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default: {OUTPUT.relative_to(ROOT)}")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the output would change")
    args = parser.parse_args(argv)
    try:
        text = build(args.oai_dir, args.commit)
    except ContractError as error:
        print(f"twilio_contract: {error}", file=sys.stderr)
        return 2
    current = args.output.read_text(encoding="utf-8") if args.output.is_file() else None
    if args.check:
        if current != text:
            print(f"{args.output} differs from what these files give: regenerate it without --check", file=sys.stderr)
            return 1
        print(f"{args.output} is what these files give")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"{args.output}: {'unchanged' if current == text else 'written'} ({len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
