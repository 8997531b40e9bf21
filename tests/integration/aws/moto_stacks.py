"""Stand-ins for the deployed stacks on moto: CloudFormation stacks with the real output keys, the pipeline,
the serving function with its `live` alias."""

from __future__ import annotations

import json
from typing import Any

import boto3

from pipeline.parameters import PARAMETERS

REGION = "eu-west-1"
BUCKET = "mlpipe-dev-data-artifactbucket-1a2b3c"
PIPELINE = "mlpipe-dev-training"
FUNCTION = "mlpipe-dev-serving-fn"
OUTPUTS = {
    "mlpipe-dev-Data": {"ArtifactBucketName": BUCKET, "DataUri": f"s3://{BUCKET}/data/"},
    "mlpipe-dev-Pipeline": {"PipelineName": PIPELINE, "ModelPackageGroupName": "mlpipe-titanic-dev"},
    "mlpipe-dev-Serving": {
        "ApiUrl": f"https://a1b2c3d4e5.execute-api.{REGION}.amazonaws.com/",
        "FunctionName": FUNCTION,
        "ClientPolicyArn": "arn:aws:iam::123456789012:policy/mlpipe-dev-client",
    },
}


def create_stacks(outputs: dict[str, dict[str, str]] = OUTPUTS) -> None:
    cloudformation = boto3.client("cloudformation")
    for name, values in outputs.items():
        template = {
            "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {key: {"Value": value} for key, value in values.items()},
        }
        cloudformation.create_stack(StackName=name, TemplateBody=json.dumps(template))


def definition(*, without: str = "") -> str:
    declared = [
        {"Name": p.name, "Type": p.type, "DefaultValue": p.default} for p in PARAMETERS if p.name != without
    ]
    return json.dumps({"Version": "2020-12-01", "Parameters": declared, "Steps": []})


def create_pipeline(*, without: str = "") -> Any:
    sagemaker = boto3.client("sagemaker")
    sagemaker.create_pipeline(
        PipelineName=PIPELINE,
        PipelineDefinition=definition(without=without),
        RoleArn="arn:aws:iam::123456789012:role/mlpipe-dev-pipeline-role",
    )
    return sagemaker


def create_serving_function(model_version: str) -> None:
    role = boto3.client("iam").create_role(RoleName="serving", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    functions = boto3.client("lambda")
    functions.create_function(
        FunctionName=FUNCTION,
        Role=role,
        PackageType="Image",
        Code={"ImageUri": f"123456789012.dkr.ecr.{REGION}.amazonaws.com/serving:1"},
        Environment={"Variables": {"MODEL_VERSION": model_version}},
    )
    published = functions.publish_version(FunctionName=FUNCTION)
    functions.create_alias(FunctionName=FUNCTION, Name="live", FunctionVersion=published["Version"])
    # $LATEST moves on after the alias was pinned: status must report the alias's version, not $LATEST's.
    functions.update_function_configuration(
        FunctionName=FUNCTION, Environment={"Variables": {"MODEL_VERSION": "99"}}
    )
