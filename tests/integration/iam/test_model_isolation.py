"""Two named models in one environment: neither model's roles can change the other's function, alias,
model package group or approvals (issue 12 item 1; stacks/config.py, docs/deploy.md "A second model on AWS").

The dev app is synthesized with `-c models=penguins`: the first model (group mlpipe-titanic-dev) keeps
the stacks mlpipe-dev-pipeline / -serving, the second (mlpipe-penguins) gets mlpipe-dev-penguins-pipeline /
-serving. Each promoter's Lambda actions are scoped to its own function ARN and versions
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html), each SageMaker grant to
its own group's ARNs `model-package-group/<group>` and `model-package/<group>/*`
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html, resource
types). In the one artifact bucket each model has its own prefixes, granted by S3 object ARNs with a
trailing wildcard, which matches any characters, `/` included, within the ARN's last segment
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html): its runs'
outputs `runs/<group>/` (pipeline/definition/layout.py) and its captures `capture/<name>/`; no model's
roles may overwrite, or read, another's model archive or write its captures. What the models share on
purpose (the content-addressed data/ prefix, the pipeline job name prefix, ListModelPackages) is asserted
as allowed below, so the documentation of it cannot go stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.conftest import SECOND_MODEL
from tests.integration.iam.cases import Case, decide_all, unexpected
from tests.integration.iam.deployment import Deployment, Principal
from tests.integration.iam.render import ACCOUNT, REGION, render_assembly
from tests.integration.iam.simulator import ALLOWED, DENIED, Request

pytestmark = pytest.mark.slow
VIA_S3 = {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}
STAGE = {"sagemaker:ModelLifeCycle:Stage": "Production", "sagemaker:ModelLifeCycle:StageStatus": "Approved"}


@dataclass(frozen=True)
class Model:
    """One model's stack units in the rendered two-model deployment, its group and name."""

    pipeline_unit: str
    serving_unit: str
    group: str

    @property
    def archive(self) -> str:
        """A model archive of one of its runs, as the Train step writes it."""
        return f"runs/{self.group}/pipelines-exec0001/train/pipelines-x-Train/output/model.tar.gz"

    @property
    def capture(self) -> str:
        return f"capture/{self.group.removeprefix('mlpipe-')}/date=2026-01-01/0f.jsonl.gz"


FIRST = Model("pipeline", "serving", "mlpipe-titanic-dev")
SECOND = Model(f"{SECOND_MODEL}-pipeline", f"{SECOND_MODEL}-serving", f"mlpipe-{SECOND_MODEL}")


@pytest.fixture(scope="module")
def two_models(two_model_assembly: Path) -> Deployment:
    return Deployment(render_assembly(two_model_assembly, (SECOND_MODEL,)))


