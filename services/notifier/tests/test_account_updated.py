"""The notifier on real Kafka and PostgreSQL: AccountUpdated keeps a recipient's name and language current."""

import pytest
from sqlalchemy import select

from pixhound_events.v1 import accounts_pb2
from pixhound_notifier import store
from pixhound_notifier.app import create_app
from pixhound_notifier.settings import NotifierSettings
from pixhound_platform.events import envelope_for, topic_of
from pixhound_platform.migrations import upgrade_async
from pixhound_platform.testing import serve_app, wait_until

pytestmark = pytest.mark.infra


async def test_account_updated_changes_the_recipient(pg_url, infra_settings, probe):
    await upgrade_async("pixhound_notifier", pg_url)
    app = create_app(NotifierSettings(database_url=pg_url, **infra_settings), configure_logs=False)
    database = None

    async def recipients() -> dict:
        async with database.sessions() as session:
            rows = (await session.execute(select(store.recipients))).all()
        return {row.account_id: (row.email, row.display_name, row.locale) for row in rows}

    async def handled() -> set:
        async with database.sessions() as session:
            return set((await session.execute(select(store.messaging.inbox.c.event_id))).scalars())

    async with serve_app(app):
        database = app.state.runtime.database
        await probe.publish(
            accounts_pb2.AccountRegistered(account_id="cam", email="cam@example.org", display_name="Cam", locale="fr")
        )
        await wait_until(recipients, timeout=30, description="the recipient")

        update = envelope_for(
            accounts_pb2.AccountUpdated(account_id="cam", display_name="Camille Roux", locale="en"), producer="test"
        )
        raw = update.SerializeToString()
        await probe.publish_raw(topic_of(accounts_pb2.AccountUpdated), raw, key="cam")
        unknown = await probe.publish(accounts_pb2.AccountUpdated(account_id="ghost", display_name="G", locale="en"))
        await wait_until(
            lambda: _contains(handled(), {update.event_id, unknown}), timeout=30, description="both updates handled"
        )
        assert await recipients() == {"cam": ("cam@example.org", "Camille Roux", "en")}, "no row for an unknown account"

        await probe.publish(accounts_pb2.AccountUpdated(account_id="cam", display_name="Camille", locale="fr"))
        await wait_until(
            lambda: _equals(recipients(), {"cam": ("cam@example.org", "Camille", "fr")}), timeout=30, description="2nd"
        )
        await probe.publish_raw(topic_of(accounts_pb2.AccountUpdated), raw, key="cam")
        marker = await probe.publish(accounts_pb2.AccountUpdated(account_id="cam"))
        await wait_until(lambda: _contains(handled(), {marker}), timeout=30, description="the marker")
        assert (await recipients())["cam"] == ("cam@example.org", "Camille", "fr"), "a redelivery has no second effect"


async def _contains(found, wanted: set) -> bool:
    return wanted <= await found


async def _equals(found, wanted) -> bool:
    return await found == wanted
