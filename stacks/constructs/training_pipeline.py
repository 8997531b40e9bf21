"""The Model Package Group, the step code bundles and the SageMaker Pipeline built from the committed JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from pipeline import bundles
from pipeline.definition import placeholders
from runtime.settings import check_group
from stacks.constructs.pipeline_role import code_bundle_statements, image_pull_statements

DEFINITION_DIR = Path(placeholders.__file__).resolve().parent
DEFINITION_FILE = DEFINITION_DIR / "pipeline.json"
XGBOOST_IMAGES_FILE = DEFINITION_DIR / "xgboost_images.json"


def read_json(path: Path) -> dict[str, object]:
    """A committed JSON file of the definition folder, or an error that says how to produce it."""
    try:
        document = json.loads(path.read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} is missing; run `make definition` to build it") from None
    if not isinstance(document, dict):
        raise ValueError(f"{path} must hold a JSON object; run `make definition` to rebuild it")
    return document


class TrainingPipeline(Construct):
    """`AWS::SageMaker::Pipeline` whose definition is the committed JSON with tokens in its placeholders."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        pipeline_name: str,
        model_package_group: str,
        bucket: s3.IBucket,
        role: iam.IRole,
        retain_registry: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        check_group(model_package_group, "stack config model_package_group")  # fails synth on a bad name
        self.group = sagemaker.CfnModelPackageGroup(
            self,
            "ModelPackageGroup",
            model_package_group_name=model_package_group,
            model_package_group_description="mlpipe model versions awaiting or holding approval",
        )
        # The group is the registry (versions, approvals): kept on stack deletion where data is kept.
        self.group.apply_removal_policy(
            cdk.RemovalPolicy.RETAIN if retain_registry else cdk.RemovalPolicy.DESTROY
        )
        code = self._code_bundles(role)
        image = self._xgboost_image()
        for statement in image_pull_statements(image):
            role.add_to_principal_policy(statement)
        values = {
            placeholders.ARTIFACT_BUCKET: bucket.bucket_name,
            placeholders.PIPELINE_ROLE_ARN: role.role_arn,
            placeholders.MODEL_PACKAGE_GROUP: model_package_group,
            placeholders.PROCESSING_CODE_URI: code[bundles.PROCESSING_BUNDLE].s3_object_url,
            placeholders.TRAINING_CODE_URI: code[bundles.TRAINING_BUNDLE].s3_object_url,
            placeholders.XGBOOST_IMAGE_URI: image,
        }
        # Compact JSON keeps the template small; CDK turns the embedded tokens into Fn::Join.
        definition = placeholders.substitute(read_json(DEFINITION_FILE), values)
        text = json.dumps(definition, separators=(",", ":"))
        self.pipeline = sagemaker.CfnPipeline(
            self,
            "Pipeline",
            pipeline_name=pipeline_name,
            pipeline_display_name=pipeline_name,
            pipeline_description="mlpipe: preprocess, train, evaluate, gate on accuracy, register",
            role_arn=role.role_arn,
            pipeline_definition={"PipelineDefinitionBody": text},
        )
        self.pipeline.add_resource_dependency(self.group)

    def _code_bundles(self, role: iam.IRole) -> Mapping[str, s3_assets.Asset]:
        """Deterministic .tar.gz bundles as file assets, readable by the pipeline role (object by object)."""
        out_dir = Path(cdk.Stage.of(self).outdir) / "bundles"  # type: ignore[union-attr]
        assets = {
            name: s3_assets.Asset(self, name.split(".")[0].title() + "Code", path=str(path))
            for name, path in bundles.build_bundles(out_dir).items()
        }
        processing = assets[bundles.PROCESSING_BUNDLE]
        for statement in code_bundle_statements(
            processing.bucket,
            [asset.s3_object_key for asset in assets.values()],
            listed_key=processing.s3_object_key,
        ):
            role.add_to_principal_policy(statement)
        return assets

    def _xgboost_image(self) -> str:
        """The region's XGBoost image: looked up at synth, or through a mapping when region is a token."""
        images = read_json(XGBOOST_IMAGES_FILE).get("images")
        if not isinstance(images, dict) or not images:
            raise ValueError(f"{XGBOOST_IMAGES_FILE} has no 'images' by region; run `make definition`")
        region = cdk.Stack.of(self).region
        if not cdk.Token.is_unresolved(region):
            if region not in images:
                raise ValueError(f"no XGBoost image for region {region}; known: {sorted(images)}")
            return str(images[region])
        mapping = cdk.CfnMapping(
            self, "XgboostImage", mapping={name: {"uri": uri} for name, uri in sorted(images.items())}
        )
        return mapping.find_in_map(cdk.Aws.REGION, "uri")
