"""`python -m deploy.preview_report PREVIEW_JSON [--stack NAME]`: the output of `pulumi preview --json` as
Markdown a reviewer can read in a pull request.

One row per resource that changes, named in the words of the setup guide (SIP trunk, credential list,
origination URL, Twilio number +81…, LiveAgent number +81…), its changed properties old → new;
replacements and deletions first; drift that the refresh found apart from changes of the config; secrets
never printed; unchanged resources counted; a failed preview shown with its error messages.

How drift is told from a config change, as the pinned engine (v3.274.1) writes `preview --refresh --json`:
a `refresh` step's `oldState` is the state of the last `up` (its `newState` is the same, not the live
values); the `update`/`replace` step that follows has the refreshed, live values in `oldState.inputs` and
the config's in `newState.inputs`. A property whose live value differs from the last `up`'s was changed
outside Pulumi; one whose config value differs from the last `up`'s is a change under review. A resource
that was refreshed and then is created was deleted outside Pulumi.

The exit status is 0 whatever the preview said (a CI step posts the Markdown and looks at the preview's own
exit status), and 0 for a file that is not a preview, which is rendered as such.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

SECRET = "[secret]"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's marker of a value known only after `up`
# Masked by name whatever the JSON says: a value under one of these is never printed.
SECRET_NAME = re.compile(r"password|secret|token|api_?key|salt|digest|credential_?value", re.IGNORECASE)

DYNAMIC = "pulumi-python:dynamic/"
REPLACING = ("replace", "create-replacement", "delete-replaced", "discard-replaced", "delete", "discard")
MAX_VALUE = 80


def _get(state: Mapping[str, Any] | None, key: str) -> Any:
    inputs = (state or {}).get("inputs") or {}
    outputs = (state or {}).get("outputs") or {}
    return inputs.get(key, outputs.get(key))


def _plain(value: Any) -> str:
    return "" if value is None or value == UNKNOWN else str(value)


def _countries(state: Mapping[str, Any] | None) -> str:
    countries = _get(state, "countries")
    return ", ".join(str(c) for c in countries) if isinstance(countries, list) and countries else ""


# The guide's word for each kind of resource, and the property that tells two of a kind apart.
KINDS: dict[str, Callable[[Mapping[str, Any] | None], str]] = {
    "twilio:Trunk": lambda s: f"SIP trunk {_plain(_get(s, 'domain_name'))}".strip(),
    "twilio:CredentialList": lambda s: f"credential list {_plain(_get(s, 'friendly_name'))}".strip(),
    "twilio:Credential": lambda s: f"credential {_plain(_get(s, 'username'))}".strip(),
    "twilio:TrunkCredentialList": lambda _s: "credential list on the trunk",
    "twilio:OriginationUrl": lambda s: f"origination URL {_plain(_get(s, 'sip_url'))}".strip(),
    "twilio:PhoneNumberAttachment": lambda s: f"Twilio number {_plain(_get(s, 'phone_number'))}".strip(),
    "twilio:DialingPermissions": lambda s: f"dialing permissions {_countries(s)}".strip(),
    "twilio:DialingBaseline": lambda s: f"dialing permissions before this stack {_countries(s)}".strip(),
    "liveagent:SipNumber": lambda s: f"LiveAgent number {_plain(_get(s, 'number'))}".strip(),
}
# Property names in the guide's words, where ours differ from them.
LABELS = {
    "domain_name": "termination SIP URI",
    "friendly_name": "friendly name",
    "secure": "Secure Trunking",
    "sip_url": "origination SIP URI",
    "disaster_recovery_url": "disaster recovery URL",
    "disaster_recovery_method": "disaster recovery method",
    "department_name": "department",
    "department_id": "department id",
    "dial_prefix": "dial prefix",
    "phone_number": "number",
    "credential_list_sid": "credential list",
    "trunk_sid": "trunk",
    "other_urls": "other origination URLs",
    "taking_over": "taking over",
}
# Inputs that only steer the provider: not worth a reviewer's line unless they change.
QUIET_ON_CREATE = frozenset({"adopt", "take_over", "keep_others", "baseline", "other_urls"})
NOISE_DIAGNOSTICS = ("Resource monitor has terminated",)


def kind_of(type_token: str) -> str:
    return type_token.removeprefix(DYNAMIC)


def resource_name(urn: str, state: Mapping[str, Any] | None) -> str:
    """The guide's name of a resource; without its state (a resource whose check failed has no step), the
    kind's word and, for a number, the E.164 that the program writes into its name (`n815012345678-…`)."""
    type_token = (state or {}).get("type") or urn.split("::")[-2].split("$")[-1]
    short = urn.rsplit("::", 1)[-1]
    namer = KINDS.get(kind_of(type_token))
    if namer is None:
        return f"{kind_of(type_token)} {short}"
    if state:
        return namer(state)
    number = re.match(r"n(\d{6,15})-", short)
    return f"{namer(None)} +{number.group(1)}" if number else namer(None)


