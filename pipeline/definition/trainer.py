"""The Train step: script mode in the XGBoost framework container, without the SDK's SourceCode."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sagemaker.core.training.configs import Compute, InputData, OutputDataConfig
from sagemaker.core.workflow.functions import Join
from sagemaker.core.workflow.pipeline_context import PipelineSession
from sagemaker.mlops.workflow.steps import TrainingStep
from sagemaker.train.model_trainer import ModelTrainer

from pipeline.definition import placeholders
from pipeline.definition.processing import StrVar

TRAINING_SCRIPT = "train.py"
TRAINING_VOLUME_GB = 30


def hyperparameter_text(value: StrVar) -> StrVar:
    """A hyperparameter as the string SageMaker hands to the script in hyperparameters.json.

    A literal is JSON-encoded with json.dumps, as the container's toolkit JSON-decodes every value
    (sagemaker_program, sagemaker_submit_directory). A parameter's run-time value cannot be encoded in
    the definition (Std:Join only concatenates; quoting it by hand broke on `"` and `\\`), so it goes
    as its plain text, and train.py reads the raw file and types it from runtime/parameters.py.
    """
    if isinstance(value, str):
        return json.dumps(value)
    return Join(on="", values=[value])


def training_hyperparameters(values: Mapping[str, StrVar]) -> dict[str, StrVar]:
    """Script-mode hyperparameters: the entry point, the code bundle, then the script's own."""
    script_mode = {
        "sagemaker_program": TRAINING_SCRIPT,
        "sagemaker_submit_directory": placeholders.TRAINING_CODE_URI,
    }
    return {name: hyperparameter_text(value) for name, value in {**script_mode, **values}.items()}


def training_step(
    *,
    name: str,
    session: PipelineSession,
    compute: Compute,
    channels: Mapping[str, StrVar],
    output_uri: StrVar,
    hyperparameters: Mapping[str, StrVar],
) -> TrainingStep:
    """A training step whose model lands in `output_uri`/<job>/output/model.tar.gz."""
    trainer = ModelTrainer(
        training_image=placeholders.XGBOOST_IMAGE_URI,
        role=placeholders.PIPELINE_ROLE_ARN,
        sagemaker_session=session,
        base_job_name="mlpipe-train",
        compute=compute,
        output_data_config=OutputDataConfig(s3_output_path=output_uri, compression_type="GZIP"),
        hyperparameters=training_hyperparameters(hyperparameters),
    )
    step_args = trainer.train(
        input_data_config=[
            InputData(channel_name=channel, data_source=uri, content_type="text/csv")
            for channel, uri in channels.items()
        ]
    )
    return TrainingStep(name=name, step_args=step_args)


def training_compute(instance_type: StrVar) -> Compute:
    """One instance: train.py joins no XGBoost collective (see pipeline/parameters.py)."""
    return Compute(instance_type=instance_type, instance_count=1, volume_size_in_gb=TRAINING_VOLUME_GB)
