"""The champion: the live model version, read by URI and scored on the same evaluation rows.

The archive is read in-process rather than through a ProcessingInput: an input cannot be optional at run
time (aws/sagemaker-python-sdk#3565) and a prefix with no objects fails the job, while "no champion" is
the normal first run. On SageMaker the job's role reads it from S3 (the pipeline role may read `runs/`,
where every trained artifact lives); the local engine tells the step where its store is instead
(MLPIPE_BACKEND=local and MLPIPE_HOME in the step's environment).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runtime.aws import aws_client
from runtime.features.archive import read_model_archive
from runtime.features.predictor import Predictor
from runtime.names import BACKEND_ENV, HOME_ENV
from runtime.store.base import ArtifactStore


def open_store(environ: Mapping[str, str]) -> ArtifactStore:
    """The local engine's store when it says so, else S3 with the job role's credentials."""
    if environ.get(BACKEND_ENV) == "local" and environ.get(HOME_ENV):
        from runtime.store.local import LocalArtifactStore  # noqa: PLC0415

        return LocalArtifactStore(Path(environ[HOME_ENV]))
    from runtime.store.s3 import S3ArtifactStore  # noqa: PLC0415 (only when there is a champion on AWS)

    return S3ArtifactStore(aws_client("s3"))


def load_champion(
    uri: str, environ: Mapping[str, str] = os.environ
) -> tuple[Predictor, dict[str, Any]] | None:
    """The champion's Predictor and metadata, or None when `uri` is empty (no live version, or turned off)."""
    if not uri.strip():
        return None
    files = read_model_archive(open_store(environ).get_bytes(uri.strip()))
    return Predictor.from_model_files(files, version="champion"), files.metadata


def not_comparable(champion: Mapping[str, Any], candidate: Mapping[str, Any], on_split: bool) -> str:
    """Why the champion's score on this run's validation split would be unfair, or "".

    A validation split is held out from this run's training rows only: a champion trained on another
    split (another seed, fraction, file or columns) may have trained on some of these rows and score
    too well. Identical training split files (same SHA-256) mean identical held-out rows; a --test file
    is held out from both.
    """
    if not on_split:
        return ""
    mine = candidate.get("training_data", {}).get("sha256")
    theirs = champion.get("training_data", {}).get("sha256")
    if mine and mine == theirs:
        return ""
    return (
        "the champion was trained on another split of the data, so it may have seen these validation "
        "rows; compare on a held-out file with --test"
    )
