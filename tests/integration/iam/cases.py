"""Named expectations on simulated calls, evaluated in one simulator run per test module."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tests.integration.iam.deployment import Deployment
from tests.integration.iam.simulator import Request, simulate

Build = Callable[[Deployment], Request | list[Request]]


@dataclass(frozen=True)
class Case:
    """Every request `build` makes must end in one of `expected` (e.g. ALLOWED, or either denial)."""

    expected: tuple[str, ...]
    build: Build


def decide_all(deployment: Deployment, cases: Mapping[str, Case]) -> dict[str, list[str]]:
    """Decisions per case name; a case whose requests cannot be built records why instead."""
    requests: dict[str, Request] = {}
    failures: dict[str, list[str]] = {}
    for name, case in cases.items():
        try:
            built = case.build(deployment)
        except (AssertionError, LookupError, StopIteration, ValueError) as error:
            failures[name] = [f"cannot build the request: {error!r}"]
            continue
        for index, request in enumerate(built if isinstance(built, list) else [built]):
            requests[f"{name}#{index}"] = request
    decisions = simulate(requests)
    grouped: dict[str, list[str]] = {name: [] for name in cases}
    for key, decision in decisions.items():
        name = key.rpartition("#")[0]
        grouped[name].append(f"{requests[key].action} {requests[key].resource} -> {decision}")
    return grouped | failures


def unexpected(case: Case, outcomes: list[str]) -> list[str]:
    """The outcomes of a case that are not among its expected decisions (empty when it holds)."""
    assert outcomes, "the case built no request"
    return [outcome for outcome in outcomes if outcome.rpartition(" -> ")[2] not in case.expected]
