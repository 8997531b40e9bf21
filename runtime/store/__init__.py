"""Artifact stores: a local folder or S3, both addressed by s3://bucket/key URIs.

Import the adapter you need from its module (`runtime.store.local`, `runtime.store.s3`); this package
loads none of them.
"""
