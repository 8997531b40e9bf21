"""Issue 10, defect 4: CloudWatch may publish every alarm to the encrypted topic, and nothing else may.

An `AWS::SNS::TopicPolicy` replaces the topic's default policy (aws/aws-cdk issue 31569); with only the
TLS deny that `enforceSSL` writes, CloudWatch gets "is not authorized to perform: SNS:Publish ...
because no resource-based policy allows" (aws-solutions/automated-security-response-on-aws issue 43).
The allow is conditioned on `aws:SourceAccount` and `aws:SourceArn` against the confused deputy
(https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html). A KMS-encrypted topic
also needs `kms:Decrypt` and `kms:GenerateDataKey*` for the publishing service in the key policy
(https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
"""

from __future__ import annotations

import fnmatch
from typing import Any

import pytest

from tests.integration.stacks.cfn import actions_of, only, resources_of

pytestmark = pytest.mark.slow
ACCOUNT, REGION = "123456789012", "eu-west-1"


def _alarms_notifying(serving: dict[str, Any], topic_id: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: props
        for logical_id, props in resources_of(serving, "AWS::CloudWatch::Alarm").items()
        if {"Ref": topic_id} in props["AlarmActions"] and {"Ref": topic_id} in props["OKActions"]
    }


def _topic_id(serving: dict[str, Any]) -> str:
    (topic_id,) = resources_of(serving, "AWS::SNS::Topic")
    return topic_id


def _statement(document: dict[str, Any], sid: str) -> dict[str, Any]:
    (statement,) = [s for s in document["Statement"] if s.get("Sid") == sid]
    return statement


def _render(sub: dict[str, str]) -> str:
    """An `Fn::Sub` of pseudo parameters, for the test account and region."""
    text = sub["Fn::Sub"]
    for name, value in {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}.items():
        text = text.replace("${" + name + "}", value)
    return text


def test_topic_policy_lets_cloudwatch_publish_for_exactly_these_alarms(templates: dict[str, Any]) -> None:
    serving = templates["serving"]
    topic_id = _topic_id(serving)
    alarms = _alarms_notifying(serving, topic_id)
    policy = only(serving, "AWS::SNS::TopicPolicy")

    publish = _statement(policy["PolicyDocument"], "CloudWatchAlarmsPublish")

    assert len(alarms) >= 5
    assert policy["Topics"] == [{"Ref": topic_id}]
    assert (publish["Effect"], publish["Principal"]) == ("Allow", {"Service": "cloudwatch.amazonaws.com"})
    assert actions_of(publish) == ["sns:Publish"]
    assert publish["Resource"] == {"Ref": topic_id}
    assert publish["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    allowed = publish["Condition"]["ArnEquals"]["aws:SourceArn"]
    assert sorted(a["Fn::GetAtt"][0] for a in allowed) == sorted(alarms)
    assert all(a["Fn::GetAtt"][1] == "Arn" for a in allowed)


def test_the_tls_deny_stays(templates: dict[str, Any]) -> None:
    policy = only(templates["serving"], "AWS::SNS::TopicPolicy")
    deny = _statement(policy["PolicyDocument"], "AllowPublishThroughSSLOnly")
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_topic_key_lets_cloudwatch_encrypt_for_this_stacks_alarms_only(templates: dict[str, Any]) -> None:
    serving = templates["serving"]
    topic = only(serving, "AWS::SNS::Topic")
    key = serving["Resources"][topic["KmsMasterKeyId"]["Fn::GetAtt"][0]]
    statement = _statement(key["Properties"]["KeyPolicy"], "CloudWatchAlarmsPublishToTopic")
    pattern = _render(statement["Condition"]["ArnLike"]["aws:SourceArn"])
    alarm_names = [props["AlarmName"] for props in _alarms_notifying(serving, _topic_id(serving)).values()]

    assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert sorted(actions_of(statement)) == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert pattern == f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:mlpipe-dev-serving-*"
    # Alarm ARNs are arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>
    # (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html).
    for name in alarm_names:
        assert fnmatch.fnmatchcase(f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}", pattern), name
    assert not fnmatch.fnmatchcase(f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:other-alarm", pattern)
