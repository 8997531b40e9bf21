"""AWS services and the CDK publishing role acting on our resources, allowed only by resource policies.

CloudWatch alarms publishing to the encrypted alarm topic: the topic policy must allow
cloudwatch.amazonaws.com (an AWS::SNS::TopicPolicy replaces SNS's default policy: aws-cdk issue 31569,
https://github.com/aws/aws-cdk/issues/31569) and the key policy must let it use the key
(https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services);
both scoped to this account's alarms with aws:SourceAccount / aws:SourceArn against the confused deputy
(https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html; issue 10 item 4).
EventBridge sending undeliverable events to the rule's dead-letter queue needs sqs:SendMessage in the
queue policy (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).
`cdk deploy` pushes the serving image with the bootstrap's image-publishing role
(https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html); a push needs the actions listed in
https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html. That role's identity
policy is the bootstrap stack's, outside our templates: what is evaluated is what our repository
policy allows it (same account: a resource policy naming the role suffices,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
Lambda pulls function images with the repository policy's grant to lambda.amazonaws.com
(https://docs.aws.amazon.com/lambda/latest/dg/images-create.html#gettingstarted-images-permissions).
"""

from __future__ import annotations

import pytest

from tests.integration.iam.cases import Case, decide_all, unexpected
from tests.integration.iam.deployment import Deployment, Principal
from tests.integration.iam.render import ACCOUNT, REGION
from tests.integration.iam.simulator import ALLOWED, DENIED, EXPLICITLY_DENIED, Request

pytestmark = pytest.mark.slow
OTHER_ACCOUNT = "444455556666"
CLOUDWATCH = Principal("cloudwatch.amazonaws.com")
PUSH_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:CompleteLayerUpload",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
    "ecr:BatchGetImage",
)


def _topic(d: Deployment) -> str:
    return d.ref(d.one("serving", "AWS::SNS::Topic", "AlarmsTopic"))


def _topic_key(d: Deployment) -> str:
    key_id = d.one("serving", "AWS::SNS::Topic", "AlarmsTopic")["Properties"]["KmsMasterKeyId"]
    return next(d.attribute(k) for _, _, k in d.resources("AWS::KMS::Key") if key_id in d.identifiers(k))


def _alarms(d: Deployment) -> list[str]:
    arns = [d.attribute(alarm) for _, _, alarm in d.resources("AWS::CloudWatch::Alarm")]
    assert len(arns) >= 5, f"expected the serving alarms, found {arns}"
    return arns


def _alarm_publishes(d: Deployment, account: str, alarm: str, *, secure: bool = True) -> list[Request]:
    context = {"aws:SourceAccount": account, "aws:SourceArn": alarm}
    return [
        d.request(CLOUDWATCH, "sns:Publish", _topic(d), context=context, secure_transport=secure),
        *(
            d.request(CLOUDWATCH, action, _topic_key(d), context=context)
            for action in ("kms:GenerateDataKey", "kms:Decrypt")
        ),
    ]


def _foreign_alarm() -> str:
    return f"arn:aws:cloudwatch:{REGION}:{OTHER_ACCOUNT}:alarm:mlpipe-dev-serving-ServingErrors"


def _repository(d: Deployment) -> str:
    return d.attribute(d.one("data", "AWS::ECR::Repository", "ServingImageRepository"))


def _publisher(account: str, role: str | None = None) -> Principal:
    name = role or f"cdk-hnb659fds-image-publishing-role-{account}-{REGION}"
    return Principal(
        f"arn:aws:sts::{account}:assumed-role/{name}/cdk-deploy", context={"aws:PrincipalAccount": account}
    )


def _pushes(d: Deployment, who: Principal) -> list[Request]:
    return [d.request(who, action, _repository(d)) for action in PUSH_ACTIONS]


def _failed_events_queue(d: Deployment) -> tuple[str, str]:
    """(queue ARN, rule ARN) of the promoter rule's target dead-letter queue."""
    rule = d.one("serving", "AWS::Events::Rule", "PromoterApprovalChanges")
    queues = [
        target["DeadLetterConfig"]["Arn"]
        for target in rule["Properties"]["Targets"]
        if "DeadLetterConfig" in target
    ]
    assert queues, "the promoter's rule target has no dead-letter queue"
    return queues[0], d.attribute(rule)


def _lambda_pulls(d: Deployment, function_account: str) -> list[Request]:
    source = f"arn:aws:lambda:{REGION}:{function_account}:function:mlpipe-dev-serving-ServingFunction"
    return [
        d.request(
            Principal("lambda.amazonaws.com"),
            action,
            _repository(d),
            context={"aws:SourceArn": source, "aws:SourceAccount": function_account},
        )
        for action in ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
    ]


CASES: dict[str, Case] = {
    "CloudWatch publishes every alarm to the encrypted topic (item 4)": Case(
        (ALLOWED,), lambda d: [r for alarm in _alarms(d) for r in _alarm_publishes(d, ACCOUNT, alarm)]
    ),
    "CloudWatch cannot publish for another account's alarm (item 4)": Case(
        DENIED, lambda d: _alarm_publishes(d, OTHER_ACCOUNT, _foreign_alarm())
    ),
    "CloudWatch cannot publish over plain HTTP": Case(
        (EXPLICITLY_DENIED,), lambda d: _alarm_publishes(d, ACCOUNT, _alarms(d)[0], secure=False)[0]
    ),
    "EventBridge sends undeliverable approval events to the dead-letter queue (item 6)": Case(
        (ALLOWED,),
        lambda d: d.request(
            Principal("events.amazonaws.com"),
            "sqs:SendMessage",
            _failed_events_queue(d)[0],
            context={"aws:SourceArn": _failed_events_queue(d)[1], "aws:SourceAccount": ACCOUNT},
        ),
    ),
    "the CDK image-publishing role pushes the serving image": Case(
        (ALLOWED,), lambda d: _pushes(d, _publisher(ACCOUNT))
    ),
    "the CDK image-publishing role cannot delete images or rewrite the policy": Case(
        DENIED,
        lambda d: [
            d.request(_publisher(ACCOUNT), action, _repository(d))
            for action in ("ecr:BatchDeleteImage", "ecr:DeleteRepository", "ecr:SetRepositoryPolicy")
        ],
    ),
    "no other role, and no other account's publishing role, can push": Case(
        DENIED,
        lambda d: [
            *_pushes(d, _publisher(ACCOUNT, "some-other-role")),
            *_pushes(d, _publisher(OTHER_ACCOUNT)),
        ],
    ),
    "Lambda pulls the image for this account's functions only": Case(
        (ALLOWED,), lambda d: _lambda_pulls(d, ACCOUNT)
    ),
    "Lambda cannot pull the image for another account's function": Case(
        DENIED, lambda d: _lambda_pulls(d, OTHER_ACCOUNT)
    ),
}


@pytest.fixture(scope="module")
def decisions(deployment: Deployment) -> dict[str, list[str]]:
    return decide_all(deployment, CASES)


@pytest.mark.parametrize("name", CASES)
def test_service_principal(name: str, decisions: dict[str, list[str]]) -> None:
    assert unexpected(CASES[name], decisions[name]) == []
