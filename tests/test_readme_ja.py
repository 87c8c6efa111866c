"""README.md and README.ja.md are kept in step: they name the same config keys and the same commands, carry the
same code blocks, and every config key either names exists in the project (Pulumi.yaml or the pydantic models).

Fast: reads two files and introspects `stack_config`/`api_settings`; no engine, no sandbox.
"""

from __future__ import annotations

import functools
import re
import shlex
import subprocess
import types
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from stack import api_settings
from stack import config as stack_config

ROOT = Path(__file__).resolve().parent.parent
EN = ROOT / "README.md"
JA = ROOT / "README.ja.md"

PROJECT = stack_config.PROJECT  # twilio-liveagent
PROVIDER = api_settings.NAMESPACE  # pulumi-python
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.M | re.S)
# An inline code span: a run of backticks, then anything up to the same run (CommonMark).
SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
SEGMENT = r"[A-Za-z][A-Za-z0-9]*(?:\[\d*\])?"
KEY_PATH = rf"{SEGMENT}(?:\.{SEGMENT})*"
NAMESPACED_KEY = re.compile(rf"^(?:{re.escape(PROJECT)}|{re.escape(PROVIDER)}):{KEY_PATH}$")
# Without a namespace, a dotted or indexed path in lower camel case (`trunk.edge`, `numbers[].dialPrefix`).
PLAIN_KEY = re.compile(rf"^[a-z][A-Za-z0-9]*(?:\[\d*\])?(?:\.{SEGMENT})+$|^[a-z][A-Za-z0-9]*\[\d*\](?:\.{SEGMENT})*$")
ENV_VAR = re.compile(r"^([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:=\S*)?$")
NOT_KEYS = {
    "py",
    "yaml",
    "yml",
    "md",
    "txt",
    "json",
    "png",
    "sh",
    "toml",
    "bak",
    "attrs",
    "com",
    "jp",
    "io",
    "org",
    "net",
}
COMMAND = re.compile(r"^(?:[A-Z][A-Z0-9_]*=\S+\s+)*(?:make|pulumi)\s+\S")
CONFIG_COMMAND = re.compile(r"\bpulumi config (?:set|get|rm)\b(.*)")
OPTIONS_WITH_VALUE = {"--stack", "-s", "--type", "--config-file", "--cwd", "-C"}
SH_BLOCKS = {"sh", "bash", "shell", "console"}


def _text_outside_fences(text: str) -> str:
    return FENCE.sub("\n", text)


def _spans(text: str) -> list[str]:
    """Inline code spans outside fenced blocks, whitespace collapsed (a span may wrap onto the next line)."""
    return [" ".join(match.group(2).split()) for match in SPAN.finditer(_text_outside_fences(text))]


def _fences(text: str) -> list[tuple[str, str]]:
    return [(match.group(1).strip(), match.group(2)) for match in FENCE.finditer(text)]


def _strip_comment(line: str) -> str:
    """A shell line without its trailing `# comment` (a '#' after whitespace, outside quotes)."""
    quote = None
    for index, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index]
    return line


def _is_key(span: str) -> bool:
    if NAMESPACED_KEY.match(span):
        return True
    if PLAIN_KEY.match(span):
        return span.rsplit(".", 1)[-1] not in NOT_KEYS
    return span in _top_level_keys()


def config_keys(text: str) -> set[str]:
    """Config keys and environment variables named in backticks: `trunk.edge`, `numbers[].dialPrefix`,
    `pulumi-python:twilio.apiKey`, `adopt` (a top-level key alone), `TWILIO_API_KEY`."""
    keys = set()
    for span in _spans(text):
        env = ENV_VAR.match(span)
        if env:
            keys.add(env.group(1))
        elif _is_key(span):
            keys.add(span)
    return keys


def commands(text: str) -> set[str]:
    """Every line of the ```sh blocks (comments dropped) and every backticked `make …` / `pulumi …` command."""
    found = set()
    for info, body in _fences(text):
        if info in SH_BLOCKS:
            for line in body.splitlines():
                command = " ".join(_strip_comment(line).split())
                if command:
                    found.add(command)
    found.update(span for span in _spans(text) if COMMAND.match(span))
    return found


