"""Shares the fake-credential fixture of the unit tests; every test here runs on moto or a local server."""

from __future__ import annotations

from tests.unit.pipeline.aws.conftest import fake_aws_env

__all__ = ["fake_aws_env"]
