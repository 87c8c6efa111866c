"""The Twilio contract (tests/contract/twilio.json) is what tools/twilio_contract.py derives from Twilio's files.

Fast: no sandbox, no engine. The script's rules are checked on a small made-up file in every run; that it
reproduces the committed contract byte for byte is checked when Twilio's own files are present.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.twilio_spec import ABSENT, CONTRACT, FILES, contract, documents, official_dir
from tools import twilio_contract


def test_the_contract_names_its_source_and_holds_every_path_we_use() -> None:
    source = contract()["source"]
    assert source["repository"] == "https://github.com/twilio/twilio-oai"
    assert source["commit"], "the committed contract names the twilio-oai commit it was derived from"
    assert set(source["files"]) == set(FILES)
    assert all(len(about["sha256"]) == 64 for about in source["files"].values())
    assert "MIT License" in source["license"] and "Twilio" in source["license"]
    for name, paths in twilio_contract.USED_PATHS.items():
        assert sorted(documents()[name]["paths"]) == sorted(paths), name
    assert twilio_contract.render(contract()) == CONTRACT.read_text(encoding="utf-8"), "edited by hand: regenerate"


@pytest.mark.skipif(official_dir() is None, reason=f"{ABSENT}: the contract's regeneration is not checked")
def test_the_script_reproduces_the_committed_contract_from_twilios_files() -> None:
    folder = official_dir()
    assert folder is not None
    recorded = contract()["source"]
    for name, about in recorded["files"].items():
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert digest == about["sha256"], (
            f"{folder / name} is not the file the contract was derived from (twilio-oai {recorded['commit']}): "
            f"regenerate with python -m tools.twilio_contract --oai-dir {folder}"
        )
    assert twilio_contract.build(folder, recorded["commit"]) == CONTRACT.read_text(encoding="utf-8")
    assert twilio_contract.main(["--oai-dir", str(folder), "--commit", recorded["commit"], "--check"]) == 0


# -- the script's rules, on a made-up file ------------------------------------------------------------------

SID = {"type": "string", "minLength": 34, "maxLength": 34, "pattern": "^TK[0-9a-fA-F]{32}$", "description": "prose"}
LICENSE = "MIT License\n\nCopyright (C) 2023, Twilio, Inc. <help@twilio.com>\n"


def _made_up() -> dict[str, Any]:
    return {
        "openapi": "3.0.1",
        "info": {"title": "Twilio - Made up", "version": "1.0.0", "description": "prose"},
        "servers": [{"url": "https://trunking.twilio.com"}],
        "security": [{"accountSid_authToken": []}],
        "tags": [{"name": "TrunkingV1Trunk"}],
        "components": {
            "securitySchemes": {"accountSid_authToken": {"type": "http", "scheme": "basic", "description": "p"}},
            "schemas": {
                "thing": {
                    "type": "object",
                    "title": "Thing",
                    "x-twilio": {"pii": {"handling": "standard"}},
                    "properties": {
                        "sid": SID,
                        "description": {"type": "string", "nullable": True, "description": "a field so named"},
                        "mode": {"$ref": "#/components/schemas/thing_enum_mode"},
                    },
                },
                "thing_enum_mode": {"type": "string", "enum": ["on", "off"], "description": "prose"},
                "unused": {"type": "string"},
            },
        },
        "paths": {
            "/v1/Things/{Sid}": {
                "servers": [{"url": "https://trunking.twilio.com"}],
                "description": "prose",
                "x-twilio": {"pathType": "instance"},
                "post": {
                    "operationId": "UpdateThing",
                    "summary": "",
                    "description": "prose",
                    "tags": ["TrunkingV1Trunk"],
                    "parameters": [{"name": "Sid", "in": "path", "required": True, "schema": SID, "description": "p"}],
                    "requestBody": {
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "title": "UpdateThingRequest",
                                    "properties": {"Mode": {"$ref": "#/components/schemas/thing_enum_mode"}},
                                },
                                "examples": {"update": {"value": {"Mode": "on"}}},
                            }
                        }
                    },
                    "responses": {
                        "200": {
                            "description": "OK",
                            "headers": {"Access-Control-Allow-Origin": {"schema": {"type": "string"}}},
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/thing"},
                                    "examples": {"update": {"value": {"sid": "TK…"}}},
                                }
                            },
                        }
                    },
                    "security": [{"accountSid_authToken": []}],
                },
                "delete": {"operationId": "DeleteThing", "responses": {"204": {"description": "Deleted."}}},
            },
            "/v1/Others": {"get": {"operationId": "ListOther", "responses": {"200": {"description": "OK"}}}},
        },
    }


@pytest.fixture
def made_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with one made-up file and its LICENSE, the script told that `/v1/Things/{Sid}` is what we use."""
    monkeypatch.setattr(twilio_contract, "USED_PATHS", {"twilio_made_up.json": ("/v1/Things/{Sid}",)})
    folder = tmp_path / "oai" / "spec" / "json"
    folder.mkdir(parents=True)
    (folder / "twilio_made_up.json").write_text(json.dumps(_made_up()), encoding="utf-8")
    (tmp_path / "oai" / "LICENSE").write_text(LICENSE, encoding="utf-8")
    return tmp_path / "oai"