def is_secret(name: str, value: Any) -> bool:
    return value == SECRET or bool(SECRET_NAME.search(name))


def show(name: str, value: Any) -> str:
    """One value as Markdown: secrets masked, unknowns said, long ones cut, table pipes escaped."""
    if is_secret(name, value):
        return SECRET
    if value == UNKNOWN:
        return "*(known after `up`)*"
    if value is None:
        return "*(none)*"
    if isinstance(value, list):
        text = ", ".join(json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v for v in value)
        text = text or "(none)"
    elif isinstance(value, dict):
        text = json.dumps({k: SECRET if is_secret(k, v) else v for k, v in value.items()}, ensure_ascii=False)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    if len(text) > MAX_VALUE:
        text = text[: MAX_VALUE - 1] + "…"
    return "`" + text.replace("`", "'").replace("|", "\\|").replace("\n", " ") + "`"


def label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " "))


def _inputs(state: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in ((state or {}).get("inputs") or {}).items() if not k.startswith("__")}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and a.is_integer():
        a = int(a)
    if isinstance(b, float) and b.is_integer():
        b = int(b)
    return bool(a == b)


def changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    return sorted(k for k in {*old, *new} if not _same(old.get(k), new.get(k)))


@dataclass
class Row:
    op: str
    name: str
    lines: list[str] = field(default_factory=list)


@dataclass
class Report:
    stack: str | None
    destructive: list[Row] = field(default_factory=list)
    drift: list[Row] = field(default_factory=list)
    config: list[Row] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _arrow(name: str, old: Any, new: Any, replaces: bool = False) -> str:
    forced = " *(forces replacement)*" if replaces else ""
    return f"{label(name)}: {show(name, old)} → {show(name, new)}{forced}"


def _diagnostic(diagnostic: Mapping[str, Any], names: Mapping[str, str]) -> str:
    message = str(diagnostic.get("message") or "").strip()
    message = re.sub(r"^(error|warning): ", "", message)
    urn = diagnostic.get("urn")
    if urn:
        # "pulumi-python:dynamic/liveagent:SipNumber resource 'n…-liveagent-number': …" → "LiveAgent number +81…: …"
        token, _, short = str(urn).rpartition("::")
        type_token = token.rpartition("::")[2].split("$")[-1]
        name = names.get(str(urn)) or resource_name(str(urn), None)
        message = message.replace(f"{type_token} resource '{short}'", name)
    return message


def build(preview: Mapping[str, Any], stack: str | None = None) -> Report:
    report = Report(stack)
    steps = [s for s in preview.get("steps") or [] if isinstance(s, Mapping)]
    last_up = {s["urn"]: s.get("oldState") for s in steps if s.get("op") == "refresh" and s.get("oldState")}
    names: dict[str, str] = {}
    seen_replace = {s["urn"] for s in steps if s.get("op") == "replace"}
    changing: set[str] = set()
    for step in steps:
        urn = str(step.get("urn"))
        names[urn] = resource_name(urn, step.get("newState") or step.get("oldState"))
        op = _row_op(step, seen_replace)
        if op is None:
            continue
        changing.add(urn)
        report.counts[op] = report.counts.get(op, 0) + 1
        _add_row(report, op, step, names[urn], last_up.get(urn))
    refreshed = {urn for urn in last_up if (last_up[urn] or {}).get("type", "").startswith(DYNAMIC)}
    if refreshed:
        report.unchanged = len(refreshed - changing)
    else:
        summary = preview.get("changeSummary") or {}
        report.unchanged = int(summary.get("same", 0))
    for diagnostic in preview.get("diagnostics") or []:
        severity = diagnostic.get("severity")
        message = _diagnostic(diagnostic, names)
        if not message or any(noise in message for noise in NOISE_DIAGNOSTICS):
            continue
        if severity == "error":
            report.errors.append(message)
        elif severity == "warning":
            report.warnings.append(message)
    return report


def _row_op(step: Mapping[str, Any], seen_replace: set[str]) -> str | None:
    """What a step's row says is done (the halves of a replacement as one `replace`), or None for no row."""
    op, urn = str(step.get("op")), str(step.get("urn"))
    type_token = str((step.get("newState") or step.get("oldState") or {}).get("type") or "")
    if op in ("same", "refresh", "read") or not type_token.startswith(DYNAMIC):
        return None  # the stack, its provider and the components group resources; their rows say nothing
    if op in ("create-replacement", "delete-replaced") and urn in seen_replace:
        return None
    return "replace" if op in ("create-replacement", "delete-replaced", "discard-replaced") else op


