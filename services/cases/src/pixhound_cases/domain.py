"""Pure case rules: lifecycle states, who may move a case where, and why a case may end.

A case follows one of two paths. With an agency: detected -> confirmed -> recovery
requested -> accepted by the agency -> infringer identified -> notice sent ->
negotiating -> settled -> paid by the infringer -> paid out -> closed. Self-managed, the
photographer runs the recovery with Pixhound's letter and invoice and records each step:
confirmed -> notice sent -> negotiating -> settled -> paid by the infringer -> closed.
Any open case can be abandoned, with a reason from a fixed list and a note; an abandoned
case can be reopened with new information.

Also here: the actionability bands, the match geometry kept from the matcher, an
agency's track record and the media type of a stored image. No I/O here.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


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
    LICENSED = "licensed"
    ABANDONED = "abandoned"


class Mode(StrEnum):
    UNDECIDED = "undecided"
    AGENCY = "agency"
    SELF = "self"


class Role(StrEnum):
    PHOTOGRAPHER = "photographer"
    AGENCY = "agency"
    SYSTEM = "system"


class AbandonReason(StrEnum):
    INFRINGER_UNIDENTIFIABLE = "infringer_unidentifiable"
    INFRINGER_ABROAD = "infringer_abroad"
    INFRINGER_INSOLVENT = "infringer_insolvent"
    LICENCE_PROVEN = "licence_proven"
    NO_RESPONSE = "no_response"
    DISPROPORTIONATE_COST = "disproportionate_cost"
    PHOTOGRAPHER_REQUEST = "photographer_request"
    OTHER = "other"


S = CaseState
TERMINAL_STATES = frozenset({S.CLOSED, S.DISMISSED, S.LICENSED, S.ABANDONED})
OPEN_STATES = frozenset(CaseState) - TERMINAL_STATES
REOPENABLE_STATES = frozenset({S.ABANDONED, S.DISMISSED})
RECOVERY_STATES = OPEN_STATES - {S.DETECTED}
PAID_STATES = frozenset({S.PAID_BY_INFRINGER, S.PAID_OUT, S.CLOSED})


@dataclass(frozen=True)
class Edge:
    source: CaseState
    target: CaseState
    roles: frozenset[Role]
    modes: frozenset[Mode]


def _edges() -> list[Edge]:
    photographer, agency, system = Role.PHOTOGRAPHER, Role.AGENCY, Role.SYSTEM
    any_mode = frozenset(Mode)
    agency_mode, self_mode = frozenset({Mode.AGENCY}), frozenset({Mode.SELF})
    table = [
        (S.DETECTED, S.CONFIRMED, {photographer}, any_mode),
        (S.DETECTED, S.DISMISSED, {photographer}, any_mode),
        (S.DETECTED, S.LICENSED, {photographer}, any_mode),
        (S.CONFIRMED, S.DISMISSED, {photographer}, any_mode),
        (S.CONFIRMED, S.LICENSED, {photographer}, any_mode),
        (S.CONFIRMED, S.RECOVERY_REQUESTED, {photographer}, agency_mode),
        (S.RECOVERY_REQUESTED, S.ACCEPTED_BY_AGENCY, {agency}, agency_mode),
        (S.ACCEPTED_BY_AGENCY, S.INFRINGER_IDENTIFIED, {agency}, agency_mode),
        (S.INFRINGER_IDENTIFIED, S.NOTICE_SENT, {agency}, agency_mode),
        (S.CONFIRMED, S.NOTICE_SENT, {photographer}, self_mode),
        (S.NOTICE_SENT, S.NEGOTIATING, {agency, photographer}, any_mode),
        (S.NOTICE_SENT, S.SETTLED, {agency, photographer}, any_mode),
        (S.NEGOTIATING, S.SETTLED, {agency, photographer}, any_mode),
        (S.NOTICE_SENT, S.PAID_BY_INFRINGER, {agency, photographer}, any_mode),
        (S.NEGOTIATING, S.PAID_BY_INFRINGER, {agency, photographer}, any_mode),
        (S.SETTLED, S.PAID_BY_INFRINGER, {agency, photographer}, any_mode),
        (S.PAID_BY_INFRINGER, S.PAID_OUT, {agency, system}, agency_mode),
        (S.PAID_OUT, S.CLOSED, {photographer, agency, system}, agency_mode),
        (S.PAID_BY_INFRINGER, S.CLOSED, {photographer}, self_mode),
        (S.ABANDONED, S.CONFIRMED, {photographer}, any_mode),
        (S.DISMISSED, S.DETECTED, {photographer}, any_mode),
    ]
    return [Edge(a, b, frozenset(roles), frozenset(modes)) for a, b, roles, modes in table]


EDGES = _edges()


class IllegalTransition(ValueError):
    pass


def check_transition(
    current: CaseState, target: CaseState, *, role: Role = Role.PHOTOGRAPHER, mode: Mode = Mode.AGENCY
) -> None:
    """Raise IllegalTransition unless `role` may move a case in `mode` from `current` to `target`.

    A move to the current state is no transition: it is refused here. An update that keeps the state
    (pricing, the infringer's details) is an in-place change, decided by `in_place_changes`.
    """
    if target == current:
        raise IllegalTransition(f"the case is already {current}")
    if target == S.ABANDONED:
        if current not in OPEN_STATES:
            raise IllegalTransition(f"a {current} case cannot be abandoned")
        if role == Role.AGENCY and mode != Mode.AGENCY:
            raise IllegalTransition("only the photographer can abandon a self-managed case")
        return
    for edge in EDGES:
        if edge.source == current and edge.target == target:
            if role not in edge.roles:
                raise IllegalTransition(f"{role} cannot move a case from {current} to {target}")
            if mode not in edge.modes:
                raise IllegalTransition(f"a case in {mode} mode cannot go from {current} to {target}")
            return
    raise IllegalTransition(f"a case cannot go from {current} to {target}")


def in_place_changes(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The part of `changes` that differs from the case's `current` values; empty means a no-op."""
    return {name: value for name, value in changes.items() if current.get(name) != value}


class AlreadyPaid(ValueError):
    pass


def check_payment(current: CaseState, payments_recorded: int) -> None:
    """Raise AlreadyPaid when a case's claim is already paid.

    There is no partial-payment schedule: a claim is paid by one payment, so a case already paid (or with a
    payment recorded) takes no other; a different amount is a correction for the operators, not a new payment.
    """
    if current in PAID_STATES or payments_recorded:
        raise AlreadyPaid(f"the claim of this {current} case is already paid ({payments_recorded} payment recorded)")


def reopen_target(current: CaseState) -> CaseState:
    if current not in REOPENABLE_STATES:
        raise IllegalTransition(f"a {current} case cannot be reopened")
    return S.CONFIRMED if current == S.ABANDONED else S.DETECTED


def next_states(current: CaseState, *, role: Role, mode: Mode) -> list[CaseState]:
    """What `role` can do next; the portal shows exactly these actions."""
    allowed = [edge.target for edge in EDGES if edge.source == current and role in edge.roles and mode in edge.modes]
    if current in OPEN_STATES and not (role == Role.AGENCY and mode != Mode.AGENCY):
        allowed.append(S.ABANDONED)
    return allowed


class Band(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    UNKNOWN = "unknown"


# The crawler's cut-offs (pixhound_crawler.identity.scoring), so both services name a site's band alike.
BAND_HIGH = 0.75
BAND_MEDIUM = 0.45


def band_of(actionability: float | None) -> Band:
    if actionability is None:
        return Band.UNKNOWN
    return Band.HIGH if actionability >= BAND_HIGH else Band.MEDIUM if actionability >= BAND_MEDIUM else Band.LOW


def region_box(x: float, y: float, width: float, height: float) -> list[float] | None:
    """A region as [x, y, width, height] fractions of its image, clipped to the image; None when it is no box."""
    if not all(math.isfinite(value) for value in (x, y, width, height)) or width <= 0 or height <= 0:
        return None
    left, top = min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0)
    right, bottom = min(max(x + width, 0.0), 1.0), min(max(y + height, 0.0), 1.0)
    box = [round(left, 6), round(top, 6), round(right - left, 6), round(bottom - top, 6)]
    return box if box[2] > 0 and box[3] > 0 else None


@dataclass(frozen=True)
class TrackRecord:
    cases_taken: int
    cases_paid: int
    share_paid: float | None
    median_days_to_payout: float | None


def track_record(cases_taken: int, cases_paid: int, payouts: Iterable[tuple[datetime, datetime]]) -> TrackRecord:
    """An agency's record: of the cases it accepted, how many were paid, and how long photographers waited
    from the payment's receipt to their payout (`payouts` are (received_at, paid_at) pairs)."""
    days = [(paid_at - received_at).total_seconds() / 86400 for received_at, paid_at in payouts]
    return TrackRecord(
        cases_taken=cases_taken,
        cases_paid=cases_paid,
        share_paid=round(cases_paid / cases_taken, 4) if cases_taken else None,
        median_days_to_payout=round(statistics.median(days), 2) if days else None,
    )


_IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"BM", "image/bmp"),
)


def image_media_type(data: bytes) -> str:
    """The media type of an image from its first bytes; application/octet-stream when it is none we serve."""
    for signature, media_type in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis"):
        return "image/avif"
    return "application/octet-stream"
