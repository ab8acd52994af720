"""Mapping from the cases service's records to the events it publishes."""

from __future__ import annotations

from pixhound_events.v1 import cases_pb2

PUBLISHES = ["pixhound.cases.v1"]


def case_opened(
    *,
    case_id: str,
    owner_id: str,
    photo_id: str,
    page_url: str,
    image_url: str,
    score: float,
    state: str,
    site_host: str = "",
) -> cases_pb2.CaseOpened:
    return cases_pb2.CaseOpened(
        case_id=case_id,
        owner_id=owner_id,
        photo_id=photo_id,
        page_url=page_url,
        image_url=image_url,
        score=score,
        state=state,
        site_host=site_host,
    )
