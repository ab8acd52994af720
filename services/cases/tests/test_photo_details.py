"""Cases on real Kafka and PostgreSQL: PhotoDetailsChanged corrects the copy of a photo's title and authorship."""

import pytest
from sqlalchemy import select

from pixhound_cases import store
from pixhound_cases.app import create_app
from pixhound_cases.settings import CasesSettings
from pixhound_events.v1 import photos_pb2
from pixhound_platform.migrations import upgrade_async
from pixhound_platform.testing import serve_app, wait_until

pytestmark = pytest.mark.infra


async def test_photo_details_changed_updates_the_copy(pg_url, infra_settings, probe):
    await upgrade_async("pixhound_cases", pg_url)
    app = create_app(CasesSettings(database_url=pg_url, **infra_settings), configure_logs=False)

    async def photos() -> dict:
        async with app.state.runtime.database.sessions() as session:
            rows = (await session.execute(select(store.photos))).all()
        return {row.photo_id: row for row in rows}

    async def handled(*event_ids: str) -> bool:
        async with app.state.runtime.database.sessions() as session:
            found = set((await session.execute(select(store.messaging.inbox.c.event_id))).scalars())
        return set(event_ids) <= found

    async with serve_app(app):
        await probe.publish(
            photos_pb2.PhotoIngested(
                photo_id="p1",
                owner_id="alice",
                object_key="ingest/photos/alice/ab.jpg",
                sha256="ab" * 32,
                filename="quai.jpg",
                title="Quai",
                width=960,
                height=640,
                authorship=photos_pb2.Authorship(creator="Cam", captured_at="2026:05:01 19:45:00"),
            )
        )
        await wait_until(photos, timeout=30, description="the photo")

        long_date = "2026-05-01T19:45:00+02:00, the evening of the market"
        changed = await probe.publish(
            photos_pb2.PhotoDetailsChanged(
                photo_id="p1",
                owner_id="alice",
                title="Quai de Seine",
                authorship=photos_pb2.Authorship(
                    creator="Camille Roux", copyright="© Camille Roux 2026", credit="Agence", captured_at=long_date
                ),
            )
        )
        unknown = await probe.publish(photos_pb2.PhotoDetailsChanged(photo_id="nope", owner_id="alice", title="x"))
        not_theirs = await probe.publish(photos_pb2.PhotoDetailsChanged(photo_id="p1", owner_id="mallory", title="x"))
        await wait_until(lambda: handled(changed, unknown, not_theirs), timeout=30, description="three events handled")

        copies = await photos()
        assert set(copies) == {"p1"}, "an unknown photo is ignored, not created"
        photo = copies["p1"]
        assert (photo.title, photo.creator, photo.copyright) == ("Quai de Seine", "Camille Roux", "© Camille Roux 2026")
        assert photo.captured_at == long_date[:40], "clipped to the copy's column"
        assert (photo.filename, photo.width, photo.object_key) == ("quai.jpg", 960, "ingest/photos/alice/ab.jpg")
