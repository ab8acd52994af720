"""The case lifecycle: who may move a case where, in each mode, and what can end or reopen a case."""

import pytest

from pixhound_cases.domain import (
    OPEN_STATES,
    TERMINAL_STATES,
    AlreadyPaid,
    CaseState,
    IllegalTransition,
    Mode,
    Role,
    check_payment,
    check_transition,
    in_place_changes,
    next_states,
    reopen_target,
)

S, P, A, SYS = CaseState, Role.PHOTOGRAPHER, Role.AGENCY, Role.SYSTEM

AGENCY_PATH = [
    (S.DETECTED, S.CONFIRMED, P),
    (S.CONFIRMED, S.RECOVERY_REQUESTED, P),
    (S.RECOVERY_REQUESTED, S.ACCEPTED_BY_AGENCY, A),
    (S.ACCEPTED_BY_AGENCY, S.INFRINGER_IDENTIFIED, A),
    (S.INFRINGER_IDENTIFIED, S.NOTICE_SENT, A),
    (S.NOTICE_SENT, S.NEGOTIATING, A),
    (S.NEGOTIATING, S.SETTLED, A),
    (S.SETTLED, S.PAID_BY_INFRINGER, A),
    (S.PAID_BY_INFRINGER, S.PAID_OUT, A),
    (S.PAID_OUT, S.CLOSED, P),
]
SELF_PATH = [
    (S.DETECTED, S.CONFIRMED, P),
    (S.CONFIRMED, S.NOTICE_SENT, P),
    (S.NOTICE_SENT, S.NEGOTIATING, P),
    (S.NEGOTIATING, S.SETTLED, P),
    (S.SETTLED, S.PAID_BY_INFRINGER, P),
    (S.PAID_BY_INFRINGER, S.CLOSED, P),
]


@pytest.mark.parametrize(("source", "target", "role"), AGENCY_PATH)
def test_the_agency_path_is_allowed(source, target, role):
    check_transition(source, target, role=role, mode=Mode.AGENCY)


@pytest.mark.parametrize(("source", "target", "role"), SELF_PATH)
def test_the_self_managed_path_is_allowed(source, target, role):
    check_transition(source, target, role=role, mode=Mode.SELF)


@pytest.mark.parametrize(
    ("source", "target", "role", "mode"),
    [
        (S.DETECTED, S.NOTICE_SENT, P, Mode.AGENCY),
        (S.RECOVERY_REQUESTED, S.ACCEPTED_BY_AGENCY, P, Mode.AGENCY),
        (S.CONFIRMED, S.RECOVERY_REQUESTED, A, Mode.AGENCY),
        (S.CONFIRMED, S.NOTICE_SENT, P, Mode.AGENCY),
        (S.PAID_BY_INFRINGER, S.PAID_OUT, P, Mode.AGENCY),
        (S.PAID_BY_INFRINGER, S.CLOSED, P, Mode.AGENCY),
        (S.PAID_BY_INFRINGER, S.PAID_OUT, A, Mode.SELF),
        (S.CLOSED, S.CONFIRMED, P, Mode.AGENCY),
        (S.SETTLED, S.NEGOTIATING, A, Mode.AGENCY),
    ],
)
def test_skipping_steps_or_acting_for_someone_else_is_refused(source, target, role, mode):
    with pytest.raises(IllegalTransition):
        check_transition(source, target, role=role, mode=mode)


@pytest.mark.parametrize("state", sorted(OPEN_STATES))
def test_any_open_case_can_be_abandoned(state):
    check_transition(state, S.ABANDONED, role=P, mode=Mode.AGENCY)
    check_transition(state, S.ABANDONED, role=A, mode=Mode.AGENCY)


@pytest.mark.parametrize("state", sorted(TERMINAL_STATES))
def test_an_ended_case_cannot_be_abandoned(state):
    with pytest.raises(IllegalTransition):
        check_transition(state, S.ABANDONED, role=P, mode=Mode.AGENCY)


def test_an_agency_cannot_abandon_a_self_managed_case():
    with pytest.raises(IllegalTransition):
        check_transition(S.NOTICE_SENT, S.ABANDONED, role=A, mode=Mode.SELF)


def test_reopening():
    assert reopen_target(S.ABANDONED) == S.CONFIRMED
    assert reopen_target(S.DISMISSED) == S.DETECTED
    check_transition(S.ABANDONED, S.CONFIRMED, role=P, mode=Mode.AGENCY)
    with pytest.raises(IllegalTransition):
        reopen_target(S.CLOSED)
    with pytest.raises(IllegalTransition):
        check_transition(S.ABANDONED, S.CONFIRMED, role=A, mode=Mode.AGENCY)


def test_next_states_are_what_the_portal_offers():
    assert next_states(S.DETECTED, role=P, mode=Mode.UNDECIDED) == [S.CONFIRMED, S.DISMISSED, S.LICENSED, S.ABANDONED]
    assert next_states(S.RECOVERY_REQUESTED, role=A, mode=Mode.AGENCY) == [S.ACCEPTED_BY_AGENCY, S.ABANDONED]
    assert next_states(S.CLOSED, role=P, mode=Mode.AGENCY) == []
    assert S.PAID_OUT in next_states(S.PAID_BY_INFRINGER, role=SYS, mode=Mode.AGENCY)


@pytest.mark.parametrize("state", list(S))
def test_a_move_to_the_current_state_is_no_transition(state) -> None:
    with pytest.raises(IllegalTransition, match="already"):
        check_transition(state, state, role=P, mode=Mode.AGENCY)


def test_in_place_changes_keep_only_what_differs() -> None:
    case = {"floor_price": 500, "currency": "EUR", "infringer": {"name": "A"}}
    assert in_place_changes(case, {"floor_price": 500, "infringer": {"name": "A"}}) == {}
    assert in_place_changes(case, {"floor_price": 400, "currency": "EUR"}) == {"floor_price": 400}


@pytest.mark.parametrize("state", [S.PAID_BY_INFRINGER, S.PAID_OUT, S.CLOSED])
def test_a_paid_claim_takes_no_payment(state) -> None:
    with pytest.raises(AlreadyPaid):
        check_payment(state, 0)


def test_one_payment_per_claim() -> None:
    check_payment(S.SETTLED, 0)
    with pytest.raises(AlreadyPaid):
        check_payment(S.SETTLED, 1)
