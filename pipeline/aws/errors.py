"""The one error type the `mlpipe` cloud commands turn into a message and a non-zero exit code."""

from __future__ import annotations

from botocore.exceptions import NoCredentialsError, NoRegionError


class CloudError(Exception):
    """A problem with the deployed system the user can fix; the message says how."""


def explain(error: Exception) -> str:
    """The message for a failure of a cloud command, with the fix for the usual set-up problems."""
    if isinstance(error, NoCredentialsError):
        return (
            "no AWS credentials found; sign in with `aws sso login` or `aws configure`, or set "
            "AWS_PROFILE (mlpipe uses the standard credential chain and never asks for keys)"
        )
    if isinstance(error, NoRegionError):
        return "no AWS region set; export AWS_REGION=<region of the stack> or set one in your profile"
    return str(error)
