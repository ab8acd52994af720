"""Turning case rows into API answers, the same way for photographers and agencies."""

from __future__ import annotations

import base64

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from pixhound_cases import store
from pixhound_cases.api.schemas import CaseDetail, CaseOut, TransitionOut
from pixhound_cases.domain import CaseState, Mode, Role, next_states
from pixhound_platform.problems import Problem


def case_out(row: Row, *, role: Role) -> CaseOut:
    fields = {name: getattr(row, name) for name in CaseOut.model_fields if name != "next_actions"}
    actions = [state.value for state in next_states(CaseState(row.state), role=role, mode=Mode(row.mode))]
    return CaseOut(**fields, next_actions=actions)


async def case_detail(session: AsyncSession, row: Row, *, role: Role) -> CaseDetail:
    timeline = (
        await session.execute(
            select(store.transitions).where(store.transitions.c.case_id == row.id).order_by(store.transitions.c.at)
        )
    ).all()
    return CaseDetail(
        **case_out(row, role=role).model_dump(),
        timeline=[
            TransitionOut(
                from_state=t.from_state, to_state=t.to_state, actor=t.actor, reason=t.reason, note=t.note, at=t.at
            )
            for t in timeline
        ],
    )


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        offset = int(value)
        if kind != "o" or offset < 0:
            raise ValueError(text)
    except ValueError as error:
        raise Problem(422, "invalid-cursor", "The cursor is not one this API returned.") from error
    return offset
