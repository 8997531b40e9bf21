"""The synthesized templates as CloudFormation would deploy them in one test account and region.

cloud-radar resolves the intrinsics (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::FindInMap, Fn::ImportValue,
pseudo parameters). What a resource's Ref or attribute returns is only known after a deploy, so
cloud-radar takes those values from each resource's `Metadata.Cloud-Radar` (`ref`, `attribute-values`).
`_physical_values` fills that metadata the way CloudFormation documents each return value
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html,
"Return values" of each type), with names generated as CloudFormation does for unnamed resources:
stack name, logical id, random suffix
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html).
"""

from __future__ import annotations

import copy
import json
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cloud_radar.cf.unit import Template

ACCOUNT = "111122223333"
REGION = "eu-west-1"
PARTITION = "aws"
SUFFIX = "ABCDEF123456"
STACK_UNITS = ("data", "pipeline", "serving")  # data first: the others import its exports
STACK_PREFIX = "mlpipe-dev"

Values = tuple[str, dict[str, str]]  # (what Ref returns, attribute name -> value)
NAME_PROPERTIES = (
    "BucketName",
    "RoleName",
    "ManagedPolicyName",
    "TopicName",
    "QueueName",
    "RepositoryName",
    "FunctionName",
    "AlarmName",
    "LogGroupName",
    "Name",
)


def _arn(service: str, resource: str, *, region: str = REGION, account: str = ACCOUNT) -> str:
    return f"arn:{PARTITION}:{service}:{region}:{account}:{resource}"


def _function(name: str, _: dict[str, Any]) -> Values:
    return name, {"Arn": _arn("lambda", f"function:{name}")}


def _alias(name: str, props: dict[str, Any]) -> Values:
    # FunctionName is resolved already (first pass): Ref of an alias is its ARN.
    return f"{_function(str(props['FunctionName']), props)[1]['Arn']}:{props['Name']}", {}


def _version(_: str, props: dict[str, Any]) -> Values:
    return f"{_function(str(props['FunctionName']), props)[1]['Arn']}:1", {"Version": "1"}


def _topic(name: str, _: dict[str, Any]) -> Values:
    arn = _arn("sns", name)
    return arn, {"TopicArn": arn, "TopicName": name}


def _queue(name: str, _: dict[str, Any]) -> Values:
    arn = _arn("sqs", name)
    return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}", {"Arn": arn, "QueueName": name}


def _key(name: str, _: dict[str, Any]) -> Values:
    key_id = f"00000000-0000-4000-8000-{zlib.crc32(name.encode()):012d}"
    return key_id, {"Arn": _arn("kms", f"key/{key_id}"), "KeyId": key_id}


def _log_group(name: str, _: dict[str, Any]) -> Values:
    return name, {"Arn": _arn("logs", f"log-group:{name}:*")}


PHYSICAL: dict[str, Callable[[str, dict[str, Any]], Values]] = {
    "AWS::S3::Bucket": lambda n, _: (n, {"Arn": f"arn:{PARTITION}:s3:::{n}"}),
    "AWS::IAM::Role": lambda n, _: (n, {"Arn": f"arn:{PARTITION}:iam::{ACCOUNT}:role/{n}"}),
    "AWS::IAM::ManagedPolicy": lambda n, _: (f"arn:{PARTITION}:iam::{ACCOUNT}:policy/{n}", {}),
    "AWS::KMS::Key": _key,
    "AWS::ECR::Repository": lambda n, _: (n, {"Arn": _arn("ecr", f"repository/{n}")}),
    "AWS::SNS::Topic": _topic,
    "AWS::SQS::Queue": _queue,
    "AWS::Lambda::Function": _function,
    "AWS::Lambda::Alias": _alias,
    "AWS::Lambda::Version": _version,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::CloudWatch::Alarm": lambda n, _: (n, {"Arn": _arn("cloudwatch", f"alarm:{n}")}),
    "AWS::Events::Rule": lambda n, _: (n, {"Arn": _arn("events", f"rule/{n}")}),
    "AWS::ApiGatewayV2::Api": lambda _n, _p: ("a1b2c3d4e5", {"ApiId": "a1b2c3d4e5"}),
    "AWS::SageMaker::ModelPackageGroup": lambda n, _: (
        n,
        {"ModelPackageGroupArn": _arn("sagemaker", f"model-package-group/{n}")},
    ),
}


def _physical_values(stack: str, logical_id: str, resource: dict[str, Any]) -> Values | None:
    """Ref and attributes of a resource, from its already-rendered properties (names resolved)."""
    make = PHYSICAL.get(resource["Type"])
    if make is None:
        return None
    props = resource.get("Properties", {})
    named = [str(props[key]) for key in NAME_PROPERTIES if isinstance(props.get(key), str)]
    name = named[0] if named else f"{stack}-{logical_id}-{SUFFIX}"
    return make(name, props)


def _render(template: dict[str, Any], stack: str, imports: dict[str, str]) -> dict[str, Any]:
    renderer = Template(copy.deepcopy(template), imports=imports)
    renderer.AccountId = ACCOUNT
    renderer.StackName = stack
    return dict(renderer.render(region=REGION))


def render_stack(template: dict[str, Any], stack: str, imports: dict[str, str]) -> dict[str, Any]:
    """Renders until physical values settle: each pass feeds the names it resolved into the next.

    Two annotation passes suffice here: names come from literals or Fn::Sub (pass one), and the only
    values built from other resources' Refs are aliases and versions of a function (pass two).
    """
    rendered = _render(template, stack, imports)
    for _ in range(2):
        annotated = copy.deepcopy(template)
        for logical_id, resource in annotated["Resources"].items():
            values = _physical_values(stack, logical_id, rendered["Resources"][logical_id])
            if values is not None:
                ref, attributes = values
                resource.setdefault("Metadata", {})["Cloud-Radar"] = {
                    "ref": ref,
                    "attribute-values": attributes,
                }
        rendered = _render(annotated, stack, imports)
    return rendered


def render_assembly(cdk_out: Path, models: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    """Each stack unit's rendered template; exports of earlier stacks feed Fn::ImportValue of later ones.

    Units are data, pipeline, serving (the first model) and `<name>-pipeline`, `<name>-serving` for each
    further model in `models` (stacks/config.py: stacks mlpipe-dev-<name>-<unit>)."""
    rendered: dict[str, dict[str, Any]] = {}
    exports: dict[str, str] = {}
    units = [*STACK_UNITS, *(f"{name}-{unit}" for name in models for unit in STACK_UNITS[1:])]
    for unit in units:
        stack = f"{STACK_PREFIX}-{unit}"
        template = json.loads((cdk_out / f"{stack}.template.json").read_text())
        rendered[unit] = render_stack(template, stack, exports)
        for output in rendered[unit].get("Outputs", {}).values():
            if "Export" in output:
                exports[output["Export"]["Name"]] = output["Value"]
    return rendered
