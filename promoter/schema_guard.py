"""Safe promotion: a version whose input schema differs from the live one's is not made live unasked.

Standard library only: the promoter ships as its own folder; `mlpipe models approve` imports this too,
so the rule exists once. Schemas are the registry's input schemas (runtime/features/schema.py):
`properties` maps each input to `{"type": [...], ...}`; a categorical input also lists `categories`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# `mlpipe models approve --force --backend aws` records the acceptance on the model package, in the same
# UpdateModelPackage call that approves it, as this CustomerMetadataProperties entry; the promoter reads it
# from DescribeModelPackage and then makes the version live despite the schema change.
SCHEMA_CHANGE_ACCEPTED = "schema-change-accepted"
ACCEPTED = "true"


def change_accepted(properties: Mapping[str, Any] | None) -> bool:
    """True when the package's CustomerMetadataProperties say its schema change was accepted (--force)."""
    return str((properties or {}).get(SCHEMA_CHANGE_ACCEPTED, "")).lower() == ACCEPTED


def _kinds(schema: Mapping[str, Any]) -> dict[str, str]:
    """Input name -> "categorical" | its JSON types; categories may grow between trainings, kinds may not."""
    kinds = {}
    for name, spec in (schema.get("properties") or {}).items():
        if not isinstance(spec, Mapping):
            continue
        kinds[str(name)] = "categorical" if "categories" in spec else "/".join(sorted(spec.get("type") or []))
    return kinds


def schema_changes(live: Mapping[str, Any], candidate: Mapping[str, Any]) -> dict[str, list[str]]:
    """{"added", "removed", "retyped"}: inputs the candidate has, lacks, or takes as another kind."""
    before, after = _kinds(live), _kinds(candidate)
    return {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "retyped": sorted(n for n in set(before) & set(after) if before[n] != after[n]),
    }


def describe_changes(changes: Mapping[str, list[str]]) -> str:
    """`added: a, b; removed: c` for the changes that are not empty ("" when none)."""
    return "; ".join(f"{kind}: {', '.join(names)}" for kind, names in changes.items() if names)
