"""The quality gate: CheckAccuracy, then Register (PendingManualApproval) or AccuracyTooLow."""

from __future__ import annotations

from sagemaker.core.model_metrics import MetricsSource, ModelMetrics
from sagemaker.core.workflow.conditions import ConditionGreaterThanOrEqualTo
from sagemaker.core.workflow.functions import Join, JsonGet
from sagemaker.core.workflow.parameters import ParameterFloat
from sagemaker.core.workflow.pipeline_context import PipelineSession
from sagemaker.core.workflow.properties import PropertyFile
from sagemaker.mlops.workflow.condition_step import ConditionStep
from sagemaker.mlops.workflow.fail_step import FailStep
from sagemaker.mlops.workflow.model_step import ModelStep
from sagemaker.mlops.workflow.steps import ProcessingStep, TrainingStep
from sagemaker.serve.model_builder import ModelBuilder

from pipeline.definition import placeholders

EVALUATION_FILE = "evaluation.json"
EVALUATION_OUTPUT = "evaluation"
ACCURACY_PATH = "binary_classification_metrics.accuracy.value"
SHA256_PATH = "artifact.sha256"
APPROVAL_STATUS = "PendingManualApproval"
SERVING_CONTENT_TYPE = "application/json"
SERVING_INSTANCE_TYPE = "ml.m5.large"


def evaluation_report() -> PropertyFile:
    return PropertyFile(name="EvaluationReport", output_name=EVALUATION_OUTPUT, path=EVALUATION_FILE)


def register_step(
    *, session: PipelineSession, train: TrainingStep, evaluate: ProcessingStep, report: PropertyFile
) -> ModelStep:
    """Register the trained artifact in the group with its metrics file and SHA-256."""
    evaluation_prefix = evaluate.properties.ProcessingOutputConfig.Outputs[EVALUATION_OUTPUT].S3Output.S3Uri
    # dependencies=None: the default {"auto": True} makes the SDK upload inference code to a
    # default bucket, which needs credentials; the serving Lambda brings its own code anyway.
    model = ModelBuilder(
        s3_model_data_url=train.properties.ModelArtifacts.S3ModelArtifacts,
        image_uri=placeholders.XGBOOST_IMAGE_URI,
        role_arn=placeholders.PIPELINE_ROLE_ARN,
        sagemaker_session=session,
        dependencies=None,
    )
    metrics = ModelMetrics(
        model_statistics=MetricsSource(
            content_type="application/json",
            s3_uri=Join(on="/", values=[evaluation_prefix, EVALUATION_FILE]),
        )
    )
    step_args = model.register(
        model_package_group_name=placeholders.MODEL_PACKAGE_GROUP,
        approval_status=APPROVAL_STATUS,
        content_types=[SERVING_CONTENT_TYPE],
        response_types=[SERVING_CONTENT_TYPE],
        inference_instances=[SERVING_INSTANCE_TYPE],
        transform_instances=[SERVING_INSTANCE_TYPE],
        model_metrics=metrics,
        customer_metadata_properties={
            "sha256": JsonGet(step_name=evaluate.name, property_file=report, json_path=SHA256_PATH)
        },
    )
    return ModelStep(name="Register", step_args=step_args)


def gate_step(
    *, evaluate: ProcessingStep, report: PropertyFile, min_accuracy: ParameterFloat, register: ModelStep
) -> ConditionStep:
    """Register when accuracy >= MinAccuracy, else fail with both numbers in the message."""
    accuracy = JsonGet(step_name=evaluate.name, property_file=report, json_path=ACCURACY_PATH)
    too_low = FailStep(
        name="AccuracyTooLow",
        error_message=Join(
            on=" ",
            values=[
                "Evaluation accuracy",
                accuracy,
                "is below MinAccuracy",
                min_accuracy,
                "so no model was registered; improve the model or lower MinAccuracy.",
            ],
        ),
    )
    return ConditionStep(
        name="CheckAccuracy",
        conditions=[ConditionGreaterThanOrEqualTo(left=accuracy, right=min_accuracy)],
        if_steps=[register],
        else_steps=[too_low],
    )
