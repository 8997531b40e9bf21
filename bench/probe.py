"""Child script: cold init and warm latency of one Lambda handler, measured inside a fresh interpreter.

Run by bench.serving through bench.isolated (stdlib only until the handler is imported):
`probe.py --result FILE --path DIR [--path DIR] --module NAME --event JSON --warm-calls N --dist NAME...`
Cold init = import the handler module + its first answer (which loads the model), timed from
just before the import; then `--warm-calls` more calls, each timed on its own.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from importlib import metadata
from types import SimpleNamespace


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--result", required=True)
    parser.add_argument("--path", action="append", default=[])
    parser.add_argument("--module", required=True)
    parser.add_argument("--event", required=True)
    parser.add_argument("--warm-calls", type=int, default=0)
    parser.add_argument("--dist", action="append", default=[])
    return parser.parse_args()


def _versions(distributions: list[str]) -> dict[str, str]:
    found = {}
    for name in distributions:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def main() -> None:
    args = _arguments()
    event = json.loads(args.event)
    context = SimpleNamespace(aws_request_id="bench", function_name="bench")
    started = time.perf_counter()
    for folder in reversed(args.path):
        sys.path.insert(0, folder)
    handler = importlib.import_module(args.module)
    imported = time.perf_counter()
    first = handler.lambda_handler(event, context)
    answered = time.perf_counter()
    if first["statusCode"] != 200:
        raise SystemExit(f"first call answered {first['statusCode']}: {first['body']}")
    latencies_ns = []
    for _ in range(args.warm_calls):
        call_started = time.perf_counter_ns()
        handler.lambda_handler(event, context)
        latencies_ns.append(time.perf_counter_ns() - call_started)
    result = {
        "import_s": imported - started,
        "cold_init_s": answered - started,
        "warm_ns": latencies_ns,
        "first_body": json.loads(first["body"]),
        "versions": _versions(args.dist),
        "python": sys.version.split()[0],
    }
    with open(args.result, "w", encoding="utf-8") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
