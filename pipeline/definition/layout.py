"""Where an execution writes in the artifact bucket: `s3://<bucket>/runs/<group>/<execution id>/`.

One prefix per model, so each model's pipeline role may write only its own prefix and each serving
function read only its own model archives (stacks/constructs/pipeline_role.py, serving_function.py).
Versions registered before the group level (`runs/<execution id>/...`) keep their absolute URIs, so
`run_location` reads both layouts. Plain strings only: the CLI, the UI and the stacks import this
without the SageMaker SDK.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RUNS_FOLDER = "runs"
# The first folder below a run's prefix, one per step that writes outputs (definition/factory.py).
STEP_FOLDERS = frozenset({"preprocess", "train", "evaluate"})
_RUN_URI = re.compile(rf"^(s3://[^/]+/{RUNS_FOLDER})/(.+)$")


def model_runs_key(group: str) -> str:
    """`runs/<group>/`: the key prefix of every output of the model's executions."""
    return f"{RUNS_FOLDER}/{group}/"


def run_prefix(bucket: str, group: str, execution_id: str) -> str:
    """`s3://<bucket>/runs/<group>/<execution id>`: what one execution writes is below it."""
    return f"s3://{bucket}/{model_runs_key(group)}{execution_id}"


@dataclass(frozen=True, kw_only=True)
class RunLocation:
    """The run folder an object belongs to: its prefix (no trailing slash), execution id and group."""

    prefix: str
    execution_id: str
    group: str  # "" for the layout without a group folder


def run_location(uri: str) -> RunLocation | None:
    """The run of an `s3://<bucket>/runs/...` object, in either layout; None for any other URI.

    `runs/<group>/<id>/<step>/...` when the third folder is a step's (the second never is: it is an
    execution id), else the earlier `runs/<id>/...`.
    """
    match = _RUN_URI.match(uri)
    if match is None:
        return None
    root, parts = match.group(1), match.group(2).split("/")
    if len(parts) >= 4 and parts[2] in STEP_FOLDERS and parts[1] not in STEP_FOLDERS:
        group, execution_id = parts[0], parts[1]
        return RunLocation(prefix=f"{root}/{group}/{execution_id}", execution_id=execution_id, group=group)
    if len(parts) >= 2 and parts[0]:
        return RunLocation(prefix=f"{root}/{parts[0]}", execution_id=parts[0], group="")
    return None
