"""Inputs and code bundles of a local run are stored content-addressed (issue 18 item 1, issue 17).

Before, inputs were stored as data/<file name>: a second file named train.csv replaced the first
while a run was about to read it, so concurrent runs trained on each other's data.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.content_keys import display_name, is_content_key
from pipeline.local_run import CODE_PREFIX, DATA_PREFIX, store_inputs, upload_bundles
from runtime.store.local import LocalArtifactStore


def csv(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "train.csv"
    path.write_text(text)
    return path


def test_two_files_named_train_csv_get_their_own_keys_and_both_stay_stored(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path / "home")
    first, second = csv(tmp_path / "a", "y\n1\n0\n"), csv(tmp_path / "b", "y\n0\n1\n")

    keys = [store_inputs(store, path, None)["TrainFile"] for path in (first, second)]

    assert keys[0] != keys[1]
    assert keys[0] == f"sha256/{hashlib.sha256(first.read_bytes()).hexdigest()}/train.csv"
    assert [store.get_bytes(DATA_PREFIX + key) for key in keys] == [first.read_bytes(), second.read_bytes()]
    assert all(is_content_key(key) and display_name(key) == "train.csv" for key in keys)


def test_no_test_file_means_test_file_is_the_train_key(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path / "home")
    train = csv(tmp_path / "a", "y\n1\n0\n")

    stored = store_inputs(store, train, None)

    assert stored["TestFile"] == stored["TrainFile"]
    assert store.metadata(DATA_PREFIX + stored["TrainFile"]) == {
        "sha256": hashlib.sha256(train.read_bytes()).hexdigest()
    }


def test_code_bundles_are_content_addressed_and_stable_across_runs(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path / "home")

    first = upload_bundles(store, tmp_path / "run-1")
    second = upload_bundles(store, tmp_path / "run-2")

    assert first == second  # same checkout, same keys: a cached step's code is the code that runs
    for uri in first.values():
        assert uri.startswith(CODE_PREFIX + "sha256/")
        digest = uri.removeprefix(CODE_PREFIX).split("/")[1]
        assert hashlib.sha256(store.get_bytes(uri)).hexdigest() == digest
