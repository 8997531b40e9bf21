"""Offline infrastructure diff: compare `cdk.out` templates with the committed snapshots in tests/snapshots/.

    python -m stacks.snapshots diff [--cdk-out DIR] [--check]   print what changed (exit 1 with --check)
    python -m stacks.snapshots update [--cdk-out DIR]           rewrite the snapshots from cdk.out

Asset hashes (and the Lambda version ids derived from them) are normalised and the pipeline definition
is unfolded into nested JSON, so a reviewer reads only real changes, line by line; no AWS credentials
are needed. Snapshots are review aids, not deployable templates.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT_DIR = REPO_ROOT / "tests" / "snapshots"
TEMPLATE_SUFFIX = ".template.json"
_ASSET_HASH = re.compile(r"[0-9a-f]{64}")
DEFINITION_BODY = "PipelineDefinitionBody"
_VERSION_ID = re.compile(r"(CurrentVersion[0-9A-F]{8})[0-9a-f]{32}")


def normalise(value: Any) -> Any:
    """The template with asset hashes and hash-derived logical ids replaced by stable markers."""
    if isinstance(value, dict):
        return {normalise(key): normalise(_readable(key, item)) for key, item in value.items()}
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if isinstance(value, str):
        return _VERSION_ID.sub(r"\1<hash>", _ASSET_HASH.sub("<asset-hash>", value))
    return value


def _readable(key: str, value: Any) -> Any:
    """A pipeline definition body as nested JSON (one value per line in the diff), intrinsics as <markers>."""
    if key != DEFINITION_BODY or not isinstance(value, dict) or "Fn::Join" not in value:
        return value
    separator, parts = value["Fn::Join"]
    text = separator.join(part if isinstance(part, str) else _marker(part) for part in parts)
    try:
        return {"(definition, intrinsics as <markers>)": json.loads(text)}
    except json.JSONDecodeError:
        return value


def _marker(intrinsic: dict[str, Any]) -> str:
    """A CloudFormation intrinsic spelled without quotes, so it can sit inside a JSON string."""
    (function, argument), *_ = intrinsic.items()
    if function == "Fn::Sub" and isinstance(argument, str):
        return re.sub(r"\$\{([^}]+)\}", r"<\1>", argument)
    return "<" + json.dumps({function: argument}, sort_keys=True).replace('"', "") + ">"


def render(template: dict[str, Any]) -> str:
    """The snapshot text of a template: normalised, keys sorted, one value per line."""
    return json.dumps(normalise(template), indent=1, sort_keys=True) + "\n"


def synthesized(cdk_out: Path) -> dict[str, str]:
    """Snapshot text of every stack template in a cloud assembly, by file name."""
    templates = sorted(cdk_out.glob(f"*{TEMPLATE_SUFFIX}"))
    if not templates:
        raise FileNotFoundError(f"no *{TEMPLATE_SUFFIX} in {cdk_out}; run `make synth` first")
    return {path.name: render(json.loads(path.read_text())) for path in templates}


def changes(current: dict[str, str], snapshot_dir: Path = SNAPSHOT_DIR) -> dict[str, str]:
    """Unified diff per template that differs from its snapshot (added and removed stacks included)."""
    committed = {path.name: path.read_text() for path in sorted(snapshot_dir.glob(f"*{TEMPLATE_SUFFIX}"))}
    result = {}
    for name in sorted(set(current) | set(committed)):
        before, after = committed.get(name, ""), current.get(name, "")
        if before != after:
            lines = difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                fromfile=f"snapshot/{name}",
                tofile=f"cdk.out/{name}",
            )
            result[name] = "".join(lines)
    return result


def update(current: dict[str, str], snapshot_dir: Path = SNAPSHOT_DIR) -> None:
    """Make the snapshots equal to `current`, removing snapshots of stacks that no longer exist."""
    snapshot_dir.mkdir(parents=True, exist_ok=True)
    for stale in snapshot_dir.glob(f"*{TEMPLATE_SUFFIX}"):
        if stale.name not in current:
            stale.unlink()
    for name, text in current.items():
        (snapshot_dir / name).write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stacks.snapshots", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("diff", "update"))
    parser.add_argument("--cdk-out", type=Path, default=Path("cdk.out"))
    parser.add_argument("--snapshots", type=Path, default=SNAPSHOT_DIR)
    parser.add_argument("--check", action="store_true", help="diff: exit 1 when anything changed")
    args = parser.parse_args(argv)
    try:
        current = synthesized(args.cdk_out)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.command == "update":
        update(current, args.snapshots)
        print(f"updated {len(current)} snapshots in {args.snapshots}")
        return 0
    changed = changes(current, args.snapshots)
    for text in changed.values():
        print(text, end="")
    print(
        f"{len(changed)} of {len(current)} stack templates differ from the snapshots"
        + ("; run `python -m stacks.snapshots update` to accept" if changed else "")
    )
    return 1 if changed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
