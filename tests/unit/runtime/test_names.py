"""runtime/names.py: one set of environment-variable and stack-output names for every layer."""

from __future__ import annotations

from pathlib import Path

from pipeline.aws import outputs
from promoter import handler as promoter
from runtime import names
from runtime.settings import load_settings


def test_settings_read_the_shared_variable_names(tmp_path: Path) -> None:
    settings = load_settings(
        {
            names.BACKEND_ENV: "aws",
            names.HOME_ENV: str(tmp_path),
            names.MODEL_PACKAGE_GROUP_ENV: "mlpipe-penguins",
            names.MODEL_VERSION_ENV: "7",
            names.MODEL_REFRESH_SECONDS_ENV: "0.5",
        }
    )

    assert (settings.backend, settings.home, settings.model_package_group) == (
        "aws",
        tmp_path,
        "mlpipe-penguins",
    )
    assert (settings.model_version, settings.model_refresh_seconds) == (7, 0.5)


def test_the_promoter_pins_the_variable_serving_reads() -> None:
    # The promoter ships alone (Code.from_asset(promoter/)), so it keeps its own literal: kept equal here.
    assert promoter.MODEL_VERSION_VARIABLE == names.MODEL_VERSION_ENV


def test_the_cloud_commands_read_every_output_the_stacks_declare() -> None:
    declared = {
        names.ARTIFACT_BUCKET_NAME,
        names.DATA_URI,
        names.PIPELINE_NAME,
        names.MODEL_PACKAGE_GROUP_NAME,
        names.API_URL,
        names.FUNCTION_NAME,
        names.CLIENT_POLICY_ARN,
    }

    assert set(outputs.OUTPUT_KEYS) == declared
    assert len(outputs.OUTPUT_KEYS) == len(declared)
