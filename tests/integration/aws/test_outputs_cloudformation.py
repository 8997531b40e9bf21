from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from pipeline.aws.errors import CloudError
from pipeline.aws.outputs import from_cloudformation, load_deployed_stack
from tests.integration.aws.moto_stacks import OUTPUTS, PIPELINE, create_stacks


@pytest.fixture
def aws(fake_aws_env: None) -> Iterator[None]:
    with mock_aws():
        yield


def test_outputs_of_the_three_stacks_are_found_by_the_default_prefix(aws: None) -> None:
    create_stacks()
    create_stacks({"other-app": {"PipelineName": "someone-elses-pipeline"}})

    deployed = load_deployed_stack()

    assert deployed.stack_names == ("mlpipe-dev-Data", "mlpipe-dev-Pipeline", "mlpipe-dev-Serving")
    assert deployed.pipeline_name == PIPELINE
    assert dict(deployed.outputs) == {k: v for outs in OUTPUTS.values() for k, v in outs.items()}


def test_prefix_from_the_environment_selects_another_environment(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_stacks()
    create_stacks({"mlpipe-prod-Pipeline": {"PipelineName": "mlpipe-prod-training"}})
    monkeypatch.setenv("MLPIPE_STACK_PREFIX", "mlpipe-prod-")

    assert load_deployed_stack().pipeline_name == "mlpipe-prod-training"


def test_two_environments_under_one_prefix_are_refused(aws: None) -> None:
    create_stacks()
    create_stacks({"mlpipe-prod-Pipeline": {"PipelineName": "mlpipe-prod-training"}})

    with pytest.raises(CloudError, match="narrow the stack name prefix"):
        from_cloudformation(boto3.client("cloudformation"), "mlpipe-")


def test_no_stack_says_how_to_deploy(aws: None) -> None:
    with pytest.raises(CloudError, match=r"no CloudFormation stack named mlpipe-dev-\*.*cdk deploy"):
        load_deployed_stack()
