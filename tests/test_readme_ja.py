"""The docs are kept in step: README.md and README.ja.md, and each page of docs/ and its Japanese twin
(`docs/engine.md` and `docs/engine.ja.md`), name the same config keys and the same commands, carry the same code
blocks and as many sections, and link to each other; every config key they name exists in the project (Pulumi.yaml or
the pydantic models); every relative link of every README and docs page reaches a file (and a heading, for a
`#fragment`); each README links every page of its language; the Layout table names every top-level entry.

Fast: reads the Markdown files and introspects `stack_config`/`api_settings`; no engine, no sandbox.
"""

from __future__ import annotations

import functools
import re
import shlex
import subprocess
import types
import typing
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
import yaml
from pydantic import BaseModel

from stack import api_settings
from stack import config as stack_config

ROOT = Path(__file__).resolve().parent.parent
EN = ROOT / "README.md"
JA = ROOT / "README.ja.md"
DOCS = ROOT / "docs"
# The API notes are in English only: the facts the code cites by section (tests/test_docs_citations.py).
ENGLISH_ONLY = {DOCS / "twilio-api.md", DOCS / "liveagent-api.md"}
LAYOUT = DOCS / "layout.md", DOCS / "layout.ja.md"


def _twin(page: Path) -> Path:
    """docs/engine.md -> docs/engine.ja.md."""
    return page.with_name(page.name.removesuffix(".md") + ".ja.md")


GUIDE_PAGES = sorted(
    path for path in DOCS.glob("*.md") if not path.name.endswith(".ja.md") and path not in ENGLISH_ONLY
)
PAIRS = [(EN, JA), *((page, _twin(page)) for page in GUIDE_PAGES)]
MARKDOWN = sorted({EN, JA, *DOCS.glob("*.md")})

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


# ------------------------------------------------------------------ links and headings


# An inline link or image: [text](target) or [text](target "title"); the text may hold one level of brackets.
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)


def _links(text: str) -> list[str]:
    """Link targets outside fenced blocks and code spans."""
    prose = SPAN.sub(lambda match: "\0" * len(match.group(0)), _text_outside_fences(text))
    return [match.group(1) for match in LINK.finditer(prose)]


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped (letters of any script stay), spaces to '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    kept = "".join(ch for ch in text if ch in "-_ " or unicodedata.category(ch)[0] in "LMN")
    return kept.replace(" ", "-")


@functools.cache
def _anchors(path: Path) -> frozenset[str]:
    seen: dict[str, int] = {}
    anchors = set()
    for match in HEADING.finditer(_text_outside_fences(path.read_text(encoding="utf-8"))):
        slug = _slug(match.group(2))
        anchors.add(f"{slug}-{seen[slug]}" if slug in seen else slug)
        seen[slug] = seen.get(slug, 0) + 1
    return frozenset(anchors)


