"""Where moto 5.2.5 falls short of SageMaker: these pin the gaps the contract suite works around.

If one of these starts failing after a moto upgrade, moto has closed the gap: drop the matching
workaround (the Stubber in conftest.stubbed_set_stage, the metadata re-send in set_status, or
model_packages.ModelCardKeepingClient).
"""

from __future__ import annotations

from runtime.registry.sagemaker import SageMakerModelRegistry
from tests.integration.backends.conftest import GROUP
from tests.integration.backends.service_model import sagemaker_model


def _only_version_arn(registry: SageMakerModelRegistry) -> str:
    summaries = registry.client.list_model_packages(ModelPackageGroupName=GROUP)["ModelPackageSummaryList"]
    (summary,) = summaries
    return str(summary["ModelPackageArn"])


def test_moto_ignores_model_life_cycle(sagemaker_registry: SageMakerModelRegistry) -> None:
    client = sagemaker_registry.client
    client.create_model_package(ModelPackageGroupName=GROUP, ModelApprovalStatus="Approved")
    arn = _only_version_arn(sagemaker_registry)

    life_cycle = {"Stage": "Production", "StageStatus": "Approved"}
    client.update_model_package(ModelPackageArn=arn, ModelLifeCycle=life_cycle)

    described = client.describe_model_package(ModelPackageName=arn)
    assert "ModelLifeCycle" not in described
    assert "ModelApprovalStatus" not in described  # an update without a status wipes it in moto


def test_moto_wipes_metadata_on_update(sagemaker_registry: SageMakerModelRegistry) -> None:
    client = sagemaker_registry.client
    client.create_model_package(ModelPackageGroupName=GROUP, CustomerMetadataProperties={"sha256": "ab"})
    arn = _only_version_arn(sagemaker_registry)

    client.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")

    assert "CustomerMetadataProperties" not in client.describe_model_package(ModelPackageName=arn)


def test_arn_built_from_the_group_matches_the_service(sagemaker_registry: SageMakerModelRegistry) -> None:
    sagemaker_registry.client.create_model_package(ModelPackageGroupName=GROUP)

    assert sagemaker_registry._arn(1) == _only_version_arn(sagemaker_registry)


def test_moto_drops_the_model_card(sagemaker_registry: SageMakerModelRegistry) -> None:
    """SageMaker returns it (DescribeModelPackageOutput.ModelCard in botocore's service model)."""
    client = sagemaker_registry.client._client  # under ModelCardKeepingClient
    card = {"ModelCardContent": "{}", "ModelCardStatus": "Draft"}
    client.create_model_package(ModelPackageGroupName=GROUP, ModelCard=card)

    assert "ModelCard" not in client.describe_model_package(
        ModelPackageName=_only_version_arn(sagemaker_registry)
    )
    assert "ModelCard" in sagemaker_model().operation_model("DescribeModelPackage").output_shape.members
