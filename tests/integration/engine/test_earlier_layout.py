"""Versions registered before runs had a group folder (`runs/<execution id>/...`) keep their absolute URIs:
they still serve, predict, show their report and curves, and `runs clean` still keeps their run."""

from __future__ import annotations

import shutil
from dataclasses import asdict
from pathlib import Path

import pytest

from pipeline.cli.report import report_uri
from pipeline.definition.layout import run_location
from pipeline.ui.curves import evaluation_uri, run_id_of
from runtime.registry.base import Registration
from runtime.settings import Settings, open_registry
from runtime.store.local import LOCAL_BUCKET, LocalArtifactStore
from tests.integration.cli.conftest import TITANIC_TRAIN, Mlpipe

pytestmark = pytest.mark.slow
GROUP = "mlpipe-titanic"  # examples/titanic/mlpipe.toml, the config Mlpipe uses
REGISTERED = {"artifact_uri", "sha256", "metrics", "parameters", "input_schema", "output_schema"}


def _register_in_the_earlier_layout(home: Path) -> str:
    """Move version 1's run folder to runs/<execution id>/ and register it again there, as version 2."""
    registry = open_registry(Settings(home=home, model_package_group=GROUP))
    current = registry.get_version(1)
    run = run_location(current.artifact_uri)
    assert run is not None and run.group == GROUP, current.artifact_uri
    earlier = f"s3://{LOCAL_BUCKET}/runs/{run.execution_id}"
    bucket_runs = home / "s3" / LOCAL_BUCKET / "runs"
    shutil.move(bucket_runs / GROUP / run.execution_id, bucket_runs / run.execution_id)
    fields = {key: value for key, value in asdict(current).items() if key in REGISTERED}
    registry.register_version(
        Registration(
            **{**fields, "artifact_uri": current.artifact_uri.replace(run.prefix, earlier)},
            training_data_sha256=current.training_data_sha256,
            code_version=current.code_version,
            report_uri=current.report_uri.replace(run.prefix, earlier),
        )
    )
    return run.execution_id


def test_a_version_in_the_earlier_layout_still_serves_reports_and_is_kept(tmp_path: Path) -> None:
    mlpipe = Mlpipe(tmp_path / "home")
    assert mlpipe("run", "--train", str(TITANIC_TRAIN), "-p", "NumRound=20").exit_code == 0
    execution_id = _register_in_the_earlier_layout(mlpipe.home)

    approved = mlpipe("models", "approve", "2")
    predicted = mlpipe("predict", "--instance", "Pclass=3", "--instance", "Sex=male", "--instance", "Age=30")
    reported = mlpipe("report", "2")
    cleaned = mlpipe("runs", "clean", "--keep", "0")

    assert approved.exit_code == 0, approved.output
    assert predicted.exit_code == 0 and '"model_version": "2"' in predicted.stdout, predicted.output
    earlier_folder = mlpipe.home / "s3" / LOCAL_BUCKET / "runs" / execution_id
    assert str(earlier_folder / "evaluate" / "report" / "index.html") in reported.stdout, reported.output
    assert f"kept {execution_id}: holds the artifact of {GROUP} version" in cleaned.output, cleaned.output
    assert (earlier_folder / "train").is_dir()
    version = open_registry(Settings(home=mlpipe.home, model_package_group=GROUP)).get_version(2)
    store = LocalArtifactStore(mlpipe.home)
    assert run_id_of(version.artifact_uri) == execution_id
    assert store.exists(evaluation_uri(version.artifact_uri))
    assert report_uri(version) == version.report_uri
