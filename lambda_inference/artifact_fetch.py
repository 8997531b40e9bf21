"""Fetch a model artifact into memory only when its size is within the cap, hashing it as it streams.

A 3 GB object used to be read whole before its digest was checked (3.2 GB of memory; a 1024 MB
Lambda could not even refuse it). The size now comes from a stat or HeadObject first, the body is
read chunk by chunk with a hard stop at the cap (an object replaced between the two calls cannot
slip past it), and the SHA-256 is computed on the way.
"""

from __future__ import annotations

import hashlib
import io

from lambda_inference.errors import ArtifactIntegrityError
from lambda_inference.served_model import ReadsArtifacts
from runtime.features.archive import MAX_ARCHIVE_BYTES
from runtime.registry.base import ModelVersion


def fetch_verified(store: ReadsArtifacts, target: ModelVersion, max_bytes: int = MAX_ARCHIVE_BYTES) -> bytes:
    """The artifact's bytes once its size and SHA-256 match; ArtifactIntegrityError (refused) otherwise."""
    uri = target.artifact_uri
    size = store.size(uri)
    if size > max_bytes:
        raise ArtifactIntegrityError(_too_large(target, f"is {size} bytes", max_bytes))
    digest = hashlib.sha256()
    # BytesIO.getvalue() hands over its buffer without a copy: the peak stays at one artifact.
    buffer = io.BytesIO()
    for chunk in store.iter_chunks(uri):
        digest.update(chunk)
        buffer.write(chunk)
        if buffer.tell() > max_bytes:
            raise ArtifactIntegrityError(_too_large(target, "grew while it was read", max_bytes))
    if digest.hexdigest() != target.sha256:
        raise ArtifactIntegrityError(
            f"{uri} has SHA-256 {digest.hexdigest()} but the registry "
            f"recorded {target.sha256} for version {target.version}"
        )
    return buffer.getvalue()


def _too_large(target: ModelVersion, what: str, max_bytes: int) -> str:
    return (
        f"{target.artifact_uri} (version {target.version}) {what}, over the {max_bytes}-byte cap for "
        "a model archive; a real archive is far smaller: register the archive the training step wrote"
    )
