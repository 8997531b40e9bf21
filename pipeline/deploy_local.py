"""Local deployments: the promotion state machine (promoter/rollout.py) applied to the SQLite registry.

Each decision reads the live pointer and the versions, runs one transition and writes the statuses,
the pointer and the history entries in one transaction (`SqliteModelRegistry.change_deployment`).
A file from before the pointer existed starts from what serving did then: the latest Approved version.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from promoter.rollout import (
    Event,
    EventKind,
    Plan,
    Record,
    Reject,
    Route,
    State,
    format_plan,
    parse_plan,
    tick_due,
    transition,
)
from runtime.registry.base import (
    Deployment,
    DeploymentChange,
    LivePointer,
    ModelVersion,
    RegistryError,
    VersionNotFound,
)
from runtime.registry.sqlite import SqliteModelRegistry

APPROVED, REJECTED = "Approved", "Rejected"
CANARY_ACTOR = "canary"  # who the history names for serving-side ticks and alarms
Decide = Callable[[LivePointer | None, list[ModelVersion]], DeploymentChange]


def actor() -> str:
    """Who is deploying: the OS user (locally there is no other identity)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment or the password database
        return "unknown"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def state_of(pointer: LivePointer | None, versions: list[ModelVersion]) -> State:
    """The state machine's state: the pointer, or for older files the latest Approved version."""
    if pointer is None:
        approved = [v.version for v in versions if v.status == APPROVED]
        return State(live=max(approved) if approved else None)
    return State(
        live=pointer.live,
        candidate=pointer.candidate,
        weight=pointer.weight,
        step=pointer.step,
        since=pointer.since,
    )


def change_for(
    group: str, state: State, event: Event, plan: Plan, statuses: tuple[tuple[int, str], ...] = ()
) -> DeploymentChange:
    """The registry writes for the transition `event` causes from `state`."""
    new, actions = transition(state, event, plan)
    rejected = tuple((a.version, REJECTED) for a in actions if isinstance(a, Reject))
    records = tuple(_deployment(group, a) for a in actions if isinstance(a, Record))
    moved = any(isinstance(a, Route) for a in actions)
    pointer = LivePointer(
        live=new.live,
        candidate=new.candidate,
        weight=new.weight,
        step=new.step,
        since=new.since,
        plan=format_plan(plan) if new.candidate is not None else "",
    )
    return DeploymentChange(statuses=statuses + rejected, pointer=pointer if moved else None, records=records)


def _deployment(group: str, record: Record) -> Deployment:
    return Deployment(
        group=group,
        at=record.at,
        actor=record.actor,
        action=record.action,
        from_version=record.from_version,
        to_version=record.to_version,
        weight=record.weight,
        step=record.step,
        outcome=record.outcome,
        reason=record.reason,
    )


def set_status(registry: SqliteModelRegistry, version: int, status: str, plan: Plan = ()) -> DeploymentChange:
    """Approve or reject `version`, and move what is live as the state machine says."""

    def decide(pointer: LivePointer | None, versions: list[ModelVersion]) -> DeploymentChange:
        before = _find(registry.group, versions, version).status
        state = state_of(pointer, versions)
        kind: EventKind = "approved" if status == APPROVED else "rejected"
        fallback = _newest_approved(versions, below=None, excluding={version})
        reason = f"v{version} rejected" if kind == "rejected" else ""
        event = Event(kind=kind, version=version, at=now(), actor=actor(), fallback=fallback, reason=reason)
        change = change_for(registry.group, state, event, plan, ((version, status),))
        if change.records or before == status:
            return change  # traffic moved (recorded by the transition), or a duplicate decision
        # Traffic stays put (an older or non-live version), but the decision belongs in the version's
        # approval history all the same (issue 14: the version page of `mlpipe ui`).
        decision = _decision(registry.group, event, state.live)
        return replace(change, records=(decision,))

    return registry.change_deployment(decide)


def _decision(group: str, event: Event, live: int | None) -> Deployment:
    """A history entry for an approval decision that leaves `live` serving."""
    return Deployment(
        group=group,
        at=event.at,
        actor=event.actor,
        action="approve" if event.kind == "approved" else "reject",
        from_version=live,
        to_version=event.version,
        weight=0,
        step=0,
        outcome="not live",
        reason=event.reason,
    )


def rollback(registry: SqliteModelRegistry, target: int | None, reason: str) -> DeploymentChange:
    """Serve `target` (default: the newest Approved version older than live) at once; reject newer ones."""

    def decide(pointer: LivePointer | None, versions: list[ModelVersion]) -> DeploymentChange:
        state = state_of(pointer, versions)
        if state.live is None:
            raise RegistryError("nothing is live, so there is nothing to roll back; approve a version first")
        to = target if target is not None else _newest_approved(versions, below=state.live, excluding=set())
        if to is None:
            raise RegistryError(
                f"no Approved version older than live v{state.live} to roll back to; pass --to VERSION"
            )
        found = _find(registry.group, versions, to)
        if found.status != APPROVED:
            raise RegistryError(f"v{to} is {found.status}; approve it first, then roll back to it")
        why = reason or f"rolled back to v{to}"
        event = Event(kind="rollback", version=to, at=now(), actor=actor(), reason=why)
        newer = tuple(
            (v.version, REJECTED)
            for v in versions
            if v.status == APPROVED and v.version > to and v.version not in (state.live, state.candidate)
        )
        return change_for(registry.group, state, event, (), newer)

    return registry.change_deployment(decide)


def canary_event(
    registry: SqliteModelRegistry,
    kind: EventKind,
    *,
    version: int | None = None,
    reason: str = "",
    at: str | None = None,
) -> DeploymentChange:
    """Deliver a serving-side `tick` or `alarm` (pipeline/canary.py) with the plan the canary opened with.

    Several serve workers may send the same event: the state machine makes the second one a no-op.
    """

    def decide(pointer: LivePointer | None, versions: list[ModelVersion]) -> DeploymentChange:
        plan = parse_plan(pointer.plan) if pointer is not None else ()
        event = Event(kind=kind, version=version, at=at or now(), actor=CANARY_ACTOR, reason=reason)
        return change_for(registry.group, state_of(pointer, versions), event, plan)

    return registry.change_deployment(decide)


def tick_is_due(pointer: LivePointer | None, at: str | None = None) -> bool:
    """Whether the open canary's step has run its minutes (read-only check before a write)."""
    if pointer is None or pointer.candidate is None:
        return False
    return tick_due(state_of(pointer, []), parse_plan(pointer.plan), at or now())


def _find(group: str, versions: list[ModelVersion], version: int) -> ModelVersion:
    for candidate in versions:
        if candidate.version == version:
            return candidate
    raise VersionNotFound(group, version)


def _newest_approved(versions: list[ModelVersion], *, below: int | None, excluding: set[int]) -> int | None:
    approved = [
        v.version
        for v in versions
        if v.status == APPROVED and v.version not in excluding and (below is None or v.version < below)
    ]
    return max(approved) if approved else None
