"""The one `Name=Value` parser, for the CLI's repeated options (`--param`, `--instance`)."""

from __future__ import annotations

from collections.abc import Iterable


def parse_name_values(
    assignments: Iterable[str], option: str, example: str
) -> tuple[dict[str, str], list[str]]:
    """`["Age=22", "Sex=male"]` -> ({"Age": "22", "Sex": "male"}, problems).

    The name is stripped, the value kept as typed (it may contain `=`); a later assignment of a name
    wins. Each malformed assignment is one problem (`option`, the text and `example`), so a caller can
    report them all at once in its own error type.
    """
    parsed: dict[str, str] = {}
    problems: list[str] = []
    for assignment in assignments:
        name, separator, value = assignment.partition("=")
        if not separator or not name.strip():
            problems.append(f"{option} {assignment!r} is not Name=Value; example: {option} {example}")
            continue
        parsed[name.strip()] = value
    return parsed, problems
