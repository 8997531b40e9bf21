from __future__ import annotations

import io
import tarfile
import threading

import pytest

from lambda_inference.errors import ModelUnavailable
from lambda_inference.model_loader import ModelLoader
from lambda_inference.served_model import build_predictor
from tests.unit.lambda_inference.fakes import (
    InMemoryRegistry,
    InMemoryStore,
    flip_one_byte,
    register,
)

# The background timer never fires a second time within a test: each test refreshes by calling refresh().
REFRESH = 3600.0
PASSENGER = [{"Age": 80, "Sex": "male", "Pclass": 3}]


@pytest.fixture
def registry() -> InMemoryRegistry:
    return InMemoryRegistry()


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


def make_loader(registry: InMemoryRegistry, store: InMemoryStore, pinned: int | None = None) -> ModelLoader:
    return ModelLoader(registry, store, pinned_version=pinned, refresh_seconds=REFRESH)


def test_serves_the_latest_approved_version(registry, store, archives):
    register(registry, store, archives[0])
    register(registry, store, archives[1])
    register(registry, store, archives[0], status="PendingManualApproval")

    model = make_loader(registry, store).current()

    assert model.version == 2
    assert model.label == "2"
    probability = model.predictor.predict_records(PASSENGER).probabilities[0]
    assert 0.0 < probability < 0.5  # an 80-year-old third-class man


def test_pinned_version_wins_over_latest_approved_and_is_never_re_resolved(registry, store, archives):
    register(registry, store, archives[0], status="PendingManualApproval")
    register(registry, store, archives[1])
    loader = make_loader(registry, store, pinned=1)

    assert loader.current().version == 1
    assert loader.refresh() is False  # nothing left to resolve
    registry.broken = True  # a pinned model needs no registry after its load
    assert loader.current().version == 1


def test_no_approved_version_is_unavailable_with_the_fix(registry, store, archives):
    register(registry, store, archives[0], status="PendingManualApproval")

    with pytest.raises(ModelUnavailable) as raised:
        make_loader(registry, store).current()

    assert raised.value.code == "no_approved_model"
    assert "mlpipe models approve" in raised.value.message


def test_missing_pinned_version_is_unavailable(registry, store, archives):
    register(registry, store, archives[0])

    with pytest.raises(ModelUnavailable) as raised:
        make_loader(registry, store, pinned=9).current()

    assert raised.value.code == "pinned_version_missing"
    assert "MODEL_VERSION=9" in raised.value.message


def test_tampered_artifact_is_refused(registry, store, archives):
    version = register(registry, store, archives[0])
    store.put_bytes(flip_one_byte(archives[0]), version.artifact_uri)

    with pytest.raises(ModelUnavailable) as raised:
        make_loader(registry, store).current()

    assert raised.value.code == "model_unavailable"
    assert "refused" in raised.value.message


def test_tampered_new_version_is_refused_once_and_last_good_keeps_serving(registry, store, archives):
    register(registry, store, archives[0])
    loader = make_loader(registry, store)
    assert loader.current().version == 1
    bad = register(registry, store, archives[1])
    store.put_bytes(flip_one_byte(archives[1]), bad.artifact_uri)

    loader.refresh()
    assert loader.current().version == 1
    loader.refresh()
    assert loader.current().version == 1
    assert store.downloads.count(bad.artifact_uri) == 1  # a refused artifact is not fetched again


def test_unreadable_archive_with_matching_digest_is_refused(registry, store):
    register(registry, store, b"not a tarball")

    with pytest.raises(ModelUnavailable, match="refused"):
        make_loader(registry, store).current()


def test_a_new_approval_is_served_after_the_next_refresh(registry, store, archives):
    register(registry, store, archives[0])
    loader = make_loader(registry, store)
    assert loader.current().version == 1
    register(registry, store, archives[1])

    assert loader.current().version == 1  # requests alone never reach the registry or the store
    loader.refresh()
    assert loader.current().version == 2


def test_rejecting_the_served_version_rolls_back_then_stops_serving(registry, store, archives):
    register(registry, store, archives[0])
    register(registry, store, archives[1])
    loader = make_loader(registry, store)
    assert loader.current().version == 2

    registry.set_status(2, "Rejected")
    loader.refresh()
    assert loader.current().version == 1

    registry.set_status(1, "Rejected")
    loader.refresh()
    with pytest.raises(ModelUnavailable, match="no model version is approved"):
        loader.current()


def test_registry_outage_keeps_the_last_good_model(registry, store, archives):
    register(registry, store, archives[0])
    loader = make_loader(registry, store)
    assert loader.current().version == 1

    registry.broken = True
    loader.refresh()
    assert loader.current().version == 1


def test_registry_outage_before_any_load_is_unavailable_without_details(registry, store):
    registry.broken = True

    with pytest.raises(ModelUnavailable) as raised:
        make_loader(registry, store).current()

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


def test_crafted_archive_with_a_matching_digest_is_still_refused(registry, store):
    crafted = io.BytesIO()
    with tarfile.open(fileobj=crafted, mode="w:gz") as tar:
        info = tarfile.TarInfo("../xgboost-model.ubj")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    register(registry, store, crafted.getvalue())  # the registry even records the crafted digest

    with pytest.raises(ModelUnavailable, match="refused"):
        make_loader(registry, store).current()


class HugeObjectStore(InMemoryStore):
    """Reports a 3 GB object at every URI (as a stat or HeadObject would) and counts what is asked."""

    def __init__(self) -> None:
        super().__init__()
        self.size_calls: list[str] = []

    def size(self, uri: str) -> int:
        self.size_calls.append(uri)
        return 3 * 2**30


def test_artifact_over_the_size_cap_is_refused_before_any_read_and_never_asked_again(registry, archives):
    # given: the registry's digest matches the bytes, but the store says the object is 3 GB
    store = HugeObjectStore()
    version = register(registry, store, archives[0])
    loader = make_loader(registry, store)

    # when
    with pytest.raises(ModelUnavailable, match="refused") as raised:
        loader.current()
    loader.refresh()

    # then: refused from its size alone, and remembered
    assert raised.value.code == "model_unavailable"
    assert store.downloads == []  # not one byte of the body was read
    assert store.size_calls == [version.artifact_uri]


@pytest.mark.parametrize("error", [MemoryError(), RecursionError("deep"), KeyError("learner")])
def test_every_refused_version_is_remembered_whatever_the_error(registry, store, archives, error):
    # given: verified bytes whose model cannot be built (out of memory, too deep, a missing key)
    register(registry, store, archives[0])

    def failing_factory(artifact: bytes, version: int):
        raise error

    loader = ModelLoader(registry, store, refresh_seconds=REFRESH, predictor_factory=failing_factory)

    # when
    for _ in range(3):
        with pytest.raises(ModelUnavailable, match="refused"):
            loader.current()
        loader.refresh()

    # then: fetched once, not once per refresh
    assert len(store.downloads) == 1
