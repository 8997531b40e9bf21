"""Alarms on the serving path (errors, throttles, p99 duration, API 5xx, promoter) -> an encrypted topic."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

PERIOD = cdk.Duration.minutes(5)


class Alarms(Construct):
    """One alarm per failure mode; each notifies the topic on alarm and on recovery."""

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
        metrics = {
            "ServingErrors": (serving.metric_errors(period=PERIOD, statistic="Sum"), 1),
            "ServingThrottles": (serving.metric_throttles(period=PERIOD, statistic="Sum"), 1),
            "ServingP99Duration": (serving.metric_duration(period=PERIOD, statistic="p99"), p99_duration_ms),
            "Api5xx": (api.metric_server_error(period=PERIOD, statistic="Sum"), 1),
            "PromoterErrors": (promoter.metric_errors(period=PERIOD, statistic="Sum"), 1),
        }
        self.alarms = [self._alarm(name, metric, threshold) for name, (metric, threshold) in metrics.items()]

    def _alarm(self, name: str, metric: cloudwatch.IMetric, threshold: float) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            name,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"mlpipe {name}",
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        alarm.add_ok_action(actions.SnsAction(self.topic))
        return alarm