def keys_in_commands(found: set[str]) -> set[str]:
    """The key each `pulumi config set|get|rm` command names (placeholders such as `…` are not keys)."""
    keys = set()
    for command in found:
        match = CONFIG_COMMAND.search(command)
        if not match:
            continue
        try:
            words = shlex.split(match.group(1))
        except ValueError:
            words = match.group(1).split()
        skip = False
        for word in words:
            if skip:
                skip = False
            elif word in OPTIONS_WITH_VALUE:
                skip = True
            elif not word.startswith("-"):
                if NAMESPACED_KEY.match(word) or re.fullmatch(KEY_PATH, word):
                    keys.add(word)
                break
    return keys


# ------------------------------------------------------------------ what exists


@functools.cache
def _pulumi_yaml_config() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    return config


@functools.cache
def _top_level_keys() -> frozenset[str]:
    fields = {field.alias or name for name, field in stack_config.StackConfig.model_fields.items()}
    return frozenset(_pulumi_yaml_config()) | fields


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (`X`, `X | None`, `list[X]`), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            model = _model_of(arg)
            if model is not None:
                return model
    return None


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) is list:
        return True
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and any(
        _is_list(arg) for arg in typing.get_args(annotation)
    )


def _walk(model: type[BaseModel], path: list[str]) -> str | None:
    """Why `path` is not a key of `model`, or None."""
    segment, rest = path[0], path[1:]
    name, indexed = segment.split("[")[0], "[" in segment
    by_alias = {field.alias or field_name: field for field_name, field in model.model_fields.items()}
    field = by_alias.get(name)
    if field is None:
        return f"{name!r} is not a key of {model.__name__} (known: {', '.join(sorted(by_alias))})"
    if indexed and not _is_list(field.annotation):
        return f"{name!r} is not a list"
    if not rest:
        return None
    inner = _model_of(field.annotation)
    if inner is None:
        return f"{name!r} has no keys below it"
    return _walk(inner, rest)


def key_problem(key: str) -> str | None:
    """Why a config key or environment variable named in a README does not exist, or None."""
    env = ENV_VAR.match(key)
    if env:
        if env.group(1).startswith("PULUMI_"):
            return None  # the engine's own settings, documented by Pulumi
        return None if env.group(1) in _environment_names() else f"no file of the project reads {env.group(1)}"
    namespace, _, path = key.rpartition(":")
    segments = path.split(".")
    if namespace == PROVIDER:
        top = segments[0]
        if top not in api_settings.MODELS:
            return f"{PROVIDER}:{top} is not a provider setting (known: {', '.join(api_settings.MODELS)})"
        return None if len(segments) == 1 else _walk(api_settings.MODELS[top], segments[1:])
    if namespace not in ("", PROJECT):
        return f"unknown namespace {namespace!r}"
    if segments[0] in stack_config.MOVED and len(segments) == 1:
        return None  # the keys of earlier releases, which the README tells how to remove
    if len(segments) == 1 and "[" not in segments[0]:
        return None if segments[0] in _top_level_keys() else f"{segments[0]!r} is not in Pulumi.yaml's config"
    if segments[0].split("[")[0] not in _pulumi_yaml_config():
        return f"{segments[0]!r} is not in Pulumi.yaml's config"
    return _walk(stack_config.StackConfig, segments)


