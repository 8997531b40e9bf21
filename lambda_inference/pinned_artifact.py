"""The complete pin: MODEL_VERSION with the artifact's location and digest, so init needs no registry.

The promoter sets MODEL_ARTIFACT_URI and MODEL_SHA256 from the version's DescribeModelPackage in the
same UpdateFunctionConfiguration as MODEL_VERSION (promoter/handler.py). With all three the loader
builds the version from them and never opens the registry: on AWS no SageMaker client and no
DescribeModelPackage round trip in the Lambda init phase. The artifact's SHA-256 is still checked while
it streams (artifact_fetch.py). Only MODEL_VERSION (a function pinned by an older promoter): the
registry resolves it as before. A partial pin is refused, never completed by guessing.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping

from lambda_inference.errors import ModelUnavailable
from lambda_inference.served_model import ResolvesVersions
from runtime.names import MODEL_ARTIFACT_URI_ENV, MODEL_SHA256_ENV, MODEL_VERSION_ENV
from runtime.registry.base import ModelVersion

SHA256_HEX = re.compile(r"[0-9a-f]{64}")
PIN_VARIABLES = (MODEL_VERSION_ENV, MODEL_ARTIFACT_URI_ENV, MODEL_SHA256_ENV)


def pinned_artifact(environ: Mapping[str, str], group: str, version: int | None) -> ModelVersion | None:
    """The version the three variables pin; None when neither artifact variable is set.

    `version` is MODEL_VERSION as the settings parsed it. Raises ModelUnavailable (a 503) naming the
    variables when the pin is partial or its digest is not a SHA-256."""
    uri = environ.get(MODEL_ARTIFACT_URI_ENV, "").strip()
    sha256 = environ.get(MODEL_SHA256_ENV, "").strip()
    if not uri and not sha256:
        return None
    values = {MODEL_VERSION_ENV: version, MODEL_ARTIFACT_URI_ENV: uri, MODEL_SHA256_ENV: sha256}
    missing = [name for name in PIN_VARIABLES if not values[name]]
    if missing or version is None:
        raise ModelUnavailable(
            "incomplete_model_pin",
            f"{', '.join(missing)} empty while {' and '.join(n for n in PIN_VARIABLES if values[n])} "
            f"set: a pin needs all of {', '.join(PIN_VARIABLES)} (the promoter sets them together) or "
            f"only {MODEL_VERSION_ENV}; re-run the promoter or clear {MODEL_ARTIFACT_URI_ENV} and "
            f"{MODEL_SHA256_ENV}",
        )
    if not SHA256_HEX.fullmatch(sha256):
        raise ModelUnavailable(
            "incomplete_model_pin",
            f"{MODEL_SHA256_ENV}={sha256!r} is not a SHA-256 (64 lower-case hex digits); re-run the "
            f"promoter or clear {MODEL_ARTIFACT_URI_ENV} and {MODEL_SHA256_ENV}",
        )
    return ModelVersion(
        group=group,
        version=version,
        status="Approved",  # the promoter pins only Approved versions
        stage="Production",
        created="",
        metrics={},
        parameters={},
        artifact_uri=uri,
        sha256=sha256,
        input_schema={},
        output_schema={},
    )


class LazyRegistry:
    """The registry, opened on its first call: a complete pin never makes one (no client, no import)."""

    def __init__(self, open_registry: Callable[[], ResolvesVersions]) -> None:
        self._open = open_registry
        self._registry: ResolvesVersions | None = None
        self._lock = threading.Lock()

    def _get(self) -> ResolvesVersions:
        with self._lock:
            if self._registry is None:
                self._registry = self._open()
            return self._registry

    def get_version(self, version: int) -> ModelVersion:
        return self._get().get_version(version)

    def latest_approved(self) -> ModelVersion | None:
        return self._get().latest_approved()

    def __getattr__(self, name: str) -> object:
        # `live_version` of the local registry (model_loader._resolve looks for it with getattr).
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._get(), name)
