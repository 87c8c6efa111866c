"""The steps of .github/workflows, one subcommand each: the workflows only wire these (`python -m deploy.ci …`).

preview      `pulumi preview --refresh` of one stack into a folder (the PR comment's input); exits as the CLI did
comment      the one PR comment of every stack's preview in that folder, created once and edited on each push
up           `pulumi up --yes` of one stack (made first if the backend has no such stack yet)
drift        `pulumi preview --refresh --expect-no-changes` of one stack; on drift, a report of what changed
             (to $GITHUB_STEP_SUMMARY and a file) and a non-zero exit
drift-issue  the open issue of that stack's drift, opened once and updated on each failing night

Everything GitHub-side goes through `gh api` (preinstalled on GitHub's runners, `GH_TOKEN` from the job).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cli import pulumi_binary, pulumi_env

PREVIEW_MARKER = "<!-- twilio-liveagent:preview -->"
RENDERER = "deploy.preview_report"  # `python -m deploy.preview_report PREVIEW_JSON` prints Markdown
COMMENT_LIMIT = 65_000  # GitHub refuses a comment body over 65,536 characters


# Steps of `preview --json` that change nothing: a resource as it is, a read, and the refresh that precedes the plan.
NO_CHANGE = ("same", "read", "refresh")


def drift_marker(stack: str) -> str:
    return f"<!-- twilio-liveagent:drift:{stack} -->"


# ---- the Pulumi CLI -------------------------------------------------------------------------------------------


def pulumi(args: Sequence[str], cwd: Path, capture: bool = True) -> subprocess.CompletedProcess[str]:
    """The CLI as in `make preview|up`, non-interactive; captured output is echoed to the job log as well."""
    command = [str(pulumi_binary()), *args, "--non-interactive"]
    done = subprocess.run(command, cwd=cwd, env=pulumi_env(), capture_output=capture, text=True)
    if capture:
        sys.stdout.write(done.stdout)
        sys.stderr.write(done.stderr)
        sys.stdout.flush()
    return done


@dataclass
class StackPreview:
    """One stack's preview as saved by `preview`: what the CLI printed, its exit code, and the format."""

    stack: str
    exit_code: int
    output: str
    format: str  # "json" (for the renderer) or "text" (`--diff`, wrapped as it is)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{self.stack}.{self.format}").write_text(self.output, encoding="utf-8")
        (folder / f"{self.stack}.exit").write_text(str(self.exit_code), encoding="utf-8")

    @classmethod
    def load_all(cls, folder: Path) -> list[StackPreview]:
        found = []
        for exit_file in sorted(folder.rglob("*.exit")):
            stack = exit_file.stem
            for format in ("json", "text"):
                saved = exit_file.with_name(f"{stack}.{format}")
                if saved.exists():
                    exit_code = int(exit_file.read_text(encoding="utf-8").strip() or 1)
                    found.append(cls(stack, exit_code, saved.read_text(encoding="utf-8"), format))
        return found


def run_preview(stack: str, cwd: Path) -> StackPreview:
    # The renderer's input; should the renderer fail on it, the comment shows this text as it is.
    done = pulumi(["preview", "--refresh", "--json", "--stack", stack], cwd)
    return StackPreview(stack, done.returncode, done.stdout or done.stderr, "json")


# ---- Markdown -------------------------------------------------------------------------------------------------


def details(summary: str, text: str, limit: int) -> str:
    if len(text) > limit:
        text = f"… (the first {len(text) - limit} characters left out; the job log has all of it)\n" + text[-limit:]
    fence = "````"  # the CLI's text may hold ``` itself
    return f"<details><summary>{summary}</summary>\n\n{fence}text\n{text.rstrip()}\n{fence}\n</details>"


def render_section(preview: StackPreview, limit: int) -> str:
    status = "preview failed" if preview.exit_code else "preview"
    heading = f"### Stack `{preview.stack}`: {status}"
    if preview.format == "json":
        with_renderer = render_with_renderer(preview)
        if with_renderer is not None:
            return f"{heading}\n\n{with_renderer[:limit]}"
    return f"{heading}\n\n{details(f'pulumi preview --refresh --stack {preview.stack}', preview.output, limit)}"


def render_with_renderer(preview: StackPreview) -> str | None:
    """`python -m deploy.preview_report FILE`'s Markdown, or None when it is missing or fails (then: raw text)."""
    scratch = Path(os.environ.get("RUNNER_TEMP") or "/tmp") / f"preview-{preview.stack}-{os.getpid()}.json"
    scratch.write_text(preview.output, encoding="utf-8")
    try:
        done = subprocess.run(
            [sys.executable, "-m", RENDERER, str(scratch)], capture_output=True, text=True, env=renderer_env()
        )
    finally:
        scratch.unlink(missing_ok=True)
    if done.returncode != 0 or not done.stdout.strip():
        sys.stderr.write(f"{RENDERER} failed ({done.returncode}); the comment shows the raw output\n{done.stderr}")
        return None
    return done.stdout.strip()


