"""A caller holding the client managed policy, calling the HTTP API signed with SigV4.

API Gateway authorizes `execute-api:Invoke` on `arn:aws:execute-api:region:account-id:api-id/stage/
METHOD/resource-path`, and `*` in the stage segment means any stage
(https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html,
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-iam-policy-examples-for-api-execution.html).
HTTP APIs take no resource policies
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control-iam.html), so
another account's principal has nothing that lets it in
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
"""

from __future__ import annotations

import pytest

from tests.integration.iam.cases import Case, decide_all, unexpected
from tests.integration.iam.deployment import Deployment, Principal
from tests.integration.iam.render import ACCOUNT, REGION
from tests.integration.iam.simulator import ALLOWED, ANONYMOUS, DENIED, Request

pytestmark = pytest.mark.slow
OTHER_ACCOUNT = "444455556666"
DEFAULT_STAGE = "$default"


def _api_id(d: Deployment) -> str:
    return d.ref(d.one("serving", "AWS::ApiGatewayV2::Api", "PredictionApi"))


def _client(d: Deployment, account: str = ACCOUNT) -> Principal:
    return Principal(
        f"arn:aws:sts::{account}:assumed-role/prediction-client/session",
        policies=(d.managed_policy("serving", "ApiClientPolicy"),),
        context={"aws:PrincipalAccount": account},
    )


def _route(d: Deployment, method: str, path: str, *, api_id: str | None = None) -> str:
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id or _api_id(d)}/{DEFAULT_STAGE}/{method}{path}"


def _invoke(d: Deployment, who: Principal, method: str, path: str) -> Request:
    return d.request(who, "execute-api:Invoke", _route(d, method, path))


CASES: dict[str, Case] = {
    "the client calls POST /predict": Case((ALLOWED,), lambda d: _invoke(d, _client(d), "POST", "/predict")),
    "the client cannot call another method or route": Case(
        DENIED,
        lambda d: [
            _invoke(d, _client(d), method, path)
            for method, path in (
                ("GET", "/predict"),
                ("POST", "/other"),
                ("POST", "/predict/extra"),
                ("DELETE", "/predict"),
            )
        ],
    ),
    "the client cannot call another API": Case(
        DENIED,
        lambda d: d.request(
            _client(d), "execute-api:Invoke", _route(d, "POST", "/predict", api_id="zz99yy88xx")
        ),
    ),
    "another account's caller with the same policy is refused": Case(
        DENIED, lambda d: _invoke(d, _client(d, OTHER_ACCOUNT), "POST", "/predict")
    ),
    "an unsigned (anonymous) caller is refused": Case(
        DENIED, lambda d: _invoke(d, Principal(ANONYMOUS), "POST", "/predict")
    ),
}


@pytest.fixture(scope="module")
def decisions(deployment: Deployment) -> dict[str, list[str]]:
    return decide_all(deployment, CASES)


@pytest.mark.parametrize("name", CASES)
def test_api_client(name: str, decisions: dict[str, list[str]]) -> None:
    assert unexpected(CASES[name], decisions[name]) == []


def test_client_policy_names_the_route_in_the_documented_any_stage_form(deployment: Deployment) -> None:
    """Issue 10 item 10: `api-id/*/POST/predict` matches the route whatever the stage segment holds."""
    [statement] = deployment.managed_policy("serving", "ApiClientPolicy")["Statement"]
    api_id = _api_id(deployment)
    assert statement["Resource"] in (
        f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id}/*/POST/predict",
        [f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id}/*/POST/predict"],
    )
