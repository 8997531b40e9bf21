"""Names shared across layers: the environment variables the code reads and the stacks set, and the
CloudFormation output ids the stacks declare and the cloud commands read (docs/architecture.md).

A rename here reaches both sides at once; the values are part of the deployed contract, so changing one
needs a redeploy. Standard library only (Python 3.10: the processing steps read it in the container).
"""

from __future__ import annotations

# Environment variables (runtime/settings.py reads the first five, the serving loader the two pinned
# with MODEL_VERSION; the stacks set them for serving).
BACKEND_ENV = "MLPIPE_BACKEND"
HOME_ENV = "MLPIPE_HOME"
MODEL_PACKAGE_GROUP_ENV = "MODEL_PACKAGE_GROUP"
MODEL_VERSION_ENV = "MODEL_VERSION"  # the promoter sets it on the serving alias (promoter/handler.py)
# Pinned with MODEL_VERSION by the promoter, from the version's DescribeModelPackage: with all three set
# the loader fetches the artifact without opening the registry (lambda_inference/model_loader.py).
MODEL_ARTIFACT_URI_ENV = "MODEL_ARTIFACT_URI"
MODEL_SHA256_ENV = "MODEL_SHA256"
MODEL_REFRESH_SECONDS_ENV = "MODEL_REFRESH_SECONDS"
# Read by the cloud commands only (pipeline/aws/outputs.py) and the CLI's project config.
STACK_PREFIX_ENV = "MLPIPE_STACK_PREFIX"
OUTPUTS_FILE_ENV = "MLPIPE_OUTPUTS_FILE"
CONFIG_ENV = "MLPIPE_CONFIG"
DEBUG_ENV = "MLPIPE_DEBUG"  # "1": the CLI shows tracebacks of internal errors (pipeline/cli/__init__.py)

# Stack outputs: the CfnOutput ids (declared at stack level, so the OutputKey is the id).
ARTIFACT_BUCKET_NAME = "ArtifactBucketName"
DATA_URI = "DataUri"
PIPELINE_NAME = "PipelineName"
MODEL_PACKAGE_GROUP_NAME = "ModelPackageGroupName"
API_URL = "ApiUrl"
FUNCTION_NAME = "FunctionName"
CLIENT_POLICY_ARN = "ClientPolicyArn"
