from __future__ import annotations

import json

import pytest

from pipeline.aws.execution import StepState, check_deployed_parameters, parse_parameter_assignments
from runtime.parameters import PARAMETERS, ParameterError


def test_assignments_are_typed_like_local_runs_and_sent_as_strings() -> None:
    values = parse_parameter_assignments(["MaxDepth=6", "Eta=1e-1", "TrainFile=big.csv", "Target=y"])

    assert values == {"MaxDepth": "6", "Eta": "0.1", "TrainFile": "big.csv", "Target": "y"}


def test_every_problem_is_reported_at_once_before_any_aws_call() -> None:
    """Issue 11 item 3: NumRound=0, MinAccuracy=1.5 and MaxDepth=-3 in one error, not one at a time."""
    with pytest.raises(ParameterError) as error:
        parse_parameter_assignments(["Target=y", "NumRound=0", "MinAccuracy=1.5", "MaxDepth=-3"])

    assert sorted(problem.split("=")[0] for problem in error.value.problems) == [
        "MaxDepth",
        "MinAccuracy",
        "NumRound",
    ]


def test_unknown_name_is_refused_with_the_valid_names() -> None:
    with pytest.raises(ParameterError, match=r"MaxDeph.*valid names: .*MaxDepth"):
        parse_parameter_assignments(["MaxDeph=5"])


@pytest.mark.parametrize(
    ("assignment", "kind"),
    [("MaxDepth=5.5", "Integer"), ("Eta=fast", "Float"), ("Seed=two", "Integer")],
)
def test_wrong_type_is_refused_with_an_example(assignment: str, kind: str) -> None:
    name = assignment.split("=", maxsplit=1)[0]

    with pytest.raises(ParameterError, match=rf"{name} is {kind}.*--param {name}="):
        parse_parameter_assignments([assignment])


def test_assignment_without_equals_is_refused() -> None:
    with pytest.raises(ParameterError, match="not Name=Value"):
        parse_parameter_assignments(["MaxDepth"])


def deployed_definition(*, without: str = "", retype: tuple[str, str] = ("", "")) -> str:
    declared = [
        {"Name": p.name, "Type": retype[1] if p.name == retype[0] else p.type, "DefaultValue": p.default}
        for p in PARAMETERS
        if p.name != without
    ]
    return json.dumps({"Version": "2020-12-01", "Parameters": declared, "Steps": []})


def test_deployed_definition_with_every_parameter_accepts() -> None:
    check_deployed_parameters({"Seed": "2"}, deployed_definition())


def test_parameter_missing_from_an_older_deploy_asks_for_a_redeploy() -> None:
    with pytest.raises(ParameterError, match=r"Seed.*redeploy"):
        check_deployed_parameters({"Seed": "2"}, deployed_definition(without="Seed"))


def test_parameter_typed_differently_by_the_deployed_pipeline_asks_for_a_redeploy() -> None:
    with pytest.raises(
        ParameterError, match=r"MaxDepth is Float in the deployed pipeline, Integer here.*redeploy"
    ):
        check_deployed_parameters({"MaxDepth": "4"}, deployed_definition(retype=("MaxDepth", "Float")))


def test_log_location_of_a_processing_job_names_group_stream_and_command() -> None:
    step = StepState(
        name="Preprocess",
        status="Failed",
        job_kind="ProcessingJob",
        job_arn="arn:aws:sagemaker:eu-west-1:123456789012:processing-job/pipelines-x1-preprocess-ab",
        job_name="pipelines-x1-Preprocess-Ab",
    )

    location = step.log_location()

    assert "/aws/sagemaker/ProcessingJobs" in location
    assert "pipelines-x1-Preprocess-Ab/*" in location
    assert step.log_command() == (
        "aws logs tail /aws/sagemaker/ProcessingJobs --log-stream-name-prefix pipelines-x1-Preprocess-Ab "
        "--region eu-west-1"
    )


def test_step_without_a_job_has_no_log_location() -> None:
    step = StepState(name="CheckAccuracy", status="Failed")

    assert step.log_location() == ""
    assert step.log_command() == ""
