from __future__ import annotations

import io
import tarfile
import threading

import pytest

from lambda_inference.errors import ModelUnavailable
from lambda_inference.model_loader import ModelLoader
from lambda_inference.served_model import build_predictor
from tests.unit.lambda_inference.fakes import (
    FakeClock,
    InMemoryRegistry,
    InMemoryStore,
    flip_one_byte,
    register,
)

REFRESH = 5.0
PASSENGER = [{"Age": 80, "Sex": "male", "Pclass": 3}]


@pytest.fixture
def registry() -> InMemoryRegistry:
    return InMemoryRegistry()


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_loader(
    registry: InMemoryRegistry, store: InMemoryStore, clock: FakeClock, pinned: int | None = None
) -> ModelLoader:
    return ModelLoader(registry, store, pinned_version=pinned, refresh_seconds=REFRESH, clock=clock)


def test_serves_the_latest_approved_version(registry, store, clock, archives):
    register(registry, store, archives[0])
    register(registry, store, archives[1])
    register(registry, store, archives[0], status="PendingManualApproval")

    model = make_loader(registry, store, clock).current()

    assert model.version == 2
    assert model.label == "2"
    probability = model.predictor.predict_records(PASSENGER).probabilities[0]
    assert 0.0 < probability < 0.5  # an 80-year-old third-class man


def test_pinned_version_wins_over_latest_approved_and_is_never_re_resolved(registry, store, clock, archives):
    register(registry, store, archives[0], status="PendingManualApproval")
    register(registry, store, archives[1])
    loader = make_loader(registry, store, clock, pinned=1)

    assert loader.current().version == 1
    clock.now += 10 * REFRESH
    registry.broken = True  # a pinned model needs no registry after its load
    assert loader.current().version == 1


def test_no_approved_version_is_unavailable_with_the_fix(registry, store, clock, archives):
    register(registry, store, archives[0], status="PendingManualApproval")

    with pytest.raises(ModelUnavailable) as raised:
        make_loader(registry, store, clock).current()

    assert raised.value.code == "no_approved_model"
    assert "mlpipe models approve" in raised.value.message


def test_missing_pinned_version_is_unavailable(registry, store, clock, archives):
    register(registry, store, archives[0])

    with pytest.raises(ModelUnavailable) as raised:
        make_loader(registry, store, clock, pinned=9).current()

    assert raised.value.code == "pinned_version_missing"
    assert "MODEL_VERSION=9" in raised.value.message


def test_tampered_artifact_is_refused(registry, store, clock, archives):
    version = register(registry, store, archives[0])
    store.put_bytes(flip_one_byte(archives[0]), version.artifact_uri)

    with pytest.raises(ModelUnavailable) as raised:
        make_loader(registry, store, clock).current()

    assert raised.value.code == "model_unavailable"
    assert "refused" in raised.value.message


def test_tampered_new_version_is_refused_once_and_last_good_keeps_serving(registry, store, clock, archives):
    register(registry, store, archives[0])
    loader = make_loader(registry, store, clock)
    assert loader.current().version == 1
    bad = register(registry, store, archives[1])
    store.put_bytes(flip_one_byte(archives[1]), bad.artifact_uri)

    clock.now += REFRESH
    assert loader.current().version == 1
    clock.now += REFRESH
    assert loader.current().version == 1
    assert store.downloads.count(bad.artifact_uri) == 1  # a refused artifact is not fetched again


def test_unreadable_archive_with_matching_digest_is_refused(registry, store, clock):
    register(registry, store, b"not a tarball")

    with pytest.raises(ModelUnavailable, match="refused"):
        make_loader(registry, store, clock).current()


def test_refresh_picks_a_new_approval_only_after_the_interval(registry, store, clock, archives):
    register(registry, store, archives[0])
    loader = make_loader(registry, store, clock)
    assert loader.current().version == 1
    register(registry, store, archives[1])

    clock.now += REFRESH - 0.1
    assert loader.current().version == 1
    clock.now += 0.1
    assert loader.current().version == 2


def test_rejecting_the_served_version_rolls_back_then_stops_serving(registry, store, clock, archives):
    register(registry, store, archives[0])
    register(registry, store, archives[1])
    loader = make_loader(registry, store, clock)
    assert loader.current().version == 2

    registry.set_status(2, "Rejected")
    clock.now += REFRESH
    assert loader.current().version == 1

    registry.set_status(1, "Rejected")
    clock.now += REFRESH
    with pytest.raises(ModelUnavailable, match="no model version is approved"):
        loader.current()


def test_registry_outage_keeps_the_last_good_model(registry, store, clock, archives):
    register(registry, store, archives[0])
    loader = make_loader(registry, store, clock)
    assert loader.current().version == 1

    registry.broken = True
    clock.now += REFRESH
    assert loader.current().version == 1


def test_registry_outage_before_any_load_is_unavailable_without_details(registry, store, clock):
    registry.broken = True

    with pytest.raises(ModelUnavailable) as raised:
        make_loader(registry, store, clock).current()

    assert raised.value.code == "model_unavailable"
    assert "simulated" not in raised.value.message  # internals stay in the logs


def test_concurrent_first_requests_load_the_model_once(registry, store, archives):
    register(registry, store, archives[0])
    loads: list[int] = []

    def counting_factory(artifact: bytes, version: int):
        loads.append(version)
        return build_predictor(artifact, version)

    loader = ModelLoader(registry, store, predictor_factory=counting_factory)
    versions: list[int] = []
    threads = [threading.Thread(target=lambda: versions.append(loader.current().version)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert versions == [1] * 8
    assert loads == [1]


def test_crafted_archive_with_a_matching_digest_is_still_refused(registry, store, clock):
    crafted = io.BytesIO()
    with tarfile.open(fileobj=crafted, mode="w:gz") as tar:
        info = tarfile.TarInfo("../xgboost-model.ubj")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    register(registry, store, crafted.getvalue())  # the registry even records the crafted digest

    with pytest.raises(ModelUnavailable, match="refused"):
        make_loader(registry, store, clock).current()
