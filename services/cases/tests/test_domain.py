"""The case lifecycle: which transitions are allowed."""

from __future__ import annotations

import pytest

from pixhound_cases.domain import FORWARD, OPEN_STATES, CaseState, IllegalTransition, check_transition

S = CaseState
FORWARD_EDGES = [
    (S.DETECTED, S.CONFIRMED),
    (S.DETECTED, S.DISMISSED),
    (S.CONFIRMED, S.RECOVERY_REQUESTED),
    (S.RECOVERY_REQUESTED, S.ACCEPTED_BY_AGENCY),
    (S.ACCEPTED_BY_AGENCY, S.INFRINGER_IDENTIFIED),
    (S.INFRINGER_IDENTIFIED, S.NOTICE_SENT),
    (S.NOTICE_SENT, S.NEGOTIATING),
    (S.NOTICE_SENT, S.SETTLED),
    (S.NEGOTIATING, S.SETTLED),
    (S.SETTLED, S.PAID_BY_INFRINGER),
    (S.PAID_BY_INFRINGER, S.PAID_OUT),
    (S.PAID_OUT, S.CLOSED),
]
FINAL_STATES = [S.CLOSED, S.DISMISSED, S.ABANDONED]


def test_the_table_is_the_expected_lifecycle() -> None:
    assert {(current, target) for current, targets in FORWARD.items() for target in targets} == set(FORWARD_EDGES)
    assert OPEN_STATES == frozenset(CaseState) - set(FINAL_STATES)


@pytest.mark.parametrize(("current", "target"), FORWARD_EDGES)
def test_forward_edges_are_allowed(current: CaseState, target: CaseState) -> None:
    check_transition(current, target)  # must not raise


def _illegal_non_abandon_pairs() -> list[tuple[CaseState, CaseState]]:
    allowed = set(FORWARD_EDGES)
    return [
        (current, target)
        for current in CaseState
        for target in CaseState
        if target != S.ABANDONED and (current, target) not in allowed
    ]


@pytest.mark.parametrize(("current", "target"), _illegal_non_abandon_pairs())
def test_every_other_transition_is_refused(current: CaseState, target: CaseState) -> None:
    with pytest.raises(IllegalTransition):
        check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.DETECTED, S.RECOVERY_REQUESTED),
        (S.DETECTED, S.CLOSED),
        (S.CONFIRMED, S.NOTICE_SENT),
        (S.NOTICE_SENT, S.PAID_OUT),
        (S.SETTLED, S.CLOSED),
        (S.CONFIRMED, S.DETECTED),  # backwards
        (S.PAID_OUT, S.SETTLED),  # backwards
        (S.NEGOTIATING, S.NEGOTIATING),  # standing still is not a transition
        (S.CONFIRMED, S.DISMISSED),  # only a detected match can be dismissed
    ],
)
def test_skipping_or_going_back_is_refused(current: CaseState, target: CaseState) -> None:
    with pytest.raises(IllegalTransition, match=str(current)):
        check_transition(current, target)


@pytest.mark.parametrize("current", sorted(OPEN_STATES))
def test_abandoned_is_allowed_from_every_open_state(current: CaseState) -> None:
    check_transition(current, S.ABANDONED)  # must not raise


@pytest.mark.parametrize("current", FINAL_STATES)
def test_abandoned_is_refused_from_final_states(current: CaseState) -> None:
    with pytest.raises(IllegalTransition):
        check_transition(current, S.ABANDONED)


@pytest.mark.parametrize("current", FINAL_STATES)
def test_nothing_leaves_a_final_state(current: CaseState) -> None:
    for target in CaseState:
        with pytest.raises(IllegalTransition):
            check_transition(current, target)


def test_states_are_plain_strings() -> None:
    assert S("recovery_requested") is S.RECOVERY_REQUESTED
    assert S.PAID_OUT == "paid_out"
    check_transition(S("paid_out"), S("closed"))
    assert issubclass(IllegalTransition, ValueError)
