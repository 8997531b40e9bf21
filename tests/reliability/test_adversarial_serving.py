"""Adversarial serving (issue 18, items 2, 3, 6, 13): artifacts and stores that try to knock serving over.

The crafted-artifact and huge-artifact cases run the loader in a child process, so that a crash (a
segfault, an abort) or an out-of-memory is a failed assertion here, not a dead test runner. Each child
prints one JSON line; the parent asserts on it. Serving reads the archive's JSON model with its own
bounded parser (runtime/features/trees.py, issue 17), never XGBoost's native loader: the crafted
models below target that parser.
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lambda_inference import model_loader
from lambda_inference.errors import ModelUnavailable
from lambda_inference.handler import handle_event
from lambda_inference.model_loader import ModelLoader
from runtime.features.archive import (
    METADATA_FILE,
    MODEL_FILE,
    SERVING_MODEL_FILE,
    SPEC_FILE,
    read_model_archive,
    write_model_archive,
)
from runtime.features.trees import parse_model
from runtime.registry.base import Registration
from runtime.store.local import LocalArtifactStore
from tests.unit.lambda_inference.fakes import REPO_ROOT, InMemoryRegistry, InMemoryStore, register

EVENT = {"instances": [{"Age": 22, "Sex": "female", "Pclass": 1}]}
REFRESH = 0.05
HUGE_BYTES = 3 * 2**30
CHILD_MEMORY_LIMIT = 3 * 2**29  # 1.5 GiB of address space: a small Lambda, and a safe test machine


def answer(loader: Any) -> tuple[int, str | None]:
    response = handle_event(EVENT, loader, "adversarial")
    return response["statusCode"], json.loads(response["body"]).get("model_version")


def run_child(function: str, *args: str) -> dict[str, Any]:
    """Run `function(*args)` of this module in a fresh interpreter; its last stdout line is JSON."""
    module = "tests.reliability.test_adversarial_serving"
    code = f"import sys, {module} as t; t.{function}(*sys.argv[1:])"
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO_ROOT,
        capture_output=True,
        timeout=300,
        check=False,
        env={**os.environ, "MALLOC_ARENA_MAX": "2"},
    )
    assert done.returncode == 0, (
        f"serving process died with {done.returncode}: {done.stderr.decode()[-2000:]}"
    )
    return dict(json.loads(done.stdout.decode().strip().splitlines()[-1]))


# -- item 2: a 3 GB artifact -------------------------------------------------------------------


class CountingLocalStore(LocalArtifactStore):
    """The real local store, counting stat calls and body reads."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.size_calls = 0
        self.body_reads = 0

    def size(self, uri: str) -> int:
        self.size_calls += 1
        return super().size(uri)

    def get_bytes(self, uri: str) -> bytes:
        self.body_reads += 1
        return super().get_bytes(uri)

    def iter_chunks(self, uri: str, chunk_bytes: int = 2**20) -> Iterator[bytes]:
        self.body_reads += 1
        return super().iter_chunks(uri, chunk_bytes)


def peak_rss_mb() -> float:
    """This process's resident-set high-water mark (VmHWM: unlike ru_maxrss, not inherited at fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc/self/status")


def huge_artifact_child(home: str) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_LIMIT, CHILD_MEMORY_LIMIT))
    store = CountingLocalStore(Path(home))
    uri = "s3://mlpipe-local/models/1/model.tar.gz"
    path = store.path_for(uri)
    path.parent.mkdir(parents=True)
    with path.open("wb") as sparse:
        sparse.truncate(HUGE_BYTES)  # 3 GB on paper, no disk blocks
    registry = InMemoryRegistry()
    registry.register_version(
        Registration(
            artifact_uri=uri,
            sha256="0" * 64,
            metrics={},
            parameters={},
            input_schema={},
            output_schema={},
            status="Approved",
        )
    )
    before_mb = peak_rss_mb()  # the interpreter and this module's imports (xgboost, pandas)
    loader = ModelLoader(registry, store, refresh_seconds=REFRESH)
    messages = []
    for _ in range(3):
        try:
            loader.current()
        except ModelUnavailable as unavailable:
            messages.append(unavailable.message)
        time.sleep(5 * REFRESH)
    report = {"messages": messages, "before_mb": before_mb, "peak_rss_mb": peak_rss_mb(), **vars(store)}
    print(json.dumps(report, default=str))


def test_a_3_gb_artifact_is_refused_within_a_few_hundred_mb(tmp_path: Path) -> None:
    report = run_child("huge_artifact_child", str(tmp_path / "home"))

    print(
        f"3 GB artifact: refused, peak RSS {report['peak_rss_mb']:.0f} MB "
        f"({report['before_mb']:.0f} MB before the loader started), "
        f"{report['size_calls']} size call(s), {report['body_reads']} body read(s) over several refreshes"
    )
    assert report["messages"] and all("model version 1 refused" in m for m in report["messages"])
    assert report["peak_rss_mb"] < 300
    assert report["peak_rss_mb"] - report["before_mb"] < 50
    assert report["body_reads"] == 0
    assert report["size_calls"] == 1  # refused once, never asked again


# -- items 3 and 13: crafted models and specs with a valid digest -------------------------------
# Values a crafted JSON model may put in a tree's arrays: out of range, not numbers, not finite.
HOSTILE_VALUES: tuple[Any, ...] = (-7, 2**70, 10**6, 1e39, -1e400, "1", None, [], {}, True, 0.5, 3)
TREE_FIELDS = ("left_children", "right_children", "split_indices", "split_conditions", "default_left")


def _tree_edit(model: dict[str, Any], edit: Any) -> bytes:
    """The model's JSON text after `edit(first tree)`."""
    copy = json.loads(json.dumps(model))
    edit(copy["learner"]["gradient_booster"]["model"]["trees"][0])
    return json.dumps(copy).encode()