def test_the_script_keeps_the_facts_and_drops_the_prose(made_up: Path) -> None:
    derived = json.loads(twilio_contract.build(made_up, "abc1234"))
    document = derived["documents"]["twilio_made_up.json"]
    assert sorted(document) == ["components", "openapi", "paths", "security", "servers"]
    assert list(document["paths"]) == ["/v1/Things/{Sid}"], "only the paths we use"
    update = document["paths"]["/v1/Things/{Sid}"]["post"]
    assert sorted(update) == ["operationId", "parameters", "requestBody", "responses", "security"]
    sid = {"type": "string", "minLength": 34, "maxLength": 34, "pattern": "^TK[0-9a-fA-F]{32}$"}
    assert update["parameters"] == [{"name": "Sid", "in": "path", "required": True, "schema": sid}]
    form = update["requestBody"]["content"]["application/x-www-form-urlencoded"]
    assert form["examples"] == {"update": {"value": {"Mode": "on"}}}, "the fuzzer's explicit cases stay"
    assert form["schema"] == {
        "type": "object",
        "properties": {"Mode": {"$ref": "#/components/schemas/thing_enum_mode"}},
    }
    assert update["responses"] == {
        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/thing"}}}}
    }
    assert document["paths"]["/v1/Things/{Sid}"]["delete"] == {"operationId": "DeleteThing", "responses": {"204": {}}}
    schemas = document["components"]["schemas"]
    assert sorted(schemas) == ["thing", "thing_enum_mode"], "what the operations reference, and nothing else"
    assert schemas["thing"] == {
        "type": "object",
        "properties": {
            "sid": sid,
            "description": {"type": "string", "nullable": True},
            "mode": {"$ref": "#/components/schemas/thing_enum_mode"},
        },
    }
    assert schemas["thing_enum_mode"] == {"type": "string", "enum": ["on", "off"]}
    assert document["components"]["securitySchemes"] == {"accountSid_authToken": {"type": "http", "scheme": "basic"}}
    source = derived["source"]
    assert source["commit"] == "abc1234" and source["license"] == LICENSE and "commit_note" not in source
    assert source["files"]["twilio_made_up.json"]["info_version"] == "1.0.0"


def test_the_same_files_give_the_same_bytes_wherever_they_are(made_up: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "copy"
    shutil.copytree(made_up, elsewhere)
    first = twilio_contract.build(made_up, "abc1234")
    assert twilio_contract.build(made_up, "abc1234") == first
    assert twilio_contract.build(elsewhere / "spec" / "json", "abc1234") == first, "a checkout, or its spec/json"
    assert first == twilio_contract.render(json.loads(first)), "sorted keys, so a hand edit shows"


def test_without_a_commit_the_contract_says_it_is_not_known(made_up: Path) -> None:
    source = json.loads(twilio_contract.build(made_up))["source"]
    assert source["commit"] is None and "sha256" in source["commit_note"]


def test_a_checkout_records_its_commit_and_refuses_changed_files(made_up: Path) -> None:
    outer = ["git", "-C", str(made_up.parent), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*outer, "init", "-q"], check=True)
    subprocess.run([*outer, "commit", "-q", "--allow-empty", "-m", "another project"], check=True)
    assert json.loads(twilio_contract.build(made_up))["source"]["commit"] is None, "files the repository does not track"
    git = ["git", "-C", str(made_up), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "files"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    assert json.loads(twilio_contract.build(made_up))["source"]["commit"] == head
    assert json.loads(twilio_contract.build(made_up, head[:7]))["source"]["commit"] == head[:7], "as spelled"
    with pytest.raises(twilio_contract.ContractError, match="not of --commit"):
        twilio_contract.build(made_up, "0000000")
    changed = made_up / "spec" / "json" / "twilio_made_up.json"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(twilio_contract.ContractError, match="differ from commit"):
        twilio_contract.build(made_up)


def test_a_path_twilio_no_longer_has_is_named(made_up: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(twilio_contract, "USED_PATHS", {"twilio_made_up.json": ("/v1/Things/{Sid}", "/v1/Gone")})
    with pytest.raises(twilio_contract.ContractError, match="/v1/Gone"):
        twilio_contract.build(made_up)
    assert twilio_contract.main(["--oai-dir", str(made_up / "nowhere")]) == 2