def _add_row(report: Report, op: str, step: Mapping[str, Any], name: str, last_up: Mapping[str, Any] | None) -> None:
    """The rows of one changing resource: `last_up` is its state after the last `up`, where a refresh read it."""
    old, new = step.get("oldState"), step.get("newState")
    type_token = str((new or old or {}).get("type") or "")
    live, wanted = _inputs(old), _inputs(new)
    if op in ("delete", "discard"):
        what = "detached from the trunk" if "PhoneNumberAttachment" in type_token else "deleted"
        report.destructive.append(Row(op, resource_name(str(step.get("urn")), old), [what]))
        return
    if op == "create" and last_up is not None:
        report.drift.append(Row("create", name, ["deleted outside Pulumi: `up` makes it again"]))
        return
    if op == "create":
        lines = [
            f"{label(k)}: {show(k, v)}"
            for k, v in sorted(wanted.items())
            if v not in (None, UNKNOWN, "", []) and not (k in QUIET_ON_CREATE and not v)
        ]
        report.config.append(Row("create", name, lines or ["new"]))
        return
    before = _inputs(last_up) if last_up is not None else live
    drifted = [k for k in changed(before, live) if k in live or k in before]
    drift_lines = [
        f"{label(k)}: {show(k, before.get(k))} → {show(k, live.get(k))} in the console; "
        f"`up` sets {show(k, wanted.get(k))}"
        for k in drifted
    ]
    replace_reasons = set(step.get("replaceReasons") or [])
    config_keys = changed(before, wanted)
    config_lines = [_arrow(k, before.get(k), wanted.get(k), k in replace_reasons) for k in config_keys]
    if op == "replace":
        forced_by_drift = sorted(replace_reasons - set(config_keys))
        lines = config_lines + [f"{label(k)} *(forces replacement)*" for k in forced_by_drift]
        report.destructive.append(Row(op, name, lines or ["replaced"]))
    elif config_lines:
        report.config.append(Row(op, name, config_lines))
    elif not drift_lines:
        hidden = "no property shown changes: a secret (e.g. the password) or the provider's code"
        report.config.append(Row(op, name, [hidden]))
    if drift_lines:
        report.drift.append(Row(op, name, drift_lines))


VERBS = {"create": "create", "update": "update", "replace": "replace", "delete": "delete", "discard": "forget"}


def _table(rows: list[Row]) -> list[str]:
    out = ["| | resource | what changes |", "| --- | --- | --- |"]
    for row in rows:
        name = row.name.replace("|", "\\|")
        out.append(f"| {VERBS.get(row.op, row.op)} | {name} | {'<br>'.join(row.lines)} |")
    return out


def render(report: Report) -> str:
    title = f"### Pulumi preview of `{report.stack}`" if report.stack else "### Pulumi preview"
    out = [title, ""]
    if report.errors:
        out += ["**The preview failed.** Nothing was changed. What the engine said:", ""]
        out += ["```text", *("\n".join(report.errors).splitlines()), "```", ""]
    parts = [f"{n} to {VERBS.get(op, op)}" for op, n in sorted(report.counts.items()) if n]
    parts.append(f"{report.unchanged} unchanged")
    summary = f"**{', '.join(parts)}**" if report.counts else f"**No changes** ({report.unchanged} unchanged)"
    if report.errors:
        summary = "**Planned before the preview stopped:** " + (", ".join(parts) if report.counts else "nothing")
    out += [summary, ""]
    if report.destructive:
        out += ["#### ⚠️ Replacements and deletions", "", *_table(report.destructive), ""]
    if report.drift:
        out += ["#### Drift: changed outside Pulumi (found by refresh), put back by `up`", ""]
        out += [*_table(report.drift), ""]
    if report.config:
        out += ["#### Changes from the config", "", *_table(report.config), ""]
    if report.warnings:
        out += ["#### Warnings", "", *(f"- {w}" for w in report.warnings), ""]
    return "\n".join(out).rstrip() + "\n"


def render_text(text: str, stack: str | None = None) -> str:
    """The Markdown for the text of `pulumi preview --json`; text that is not a preview is said to be so."""
    try:
        preview = json.loads(text)
    except ValueError:
        preview = None
    if not isinstance(preview, dict):
        heading = f"### Pulumi preview of `{stack}`" if stack else "### Pulumi preview"
        return f"{heading}\n\n**The preview produced no plan** (its output was not `pulumi preview --json`).\n"
    return render(build(preview, stack))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.preview_report", description=__doc__.split("\n\n")[0])
    parser.add_argument("preview_json", help="the output of `pulumi preview --json`, or - for stdin")
    parser.add_argument("--stack", help="the stack's name, for the heading")
    args = parser.parse_args(argv)
    if args.preview_json == "-":
        text = sys.stdin.read()
    else:
        with open(args.preview_json, encoding="utf-8") as handle:
            text = handle.read()
    sys.stdout.write(render_text(text, args.stack))
    return 0


if __name__ == "__main__":
    sys.exit(main())
