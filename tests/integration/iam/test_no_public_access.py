"""Nothing is public: no resource policy in any template lets an anonymous or foreign caller in.

Every action that every Allow statement of every resource policy (bucket, key, topic, queue,
repository) grants is tried by an unsigned caller and by another account's role that allows itself
everything: cross-account access needs the resource policy to allow it
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html),
anonymous access needs a policy granting `*`
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status).
Block Public Access is left out of the simulation on purpose, so the policies alone must hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.iam.cases import Case, decide_all, unexpected
from tests.integration.iam.deployment import Deployment, Principal
from tests.integration.iam.render import ACCOUNT
from tests.integration.iam.simulator import ANONYMOUS, DENIED, Request

pytestmark = pytest.mark.slow
OTHER_ACCOUNT = "444455556666"
OUTSIDER = Principal(
    f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/outsider/session",
    policies=({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},),
    context={"aws:PrincipalAccount": OTHER_ACCOUNT},
)
# A statement may name a bucket and its objects for actions of either kind, and a key policy lists
# account-level actions (kms:ListAliases) that no resource governs: the simulator answers these for
# requests no caller could make, which leaves nothing to refuse.
NOT_APPLICABLE = (
    'invalid request: {"message":"no.resource.types"}',
    'invalid request: {"message":"must.use.wildcard"}',
)
RESOURCE_TYPES = (
    "AWS::S3::Bucket",
    "AWS::KMS::Key",
    "AWS::SNS::Topic",
    "AWS::SQS::Queue",
    "AWS::ECR::Repository",
)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _policies(d: Deployment) -> Iterator[tuple[str, dict[str, Any]]]:
    """(ARN of the resource, resource policy in force on it) for every resource that has one."""
    for resource_type in RESOURCE_TYPES:
        for _, _, resource in d.resources(resource_type):
            arn = d.ref(resource) if resource_type == "AWS::SNS::Topic" else d.attribute(resource)
            policy = d.resource_policy(arn)
            if policy is not None:
                yield arn, dict(policy)


def _granted(arn: str, policy: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(action, concrete resource) for every action an Allow statement grants, on the resources it names."""
    for statement in policy["Statement"]:
        if statement["Effect"] != "Allow":
            continue
        # "*" in a key or repository policy means the resource itself; elsewhere, fill the wildcard in.
        resources = [
            arn if r == "*" else r.replace("*", "x") for r in _listed(statement.get("Resource", "*"))
        ]
        for action in _listed(statement["Action"]):
            if "*" not in action:  # wildcard allows are refused by tests/integration/stacks/test_security.py
                yield from ((action, resource) for resource in resources)


def _bucket(d: Deployment) -> str:
    return d.ref(d.one("data", "AWS::S3::Bucket", "ArtifactStoreBucket"))


def _attempts(d: Deployment, who: Principal) -> list[Request]:
    context = {"aws:SourceAccount": OTHER_ACCOUNT}
    attempts = [
        d.request(who, action, resource, context=context)
        for arn, policy in _policies(d)
        for action, resource in sorted(set(_granted(arn, policy)))
    ]
    assert len(attempts) > 20, f"expected the granted actions of every resource policy, found {len(attempts)}"
    return attempts


CASES: dict[str, Case] = {
    "an anonymous caller gets nothing any resource policy grants": Case(
        (*DENIED, *NOT_APPLICABLE), lambda d: _attempts(d, Principal(ANONYMOUS))
    ),
    "another account gets nothing any resource policy grants": Case(
        (*DENIED, *NOT_APPLICABLE), lambda d: _attempts(d, OUTSIDER)
    ),
    "an anonymous or foreign caller cannot read the training data": Case(
        DENIED,
        lambda d: [
            d.request(who, "s3:GetObject", f"arn:aws:s3:::{_bucket(d)}/data/train.csv")
            for who in (Principal(ANONYMOUS), OUTSIDER)
        ],
    ),
}


@pytest.fixture(scope="module")
def decisions(deployment: Deployment) -> dict[str, list[str]]:
    return decide_all(deployment, CASES)


@pytest.mark.parametrize("name", CASES)
def test_nothing_public(name: str, decisions: dict[str, list[str]]) -> None:
    assert unexpected(CASES[name], decisions[name]) == []


def test_the_simulation_sees_our_account(deployment: Deployment) -> None:
    """Guards the negative cases: the rendered policies name the test account, so they can match it."""
    key = deployment.one("data", "AWS::KMS::Key", "ArtifactStoreKey")
    assert f"arn:aws:iam::{ACCOUNT}:root" in str(key["Properties"]["KeyPolicy"])
