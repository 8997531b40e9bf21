"""Properties every template must hold, and the policy checks themselves."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stacks.snapshots import changes, synthesized
from tests.integration.stacks.cfn import actions_of

pytestmark = pytest.mark.slow
FORBIDDEN_TYPES = {"AWS::IAM::User", "AWS::IAM::AccessKey", "AWS::IAM::Group"}


def _policy_documents(value: Any) -> Iterator[dict[str, Any]]:
    """Every IAM policy document anywhere in a template (roles, policies, key/bucket/repository policies)."""
    if isinstance(value, dict):
        if "Statement" in value and "Version" in value:
            yield value
        for item in value.values():
            yield from _policy_documents(item)
    elif isinstance(value, list):
        for item in value:
            yield from _policy_documents(item)


def _statements(templates: dict[str, Any]) -> list[dict[str, Any]]:
    documents = [doc for template in templates.values() for doc in _policy_documents(template)]
    assert len(documents) > 10
    return [statement for doc in documents for statement in doc["Statement"]]


def _wildcard(action: str) -> bool:
    return action == "*" or action.endswith(":*")


def test_no_wildcard_service_actions_in_any_allow(templates: dict[str, Any]) -> None:
    offending = [
        action
        for statement in _statements(templates)
        if statement["Effect"] == "Allow"
        for action in actions_of(statement)
        if _wildcard(action)
    ]
    assert offending == []


def test_wildcard_denies_only_refuse_requests_without_tls(templates: dict[str, Any]) -> None:
    denies = [
        statement
        for statement in _statements(templates)
        if statement["Effect"] == "Deny" and any(_wildcard(a) for a in actions_of(statement))
    ]
    assert denies, "the buckets' enforce-SSL statements are expected here"
    for statement in denies:
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


# CDK's own provider behind `autoDeleteObjects` (dev only) always attaches the AWS-managed
# AWSLambdaBasicExecutionRole (logs only); no role of this app's own code uses a managed policy.
AUTO_DELETE_PROVIDER_ROLE = "CustomS3AutoDeleteObjectsCustomResourceProviderRole"


def test_no_aws_managed_full_access_policies(templates: dict[str, Any]) -> None:
    assert "FullAccess" not in json.dumps(templates)
    with_managed_policies = [
        logical_id
        for template in templates.values()
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Role" and resource["Properties"].get("ManagedPolicyArns")
    ]
    assert all(logical_id.startswith(AUTO_DELETE_PROVIDER_ROLE) for logical_id in with_managed_policies)
    assert "AWSLambdaBasicExecutionRole" not in json.dumps([templates["pipeline"], templates["serving"]])


def test_no_iam_users_or_access_keys(templates: dict[str, Any]) -> None:
    types = {
        resource["Type"] for template in templates.values() for resource in template["Resources"].values()
    }
    assert types.isdisjoint(FORBIDDEN_TYPES)


def test_both_policy_plugins_pass_and_every_acknowledgement_has_a_reason(cloud_assembly: Path) -> None:
    report = json.loads((cloud_assembly / "validation-report.json").read_text())
    plugins = {plugin["pluginName"]: plugin for plugin in report["pluginReports"]}

    assert set(plugins) == {"AwsSolutions", "cdk-validator-cfnguard"}
    for plugin in plugins.values():
        assert (plugin["conclusion"], plugin["violations"]) == ("success", [])
        for suppressed in plugin["suppressedViolations"]:
            assert len(suppressed["reason"]) >= 30, suppressed["acknowledgedId"]


def test_an_unacknowledged_finding_fails_the_synth(tmp_path: Path) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3

    from stacks.policy import add_policy_checks

    app = cdk.App(outdir=str(tmp_path))
    s3.Bucket(cdk.Stack(app, "Loose"), "Bucket")
    add_policy_checks(app)

    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    assert "AwsSolutions-S1" in (tmp_path / "validation-report.json").read_text()


def test_cfn_lint_finds_no_errors(cloud_assembly: Path) -> None:
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run(
        [str(cfn_lint), "--format", "json", *sorted(map(str, cloud_assembly.glob("*.template.json")))],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    findings = json.loads(result.stdout or "[]")
    errors = [f for f in findings if f["Level"] == "Error"]
    assert errors == [], json.dumps(errors, indent=1)


def test_templates_match_the_committed_snapshots(cloud_assembly: Path) -> None:
    changed = changes(synthesized(cloud_assembly))
    assert changed == {}, (
        "infrastructure changed; review `make diff`, then run "
        "`python -m stacks.snapshots update --cdk-out <cdk.out>`:\n" + "".join(changed.values())[:4000]
    )


def test_prod_pinned_to_an_account_and_region_passes_the_policy_checks(
    prod_assembly: Path, prod_templates: dict[str, Any]
) -> None:
    # The fixture's synth raises on any unacknowledged finding; the report says both plugins ran.
    report = json.loads((prod_assembly / "validation-report.json").read_text())
    assert {plugin["pluginName"] for plugin in report["pluginReports"]} == {
        "AwsSolutions",
        "cdk-validator-cfnguard",
    }
    assert all(plugin["conclusion"] == "success" for plugin in report["pluginReports"])
    template = prod_templates["pipeline"]
    assert "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost" in json.dumps(template)
