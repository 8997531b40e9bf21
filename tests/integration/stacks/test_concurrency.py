"""Issue 10, defect 5: reserved concurrency is a per-environment setting, none in dev.

Lambda refuses a reservation that leaves the account under 100 unreserved executions
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html) and new accounts get
reduced concurrency quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html),
so a dev deploy that reserves anything fails there.
"""

from __future__ import annotations

from typing import Any

import pytest

from stacks.config import ENVIRONMENTS
from tests.integration.stacks.cfn import resources_of

pytestmark = pytest.mark.slow
PROD = ENVIRONMENTS["prod"]


def _reservations(templates: dict[str, dict[str, Any]]) -> dict[str, int | None]:
    """Serving ('image') and promoter ('zip') function -> its ReservedConcurrentExecutions.

    The daily drift check (issue 16) also runs from the image; it reserves nothing (one run a day)."""
    functions = resources_of(templates["serving"], "AWS::Lambda::Function")
    return {
        "image" if props.get("PackageType") == "Image" else "zip": props.get("ReservedConcurrentExecutions")
        for logical_id, props in functions.items()
        if not logical_id.startswith("DriftMonitor")
    }


def test_dev_reserves_no_concurrency_anywhere(templates: dict[str, dict[str, Any]]) -> None:
    reserving = [
        (unit, logical_id)
        for unit, template in templates.items()
        for logical_id, props in resources_of(template, "AWS::Lambda::Function").items()
        if "ReservedConcurrentExecutions" in props
    ]

    assert reserving == []


def test_prod_reserves_what_its_config_says_for_both_functions(
    prod_templates: dict[str, dict[str, Any]],
) -> None:
    assert PROD.reserved_concurrency and PROD.promoter_reserved_concurrency == 1
    assert _reservations(prod_templates) == {
        "image": PROD.reserved_concurrency,
        "zip": PROD.promoter_reserved_concurrency,
    }
