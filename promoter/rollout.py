"""The promotion state machine, shared by the promoter (AWS) and `mlpipe models` (local): pure functions.

`transition(state, event, plan)` returns the new state and the actions to carry out (route traffic,
record a history entry, reject a version); callers own the I/O. Standard library only: the promoter
ships as its own folder, and tooling imports this module (docs/deploy.md, "Progressive delivery").

Every event is safe to deliver twice or late: an approval of the live, the candidate or an older version,
an alarm or a tick for a version no longer in a canary, a rollback to where traffic already is, all
change nothing and record nothing (tests/unit/promoter/test_rollout.py, one test per transition).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

EventKind = Literal["approved", "rejected", "tick", "alarm", "rollback"]
FULL = 100  # percent


@dataclass(frozen=True, kw_only=True)
class Step:
    """`weight` percent of requests go to the candidate for `minutes`, then the next step (or 100%)."""

    weight: int
    minutes: float


@dataclass(frozen=True, kw_only=True)
class State:
    """What serves: `live` takes 100 - weight percent, `candidate` (during a canary) `weight` percent."""

    live: int | None = None
    candidate: int | None = None
    weight: int = 0
    step: int = 0  # index of the canary step in the plan
    since: str = ""  # ISO 8601 time the current step began


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something that happened. `version`: approved/rejected/alarmed version, or the rollback target."""

    kind: EventKind
    at: str  # ISO 8601
    version: int | None = None
    actor: str = ""
    reason: str = ""
    fallback: int | None = None  # rejected: the version to serve if the rejected one is live


@dataclass(frozen=True, kw_only=True)
class Route:
    """Send `weight` percent to `candidate` and the rest to `live` (live None: serve nothing)."""

    live: int | None
    candidate: int | None = None
    weight: int = 0


@dataclass(frozen=True, kw_only=True)
class Record:
    """One deployment-history entry."""

    action: str  # promote | canary | rollback
    from_version: int | None
    to_version: int | None
    weight: int
    step: int
    outcome: str  # live | canary | rolled back | superseded
    actor: str
    at: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class Reject:
    """Mark `version` Rejected in the registry, with the reason."""

    version: int
    reason: str


Action = Route | Record | Reject
Plan = tuple[Step, ...]


def parse_plan(text: str) -> Plan:
    """`"10:5,50:5"` -> 10% for 5 minutes, then 50% for 5, then 100%; `""` -> all at once."""
    steps = []
    for part in filter(None, (item.strip() for item in text.split(","))):
        weight, _, minutes = part.partition(":")
        try:
            step = Step(weight=int(weight), minutes=float(minutes))
        except ValueError:
            raise ValueError(f"canary step {part!r} is not WEIGHT:MINUTES, e.g. 10:5") from None
        if not 0 < step.weight < FULL or step.minutes < 0:
            raise ValueError(f"canary step {part!r}: the weight must be 1-99 percent, minutes >= 0")
        steps.append(step)
    return tuple(steps)


def format_plan(plan: Plan) -> str:
    """The text `parse_plan` reads back: what the live pointer stores while a canary is open."""
    return ",".join(f"{step.weight}:{step.minutes:g}" for step in plan)


def tick_due(state: State, plan: Plan, at: str) -> bool:
    """Whether a `tick` at `at` would advance the canary (callers skip the write when it would not)."""
    if state.candidate is None or state.step >= len(plan) or not state.since:
        return False
    return _minutes(state.since, at) >= plan[state.step].minutes


def transition(state: State, event: Event, plan: Plan = ()) -> tuple[State, list[Action]]:
    """The state after `event`, and what to do to get there."""
    handler = _HANDLERS[event.kind]
    return handler(state, event, plan)