def _chain(depth: int) -> dict[str, Any]:
    """A tree that is a chain `depth` splits long (node 2k+1 a leaf, node 2k+2 the next split)."""
    size = 2 * depth + 1
    left = [2 * (i // 2) + 1 if i % 2 == 0 and i < size - 1 else -1 for i in range(size)]
    right = [2 * (i // 2) + 2 if i % 2 == 0 and i < size - 1 else -1 for i in range(size)]
    return {
        "tree_param": {"num_nodes": str(size), "num_feature": "1", "size_leaf_vector": "1"},
        "left_children": left,
        "right_children": right,
        "split_indices": [0] * size,
        "split_conditions": [0.5] * size,
        "default_left": [1] * size,
        "split_type": [0] * size,
    }


def crafted_models(serving_model: bytes, mutations: int) -> dict[str, bytes]:
    """JSON models aimed at the serving parser: malformed, cyclic, too deep, too big, out of range."""
    model = json.loads(serving_model)
    trees = model["learner"]["gradient_booster"]["model"]["trees"]
    chain = json.loads(json.dumps(model))
    chain["learner"]["gradient_booster"]["model"]["trees"] = [_chain(200)]
    variants = {
        "empty JSON model": b"",
        "nested JSON model": b'{"learner":' * 100_000,
        "JSON model with a cycle": _tree_edit(model, lambda t: t["left_children"].__setitem__(1, 0)),
        "JSON model with a feature out of range": _tree_edit(
            model, lambda t: t["split_indices"].__setitem__(0, 99)
        ),
        "JSON model with a NaN threshold": _tree_edit(
            model, lambda t: t["split_conditions"].__setitem__(0, float("nan"))
        ),
        "JSON model claiming 10M nodes": _tree_edit(
            model, lambda t: t["tree_param"].__setitem__("num_nodes", "10000000")
        ),
        "JSON model 200 levels deep": json.dumps(chain).encode(),
        "JSON model with categorical splits": _tree_edit(model, lambda t: t["split_type"].__setitem__(0, 1)),
        "JSON model with 30k trees": json.dumps(
            {
                **model,
                "learner": {
                    **model["learner"],
                    "gradient_booster": {
                        **model["learner"]["gradient_booster"],
                        "model": {
                            **model["learner"]["gradient_booster"]["model"],
                            "trees": trees[:1] * 30_000,
                        },
                    },
                },
            }
        ).encode(),
    }
    rng = random.Random(17)
    for i in range(mutations):
        field, value = rng.choice(TREE_FIELDS), rng.choice(HOSTILE_VALUES)
        position = rng.randrange(len(trees[0][field]))
        variants[f"mutation {i}: {field}[{position}] = {value!r}"[:80]] = _tree_edit(
            model, lambda t, f=field, p=position, v=value: t[f].__setitem__(p, v)
        )
    for i in range(mutations):
        mutated = bytearray(serving_model)
        for _ in range(rng.randint(1, 8)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        variants[f"byte mutation {i}"] = bytes(mutated)
    return variants


def crafted_archives(good: bytes, work: Path, mutations: int = 6) -> dict[str, bytes]:
    """Archives whose digest the registry records, but whose JSON model or spec is hostile."""
    files = read_model_archive(good)
    spec, booster, serving = files.feature_spec, files.booster_bytes, files.serving_model
    variants: dict[str, tuple[bytes, dict[str, Any] | bytes]] = {
        name: (model, spec) for name, model in crafted_models(serving, mutations).items()
    }
    variants |= {
        "spec nested 100k deep": (serving, b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
        "spec numeric [[1]]": (serving, {**spec, "numeric": [[1]]}),
        "spec with 200k categories": (
            serving,
            {**spec, "categorical": {**spec["categorical"], "Sex": [f"c{i}" for i in range(200_000)]}},
        ),
    }
    return {
        name: _archive(work / f"crafted-{n}", booster, *parts)
        for n, (name, parts) in enumerate(variants.items())
    }


def _archive(folder: Path, booster: bytes, serving: bytes, spec: dict[str, Any] | bytes) -> bytes:
    folder.mkdir(parents=True)
    (folder / MODEL_FILE).write_bytes(booster)  # serving never reads it; XGBoost in Evaluate does
    (folder / SERVING_MODEL_FILE).write_bytes(serving)
    (folder / SPEC_FILE).write_bytes(spec if isinstance(spec, bytes) else json.dumps(spec).encode())
    (folder / METADATA_FILE).write_text("{}")
    write_model_archive(folder, folder / "model.tar.gz")
    return (folder / "model.tar.gz").read_bytes()


def wait_for(condition: Any, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(REFRESH / 2)


def fetched(loader: ModelLoader, store: InMemoryStore, uri: str) -> bool:
    """True once `uri` was read; answers a request on the way (a loader may refresh on requests)."""
    answer(loader)
    return uri in store.downloads


def keep_serving(loader: ModelLoader, refreshes: int = 10) -> tuple[int, str | None]:
    """Answer requests for several refresh intervals; the last answer."""
    for _ in range(refreshes):
        time.sleep(REFRESH)
        answer(loader)
    return answer(loader)


def crafted_child(folder: str) -> None:
    archives = {path.stem: path.read_bytes() for path in sorted(Path(folder).glob("*.bin"))}
    good = archives.pop("good")
    registry, store = InMemoryRegistry(), InMemoryStore()
    loader = ModelLoader(registry, store, refresh_seconds=REFRESH)
    report: dict[str, Any] = {}
    names = sorted(archives)
    first = register(registry, store, archives[names[0]])  # cold start: only a crafted version
    wait_for(lambda: fetched(loader, store, first.artifact_uri))
    last = keep_serving(loader)
    report["cold start"] = {"answer": last, "downloads": store.downloads.count(first.artifact_uri)}
    served = register(registry, store, good)
    wait_for(lambda: answer(loader) == (200, str(served.version)))
    for name in names[1:]:
        version = register(registry, store, archives[name])
        wait_for(lambda: fetched(loader, store, version.artifact_uri))  # noqa: B023 - used in the iteration
        last = keep_serving(loader)  # several refreshes: a refused version must not be fetched again
        report[name] = {
            "version": version.version,
            "answer": last,
            "downloads": store.downloads.count(version.artifact_uri),
        }
    print(json.dumps({"first": names[0], "served": served.version, "report": report}))


@pytest.mark.slow
def test_crafted_boosters_and_specs_never_kill_serving_nor_get_served(tmp_path: Path, model_archives) -> None:
    # given: the archives as files, named so that sorted order puts the empty booster first
    for n, (name, data) in enumerate(crafted_archives(model_archives[0], tmp_path / "work").items()):
        (tmp_path / f"{n:02d} {re.sub(r'[^A-Za-z0-9 _.=-]', '_', name)}.bin").write_bytes(data)
    (tmp_path / "good.bin").write_bytes(model_archives[0])

    # when
    result = run_child("crafted_child", str(tmp_path))

    # then: the process lived; the cold start answered 503; every crafted model or spec was refused
    # (fetched once, the last good version kept answering). A mutation may also be a valid model
    # (a changed split value or leaf value): it is served like any other version.
    report = result["report"]
    assert result["first"].endswith("empty JSON model")
    assert report.pop("cold start") == {"answer": [503, None], "downloads": 1}
    last_good, refused = str(result["served"]), 0
    for name, outcome in report.items():
        assert outcome["downloads"] == 1, name
        if outcome["answer"] == [200, str(outcome["version"])] and "mutation" in name:
            last_good = str(outcome["version"])
            continue
        assert outcome["answer"] == [200, last_good], name
        refused += 1
    print(
        f"crafted archives: the serving process survived all {len(report) + 1}; {refused + 1} refused "
        f"(cold start answered 503), {len(report) - refused} valid mutation(s) served; " + json.dumps(report)
    )
    named = [name for name in report if "mutation" not in name]
    assert len(named) == 11  # eight named models after the cold start's, three specs
    assert refused >= len(named) + 3  # every named model and spec (asserted above), and mutations


def test_crafted_models_are_refused_fast_with_a_reason(model_archives) -> None:
    """In-process: the parser refuses each hostile model quickly (no hang), saying why."""
    serving = read_model_archive(model_archives[0]).serving_model
    slowest, refused = 0.0, 0
    for name, model in crafted_models(serving, mutations=40).items():
        started = time.perf_counter()
        try:
            parse_model(model)
        except ValueError as error:
            assert str(error), name
            refused += 1
        slowest = max(slowest, time.perf_counter() - started)
    print(f"crafted JSON models: {refused} refused, slowest parse {slowest * 1000:.0f} ms")
    assert refused >= 9 + 20
    assert slowest < 5.0


def test_json_model_load_cost(model_archives) -> None:
    """Parsing the JSON model replaces the booster trial (a child process, about 60 ms) at every load."""
    serving = read_model_archive(model_archives[0]).serving_model
    timings = []
    for _ in range(7):
        started = time.perf_counter()
        parse_model(serving)
        timings.append(time.perf_counter() - started)
    median_ms = statistics.median(timings) * 1000
    print(f"JSON model parse ({len(serving)} bytes): median {median_ms:.1f} ms of 7")
    assert median_ms < 100


# -- item 6: a store that blocks --------------------------------------------------------------------


class BlockingStore(InMemoryStore):
    """Reads of `blocked_uri` wait until `released` is set, like a hung S3 connection."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked_uri = ""
        self.released = threading.Event()

    def get_bytes(self, uri: str) -> bytes:
        if uri == self.blocked_uri:
            self.released.wait()
        return super().get_bytes(uri)


def timed_answer(loader: ModelLoader, seconds: float = 2.0) -> tuple[float, tuple[int, str | None] | None]:
    """(latency, answer); the answer is None when the request was still waiting after `seconds`."""
    answers: list[tuple[int, str | None]] = []
    started = time.monotonic()
    request = threading.Thread(target=lambda: answers.append(answer(loader)), daemon=True)
    request.start()
    request.join(seconds)
    return time.monotonic() - started, (answers[0] if answers else None)


def poll(loader: ModelLoader, until: tuple[int, str | None], latencies: list[float]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        latency, got = timed_answer(loader)
        latencies.append(latency)
        assert got is not None, "a request waited on the store"
        if got == until:
            return
        time.sleep(REFRESH / 2)
    raise AssertionError(f"never answered {until}")


def test_requests_never_wait_on_a_blocked_store(model_archives, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_loader, "LOAD_TIMEOUT_SECONDS", 0.5, raising=False)
    registry, store = InMemoryRegistry(), BlockingStore()
    register(registry, store, model_archives[0])
    loader = ModelLoader(registry, store, refresh_seconds=REFRESH)
    latencies: list[float] = []
    try:
        poll(loader, (200, "1"), latencies)
        # when: version 2 is approved and its artifact read hangs
        store.blocked_uri = "s3://mlpipe-local/models/2/model.tar.gz"
        register(registry, store, model_archives[1])
        latencies.clear()
        for _ in range(20):
            latency, got = timed_answer(loader)
            latencies.append(latency)
            assert got == (200, "1"), "the last good model must keep answering, at once"
            time.sleep(REFRESH)
        blocked_latencies = list(latencies)
        # and: version 1 is rejected while version 2 still hangs: version 1 stops being served
        registry.set_status(1, "Rejected")
        poll(loader, (503, None), latencies)
        # and: the store answers again: version 2 is served, fetched once in all
        store.released.set()
        poll(loader, (200, "2"), latencies)
    finally:
        store.released.set()
    slowest = max(latencies) * 1000
    print(
        f"blocked store: {len(blocked_latencies)} requests during the hang answered by version 1, "
        f"slowest request {slowest:.0f} ms; version 1 rejected -> 503, store back -> version 2"
    )
    assert slowest < 250
    assert store.downloads.count(store.blocked_uri) == 1
