"""The two processing steps (Preprocess, Evaluate): code bundle unpacked by /bin/sh, arguments as strings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from sagemaker.core.helper.pipeline_variable import PipelineVariable
from sagemaker.core.processing import Processor
from sagemaker.core.shapes import ProcessingInput, ProcessingOutput, ProcessingS3Input, ProcessingS3Output
from sagemaker.core.workflow.functions import Join
from sagemaker.core.workflow.pipeline_context import PipelineSession
from sagemaker.core.workflow.properties import PropertyFile
from sagemaker.mlops.workflow.steps import ProcessingStep

from pipeline.definition import placeholders

PROCESSING_ROOT = "/opt/ml/processing"
CODE_INPUT_DIR = f"{PROCESSING_ROOT}/input/code"
CODE_DIR = f"{PROCESSING_ROOT}/code"
OUTPUT_DIR = f"{PROCESSING_ROOT}/output"
PROCESSING_VOLUME_GB = 30

# A literal, or an expression the pipeline resolves at run time (parameter, property, Join).
StrVar: TypeAlias = str | PipelineVariable


def option_argument(flag: str, value: StrVar) -> StrVar:
    """`--flag=value` as ONE argument: argparse takes a separate value starting with "-" (a training file
    named `-x.csv`, a target column `-y`) for an option and stops with "expected one argument"."""
    if isinstance(value, str):
        return f"--{flag}={value}"
    return Join(on="", values=[f"--{flag}=", value])


def script_entrypoint(script: str) -> list[str]:
    """Unpack the bundle and run one of its scripts; "$@" receives the ContainerArguments."""
    # The code input holds exactly one object, the bundle, but its file name is the S3 key's
    # (a CDK asset is named after its hash), hence the glob instead of "processing.tar.gz".
    command = (
        f"mkdir -p {CODE_DIR} && tar -xzf {CODE_INPUT_DIR}/* -C {CODE_DIR} "
        f'&& exec python3 {CODE_DIR}/{script} "$@"'
    )
    # "sh" is $0 of the inline script, so every ContainerArgument lands in "$@".
    return ["/bin/sh", "-c", command, "sh"]


def s3_input(name: str, uri: StrVar, local_path: str) -> ProcessingInput:
    return ProcessingInput(
        input_name=name,
        s3_input=ProcessingS3Input(
            s3_uri=uri,
            local_path=local_path,
            s3_data_type="S3Prefix",
            s3_input_mode="File",
            s3_data_distribution_type="FullyReplicated",
        ),
    )


def s3_output(name: str, uri: StrVar) -> ProcessingOutput:
    return ProcessingOutput(
        output_name=name,
        s3_output=ProcessingS3Output(
            s3_uri=uri, local_path=f"{OUTPUT_DIR}/{name}", s3_upload_mode="EndOfJob"
        ),
    )


def code_input() -> ProcessingInput:
    return s3_input("code", placeholders.PROCESSING_CODE_URI, CODE_INPUT_DIR)


def processing_step(
    *,
    name: str,
    script: str,
    session: PipelineSession,
    instance_type: StrVar,
    inputs: Sequence[ProcessingInput],
    outputs: Mapping[str, StrVar],
    arguments: Mapping[str, StrVar],
    property_files: Sequence[PropertyFile] = (),
) -> ProcessingStep:
    """A processing step running `script` from the processing bundle with `--key value` arguments."""
    processor = Processor(
        role=placeholders.PIPELINE_ROLE_ARN,
        image_uri=placeholders.XGBOOST_IMAGE_URI,
        instance_count=1,
        instance_type=instance_type,
        entrypoint=script_entrypoint(script),
        volume_size_in_gb=PROCESSING_VOLUME_GB,
        sagemaker_session=session,
    )
    container_arguments: list[Any] = [option_argument(flag, value) for flag, value in arguments.items()]
    step_args = processor.run(
        inputs=[code_input(), *inputs],
        outputs=[s3_output(output, uri) for output, uri in outputs.items()],
        arguments=container_arguments,
    )
    return ProcessingStep(name=name, step_args=step_args, property_files=list(property_files))
