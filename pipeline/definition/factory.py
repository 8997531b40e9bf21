"""The pipeline factory: parameters and steps exactly as docs/architecture.md describes them.

Import this module only inside `offline.offline_environment()`: the SDK needs a region at import.
"""

from __future__ import annotations

from sagemaker.core.workflow.execution_variables import ExecutionVariables
from sagemaker.core.workflow.functions import Join
from sagemaker.core.workflow.parameters import Parameter as SdkParameter
from sagemaker.core.workflow.parameters import ParameterFloat, ParameterInteger, ParameterString
from sagemaker.core.workflow.pipeline_context import PipelineSession
from sagemaker.mlops.workflow.pipeline import Pipeline
from sagemaker.mlops.workflow.steps import CacheConfig, ProcessingStep, TrainingStep

from pipeline.definition import gate, placeholders
from pipeline.definition.layout import RUNS_FOLDER
from pipeline.definition.processing import PROCESSING_ROOT, StrVar, processing_step, s3_input
from pipeline.definition.register import register_step
from pipeline.definition.trainer import training_compute, training_step
from runtime.parameters import PARAMETERS, Parameter

PIPELINE_NAME = "mlpipe-training"
DATA_URI = f"s3://{placeholders.ARTIFACT_BUCKET}/data/"
SPLITS = ("train", "validation", "evaluation")
PARAMETER_CLASSES = {"String": ParameterString, "Integer": ParameterInteger, "Float": ParameterFloat}
# Steps whose outputs depend only on their cache-key attributes (arguments, inputs, code; see
# https://docs.aws.amazon.com/sagemaker/latest/dg/pipelines-default-keys.html) reuse an earlier run's
# outputs for 30 days. Safe because data and code keys are content-addressed (pipeline/content_keys.py,
# CDK assets): a changed file is a changed argument. Not the gate, Register or Fail: they decide.
STEP_CACHE = CacheConfig(enable_caching=True, expire_after="P30D")

Params = dict[str, SdkParameter]


def sdk_parameter(parameter: Parameter) -> SdkParameter:
    return PARAMETER_CLASSES[parameter.type](name=parameter.name, default_value=parameter.default)


def run_uri(*parts: str) -> Join:
    """s3://<bucket>/runs/<model package group>/<execution id>/<parts> (definition/layout.py): every
    execution writes to its own prefix, below its model's, the only one the model's role may write."""
    return Join(
        on="/",
        values=[
            "s3:/",
            placeholders.ARTIFACT_BUCKET,
            RUNS_FOLDER,
            placeholders.MODEL_PACKAGE_GROUP,
            ExecutionVariables.PIPELINE_EXECUTION_ID,
            *parts,
        ],
    )


def data_object(file_name: SdkParameter) -> Join:
    """s3://<bucket>/data/<key>: exactly the object a run reads, not the whole data prefix.

    The key is content-addressed, sha256/<digest>/<file name> (`mlpipe run --train` and `mlpipe data
    upload` store files so): concurrent runs never share an object, and a cache hit never reads stale data.

    S3Prefix also matches longer keys starting with it (data/train.csv.bak): keep backups elsewhere.
    """
    return Join(on="", values=[DATA_URI, file_name])


def output_uri(step: ProcessingStep, output: str) -> StrVar:
    return step.properties.ProcessingOutputConfig.Outputs[output].S3Output.S3Uri