@functools.cache
def _environment_names() -> frozenset[str]:
    """Every upper-case name in the project's own files (not the READMEs, not this test): an environment
    variable the docs name must be read somewhere (api_settings, the Makefile, scripts, tests) or set by it."""
    names = set(api_settings.ENVIRONMENT)
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False).stdout
    for name in listed.splitlines():
        path = ROOT / name
        if path.suffix == ".md" or path == Path(__file__).resolve() or not path.is_file():
            continue
        if path.stat().st_size > 2_000_000:
            continue
        try:
            names.update(re.findall(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b", path.read_text()))
        except UnicodeDecodeError:
            continue
    return frozenset(names)


# ------------------------------------------------------------------ the tests


def _difference(what: str, en: set[str], ja: set[str]) -> str:
    lines = [f"README.md and README.ja.md name different {what}:"]
    if en - ja:
        lines.append("  README.md has, README.ja.md lacks:\n    " + "\n    ".join(sorted(en - ja)))
    if ja - en:
        lines.append("  README.ja.md has, README.md lacks:\n    " + "\n    ".join(sorted(ja - en)))
    return "\n".join(lines)


@pytest.fixture(scope="module")
def texts() -> tuple[str, str]:
    return EN.read_text(encoding="utf-8"), JA.read_text(encoding="utf-8")


def test_same_config_keys(texts: tuple[str, str]) -> None:
    en, ja = (config_keys(text) for text in texts)
    assert en == ja, _difference("config keys", en, ja)


def test_same_commands(texts: tuple[str, str]) -> None:
    en, ja = (commands(text) for text in texts)
    assert en == ja, _difference("commands", en, ja)


def test_same_code_blocks(texts: tuple[str, str]) -> None:
    """Commands, config and the errors the tool prints stay in English, block for block."""
    en, ja = (_fences(text) for text in texts)
    assert len(en) == len(ja), f"README.md has {len(en)} code blocks, README.ja.md {len(ja)}"
    for index, (ours, theirs) in enumerate(zip(en, ja, strict=True)):
        assert ours == theirs, f"code block {index + 1} differs:\n--- README.md\n{ours[1]}--- README.ja.md\n{theirs[1]}"


def test_same_sections(texts: tuple[str, str]) -> None:
    en, ja = ([line for line in text.splitlines() if re.match(r"#{2,3} ", line)] for text in texts)
    assert len(en) == len(ja), "the READMEs have a different number of sections:\n" + "\n".join(
        f"{a!r:60} {b!r}" for a, b in zip(en + [""] * len(ja), ja + [""] * len(en), strict=False) if a or b
    )


def test_each_links_to_the_other(texts: tuple[str, str]) -> None:
    en, ja = texts
    assert "(README.ja.md)" in "\n".join(en.splitlines()[:5]), "README.md links to README.ja.md at the top"
    assert "(README.md)" in "\n".join(ja.splitlines()[:5]), "README.ja.md links to README.md at the top"


@pytest.mark.parametrize("readme", [EN, JA], ids=lambda path: path.name)
def test_every_named_key_exists(readme: Path) -> None:
    text = readme.read_text(encoding="utf-8")
    keys = config_keys(text) | keys_in_commands(commands(text))
    problems = {key: problem for key in sorted(keys) if (problem := key_problem(key))}
    assert not problems, f"{readme.name} names config keys the project does not have:\n" + "\n".join(
        f"  {key}: {problem}" for key, problem in problems.items()
    )


def test_the_extraction_finds_what_it_must(texts: tuple[str, str]) -> None:
    """Not vacuous: both READMEs yield the keys and commands every reader needs."""
    for text in texts:
        keys, found = config_keys(text), commands(text)
        assert {"trunk.edge", "trunk.domainPrefix", "numbers[].dialPrefix", "pulumi-python:twilio.apiKey"} <= keys
        assert {"TWILIO_API_KEY", "LIVEAGENT_API_KEY", "adopt"} <= keys
        assert {"make demo", "make test", "pulumi up --stack prod", "pulumi preview --diff --stack prod"} <= found
        assert "credentials.password" in keys_in_commands(found)


def test_drift_is_caught(texts: tuple[str, str]) -> None:
    """A key or command dropped from one README, or a key that does not exist, fails the comparison."""
    en, ja = texts
    dropped = ja.replace("`trunk.edge`", "`edge`")
    assert config_keys(en) - config_keys(dropped) == {"trunk.edge"}
    renamed = ja.replace("pulumi up --stack prod", "pulumi up --stack production")
    assert commands(en) ^ commands(renamed) >= {"pulumi up --stack prod", "pulumi up --stack production"}
    for bad in ("trunk.edgeName", "numbers[].dialprefix", "pulumi-python:twilio.token", "trunks.edge", "adopt[]"):
        assert key_problem(bad), bad
    assert key_problem("TWILIO_API_TOKEN")
    for good in ("trunk.recording.mode", "numbers[0].takeOver", "pulumi-python:liveagent.rateLimit.requests"):
        assert key_problem(good) is None, good