def _sagemaker(resource: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{resource}"


def _version(model: Model) -> str:
    return _sagemaker(f"model-package/{model.group}/3")


def _group(model: Model) -> str:
    return _sagemaker(f"model-package-group/{model.group}")


def _function(d: Deployment, model: Model) -> str:
    return d.attribute(d.one(model.serving_unit, "AWS::Lambda::Function", "ServingFunction"))


def _alarm(d: Deployment, model: Model) -> str:
    return d.attribute(d.one(model.serving_unit, "AWS::CloudWatch::Alarm", "AlarmsServingErrors"))


def _object(d: Deployment, key: str) -> str:
    return f"arn:aws:s3:::{d.ref(d.one('data', 'AWS::S3::Bucket', 'ArtifactStoreBucket'))}/{key}"


def _roles(d: Deployment, model: Model) -> dict[str, Principal]:
    serving = {
        kind: d.role_session(model.serving_unit, f"{kind}Role", kind)
        for kind in ("ServingFunction", "Promoter", "DriftMonitor")
    }
    return {**serving, "Pipeline": d.role_session(model.pipeline_unit, "PipelineRole", "SageMaker")}


def _changes_to(d: Deployment, who: Principal, target: Model) -> list[Request]:
    """Every call that would change what `target` serves, registers or approves."""
    function = _function(d, target)
    return [
        *(
            d.request(who, action, function)
            for action in (
                "lambda:UpdateFunctionConfiguration",
                "lambda:PublishVersion",
                "lambda:UpdateAlias",
            )
        ),
        d.request(who, "lambda:UpdateAlias", f"{function}:live"),
        d.request(who, "sagemaker:UpdateModelPackage", _version(target), context=STAGE),
        d.request(
            who,
            "sagemaker:UpdateModelPackage",
            _version(target),
            context={"sagemaker:ModelApprovalStatus": "Approved"},
        ),
        d.request(who, "sagemaker:CreateModelPackage", _sagemaker(f"model-package/{target.group}/4")),
        d.request(who, "sagemaker:DeleteModelPackageGroup", _group(target)),
        d.request(who, "sagemaker:PutModelPackageGroupPolicy", _group(target)),
        d.request(who, "s3:PutObject", _object(d, f"deployments/{target.group}/20260101T000000Z-v1-v2.json")),
        d.request(who, "cloudwatch:DescribeAlarms", _alarm(d, target)),
        # The bucket: its model archive (overwritten, it would serve another model's trees), its run
        # outputs, its captures and drift reports.
        d.request(who, "s3:PutObject", _object(d, target.archive)),
        d.request(who, "s3:PutObject", _object(d, target.capture)),
        d.request(who, "s3:PutObject", _object(d, _drift_report(target))),
        d.request(who, "s3:ListBucket", _bucket(d), context={"s3:prefix": f"runs/{target.group}/"}),
    ]


def _reads_of(d: Deployment, who: Principal, target: Model) -> list[Request]:
    """Reading another model's archive or captures."""
    return [
        d.request(who, "s3:GetObject", _object(d, target.archive)),
        d.request(who, "s3:GetObject", _object(d, target.capture)),
    ]


def _drift_report(model: Model) -> str:
    return f"runs/{model.group}/pipelines-exec0001/evaluate/report/drift/2026-01-01T000000Z.html"


def _bucket(d: Deployment) -> str:
    return _object(d, "").rstrip("/")


def _own_changes(d: Deployment, model: Model) -> list[Request]:
    """What each model's own roles must still do: the control that makes the denials mean something."""
    roles, function = _roles(d, model), _function(d, model)
    return [
        d.request(roles["Promoter"], "lambda:UpdateAlias", f"{function}:live"),
        d.request(roles["Promoter"], "lambda:UpdateFunctionConfiguration", function),
        d.request(roles["Promoter"], "sagemaker:UpdateModelPackage", _version(model), context=STAGE),
        d.request(
            roles["Promoter"],
            "s3:PutObject",
            _object(d, f"deployments/{model.group}/20260101T000000Z-v1-v2.json"),
        ),
        d.request(roles["Promoter"], "cloudwatch:DescribeAlarms", _alarm(d, model)),
        *(
            d.request(roles["Pipeline"], a, _object(d, model.archive))
            for a in ("s3:PutObject", "s3:GetObject")
        ),
        d.request(
            roles["Pipeline"], "s3:ListBucket", _bucket(d), context={"s3:prefix": f"runs/{model.group}/"}
        ),
        d.request(roles["ServingFunction"], "s3:GetObject", _object(d, model.archive)),
        d.request(roles["ServingFunction"], "s3:PutObject", _object(d, model.capture)),
        d.request(roles["DriftMonitor"], "s3:GetObject", _object(d, model.archive)),
        d.request(roles["DriftMonitor"], "s3:GetObject", _object(d, model.capture)),
        d.request(roles["DriftMonitor"], "s3:PutObject", _object(d, _drift_report(model))),
        d.request(roles["ServingFunction"], "sagemaker:DescribeModelPackage", _version(model)),
        d.request(roles["DriftMonitor"], "sagemaker:DescribeModelPackage", _version(model)),
        d.request(
            roles["Pipeline"], "sagemaker:CreateModelPackage", _sagemaker(f"model-package/{model.group}/4")
        ),
    ]


def _cross(d: Deployment, who: Model, target: Model) -> list[Request]:
    roles = _roles(d, who)
    reads = [d.request(role, "sagemaker:DescribeModelPackage", _version(target)) for role in roles.values()]
    reads += [request for role in roles.values() for request in _reads_of(d, role, target)]
    return reads + [request for role in roles.values() for request in _changes_to(d, role, target)]


def _shared(d: Deployment) -> list[Request]:
    """Shared by design (docs/deploy.md): every pipeline reads data/, whose keys are content-addressed
    (sha256/<digest>/<name>), so no upload replaces an object another model's run read; job names all
    start with pipelines-; ListModelPackages has no resource type to scope to."""
    roles = _roles(d, SECOND)
    second = roles["Pipeline"]
    return [
        d.request(second, "s3:GetObject", _object(d, "data/sha256/0f/train.csv")),
        d.request(second, "sagemaker:StopTrainingJob", _sagemaker("training-job/pipelines-exec0001-train-x")),
        d.request(roles["Promoter"], "sagemaker:ListModelPackages", "*"),
    ]


CASES: dict[str, Case] = {
    "each model's roles still promote, register and read their own model": Case(
        (ALLOWED,), lambda d: _own_changes(d, FIRST) + _own_changes(d, SECOND)
    ),
    "the second model's roles cannot read or change the first model": Case(
        DENIED, lambda d: _cross(d, SECOND, FIRST)
    ),
    "the first model's roles cannot read or change the second model": Case(
        DENIED, lambda d: _cross(d, FIRST, SECOND)
    ),
    "shared, as documented: data/, pipelines-* jobs, listing versions": Case((ALLOWED,), _shared),
}


@pytest.fixture(scope="module")
def decisions(two_models: Deployment) -> dict[str, list[str]]:
    return decide_all(two_models, CASES)


@pytest.mark.parametrize("name", CASES)
def test_two_models_are_isolated(name: str, decisions: dict[str, list[str]]) -> None:
    assert unexpected(CASES[name], decisions[name]) == []
