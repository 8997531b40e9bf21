"""The last lines of a SageMaker job's CloudWatch logs, for the Runs page on AWS.

SageMaker writes a job's container output to `/aws/sagemaker/ProcessingJobs` or `.../TrainingJobs`, one
stream per host named `<job name>/<host>-<epoch>`, with the job name as created (not the lower-cased
name in its ARN: pipeline/aws/execution.py `with_job_name`). FilterLogEvents with that prefix reads all
of the job's streams in one paginated call; a page may be partial or empty while a nextToken remains, so
pages are followed until there is none (bounded by MAX_PAGES).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from pipeline.aws.execution import LOG_GROUPS, StepState

TAIL_LINES = 200  # what a page shows of a job's log
MAX_PAGES = 20  # FilterLogEvents pages read per step at most: a page holds up to 10,000 events
DENIED = {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"}


def job_log_tail(logs: Any, step: StepState, lines: int = TAIL_LINES) -> str:
    """The last `lines` log lines of the step's job; "" for a step without a job or with no log yet;
    a sentence saying what to do when the logs cannot be read."""
    group = LOG_GROUPS.get(step.job_kind)
    if not group or not step.job_name:
        return ""
    request: dict[str, Any] = {"logGroupName": group, "logStreamNamePrefix": f"{step.job_name}/"}
    tail: deque[str] = deque(maxlen=lines)
    try:
        for _ in range(MAX_PAGES):
            page = logs.filter_log_events(**request)
            tail.extend(str(event.get("message", "")).rstrip("\n") for event in page.get("events", []))
            if not page.get("nextToken"):
                break
            request["nextToken"] = page["nextToken"]
    except ClientError as error:
        return _unreadable(error, group, step.job_name)
    except BotoCoreError as error:
        return f"cannot read CloudWatch Logs group {group} ({error}); check the network and credentials"
    return "\n".join(tail)


def _unreadable(error: ClientError, group: str, job_name: str) -> str:
    code = error.response.get("Error", {}).get("Code", "")
    if code in DENIED:
        return (
            f"these credentials may not read the logs of {job_name}: allow logs:FilterLogEvents on "
            f"log group {group} (arn:aws:logs:<region>:<account>:log-group:{group}:*), "
            f"or read them with `aws logs tail {group} --log-stream-name-prefix {job_name}/`"
        )
    if code == "ResourceNotFoundException":
        return f"no log yet: CloudWatch Logs group {group} does not exist in this region"
    return f"cannot read CloudWatch Logs group {group} for {job_name}: {error}"