def preprocess(session: PipelineSession, p: Params) -> ProcessingStep:
    return processing_step(
        name="Preprocess",
        script="preprocess.py",
        session=session,
        instance_type=p["ProcessingInstanceType"],
        inputs=[
            s3_input("data", data_object(p["TrainFile"]), f"{PROCESSING_ROOT}/input/data"),
            # Always present (an input cannot be optional at run time): an empty TestFile is sent
            # as TrainFile's name, see pipeline.parameters.with_exact_test_file.
            s3_input("test", data_object(p["TestFile"]), f"{PROCESSING_ROOT}/input/test"),
        ],
        outputs={split: run_uri("preprocess", split) for split in SPLITS},
        arguments={
            "input-dir": f"{PROCESSING_ROOT}/input/data",
            "test-dir": f"{PROCESSING_ROOT}/input/test",
            "output-dir": f"{PROCESSING_ROOT}/output",
            "train-file": p["TrainFile"],
            "test-file": p["TestFile"],
            "target": p["Target"],
            "feature-columns": p["FeatureColumns"],
            "categorical-columns": p["CategoricalColumns"],
            "derived-features": p["DerivedFeatures"],
            "id-column": p["IdColumn"],
            "required-columns": p["RequiredColumns"],
            "validation-fraction": p["ValidationFraction"],
            "seed": p["Seed"],
        },
    )


def train(session: PipelineSession, p: Params, prep: ProcessingStep) -> TrainingStep:
    return training_step(
        name="Train",
        session=session,
        compute=training_compute(p["TrainingInstanceType"]),
        channels={"train": output_uri(prep, "train"), "validation": output_uri(prep, "validation")},
        output_uri=run_uri("train"),
        # Each parameter's training name is declared once, in runtime/parameters.py.
        hyperparameters={q.hyperparameter: p[q.name] for q in PARAMETERS if q.hyperparameter},
    )


def evaluate(
    session: PipelineSession, p: Params, prep: ProcessingStep, trained: TrainingStep
) -> ProcessingStep:
    model_dir, evaluation_dir = f"{PROCESSING_ROOT}/input/model", f"{PROCESSING_ROOT}/input/evaluation"
    data_dir = f"{PROCESSING_ROOT}/input/data"
    return processing_step(
        name="Evaluate",
        script="evaluate.py",
        session=session,
        instance_type=p["ProcessingInstanceType"],
        inputs=[
            s3_input("model", trained.properties.ModelArtifacts.S3ModelArtifacts, model_dir),
            s3_input("evaluation", output_uri(prep, "evaluation"), evaluation_dir),
            # The evaluated set's raw file (TestFile, which is TrainFile's name when there is no test
            # file): the report gives its rows and SHA-256.
            s3_input("data", data_object(p["TestFile"]), data_dir),
        ],
        outputs={
            gate.EVALUATION_OUTPUT: run_uri("evaluate", "evaluation"),
            "report": run_uri("evaluate", "report"),
        },
        arguments={
            "model-dir": model_dir,
            "evaluation-dir": evaluation_dir,
            "data-dir": data_dir,
            "output-dir": f"{PROCESSING_ROOT}/output",
            "target": p["Target"],
            "train-file": p["TrainFile"],
            "test-file": p["TestFile"],
            "model-name": placeholders.MODEL_PACKAGE_GROUP,
            "run-id": ExecutionVariables.PIPELINE_EXECUTION_ID,
            "report-uri": Join(on="/", values=[run_uri("evaluate", "report"), "index.html"]),
            **gate.gate_arguments(p),
        },
        property_files=[gate.evaluation_report()],
    )


def build_pipeline(session: PipelineSession) -> Pipeline:
    """The training pipeline, built only from placeholders and `runtime.parameters.PARAMETERS`."""
    p: Params = {parameter.name: sdk_parameter(parameter) for parameter in PARAMETERS}
    prep = preprocess(session, p)
    trained = train(session, p, prep)
    evaluated = evaluate(session, p, prep, trained)
    for cached in (prep, trained, evaluated):
        cached.cache_config = STEP_CACHE
    report = evaluated.property_files[0]
    register = register_step(session=session, train=trained, evaluate=evaluated, report=report)
    check = gate.gate_step(evaluate=evaluated, report=report, p=p, register=register)
    return Pipeline(
        name=PIPELINE_NAME,
        parameters=list(p.values()),
        steps=[prep, trained, evaluated, check],
        sagemaker_session=session,
        # No SageMaker Experiments trial per execution: nothing reads it, and the local engine
        # would have to emulate it.
        pipeline_experiment_config=None,
    )
