"""The Register step: a CreateModelPackage request carrying every fact of the version.

The layout of the facts is `runtime.registry.model_package`'s; the local engine and the SageMaker
registry both read them from there, so `mlpipe models show` answers the same on both backends.
Every value is a pipeline expression resolved at run time, never text pasted into JSON: the model
card arrives whole from Evaluate's property file (evaluate.py serialises it with `json`).
"""

from __future__ import annotations

from sagemaker.core.model_metrics import MetricsSource, ModelMetrics
from sagemaker.core.shapes import ModelPackageModelCard
from sagemaker.core.workflow.functions import Join, JsonGet
from sagemaker.core.workflow.pipeline_context import PipelineSession
from sagemaker.core.workflow.properties import PropertyFile
from sagemaker.mlops.workflow.model_step import ModelStep
from sagemaker.mlops.workflow.steps import ProcessingStep, TrainingStep
from sagemaker.serve.model_builder import ModelBuilder

from pipeline.definition import placeholders
from pipeline.definition.gate import EVALUATION_FILE, EVALUATION_OUTPUT, REPORT_URI_PATH
from runtime.model_quality import ARTIFACT_SHA256_PATH
from runtime.registry.model_package import CARD_STATUS, CODE_PREFIX

# Paths in evaluation.json (processing/evaluate.py writes them).
TRAINING_DATA_SHA256_PATH = "registration.training_data_sha256"
MODEL_CARD_PATH = "registration.model_card"
APPROVAL_STATUS = "PendingManualApproval"
SERVING_CONTENT_TYPE = "application/json"
SERVING_INSTANCE_TYPE = "ml.m5.large"


def _output_uri(evaluate: ProcessingStep, output: str) -> object:
    return evaluate.properties.ProcessingOutputConfig.Outputs[output].S3Output.S3Uri


def customer_metadata(evaluate: ProcessingStep, report: PropertyFile) -> dict[str, object]:
    """The facts that fit CustomerMetadataProperties' value pattern: digests and s3:// URIs."""

    def evaluated(path: str) -> JsonGet:
        return JsonGet(step_name=evaluate.name, property_file=report, json_path=path)

    return {
        "sha256": evaluated(ARTIFACT_SHA256_PATH),
        "training_data_sha256": evaluated(TRAINING_DATA_SHA256_PATH),
        "report_uri": evaluated(REPORT_URI_PATH),  # the HTML report's s3:// URI, as Evaluate wrote it
        # Content-addressed on AWS (CDK asset keys), kept per run locally: the exact code that ran.
        f"{CODE_PREFIX}training": placeholders.TRAINING_CODE_URI,
        f"{CODE_PREFIX}processing": placeholders.PROCESSING_CODE_URI,
    }


def register_step(
    *, session: PipelineSession, train: TrainingStep, evaluate: ProcessingStep, report: PropertyFile
) -> ModelStep:
    """Register the trained artifact with its metrics, model card and provenance."""
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
            s3_uri=Join(on="/", values=[_output_uri(evaluate, EVALUATION_OUTPUT), EVALUATION_FILE]),
        )
    )
    card = JsonGet(step_name=evaluate.name, property_file=report, json_path=MODEL_CARD_PATH)
    step_args = model.register(
        model_package_group_name=placeholders.MODEL_PACKAGE_GROUP,
        approval_status=APPROVAL_STATUS,
        content_types=[SERVING_CONTENT_TYPE],
        response_types=[SERVING_CONTENT_TYPE],
        inference_instances=[SERVING_INSTANCE_TYPE],
        transform_instances=[SERVING_INSTANCE_TYPE],
        model_metrics=metrics,
        customer_metadata_properties=customer_metadata(evaluate, report),
        model_card=ModelPackageModelCard(model_card_content=card, model_card_status=CARD_STATUS),
    )
    return ModelStep(name="Register", step_args=step_args)