def _approved(state: State, event: Event, plan: Plan) -> tuple[State, list[Action]]:
    version = event.version
    if version is None or version in (state.live, state.candidate) or _older(version, state):
        return state, []  # a duplicate, or an approval that arrives after a newer one
    actions: list[Action] = []
    if state.candidate is not None:  # a newer approval replaces the canary in progress
        previous = State(live=state.live)
        actions.append(_record(previous, event, "canary", (state.candidate, state.live), "superseded"))
    if not plan or state.live is None:
        return _make_live(state, version, event, "promote", actions)
    new = State(live=state.live, candidate=version, weight=plan[0].weight, step=0, since=event.at)
    actions += [_route(new), _record(new, event, "canary", (state.live, version), "canary")]
    return new, actions


def _tick(state: State, event: Event, plan: Plan) -> tuple[State, list[Action]]:
    if state.candidate is None or state.step >= len(plan):
        return state, []
    if _minutes(state.since, event.at) < plan[state.step].minutes:
        return state, []  # not yet, or a tick older than the step (out of order)
    if state.step + 1 < len(plan):
        step = state.step + 1
        new = replace(state, weight=plan[step].weight, step=step, since=event.at)
        return new, [_route(new), _record(new, event, "canary", (state.live, state.candidate), "canary")]
    return _make_live(state, state.candidate, event, "promote", [])


def _alarm(state: State, event: Event, _plan: Plan) -> tuple[State, list[Action]]:
    if state.candidate is None or event.version != state.candidate:
        return state, []  # the alarm is about a version no longer being shifted to
    return _abort(state, event, [Reject(version=state.candidate, reason=event.reason)])


def _rejected(state: State, event: Event, _plan: Plan) -> tuple[State, list[Action]]:
    if event.version is not None and event.version == state.candidate:
        return _abort(state, event, [])
    if event.version is None or event.version != state.live:
        return state, []
    new = State(live=event.fallback)
    return new, [_route(new), _record(new, event, "rollback", (state.live, event.fallback), "rolled back")]


def _rollback(state: State, event: Event, _plan: Plan) -> tuple[State, list[Action]]:
    target = event.version
    if target == state.live and state.candidate is None:
        return state, []
    withdrawn = [v for v in (state.candidate, state.live) if v is not None and v != target]
    new = State(live=target)
    actions: list[Action] = [Reject(version=v, reason=event.reason) for v in withdrawn]
    source = state.candidate if state.candidate is not None else state.live
    return new, [_route(new), *actions, _record(new, event, "rollback", (source, target), "rolled back")]


def _abort(state: State, event: Event, actions: list[Action]) -> tuple[State, list[Action]]:
    new = State(live=state.live)
    record = _record(new, event, "rollback", (state.candidate, state.live), "rolled back")
    return new, [_route(new), *actions, record]


def _make_live(
    state: State, version: int | None, event: Event, action: str, actions: list[Action]
) -> tuple[State, list[Action]]:
    new = State(live=version)
    return new, [*actions, _route(new), _record(new, event, action, (state.live, version), "live")]


def _older(version: int, state: State) -> bool:
    return state.live is not None and version < state.live


def _route(state: State) -> Route:
    return Route(live=state.live, candidate=state.candidate, weight=state.weight)


def _record(
    new: State, event: Event, action: str, move: tuple[int | None, int | None], outcome: str
) -> Record:
    """The history entry for `move` (from, to) ending in `new`."""
    source, target = move
    weight = (
        new.weight
        if new.candidate is not None
        else (FULL if target is not None and new.live == target else 0)
    )
    return Record(
        action=action,
        from_version=source,
        to_version=target,
        weight=weight,
        step=new.step + 1 if new.candidate is not None else 0,
        outcome=outcome,
        actor=event.actor,
        at=event.at,
        reason=event.reason,
    )


def _minutes(since: str, at: str) -> float:
    return (datetime.fromisoformat(at) - datetime.fromisoformat(since)).total_seconds() / 60


_HANDLERS = {
    "approved": _approved,
    "tick": _tick,
    "alarm": _alarm,
    "rejected": _rejected,
    "rollback": _rollback,
}
