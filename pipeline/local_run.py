"""Run the committed pipeline definition locally: store the inputs, upload code bundles, run the engine.

Inputs and code bundles are stored under content-addressed keys (pipeline/content_keys.py), so runs
started together never read each other's files and a cached step never meets changed data or code.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from pipeline.bundles import PROCESSING_BUNDLE, TRAINING_BUNDLE, build_bundles
from pipeline.content_keys import file_content_key
from pipeline.definition import placeholders
from pipeline.engine import RunResult, run_definition
from pipeline.engine.cache import StepCache
from pipeline.engine.progress import Progress
from pipeline.parameters import validated
from runtime.settings import Settings, open_registry, open_store
from runtime.store.base import ArtifactStore
from runtime.store.local import LOCAL_BUCKET
from runtime.store.temp_files import remove_stale_temp_files

DEFINITION_PATH = Path(__file__).resolve().parent / "definition" / "pipeline.json"
DATA_PREFIX = f"s3://{LOCAL_BUCKET}/data/"
CODE_PREFIX = f"s3://{LOCAL_BUCKET}/code/"
# Never used to call AWS: the engine runs the scripts with this interpreter instead of the image.
LOCAL_ROLE_ARN = "arn:aws:iam::000000000000:role/mlpipe-local"
LOCAL_IMAGE_URI = "local/mlpipe-xgboost:this-python"


class InputError(ValueError):
    """An input file or input parameter the run cannot use; the message says how to fix it."""


def new_execution_id(now: datetime | None = None) -> str:
    """A unique execution id that sorts in start order, e.g. 20250131T120000123Z-3fa9c2 (milliseconds:
    a re-run from the cache takes well under a second, and `runs list` and `status` sort by the id)."""
    moment = now or datetime.now(UTC)
    return f"{moment:%Y%m%dT%H%M%S}{moment.microsecond // 1000:03d}Z-{secrets.token_hex(3)}"


def input_overrides(train: Path, test: Path | None, overrides: Mapping[str, str]) -> dict[str, str]:
    """`overrides` plus TrainFile/TestFile naming the input files; checks the files exist.

    The names stand in for validation; `store_inputs` gives the content-addressed keys the run uses.
    """
    for flag, path in (("--train", train), ("--test", test)):
        if path is not None and not path.is_file():
            raise InputError(
                f"{flag} {path}: no such file; give the path of a labelled CSV file "
                f"(relative to {Path.cwd()})"
            )
    clashes = sorted({"TrainFile", "TestFile"} & set(overrides))
    if clashes:
        raise InputError(f"--param {', '.join(clashes)} cannot be set directly; use --train and --test")
    if test is not None and test.name == train.name:
        raise InputError(f"--train and --test are both named {train.name}; rename one of the files")
    # No test file: TrainFile's name, so the Preprocess test input is one object (parameters.py).
    return {**overrides, "TrainFile": train.name, "TestFile": test.name if test else train.name}


def store_content_addressed(store: ArtifactStore, path: Path, prefix: str) -> str:
    """Store `path` at `prefix`sha256/<digest>/<name> (once: same key, same bytes); returns the key."""
    key, digest = file_content_key(path)
    if not store.exists(prefix + key):
        store.put_file(path, prefix + key, metadata={"sha256": digest})
    return key


def store_inputs(store: ArtifactStore, train: Path, test: Path | None) -> dict[str, str]:
    """Put the CSV files where the Preprocess step reads them; returns TrainFile/TestFile, their keys
    under the data/ prefix (no test file: TrainFile's key, "the validation split")."""
    train_key = store_content_addressed(store, train, DATA_PREFIX)
    test_key = store_content_addressed(store, test, DATA_PREFIX) if test is not None else train_key
    return {"TrainFile": train_key, "TestFile": test_key}


def upload_bundles(store: ArtifactStore, run_dir: Path) -> dict[str, str]:
    """Build both code bundles from this checkout and store them content-addressed (the bundles are
    deterministic, pipeline/bundles.py, as CDK's assets are); returns placeholder -> local URI."""
    built = build_bundles(run_dir / "bundles")
    return {
        placeholder: CODE_PREFIX + store_content_addressed(store, built[name], CODE_PREFIX)
        for placeholder, name in (
            (placeholders.PROCESSING_CODE_URI, PROCESSING_BUNDLE),
            (placeholders.TRAINING_CODE_URI, TRAINING_BUNDLE),
        )
    }


def local_values(settings: Settings, code_uris: Mapping[str, str]) -> dict[str, str]:
    """Placeholder -> local value for every placeholder of the definition."""
    return {
        **code_uris,
        placeholders.ARTIFACT_BUCKET: LOCAL_BUCKET,
        placeholders.PIPELINE_ROLE_ARN: LOCAL_ROLE_ARN,
        placeholders.MODEL_PACKAGE_GROUP: settings.model_package_group,
        placeholders.XGBOOST_IMAGE_URI: LOCAL_IMAGE_URI,
    }


def run_locally(
    settings: Settings,
    *,
    train: Path,
    test: Path | None = None,
    overrides: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    definition_path: Path = DEFINITION_PATH,
    use_cache: bool = True,
) -> RunResult:
    """Execute the pipeline on `train` (and `test`) with the local store and registry of `settings`.

    `use_cache=False` (`mlpipe run --no-cache`) runs every step; the runs are still recorded for later.
    """
    parameters = input_overrides(train, test, overrides or {})
    # Every parameter checked against the contract before anything is stored, built or run.
    validated(parameters)
    if not definition_path.is_file():
        raise InputError(f"{definition_path} is missing; generate it with `make definition`")
    text = definition_path.read_text()
    store = open_store(settings)
    # Partial files of killed runs would otherwise stay in the state folder for ever.
    remove_stale_temp_files(settings.home)
    execution_id = new_execution_id()
    run_dir = settings.home / "runs" / execution_id
    parameters |= store_inputs(store, train, test)
    values = local_values(settings, upload_bundles(store, run_dir))
    definition = placeholders.substitute(json.loads(text), values)
    return run_definition(
        definition,
        store=store,
        registry=open_registry(settings),
        run_dir=run_dir,
        execution_id=execution_id,
        overrides=parameters,
        progress=progress,
        cache=StepCache(settings.home, reuse=use_cache),
    )
