"""Which model to serve, loaded once per container and refreshed on a timer.

Resolution: the pinned `MODEL_VERSION` when set (the promoter pins it in AWS), else the latest
`Approved` version of the group. Every load checks the artifact's SHA-256 against the registry before
the archive is read (member by member, by `features.archive`). A failed refresh (registry down, store
error, tampered or unreadable artifact) keeps the last good model; a refused artifact is not fetched
again. The loader re-resolves at most every `MODEL_REFRESH_SECONDS` (default 5 s), so approving or
rejecting a version takes effect within that interval; a pinned version is loaded once and kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from aws_lambda_powertools import Logger

from features.archive import ArchiveError, sha256_bytes
from lambda_inference.errors import ArtifactIntegrityError, ModelUnavailable
from lambda_inference.served_model import (
    SERVICE_LOGGER,
    LoadedModel,
    PredictorFactory,
    ReadsArtifacts,
    ResolvesVersions,
    build_predictor,
)
from pipeline.registry.base import ModelVersion, VersionNotFound

logger = Logger(service=SERVICE_LOGGER)


class ModelLoader:
    """Thread-safe per-container cache of the served model (the local server calls it from many threads)."""

    def __init__(
        self,
        registry: ResolvesVersions,
        store: ReadsArtifacts,
        *,
        pinned_version: int | None = None,
        refresh_seconds: float = 5.0,
        predictor_factory: PredictorFactory = build_predictor,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._registry = registry
        self._store = store
        self._pinned = pinned_version
        self._refresh_seconds = refresh_seconds
        self._factory = predictor_factory
        self._clock = clock
        self._lock = threading.Lock()
        self._model: LoadedModel | None = None
        self._failure = ModelUnavailable("model_not_loaded", "the model has not been loaded yet")
        self._next_check = float("-inf")
        self._refused: set[tuple[int, str]] = set()

    @classmethod
    def from_environment(cls) -> ModelLoader:
        """The loader for MLPIPE_BACKEND/MLPIPE_HOME, MODEL_VERSION and MODEL_REFRESH_SECONDS."""
        from pipeline import settings as pipeline_settings  # noqa: PLC0415 (boto3 only when needed)

        config = pipeline_settings.load_settings()
        return cls(
            pipeline_settings.open_registry(config),
            pipeline_settings.open_store(config),
            pinned_version=config.model_version,
            refresh_seconds=config.model_refresh_seconds,
        )

    def current(self) -> LoadedModel:
        """The model to serve now; raises ModelUnavailable (a 503) when there is none."""
        model = self._model
        if model is not None and self._clock() < self._next_check:
            return model  # the warm path: no lock, no I/O
        return self._refresh()

    def _refresh(self) -> LoadedModel:
        # While one thread refreshes, others keep serving the current model instead of queueing.
        if not self._lock.acquire(blocking=self._model is None):
            model = self._model
            if model is not None:
                return model
            self._lock.acquire()
        try:
            if self._clock() >= self._next_check:
                self._reload()
                # A pinned version never changes; once it is loaded there is nothing to re-resolve.
                pinned_done = self._pinned is not None and self._model is not None
                self._next_check = float("inf") if pinned_done else self._clock() + self._refresh_seconds
            if self._model is None:
                raise self._failure
            return self._model
        finally:
            self._lock.release()

    def _reload(self) -> None:
        try:
            target = self._resolve()
        except ModelUnavailable as unavailable:
            if self._model is not None:
                logger.warning(
                    "no model to serve any more", reason=unavailable.message, model_version=self._model.label
                )
            self._model, self._failure = None, unavailable
            return
        except Exception as error:  # the registry is down: keep what we have
            self._keep_last_good("model registry unreachable", error)
            return
        if self._model is not None and (self._model.version, self._model.sha256) == (
            target.version,
            target.sha256,
        ):
            return
        if (target.version, target.sha256) not in self._refused:
            self._load(target)

    def _resolve(self) -> ModelVersion:
        if self._pinned is not None:
            try:
                return self._registry.get_version(self._pinned)
            except VersionNotFound as missing:
                raise ModelUnavailable(
                    "pinned_version_missing",
                    f"MODEL_VERSION={self._pinned} is not in "
                    "the model registry; pin an existing version or unset "
                    "MODEL_VERSION to serve the latest approved one",
                ) from missing
        latest = self._registry.latest_approved()
        if latest is None:
            raise ModelUnavailable(
                "no_approved_model",
                "no model version is approved yet; approve one "
                "with `mlpipe models approve VERSION` (or in the SageMaker registry)",
            )
        return latest

    def _load(self, target: ModelVersion) -> None:
        try:
            artifact = self._store.get_bytes(target.artifact_uri)
            digest = sha256_bytes(artifact)
            if digest != target.sha256:
                raise ArtifactIntegrityError(
                    f"{target.artifact_uri} has SHA-256 {digest} but the registry "
                    f"recorded {target.sha256} for version {target.version}"
                )
            predictor = self._factory(artifact, target.version)
        except (ArtifactIntegrityError, ArchiveError) as refused:
            # Deterministic failures: do not download this artifact again on every refresh.
            self._refused.add((target.version, target.sha256))
            self._keep_last_good(f"model version {target.version} refused", refused)
            return
        except Exception as error:
            self._keep_last_good(f"model version {target.version} could not be loaded", error)
            return
        self._model = LoadedModel(version=target.version, sha256=target.sha256, predictor=predictor)
        logger.info(
            "model loaded",
            model_version=self._model.label,
            artifact_uri=target.artifact_uri,
            sha256=target.sha256,
        )

    def _keep_last_good(self, problem: str, error: Exception) -> None:
        serving = self._model.label if self._model else None
        logger.error(problem, error=f"{type(error).__name__}: {error}", model_version=serving)
        if self._model is None:
            # The caller gets the problem, not the error text: that may name buckets or hosts.
            self._failure = ModelUnavailable("model_unavailable", f"{problem}; see the service logs")
