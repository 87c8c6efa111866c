"""A stand-in for `gh api` as deploy/ci.py calls it, over a JSON file of issues and comments (FAKE_GH_STATE).

It serves the few routes deploy/ci.py uses, applies `--jq '.[] | {a, b}'` as gh does for a list (one object a
line), and records every call in the state file's `calls`, so tests can see what was created or edited.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any


def main(argv: list[str]) -> int:
    state_file = Path(os.environ["FAKE_GH_STATE"])
    state: dict[str, Any] = json.loads(state_file.read_text(encoding="utf-8"))
    assert argv[0] == "api", argv
    args = argv[1:]
    method, jq, payload, path = "GET", None, None, None
    while args:
        arg = args.pop(0)
        if arg == "--method":
            method = args.pop(0)
        elif arg == "--jq":
            jq = args.pop(0)
        elif arg == "--input":
            assert args.pop(0) == "-"
            payload = json.loads(sys.stdin.read())
        elif arg == "--paginate":
            pass
        else:
            path = arg
    assert path is not None
    state["calls"].append({"method": method, "path": path.split("?")[0], "payload": payload})
    route = path.split("?")[0]
    answer: Any
    if found := re.fullmatch(r"repos/[^/]+/[^/]+/issues/(\d+)/comments", route):
        number = found.group(1)
        if method == "GET":
            answer = state["comments"].get(number, [])
        else:
            state["next_id"] += 1
            answer = {"id": state["next_id"], "body": payload["body"]}  # type: ignore[index]
            state["comments"].setdefault(number, []).append(answer)
    elif found := re.fullmatch(r"repos/[^/]+/[^/]+/issues/comments/(\d+)", route):
        [answer] = [c for cs in state["comments"].values() for c in cs if c["id"] == int(found.group(1))]
        answer["body"] = payload["body"]  # type: ignore[index]
    elif re.fullmatch(r"repos/[^/]+/[^/]+/issues", route):
        if method == "GET":
            answer = [issue for issue in state["issues"] if issue.get("state", "open") == "open"]
        else:
            state["next_id"] += 1
            answer = {"number": state["next_id"], **payload}  # type: ignore[dict-item]
            state["issues"].append(answer)
    elif found := re.fullmatch(r"repos/[^/]+/[^/]+/issues/(\d+)", route):
        [answer] = [issue for issue in state["issues"] if issue["number"] == int(found.group(1))]
        answer.update(payload)
    else:
        print(f"fake gh: no route {method} {path}", file=sys.stderr)
        return 1
    state_file.write_text(json.dumps(state), encoding="utf-8")
    if jq is not None:
        fields = [field.strip() for field in re.search(r"\{(.*)\}", jq).group(1).split(",")]  # type: ignore[union-attr]
        for item in answer:
            print(json.dumps({field: item.get(field) for field in fields}))
    else:
        print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
