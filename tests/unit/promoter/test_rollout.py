"""The promotion state machine (promoter/rollout.py): every transition, duplicates and out-of-order events."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from promoter.rollout import (
    Event,
    Record,
    Reject,
    Route,
    State,
    Step,
    format_plan,
    parse_plan,
    tick_due,
    transition,
)

T0 = "2026-11-29T12:00:00+00:00"
T5 = "2026-11-29T12:05:00+00:00"
T10 = "2026-11-29T12:10:00+00:00"
CANARY = (Step(weight=10, minutes=5), Step(weight=50, minutes=5))
CANARY_OPEN = State(live=1, candidate=2, weight=10, step=0, since=T0)


def records(actions: Sequence[object]) -> list[Record]:
    return [a for a in actions if isinstance(a, Record)]


def test_all_at_once_approval_makes_the_version_live_and_records_it() -> None:
    state, actions = transition(State(live=1), Event(kind="approved", version=2, at=T0, actor="ana"))

    assert state == State(live=2)
    assert Route(live=2) in actions
    (record,) = records(actions)
    assert (record.from_version, record.to_version, record.outcome, record.actor) == (1, 2, "live", "ana")
    assert record.weight == 100


def test_first_approval_goes_live_even_with_a_canary_plan() -> None:
    state, _ = transition(State(), Event(kind="approved", version=1, at=T0), CANARY)
    assert state == State(live=1)


def test_approval_with_a_plan_opens_a_canary_at_the_first_weight() -> None:
    state, actions = transition(State(live=1), Event(kind="approved", version=2, at=T0), CANARY)

    assert state == CANARY_OPEN
    assert Route(live=1, candidate=2, weight=10) in actions
    assert records(actions)[0].outcome == "canary" and records(actions)[0].step == 1


@pytest.mark.parametrize("version", [1, 2, 0])
def test_duplicate_or_older_approvals_change_nothing(version: int) -> None:
    again = Event(kind="approved", version=version, at=T5)
    assert transition(CANARY_OPEN, again, CANARY) == (CANARY_OPEN, [])


def test_a_newer_approval_supersedes_the_open_canary() -> None:
    state, actions = transition(CANARY_OPEN, Event(kind="approved", version=3, at=T5), CANARY)

    assert (state.live, state.candidate, state.weight) == (1, 3, 10)
    assert [r.outcome for r in records(actions)] == ["superseded", "canary"]


def test_a_tick_before_the_step_ends_changes_nothing() -> None:
    early = "2026-11-29T12:04:59+00:00"
    assert transition(CANARY_OPEN, Event(kind="tick", at=early), CANARY) == (CANARY_OPEN, [])


def test_a_tick_older_than_the_step_changes_nothing() -> None:
    late_delivered = "2026-11-29T11:59:00+00:00"
    assert transition(CANARY_OPEN, Event(kind="tick", at=late_delivered), CANARY) == (CANARY_OPEN, [])


def test_ticks_walk_the_steps_then_make_the_candidate_live() -> None:
    state, actions = transition(CANARY_OPEN, Event(kind="tick", at=T5), CANARY)
    assert (state.weight, state.step, state.since) == (50, 1, T5)
    assert Route(live=1, candidate=2, weight=50) in actions

    state, actions = transition(state, Event(kind="tick", at=T10), CANARY)
    assert state == State(live=2)
    assert records(actions)[0].outcome == "live" and records(actions)[0].weight == 100


def test_a_tick_without_a_canary_changes_nothing() -> None:
    assert transition(State(live=1), Event(kind="tick", at=T10), CANARY) == (State(live=1), [])


def test_an_alarm_on_the_candidate_rolls_back_and_rejects_it_with_the_reason() -> None:
    alarm = Event(kind="alarm", version=2, at=T5, actor="alarm", reason="error rate 40% > 5%")
    state, actions = transition(CANARY_OPEN, alarm, CANARY)

    assert state == State(live=1)
    assert Route(live=1) in actions
    assert Reject(version=2, reason="error rate 40% > 5%") in actions
    (record,) = records(actions)
    assert (record.action, record.from_version, record.to_version) == ("rollback", 2, 1)
    assert record.reason == "error rate 40% > 5%"


@pytest.mark.parametrize("state", [State(live=2), State(live=1, candidate=3, weight=10, since=T0)])
def test_an_alarm_for_a_version_not_in_a_canary_changes_nothing(state: State) -> None:
    assert transition(state, Event(kind="alarm", version=2, at=T5), CANARY) == (state, [])


def test_rejecting_the_candidate_aborts_the_canary_without_a_second_reject() -> None:
    state, actions = transition(CANARY_OPEN, Event(kind="rejected", version=2, at=T5), CANARY)
    assert state == State(live=1)
    assert not [a for a in actions if isinstance(a, Reject)]


def test_rejecting_the_live_version_falls_back() -> None:
    state, actions = transition(State(live=2), Event(kind="rejected", version=2, fallback=1, at=T5))
    assert state == State(live=1)
    assert records(actions)[0].outcome == "rolled back"


def test_rejecting_another_version_changes_nothing() -> None:
    assert transition(State(live=2), Event(kind="rejected", version=1, at=T5)) == (State(live=2), [])


def test_rollback_moves_traffic_at_once_and_rejects_what_it_leaves() -> None:
    state, actions = transition(State(live=3), Event(kind="rollback", version=1, at=T5, reason="bad"))
    assert state == State(live=1)
    assert Reject(version=3, reason="bad") in actions
    assert (records(actions)[0].from_version, records(actions)[0].to_version) == (3, 1)


def test_rollback_during_a_canary_withdraws_the_candidate() -> None:
    state, actions = transition(CANARY_OPEN, Event(kind="rollback", version=1, at=T5), CANARY)
    assert state == State(live=1)
    assert [a.version for a in actions if isinstance(a, Reject)] == [2]


def test_rollback_to_where_traffic_already_is_changes_nothing() -> None:
    assert transition(State(live=1), Event(kind="rollback", version=1, at=T5)) == (State(live=1), [])


def test_plans_parse_and_bad_plans_say_the_format() -> None:
    assert parse_plan("10:5, 50:2.5") == (Step(weight=10, minutes=5), Step(weight=50, minutes=2.5))
    assert parse_plan("") == ()
    for bad in ("10", "x:5", "100:5", "10:-1"):
        with pytest.raises(ValueError, match=r"WEIGHT:MINUTES|1-99"):
            parse_plan(bad)


def test_the_plan_text_the_pointer_stores_parses_back_to_the_same_plan() -> None:
    assert format_plan(CANARY) == "10:5,50:5"
    assert parse_plan(format_plan(CANARY)) == CANARY
    assert parse_plan(format_plan((Step(weight=5, minutes=2.5),))) == (Step(weight=5, minutes=2.5),)
    assert format_plan(()) == ""


def test_a_tick_is_due_exactly_when_the_step_has_run_its_minutes() -> None:
    assert not tick_due(CANARY_OPEN, CANARY, "2026-11-29T12:04:59+00:00")
    assert tick_due(CANARY_OPEN, CANARY, T5)
    assert not tick_due(State(live=1), CANARY, T10)  # no canary open
    assert not tick_due(CANARY_OPEN, (), T10)  # no plan stored (a pointer from before plans)