def renderer_env() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    return env


def comment_body(previews: Sequence[StackPreview], expected: Sequence[str], commit: str | None) -> str:
    """The PR comment: the marker, then one section per stack, in the order the workflow lists them."""
    by_stack = {preview.stack: preview for preview in previews}
    stacks = list(expected) or sorted(by_stack)
    limit = (COMMENT_LIMIT - 1_000) // max(1, len(stacks))
    lines = [PREVIEW_MARKER, "## Pulumi preview" + (f" of {commit}" if commit else "")]
    for stack in stacks:
        if stack in by_stack:
            lines.append(render_section(by_stack[stack], limit))
        else:
            lines.append(f"### Stack `{stack}`: no preview\n\nThe preview job did not finish (see the workflow run).")
    return "\n\n".join(lines) + "\n"


# ---- GitHub through `gh api` ----------------------------------------------------------------------------------


def gh(args: Sequence[str], payload: dict[str, Any] | None = None) -> str:
    done = subprocess.run(
        ["gh", "api", *args, *(["--input", "-"] if payload is not None else [])],
        input=json.dumps(payload) if payload is not None else None,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"gh api {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def listed(path: str, fields: str) -> list[dict[str, Any]]:
    """Every item of a paginated list, one JSON object a line (`--jq`), so pages need no merging."""
    out = gh(["--paginate", path, "--jq", f".[] | {{{fields}}}"])
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def find_marked(items: Iterable[dict[str, Any]], marker: str, key: str) -> int | None:
    """The id of the first item whose body holds `marker`: the one to edit. None: make a new one."""
    for item in items:
        if marker in (item.get("body") or "") and not item.get("pull_request"):
            return int(item[key])
    return None


def upsert_comment(repo: str, pull_request: int, body: str) -> str:
    comments = listed(f"repos/{repo}/issues/{pull_request}/comments?per_page=100", "id, body")
    existing = find_marked(comments, PREVIEW_MARKER, "id")
    if existing is None:
        gh(["--method", "POST", f"repos/{repo}/issues/{pull_request}/comments"], {"body": body})
        return "created"
    gh(["--method", "PATCH", f"repos/{repo}/issues/comments/{existing}"], {"body": body})
    return f"updated {existing}"


def upsert_issue(repo: str, stack: str, body: str, run_url: str | None) -> str:
    issues = listed(f"repos/{repo}/issues?state=open&per_page=100", "number, body, pull_request")
    existing = find_marked(issues, drift_marker(stack), "number")
    title = f"Drift on stack {stack}"
    if existing is None:
        gh(["--method", "POST", f"repos/{repo}/issues"], {"title": title, "body": body})
        return "opened"
    gh(["--method", "PATCH", f"repos/{repo}/issues/{existing}"], {"title": title, "body": body})
    note = "Still drifted" + (f": {run_url}" if run_url else ".")
    gh(["--method", "POST", f"repos/{repo}/issues/{existing}/comments"], {"body": note})
    return f"updated #{existing}"


# ---- drift ----------------------------------------------------------------------------------------------------


def short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "…"


def drifted_properties(step: dict[str, Any]) -> list[str]:
    old = (step.get("oldState") or {}).get("outputs") or {}
    new = (step.get("newState") or {}).get("inputs") or {}
    keys = list(step.get("diffs") or []) or sorted((step.get("detailedDiff") or {}).keys())
    if not keys:  # the JSON of a preview often carries neither: compare what is deployed with the config
        keys = [key for key in new if not key.startswith("__") and key in old and old[key] != new[key]]
    return [f"`{key}`: {short(old.get(key))} → {short(new.get(key))}" for key in keys]


def resource_kind(urn: str) -> str:
    """`SipTrunk` for a dynamic resource under the `SipTrunk` component: the nearest type that is not generic."""
    types = urn.split("::")[-2].split("$") if urn.count("::") >= 3 else []
    named = [kind for kind in types if not kind.startswith("pulumi-python:dynamic")]
    return (named or types or [""])[-1].rsplit(":", 1)[-1]


def drift_report(stack: str, plan: dict[str, Any] | None, output: str, exit_code: int) -> str:
    """Markdown: each resource the next `up` would touch, and how; or why the check could not run."""
    lines = [drift_marker(stack), f"## Drift on stack `{stack}`", ""]
    steps = [step for step in (plan or {}).get("steps") or [] if step.get("op") not in NO_CHANGE]
    if steps:
        lines += [
            "`pulumi preview --refresh --expect-no-changes` found changes: the deployed resources no longer match "
            "the stack's config (edited by hand, or a config change not yet deployed). The next `pulumi up` puts "
            "them back to the config.",
            "",
            "| operation | resource | type | what differs (deployed → config) |",
            "| --- | --- | --- | --- |",
        ]
        for step in steps:
            urn = str(step.get("urn", ""))
            name = urn.rsplit("::", 1)[-1]
            kind = resource_kind(urn)
            what = "<br>".join(drifted_properties(step)) or "—"
            lines.append(f"| {step.get('op')} | `{name}` | `{kind}` | {what} |")
    elif exit_code:
        lines += ["The drift check could not run: the preview failed.", "", details("pulumi output", output, 20_000)]
    else:
        lines.append("No drift: the deployed resources match the config.")
    return "\n".join(lines) + "\n"


def run_drift(stack: str, cwd: Path, report: Path) -> int:
    done = pulumi(["preview", "--refresh", "--expect-no-changes", "--json", "--stack", stack], cwd)
    try:
        plan: dict[str, Any] | None = json.loads(done.stdout)
    except json.JSONDecodeError:
        plan = None
    text = drift_report(stack, plan, done.stdout + done.stderr, done.returncode)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(text, encoding="utf-8")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(text)
    return done.returncode


# ---- entry point ----------------------------------------------------------------------------------------------


def stack_exists(stack: str, cwd: Path) -> bool:
    done = subprocess.run(
        [str(pulumi_binary()), "stack", "ls", "--json"], cwd=cwd, env=pulumi_env(), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"pulumi stack ls failed: {done.stderr.strip()}")
    return any(entry.get("name", "").split("/")[-1] == stack for entry in json.loads(done.stdout))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deploy.ci", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    cwd_help = "the Pulumi project folder (default: here)"

    preview = commands.add_parser("preview", help="pulumi preview --refresh of one stack, saved into --out")
    preview.add_argument("--stack", required=True)
    preview.add_argument("--out", type=Path, required=True)
    preview.add_argument("--cwd", type=Path, default=Path.cwd(), help=cwd_help)

    comment = commands.add_parser("comment", help="create or edit the PR's one preview comment")
    comment.add_argument("folder", type=Path, help="where `preview` saved the stacks' previews")
    comment.add_argument("--stacks", default="", help="comma-separated, in the comment's order")
    comment.add_argument("--repo", default=os.environ.get("GITHUB_REPOSITORY"))
    comment.add_argument("--pr", type=int, help="the pull request's number")
    comment.add_argument("--commit", default=None)
    comment.add_argument("--body-only", action="store_true", help="print the body; post nothing")

    up = commands.add_parser("up", help="pulumi up --yes of one stack, made first if missing")
    up.add_argument("--stack", required=True)
    up.add_argument("--cwd", type=Path, default=Path.cwd(), help=cwd_help)

    drift = commands.add_parser("drift", help="fail, with a report, when the stack drifted from its config")
    drift.add_argument("--stack", required=True)
    drift.add_argument("--report", type=Path, required=True)
    drift.add_argument("--cwd", type=Path, default=Path.cwd(), help=cwd_help)

    issue = commands.add_parser("drift-issue", help="open or update the stack's drift issue with the report")
    issue.add_argument("--stack", required=True)
    issue.add_argument("--report", type=Path, required=True)
    issue.add_argument("--repo", default=os.environ.get("GITHUB_REPOSITORY"))
    issue.add_argument("--run-url", default=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "preview":
        result = run_preview(args.stack, args.cwd)
        result.save(args.out)
        return result.exit_code
    if args.command == "comment":
        stacks = [stack for stack in args.stacks.split(",") if stack]
        body = comment_body(StackPreview.load_all(args.folder), stacks, args.commit)
        if args.body_only:
            sys.stdout.write(body)
            return 0
        if not args.repo or not args.pr:
            parser.error("comment needs --repo and --pr (or --body-only)")
        print(f"preview comment {upsert_comment(args.repo, args.pr, body)}")
        return 0
    if args.command == "up":
        if not stack_exists(args.stack, args.cwd):
            made = pulumi(["stack", "init", args.stack], args.cwd)
            if made.returncode:
                return made.returncode
        return pulumi(["up", "--yes", "--stack", args.stack], args.cwd, capture=False).returncode
    if args.command == "drift":
        return run_drift(args.stack, args.cwd, args.report)
    if args.command == "drift-issue":
        if not args.repo:
            parser.error("drift-issue needs --repo (or GITHUB_REPOSITORY)")
        if args.report.exists():
            body = args.report.read_text(encoding="utf-8")
        else:  # the job failed before the check could write its report
            body = f"{drift_marker(args.stack)}\n## Drift check of stack `{args.stack}` failed\n\nSee {args.run_url}.\n"
        print(f"drift issue {upsert_issue(args.repo, args.stack, body, args.run_url)}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
