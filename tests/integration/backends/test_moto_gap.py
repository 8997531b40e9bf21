"""Where moto 5.2.5 falls short of SageMaker: these pin the gaps the contract suite works around.

If one of these starts failing after a moto upgrade, moto has closed the gap: drop the matching
workaround (the Stubber in conftest.stubbed_set_stage, or the metadata re-send in set_status).
"""

from __future__ import annotations

from runtime.registry.sagemaker import SageMakerModelRegistry
from tests.integration.backends.conftest import GROUP


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