def link_problem(page: Path, target: str) -> str | None:
    """Why a link of `page` does not resolve, or None (links to other sites are not followed)."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("//"):
        return None
    path_part, _, fragment = target.partition("#")
    destination = (page.parent / unquote(path_part)).resolve() if path_part else page
    if not destination.exists():
        return f"{target}: no file {destination.relative_to(ROOT) if destination.is_relative_to(ROOT) else destination}"
    if not destination.is_relative_to(ROOT):
        return f"{target}: outside the repository"
    if fragment and destination.suffix == ".md" and unquote(fragment) not in _anchors(destination):
        return f"{target}: {destination.name} has no heading with the anchor #{unquote(fragment)}"
    return None


def _headings(text: str) -> list[str]:
    return [match.group(0) for match in HEADING.finditer(_text_outside_fences(text))]


# ------------------------------------------------------------------ the tests


def _pair_id(pair: tuple[Path, Path]) -> str:
    return pair[0].relative_to(ROOT).as_posix()


def _difference(what: str, pair: tuple[Path, Path], en: set[str], ja: set[str]) -> str:
    english, japanese = (path.relative_to(ROOT).as_posix() for path in pair)
    lines = [f"{english} and {japanese} name different {what}:"]
    if en - ja:
        lines.append(f"  {english} has, {japanese} lacks:\n    " + "\n    ".join(sorted(en - ja)))
    if ja - en:
        lines.append(f"  {japanese} has, {english} lacks:\n    " + "\n    ".join(sorted(ja - en)))
    return "\n".join(lines)


@pytest.fixture(scope="module")
def texts() -> tuple[str, str]:
    return EN.read_text(encoding="utf-8"), JA.read_text(encoding="utf-8")


@pytest.fixture(params=PAIRS, ids=_pair_id)
def pair(request: pytest.FixtureRequest) -> tuple[Path, Path]:
    english, japanese = request.param
    assert japanese.exists(), f"{english.relative_to(ROOT)} has no Japanese page {japanese.relative_to(ROOT)}"
    return english, japanese


def _read(pair: tuple[Path, Path]) -> tuple[str, str]:
    english, japanese = pair
    return english.read_text(encoding="utf-8"), japanese.read_text(encoding="utf-8")


def test_every_page_has_its_japanese_twin() -> None:
    """docs/ holds guide pages in pairs (the API notes, in English, apart); a page without its twin fails here."""
    assert len(GUIDE_PAGES) >= 10, "the guide pages were not found: have they moved?"
    japanese = {path for path in DOCS.glob("*.ja.md")}
    assert not {_twin(page) for page in GUIDE_PAGES} ^ japanese, (
        "docs/ pages without their other language: "
        + ", ".join(sorted(path.name for path in {_twin(page) for page in GUIDE_PAGES} ^ japanese))
    )


def test_same_config_keys(pair: tuple[Path, Path]) -> None:
    en, ja = (config_keys(text) for text in _read(pair))
    assert en == ja, _difference("config keys", pair, en, ja)


def test_same_commands(pair: tuple[Path, Path]) -> None:
    en, ja = (commands(text) for text in _read(pair))
    assert en == ja, _difference("commands", pair, en, ja)


def test_same_code_blocks(pair: tuple[Path, Path]) -> None:
    """Commands, config and the errors the tool prints stay in English, block for block."""
    en, ja = (_fences(text) for text in _read(pair))
    english, japanese = (path.name for path in pair)
    assert len(en) == len(ja), f"{english} has {len(en)} code blocks, {japanese} {len(ja)}"
    for index, (ours, theirs) in enumerate(zip(en, ja, strict=True)):
        assert ours == theirs, f"code block {index + 1} differs:\n--- {english}\n{ours[1]}--- {japanese}\n{theirs[1]}"


def test_same_sections(pair: tuple[Path, Path]) -> None:
    en, ja = (_headings(text) for text in _read(pair))
    levels = ([heading.split(" ", 1)[0] for heading in headings] for headings in (en, ja))
    assert next(levels) == next(levels), f"{pair[0].name} and {pair[1].name} have different sections:\n" + "\n".join(
        f"{a!r:60} {b!r}" for a, b in zip(en + [""] * len(ja), ja + [""] * len(en), strict=False) if a or b
    )


def test_each_links_to_the_other(pair: tuple[Path, Path]) -> None:
    english, japanese = pair
    en, ja = _read(pair)
    assert f"({japanese.name})" in "\n".join(en.splitlines()[:5]), f"{english.name} links to {japanese.name} at the top"
    assert f"({english.name})" in "\n".join(ja.splitlines()[:5]), f"{japanese.name} links to {english.name} at the top"


@pytest.mark.parametrize("page", MARKDOWN, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page: Path) -> None:
    problems = [
        problem for target in _links(page.read_text(encoding="utf-8")) if (problem := link_problem(page, target))
    ]
    assert not problems, f"{page.relative_to(ROOT)} has links that lead nowhere:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize(
    ("readme", "pages"),
    [(EN, GUIDE_PAGES + sorted(ENGLISH_ONLY)), (JA, [_twin(page) for page in GUIDE_PAGES])],
    ids=["README.md", "README.ja.md"],
)
def test_each_readme_links_every_page_of_its_language(readme: Path, pages: list[Path]) -> None:
    """A reader of either README alone finds every page in their language."""
    linked = {
        (readme.parent / unquote(target.partition("#")[0])).resolve()
        for target in _links(readme.read_text(encoding="utf-8"))
    }
    missing = [page.relative_to(ROOT).as_posix() for page in pages if page.resolve() not in linked]
    assert not missing, f"{readme.name} does not link: {', '.join(missing)}"


@pytest.mark.parametrize("layout", LAYOUT, ids=lambda path: path.name)
def test_the_layout_names_every_top_level_entry(layout: Path) -> None:
    """One row per top-level entry of the repository (git ls-files), in both languages."""
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    entries = {name.split("/", 1)[0] for name in listed.splitlines()}
    first_cells = [
        line.split("|")[1] for line in layout.read_text(encoding="utf-8").splitlines() if line.startswith("| `")
    ]
    named = {span.split("/", 1)[0] for cell in first_cells for span in re.findall(r"`([^`]+)`", cell)}
    assert len(entries) > 10, entries
    assert not entries - named, f"{layout.name} lacks a row for: {', '.join(sorted(entries - named))}"
    assert not named - entries, (
        f"{layout.name} names what the repository does not have: {', '.join(sorted(named - entries))}"
    )


@pytest.mark.parametrize(
    "page", [path for pair in PAIRS for path in pair], ids=lambda path: path.relative_to(ROOT).as_posix()
)
def test_every_named_key_exists(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    keys = config_keys(text) | keys_in_commands(commands(text))
    problems = {key: problem for key in sorted(keys) if (problem := key_problem(key))}
    assert not problems, f"{page.relative_to(ROOT)} names config keys the project does not have:\n" + "\n".join(
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


def test_a_broken_link_is_caught() -> None:
    """Not vacuous: a moved page, a wrong anchor and a wrong folder are each reported; the pages' links are found."""
    page = DOCS / "drift.md"
    assert link_problem(page, "troubleshooting.md") is None
    assert link_problem(page, "../README.md#known-limits") is None
    anchor = "このフォルダーでの素の-pulumi"
    assert link_problem(DOCS / "state.ja.md", f"engine.ja.md#{anchor}") is None
    assert link_problem(DOCS / "state.ja.md", f"engine.ja.md#{quote(anchor)}") is None  # as a browser may write it
    assert link_problem(page, "troubleshoot.md")
    assert link_problem(page, "../README.md#known-limit")
    assert link_problem(page, "docs/faults.md")
    assert link_problem(page, "https://example.com/nowhere") is None  # other sites are not followed
    assert _slug("Plain `pulumi` in this folder") == "plain-pulumi-in-this-folder"
    assert _slug("Twilio エラー 21248：ターミネーションドメインが使用中、または保持期間中") == (
        "twilio-エラー-21248ターミネーションドメインが使用中または保持期間中"
    )
    assert "[x](y.md)" not in _links("`[x](y.md)`") and _links("[x](y.md) and ![i](img.png)") == ["y.md", "img.png"]
    assert sum(len(_links(path.read_text(encoding="utf-8"))) for path in MARKDOWN) > 50
