"""`mlpipe serve` during a canary: split requests by the live pointer's weight, roll back on errors.

The registry's live pointer (`live`, `candidate`, `weight`, `plan`; pipeline/deploy_local.py) is the
state every serve worker shares. Each worker holds both models (two `ModelLoader`s, one per role),
sends each request to the candidate with probability weight/100 (an injectable `random.Random`), counts
the candidate's scoring errors (pipeline/canary_guard.py) and, on its check timer, delivers through the
promotion state machine (promoter/rollout.py) an `alarm` when the error rate is over the threshold, or a
`tick` when the step has run its minutes. Duplicate events from other workers change nothing.
"""

from __future__ import annotations

import random
import threading
import weakref
from collections.abc import Callable

from lambda_inference.errors import ModelUnavailable
from lambda_inference.handler import ServesModels
from lambda_inference.model_loader import ModelLoader, logger
from lambda_inference.served_model import LoadedModel, ResolvesVersions
from pipeline import deploy_local
from pipeline.canary_guard import ErrorWindow, Thresholds, counted
from runtime.registry.base import LivePointer, ModelVersion
from runtime.registry.sqlite import SqliteModelRegistry

LoaderFactory = Callable[[ResolvesVersions], ServesModels]
FULL = 100
MAX_WRAPPED = 8


class RoleView:
    """The registry as one loader sees it: `live_version` is the pointer's live or candidate version."""

    def __init__(self, registry: SqliteModelRegistry, role: str) -> None:
        self._registry, self._role = registry, role

    def get_version(self, version: int) -> ModelVersion:
        return self._registry.get_version(version)

    def latest_approved(self) -> ModelVersion | None:
        return self._registry.latest_approved()

    def live_version(self) -> ModelVersion | None:
        if self._role == "live":
            return self._registry.live_version()
        pointer = self._registry.live_pointer()
        if pointer is None or pointer.candidate is None:
            return None
        return self._registry.get_version(pointer.candidate)


class CanaryRouter:
    """`current()` per request: the live or the candidate model (wrapped to count its outcomes)."""

    def __init__(
        self,
        registry: SqliteModelRegistry,
        make_loader: LoaderFactory,
        *,
        window: ErrorWindow | None = None,
        rng: random.Random | None = None,
        check_seconds: float = 5.0,
    ) -> None:
        self._registry = registry
        self.live, self.candidate = (
            make_loader(RoleView(registry, "live")),
            make_loader(RoleView(registry, "candidate")),
        )
        self.window = window or ErrorWindow(Thresholds())
        self._rng = rng or random.Random()
        self._check_seconds = check_seconds
        self._wrapped: dict[int, tuple[LoadedModel, LoadedModel]] = {}  # id(model) -> (model, counted)
        self.pointer: LivePointer | None = registry.live_pointer()

    def current(self) -> LoadedModel:
        pointer = self.pointer
        to_candidate = pointer is not None and pointer.candidate is not None
        if to_candidate and self._rng.random() * FULL < pointer.weight:  # type: ignore[union-attr]
            try:
                return self._counted(self.candidate.current())
            except ModelUnavailable:
                pass  # the candidate is still loading (or gone): the live version answers
        return self._counted(self.live.current())

    def check(self, at: str | None = None) -> None:
        """Read the pointer; deliver an `alarm` or a due `tick`; reload both roles when the pointer moved."""
        pointer = self._registry.live_pointer()
        if pointer is not None and pointer.candidate is not None:
            reason = self.window.alarm_reason(pointer.candidate)
            if reason is not None:
                deploy_local.canary_event(
                    self._registry, "alarm", version=pointer.candidate, reason=reason, at=at
                )
                self.window.forget(pointer.candidate)
            elif deploy_local.tick_is_due(pointer, at):
                deploy_local.canary_event(self._registry, "tick", at=at)
            pointer = self._registry.live_pointer()
        if pointer != self.pointer:
            self.pointer = pointer
            for loader in (self.live, self.candidate):
                refresh = getattr(loader, "refresh", None)
                if refresh is not None:
                    refresh()

    def start(self) -> None:
        """Check every `check_seconds` on a daemon thread that ends with the router."""
        threading.Thread(
            target=_check_periodically, args=(weakref.ref(self), self._check_seconds), daemon=True
        ).start()

    def _counted(self, model: LoadedModel) -> LoadedModel:
        cached = self._wrapped.get(id(model))
        if cached is not None and cached[0] is model:
            return cached[1]
        wrapped = counted(model, self.window)
        if len(self._wrapped) > MAX_WRAPPED:  # models replaced by refreshes: drop the stale wrappers
            self._wrapped = {}
        self._wrapped[id(model)] = (model, wrapped)
        return wrapped


def _check_periodically(router_ref: weakref.ref[CanaryRouter], interval: float) -> None:
    stop = threading.Event()
    while not stop.wait(interval):
        router = router_ref()
        if router is None:
            return
        try:
            router.check()
        except Exception:  # a locked or unreadable registry: try again at the next check
            logger.exception("canary check failed")
        del router


def loader_from_environment() -> ServesModels:
    """What `mlpipe serve` answers with: the canary router locally, a pinned or AWS loader otherwise."""
    from runtime import settings as runtime_settings  # noqa: PLC0415 (reads the environment at call time)

    config = runtime_settings.load_settings()
    registry = runtime_settings.open_registry(config)
    if config.model_version is not None or not isinstance(registry, SqliteModelRegistry):
        return ModelLoader.from_environment()
    store = runtime_settings.open_store(config)

    def make_loader(view: ResolvesVersions) -> ServesModels:
        return ModelLoader(view, store, refresh_seconds=config.model_refresh_seconds)

    router = CanaryRouter(
        registry,
        make_loader,
        window=ErrorWindow(Thresholds.from_environment()),
        check_seconds=config.model_refresh_seconds,
    )
    router.start()
    return router
