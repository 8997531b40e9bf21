"""Model registries: SQLite locally, the SageMaker Model Registry in AWS, behind one interface.

Import the adapter you need from its module (`runtime.registry.sqlite`, `runtime.registry.sagemaker`):
this package loads none of them, so the serving image pays only for the one it uses.
"""
