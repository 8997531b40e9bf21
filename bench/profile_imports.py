"""Where cold init goes: `python -X importtime` of a handler import, self time per top-level package."""

from __future__ import annotations

import subprocess
from collections import defaultdict

from bench.isolated import BenchError, child_environment, interpreter_flags
from bench.serving import Stack

TOP_PACKAGES = 8


def parse_importtime(stderr: str) -> dict[str, float]:
    """`import time: self | cumulative | name` lines -> milliseconds of self time per top-level package."""
    totals: dict[str, float] = defaultdict(float)
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        fields = line.removeprefix("import time:").split("|")
        if len(fields) != 3 or not fields[0].strip().isdigit():
            continue  # the header line
        package = fields[2].strip().split(".", 1)[0]
        totals[package] += int(fields[0]) / 1000
    return dict(totals)


def top_packages(totals: dict[str, float], limit: int = TOP_PACKAGES) -> dict[str, float]:
    """The `limit` largest packages, the rest summed as `(other)`, rounded to 0.1 ms."""
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    kept = {name: round(ms, 1) for name, ms in ranked[:limit]}
    rest = sum(ms for _, ms in ranked[limit:])
    if rest:
        kept["(other)"] = round(rest, 1)
    return kept


def import_profile(stack: Stack) -> dict[str, float]:
    """Import the stack's handler once with `-X importtime` (bytecode cache warm) and group the times."""
    code = "import sys\n" + "".join(f"sys.path.insert({i}, {str(p)!r})\n" for i, p in enumerate(stack.paths))
    code += f"import {stack.module}\n"
    command = [*interpreter_flags(pycache=stack.pycache, write_bytecode=True), "-X", "importtime", "-c", code]
    completed = subprocess.run(
        command, env=child_environment(stack.env), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise BenchError(f"importing {stack.module} failed: {completed.stderr.strip()[-2000:]}")
    return top_packages(parse_importtime(completed.stderr))
