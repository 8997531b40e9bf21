"""SigV4-signed calls to the deployed prediction API (IAM auth on the HTTP API), default credential chain."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials

from pipeline.aws.errors import CloudError

SERVICE = "execute-api"
INVOKE_PERMISSION = "execute-api:Invoke"
_EXECUTE_API_HOST = re.compile(r"^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")


class AccessDenied(CloudError):
    """The API answered 403: the caller's identity may not invoke the route."""


@dataclass(frozen=True, kw_only=True)
class ApiResponse:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def region_from_url(url: str) -> str | None:
    """The region of an `https://<id>.execute-api.<region>.amazonaws.com/...` URL; None for other hosts."""
    match = _EXECUTE_API_HOST.match(urlsplit(url).hostname or "")
    return match.group(1) if match else None


def resolve_credentials(session: boto3.session.Session) -> ReadOnlyCredentials:
    """Credentials from the default chain, frozen so that the signature and the token match."""
    credentials = session.get_credentials()
    if credentials is None:
        raise CloudError(
            "no AWS credentials found; sign in with `aws sso login` or `aws configure`, "
            "or set AWS_PROFILE (mlpipe never asks for or stores keys)"
        )
    return credentials.get_frozen_credentials()


def sign_post(
    url: str,
    body: bytes,
    credentials: ReadOnlyCredentials,
    region: str,
    headers: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The headers (Authorization, X-Amz-Date, token) that make a POST of `body` to `url` signed."""
    request = AWSRequest(
        method="POST", url=url, data=body, headers={"Content-Type": "application/json", **(headers or {})}
    )
    SigV4Auth(credentials, SERVICE, region).add_auth(request)
    return dict(request.headers.items())


def _send(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> ApiResponse:
    if urlsplit(url).scheme not in {"https", "http"}:
        raise CloudError(f"{url!r} is not an http(s) URL; use the stack output 'ApiUrl' + 'predict'")
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # scheme checked above
            return ApiResponse(status=response.status, body=response.read())
    except urllib.error.HTTPError as error:
        return ApiResponse(status=error.code, body=error.read())
    except (urllib.error.URLError, TimeoutError) as error:
        reason = getattr(error, "reason", error)
        raise CloudError(f"cannot reach {url}: {reason}; check the URL (stack output 'ApiUrl')") from None


def access_denied_message(url: str, response: ApiResponse, client_policy_arn: str | None) -> str:
    """Name the missing permission and the managed policy that grants it."""
    detail = response.body.decode("utf-8", "replace")[:300]
    policy = (
        f"attach the client policy {client_policy_arn}"
        if client_policy_arn
        else "attach the client policy from the stack output 'ClientPolicyArn'"
    )
    return (
        f"the API refused the request (403 {detail}): your AWS identity needs {INVOKE_PERMISSION} on "
        f"POST {urlsplit(url).path or '/'}; {policy} to your role, user or group "
        "(or check that AWS_PROFILE / AWS_REGION point at the account the API is in)"
    )


def api_error_message(url: str, response: ApiResponse, client_policy_arn: str | None) -> str:
    """A non-200 answer as one line: the API's error code and message, and what to do about it."""
    if response.status == 403:
        return access_denied_message(url, response, client_policy_arn)
    try:
        detail = response.json().get("error", {})
        text = f"{detail.get('code', '')}: {detail.get('message', '')}"
    except (ValueError, AttributeError):
        text = response.body.decode("utf-8", "replace")[:300]
    approve = "; approve a version with `mlpipe models approve N --backend aws`"
    return f"the API answered {response.status} {text}" + (approve if response.status == 503 else "")


def signed_post_json(
    url: str,
    payload: Any,
    *,
    session: boto3.session.Session | None = None,
    region: str | None = None,
    timeout: float = 30.0,
) -> ApiResponse:
    """POST `payload` as JSON to `url`, SigV4-signed for execute-api with the default credential chain."""
    session = session or boto3.session.Session()
    region = region_from_url(url) or region or session.region_name
    if not region:
        raise CloudError(f"cannot tell the region of {url} from its host name; set AWS_REGION")
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    headers = sign_post(url, body, resolve_credentials(session), region)
    return _send(url, body, headers, timeout)
