"""Every citation of the API notes by section (`docs/twilio-api.md §4.4`, `liveagent-api.md §3 and §6`) names a
section those notes have. Fast: reads the repository's text files."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTES = {name: ROOT / "docs" / name for name in ("twilio-api.md", "liveagent-api.md")}
SKIPPED = {".git", "venv", ".tools", ".pulumi-state", ".sandbox", ".twilio-oai", "node_modules", "__pycache__"}
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".sh", ".txt", ""}
# The file's name, then one or more section numbers: "§2.4", "§3 and §6", "§2.4, §7".
CITATION = re.compile(r"((?:twilio|liveagent)-api\.md)`?\)?\s*((?:§\d+(?:\.\d+)*(?:\s*(?:,|and)\s*)?)+)")
HEADING = re.compile(r"^#{2,4} (\d+(?:\.\d+)*)\.? ", re.M)


def _sections(note: Path) -> set[str]:
    return set(HEADING.findall(note.read_text(encoding="utf-8")))


def _texts() -> list[Path]:
    found = []
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED]
        found += [Path(folder) / name for name in files if Path(name).suffix in SUFFIXES]
    return found


def test_the_api_notes_number_their_sections() -> None:
    for note in NOTES.values():
        sections = _sections(note)
        assert {"1", "2", "4"} <= sections, f"{note.name}: {sorted(sections)}"


def test_every_cited_section_exists() -> None:
    sections = {name: _sections(note) for name, note in NOTES.items()}
    cited = 0
    missing = []
    for path in _texts():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for match in CITATION.finditer(text):
            for number in re.findall(r"§(\d+(?:\.\d+)*)", match.group(2)):
                cited += 1
                if number not in sections[match.group(1)]:
                    line = text.count("\n", 0, match.start()) + 1
                    missing.append(f"{path.relative_to(ROOT)}:{line}: {match.group(1)} §{number}")
    assert cited >= 5, "the citations were not found: has the pattern changed?"
    assert not missing, "citations of sections the notes do not have:\n" + "\n".join(missing)
