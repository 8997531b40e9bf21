"""Deployment history on AWS: one small JSON object per change of what is live, written by the promoter.

Where: `s3://<artifact bucket>/deployments/<group>/<time>-v<from>-v<to>.json`. Why S3 and not the model
package: ApprovalDescription and CustomerMetadataProperties hold one value per version, so a second
rollback overwrites the first; one object per event is append-only, needs only `s3:PutObject` on that
prefix (no read, no delete), and `mlpipe models history --backend aws` lists the prefix in key order,
which is time order. Who: the identity that last modified the package the event names
(DescribeModelPackage `LastModifiedBy`), why: its ApprovalDescription (docs/deploy.md).
Standard library only: `mlpipe models history` imports it too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

try:  # in Lambda the promoter's folder is the code root; in the repository it is the `promoter` package
    from rollout import Event, Plan, Record, State, transition
except ImportError:
    from promoter.rollout import Event, Plan, Record, State, transition

PREFIX = "deployments"
FIELDS = ("at", "actor", "action", "from_version", "to_version", "weight", "step", "outcome", "reason")


def history_prefix(group: str) -> str:
    return f"{PREFIX}/{group}/"


def history_key(group: str, entry: Mapping[str, Any]) -> str:
    """Sortable by time: `deployments/<group>/20261129T120000Z-v1-v2.json`."""
    stamp = str(entry["at"]).replace("-", "").replace(":", "").replace("+0000", "Z")
    return f"{history_prefix(group)}{stamp}-v{entry['from_version']}-v{entry['to_version']}.json"


def encode(entry: Mapping[str, Any]) -> bytes:
    return json.dumps({name: entry.get(name) for name in FIELDS}, sort_keys=True).encode()


def decode(document: bytes) -> dict[str, Any]:
    entry = json.loads(document)
    if not isinstance(entry, dict) or not set(FIELDS) <= set(entry):
        raise ValueError(f"not a deployment-history entry (needs {', '.join(FIELDS)})")
    return {name: entry[name] for name in FIELDS}


def who(described: Mapping[str, Any]) -> str:
    """The identity DescribeModelPackage names as the last to modify the version."""
    user = described.get("LastModifiedBy") or {}
    identity = user.get("IamIdentity") or {}
    return str(user.get("UserProfileName") or identity.get("Arn") or "unknown")


def entry_for(
    previous: str, current: str, *, at: str, actor: str, reason: str, plan: Plan = ()
) -> dict[str, Any]:
    """The history entry for the promoter moving the pin `previous` -> `current` ("" = no pin), as the
    state machine records it: a newer version is an approval (a canary's first step under `plan`), an
    older one a rejection's fallback."""
    before, after = _number(previous), _number(current)
    state = State(live=before)
    if after is not None and (before is None or after > before):
        event = Event(kind="approved", version=after, at=at, actor=actor, reason=reason)
    else:
        event = Event(kind="rejected", version=before, fallback=after, at=at, actor=actor, reason=reason)
    _, actions = transition(state, event, plan)
    (record,) = (action for action in actions if isinstance(action, Record))
    return entry_of(record)


def entry_of(record: Record) -> dict[str, Any]:
    """A state-machine Record as a history entry."""
    return {name: value for name, value in asdict(record).items() if name in FIELDS}


def put_entry(s3: Any, bucket: str, group: str, entry: Mapping[str, Any]) -> str:
    """PutObject of one entry; returns its key. The bucket's default encryption (KMS) applies."""
    key = history_key(group, entry)
    s3.put_object(Bucket=bucket, Key=key, Body=encode(entry), ContentType="application/json")
    return key


def _number(version: str) -> int | None:
    return int(version) if version else None
