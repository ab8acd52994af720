"""Pure case rules: the lifecycle states and which transitions are allowed.

The foundation opens cases in `detected`; the cases issue adds pricing, money and the
partner agency flow on top of this table of transitions.
"""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    DETECTED = "detected"
    CONFIRMED = "confirmed"
    RECOVERY_REQUESTED = "recovery_requested"
    ACCEPTED_BY_AGENCY = "accepted_by_agency"
    INFRINGER_IDENTIFIED = "infringer_identified"
    NOTICE_SENT = "notice_sent"
    NEGOTIATING = "negotiating"
    SETTLED = "settled"
    PAID_BY_INFRINGER = "paid_by_infringer"
    PAID_OUT = "paid_out"
    CLOSED = "closed"
    DISMISSED = "dismissed"
    ABANDONED = "abandoned"


OPEN_STATES = frozenset(CaseState) - {CaseState.CLOSED, CaseState.DISMISSED, CaseState.ABANDONED}

FORWARD = {
    CaseState.DETECTED: {CaseState.CONFIRMED, CaseState.DISMISSED},
    CaseState.CONFIRMED: {CaseState.RECOVERY_REQUESTED},
    CaseState.RECOVERY_REQUESTED: {CaseState.ACCEPTED_BY_AGENCY},
    CaseState.ACCEPTED_BY_AGENCY: {CaseState.INFRINGER_IDENTIFIED},
    CaseState.INFRINGER_IDENTIFIED: {CaseState.NOTICE_SENT},
    CaseState.NOTICE_SENT: {CaseState.NEGOTIATING, CaseState.SETTLED},
    CaseState.NEGOTIATING: {CaseState.SETTLED},
    CaseState.SETTLED: {CaseState.PAID_BY_INFRINGER},
    CaseState.PAID_BY_INFRINGER: {CaseState.PAID_OUT},
    CaseState.PAID_OUT: {CaseState.CLOSED},
}


class IllegalTransition(ValueError):
    pass


def check_transition(current: CaseState, target: CaseState) -> None:
    if target == CaseState.ABANDONED and current in OPEN_STATES:
        return
    if target not in FORWARD.get(current, set()):
        raise IllegalTransition(f"a case cannot go from {current} to {target}")
