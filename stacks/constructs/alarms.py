"""Alarms on the serving path (errors, throttles, p99 duration, API 5xx, promoter) -> an encrypted topic."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

PERIOD = cdk.Duration.minutes(5)
CLOUDWATCH = "cloudwatch.amazonaws.com"


def alarm_name_prefix(scope: Construct) -> str:
    """Every alarm of the stack is named `<stack name>-<what>`, so one ARN pattern covers all of them."""
    return f"{cdk.Stack.of(scope).stack_name}-"


def alarm_arn_pattern(scope: Construct) -> str:
    """`arn:<partition>:cloudwatch:<region>:<account>:alarm:<stack name>-*`, for ArnLike conditions."""
    return cdk.Fn.sub(
        "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:"
        f"{alarm_name_prefix(scope)}*"
    )


class Alarms(Construct):
    """One alarm per failure mode; each notifies the topic on alarm and on recovery.

    The topic's policy (an AWS::SNS::TopicPolicy, which replaces SNS's default policy: aws-cdk issue
    31569) allows `sns:Publish` by CloudWatch only for this account's alarms listed here
    (`aws:SourceAccount`, `aws:SourceArn`), next to the TLS-only deny that `enforce_ssl` adds.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        serving: lambda_.Alias,
        promoter: lambda_.IFunction,
        api: apigwv2.HttpApi,
        topic_key: kms.IKey,
        p99_duration_ms: int,
        email: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self, "Topic", display_name="mlpipe alarms", master_key=topic_key, enforce_ssl=True
        )
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        self.alarms: list[cloudwatch.Alarm] = []
        self._publish = iam.PolicyStatement(
            sid="CloudWatchAlarmsPublish",
            principals=[iam.ServicePrincipal(CLOUDWATCH)],
            actions=["sns:Publish"],
            resources=[self.topic.topic_arn],
            conditions={"StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID}},
        )
        self.topic.add_to_resource_policy(self._publish)
        metrics = {
            "ServingErrors": (serving.metric_errors(period=PERIOD, statistic="Sum"), 1),
            "ServingThrottles": (serving.metric_throttles(period=PERIOD, statistic="Sum"), 1),
            "ServingP99Duration": (serving.metric_duration(period=PERIOD, statistic="p99"), p99_duration_ms),
            "Api5xx": (api.metric_server_error(period=PERIOD, statistic="Sum"), 1),
            "PromoterErrors": (promoter.metric_errors(period=PERIOD, statistic="Sum"), 1),
        }
        for name, (metric, threshold) in metrics.items():
            self.alarm_on(name, metric, threshold)

    def alarm_on(self, name: str, metric: cloudwatch.IMetric, threshold: float) -> cloudwatch.Alarm:
        """An alarm at `threshold` or above that notifies the topic, which lets exactly this alarm publish."""
        alarm = cloudwatch.Alarm(
            self,
            name,
            alarm_name=f"{alarm_name_prefix(self)}{name}",
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"mlpipe {name}",
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        alarm.add_ok_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)
        # The full list each time: add_condition keeps the last value per key.
        self._publish.add_condition("ArnEquals", {"aws:SourceArn": [a.alarm_arn for a in self.alarms]})
        return alarm
