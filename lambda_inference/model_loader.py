"""Which model to serve, loaded once per container and refreshed in the background.

Resolution: the pinned `MODEL_VERSION` when set (the promoter pins it in AWS), else the local
registry's live pointer (`mlpipe models approve/rollback` move it), else the latest `Approved` version.
A complete pin (`MODEL_VERSION`, `MODEL_ARTIFACT_URI`, `MODEL_SHA256`, `pinned_artifact.py`) needs no
registry at all: it is opened lazily, so then never (no SageMaker client, no round trip at init).
A load checks the artifact's size against the cap before reading it,
its SHA-256 while it streams, before anything is parsed (`artifact_fetch`); the archive and the JSON
model are then read by bounded parsers (`runtime.features.archive`, `runtime.features.trees`): no
XGBoost, no native loader in this process. A refused artifact (too large, wrong digest, unreadable
archive, invalid spec, malformed or oversized model) is remembered and never fetched again; a failed
refresh (registry or store unreachable) keeps the last good model and is retried.

Requests never wait on the registry or the store: a daemon thread refreshes every
`MODEL_REFRESH_SECONDS` (default 5 s), each refresh in a worker it waits for at most the load timeout,
so a blocked read delays only that refresh. Only the very first requests of a process wait, at most
the load timeout, for the first load. A version that is no longer approved stops being served at the
first refresh that cannot replace it. A pinned version is loaded once and kept.
In Lambda the environment, timer included, is frozen between invocations and resumes with the next
one (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html), so there the
interval counts while invocations run; in AWS the promoter pins the version anyway.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Callable, Mapping

from lambda_inference.artifact_fetch import fetch_verified
from lambda_inference.errors import ArtifactIntegrityError, ModelUnavailable
from lambda_inference.pinned_artifact import LazyRegistry, pinned_artifact
from lambda_inference.served_model import (
    SERVICE_LOGGER,
    LoadedModel,
    PredictorFactory,
    ReadsArtifacts,
    ResolvesVersions,
    build_predictor,
)
from runtime.registry.base import ModelVersion, VersionNotFound

logger = logging.getLogger(SERVICE_LOGGER)

LOAD_TIMEOUT_SECONDS = 20.0
MIN_REFRESH_SECONDS = 0.05  # a refresh interval of 0 would spin a core
MAX_STUCK_WORKERS = 2  # refreshes still blocked after their timeout; no new one starts beyond this
Key = tuple[int, str]  # (version, sha256)


class ModelLoader:
    """Thread-safe per-container cache of the served model (the local server calls it from many threads)."""

    def __init__(
        self,
        registry: ResolvesVersions,
        store: ReadsArtifacts,
        *,
        pinned_version: int | None = None,
        pinned: ModelVersion | None = None,
        refresh_seconds: float = 5.0,
        load_timeout_seconds: float | None = None,
        predictor_factory: PredictorFactory = build_predictor,
        background: bool = True,
    ) -> None:
        """`background=False`: no timer; the first `current()` loads, later loads happen in `refresh()`.

        `pinned`: the version with its artifact and digest (a complete pin); the registry is never asked."""
        self._registry, self._store, self._factory = registry, store, predictor_factory
        self._pinned = pinned.version if pinned is not None else pinned_version
        self._pinned_artifact = pinned
        self._refresh_seconds = max(refresh_seconds, MIN_REFRESH_SECONDS)
        self._load_timeout = LOAD_TIMEOUT_SECONDS if load_timeout_seconds is None else load_timeout_seconds
        self._background = background
        self._state = threading.Lock()  # guards the fields below; never held during I/O
        self._model: LoadedModel | None = None
        self._failure = ModelUnavailable(
            "model_loading", "the model is still loading; retry in a few seconds"
        )
        self._wanted: Key | None = None
        self._fetching: set[Key] = set()
        self._refused: set[Key] = set()
        self._cycle = threading.Lock()  # one refresh at a time (the timer's, or a caller's)
        self._workers: list[threading.Thread] = []
        self._first_refresh_done = threading.Event()
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None

    @classmethod
    def from_environment(
        cls,
        environ: Mapping[str, str] = os.environ,
        *,
        open_registry: Callable[[], ResolvesVersions] | None = None,
    ) -> ModelLoader:
        """The loader for MLPIPE_BACKEND/MLPIPE_HOME, MODEL_VERSION (with MODEL_ARTIFACT_URI and MODEL_SHA256)
        and MODEL_REFRESH_SECONDS; ModelUnavailable (a 503) for a partial pin.

        The registry (`open_registry`, default the backend's) is opened on first use only."""
        from runtime import settings as pipeline_settings  # noqa: PLC0415 (boto3 only when needed)

        config = pipeline_settings.load_settings(environ)
        pinned = pinned_artifact(environ, config.model_package_group, config.model_version)
        if open_registry is None:

            def open_registry() -> ResolvesVersions:
                return pipeline_settings.open_registry(config)

        return cls(
            LazyRegistry(open_registry),
            pipeline_settings.open_store(config),
            pinned_version=config.model_version,
            pinned=pinned,
            refresh_seconds=config.model_refresh_seconds,
        )

    def current(self) -> LoadedModel:
        """The model to serve now; raises ModelUnavailable (a 503) when there is none. No I/O."""
        model = self._model
        if model is not None:
            return model  # the warm path: no lock, no I/O
        if self._background:
            self.start()
            self._first_refresh_done.wait(self._load_timeout)
        elif not self._first_refresh_done.is_set():
            self.refresh()
        model = self._model
        if model is None:
            raise self._failure
        return model

    def start(self) -> None:
        """Start the background refresh (once); its first refresh runs at once."""
        with self._state:
            if self._timer is not None:
                return
            self._timer = threading.Thread(
                target=_refresh_periodically,
                args=(weakref.ref(self), self._stop, self._refresh_seconds),
                name="model-refresh",
                daemon=True,
            )
        self._timer.start()

    def close(self) -> None:
        """Stop the background refresh; the current model stays."""
        self._stop.set()

    def refresh(self) -> bool:
        """One refresh, waiting at most the load timeout; False once nothing can change (pinned, loaded)."""
        with self._cycle:
            self._workers = [worker for worker in self._workers if worker.is_alive()]
            if len(self._workers) >= MAX_STUCK_WORKERS:
                logger.error(
                    "model refresh skipped: earlier refreshes are still blocked",
                    extra={"stuck": len(self._workers)},
                )
            else:
                self._run_worker()
        self._first_refresh_done.set()
        return not (self._pinned is not None and self._model is not None)

    def _run_worker(self) -> None:
        worker = threading.Thread(target=self._refresh_once, name="model-refresh-worker", daemon=True)
        self._workers.append(worker)
        worker.start()
        worker.join(self._load_timeout)
        if worker.is_alive():
            self._keep_last_good("model refresh timed out", TimeoutError(f"over {self._load_timeout:g} s"))

    def _refresh_once(self) -> None:
        try:
            target = self._resolve()
        except ModelUnavailable as unavailable:
            self._serve_nothing(unavailable)
            return
        except Exception as error:  # the registry is down: keep what we have
            self._keep_last_good("model registry unreachable", error)
            return
        key = (target.version, target.sha256)
        with self._state:
            self._wanted = key
            if self._model is not None and (self._model.version, self._model.sha256) == key:
                return
            blocked = key in self._refused or key in self._fetching
            if not blocked:
                self._fetching.add(key)
        if blocked:
            self._drop_if_withdrawn(target)
            return
        try:
            self._load(target)
        finally:
            with self._state:
                self._fetching.discard(key)

    def _resolve(self) -> ModelVersion:
        if self._pinned_artifact is not None:
            return self._pinned_artifact
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
        # The local registry's explicit live pointer (moved by approve, rollback and canaries); registries
        # without one (SageMaker, where the promoter pins MODEL_VERSION instead) serve the latest Approved.
        live = getattr(self._registry, "live_version", self._registry.latest_approved)
        latest = live()
        if latest is None:
            raise ModelUnavailable(
                "no_approved_model",
                "no model version is approved yet; approve one "
                "with `mlpipe models approve VERSION` (or in the SageMaker registry)",
            )
        return latest

    def _load(self, target: ModelVersion) -> None:
        try:
            artifact = fetch_verified(self._store, target)
        except (ArtifactIntegrityError, MemoryError) as refused:
            self._refuse(target, refused)
            return
        except Exception as error:  # store unreachable or object missing: retried at the next refresh
            self._keep_last_good(f"model version {target.version} could not be loaded", error)
            self._drop_if_withdrawn(target)
            return
        try:
            predictor = self._factory(artifact, target.version)
        except Exception as error:  # verified bytes that do not load: a property of the artifact
            self._refuse(target, error)
            return
        model = LoadedModel(version=target.version, sha256=target.sha256, predictor=predictor)
        with self._state:
            if self._wanted != (target.version, target.sha256):
                return  # a later refresh resolved another version while this one loaded
            self._model = model
        logger.info("model loaded", extra={"model_version": model.label, "artifact_uri": target.artifact_uri})

    def _refuse(self, target: ModelVersion, error: BaseException) -> None:
        with self._state:
            self._refused.add((target.version, target.sha256))
        self._keep_last_good(f"model version {target.version} refused", error)
        self._drop_if_withdrawn(target)

    def _drop_if_withdrawn(self, target: ModelVersion) -> None:
        """Stop serving a version the registry no longer approves, even when its successor cannot load."""
        served = self._model
        if served is None or self._pinned is not None or served.version == target.version:
            return
        try:
            still_approved = self._registry.get_version(served.version).status == "Approved"
        except Exception:  # cannot tell: keep serving
            return
        if still_approved:
            return
        withdrawn = ModelUnavailable(
            "model_unavailable",
            f"model version {served.label} is no longer approved and version {target.version} "
            "cannot be served yet; see the service logs",
        )
        with self._state:
            if self._model is served:
                self._model, self._failure = None, withdrawn
        logger.warning("stopped serving a withdrawn model", extra={"model_version": served.label})

    def _serve_nothing(self, unavailable: ModelUnavailable) -> None:
        if self._model is not None:
            logger.warning(
                "no model to serve any more",
                extra={"reason": unavailable.message, "model_version": self._model.label},
            )
        with self._state:
            self._model, self._failure, self._wanted = None, unavailable, None

    def _keep_last_good(self, problem: str, error: BaseException) -> None:
        serving = self._model.label if self._model else None
        logger.error(problem, extra={"error": f"{type(error).__name__}: {error}", "model_version": serving})
        with self._state:
            if self._model is None:
                # The caller gets the problem, not the error text: that may name buckets or hosts.
                self._failure = ModelUnavailable("model_unavailable", f"{problem}; see the service logs")


def _refresh_periodically(
    loader_ref: weakref.ref[ModelLoader], stop: threading.Event, interval: float
) -> None:
    """The timer: refresh at once, then every `interval`; ends with the loader (weak reference) or `close`."""
    delay = 0.0
    while not stop.wait(delay):
        loader = loader_ref()
        if loader is None:
            return
        try:
            keep_going = loader.refresh()
        except Exception:
            logger.exception("model refresh failed")
            keep_going = True
        del loader
        if not keep_going:
            return
        delay = interval
