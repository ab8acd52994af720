"""The daily digest on real PostgreSQL, Kafka and SMTP: due at the photographer's hour, once a day, exactly once.

The clock is the `now` given to `send_due_digests`, so the next digest (07:00 UTC, today
or tomorrow) runs now; notifications are created at the real time, before it.
"""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from pixhound_events.v1 import cases_pb2
from pixhound_notifier import domain, store, worker
from pixhound_platform.testing import bearer, wait_until

pytestmark = pytest.mark.infra
PORTAL = "https://portal.pixhound.test"


def _next_digest_at(hour: int = 7) -> datetime:
    """The first `hour`:00 UTC from now on: when what is notified now is due."""
    return domain.digest_slot(datetime.now(UTC), hour) + timedelta(days=1)


def _paid_out(account_id: str, case_id: str, minor: int = 10000) -> cases_pb2.PaidOut:
    return cases_pb2.PaidOut(case_id=case_id, owner_id=account_id, amount=cases_pb2.Amount(minor=minor, currency="EUR"))


def _text(message) -> str:
    return message.get_content().replace("\r\n", "\n")


async def _notified(client, account_id: str, count: int) -> list[dict]:
    async def enough():
        items = (await client.get("/v1/notifications", headers=bearer(account_id))).json()["items"]
        return items if len(items) >= count else None

    return await wait_until(enough, timeout=30, description=f"{count} notifications for {account_id}")


async def _count(runtime, query) -> int:
    async with runtime.database.sessions() as session:
        return (await session.execute(query)).scalar_one()


async def _awaiting_digest(runtime) -> int:
    n = store.notifications
    query = select(func.count()).where(n.c.channel == "digest", n.c.digest_id.is_(None))
    return await _count(runtime, query)


async def test_the_digest_lists_the_day_in_the_recipients_language_once_a_day(notifier, register, probe, smtp_server):
    inbox, _ = smtp_server
    async with notifier() as (client, runtime):
        await register(runtime, "lou", locale="fr", name="Lou")
        await register(runtime, "max", locale="en", name="Max")
        chosen = {"items": [{"kind": "case_opened", "channel": "digest"}]}
        assert (await client.put("/v1/preferences", json=chosen, headers=bearer("lou"))).status_code == 200
        await probe.publish(cases_pb2.CaseOpened(case_id="case-a", owner_id="lou", page_url="https://a.example/p"))
        await probe.publish(_paid_out("lou", "case-a", 25730))
        await probe.publish(_paid_out("max", "case-m"))
        await probe.publish(_paid_out("zoe", "case-z"))
        await _notified(client, "lou", 2)
        await _notified(client, "max", 1)
        await _notified(client, "zoe", 1)
        assert inbox.messages == [], "digest notifications send no email at once"

        at = _next_digest_at()
        assert await worker.send_due_digests(runtime, now=at - timedelta(seconds=1)) == 0, "not before 07:00"
        assert await worker.send_due_digests(runtime, now=at) == 2
        assert inbox.to("zoe@example.org") == [], "no address known for zoe yet"
        (french,) = inbox.to("lou@example.org")
        day = at.date()
        assert french["Subject"] == f"Votre résumé Pixhound du {day:%d/%m/%Y} : 2 notifications"
        assert french["X-Pixhound-Kind"] == "digest"
        body = _text(french)
        assert "Bonjour Lou" in body
        assert f"• Nous avons trouvé votre photo sur a.example\n  {PORTAL}/cases/case-a" in body
        assert f"• Vous avez été payé : 257,30 €\n  {PORTAL}/money" in body
        assert body.index("Nous avons trouvé") < body.index("Vous avez été payé"), "oldest first"
        (english,) = inbox.to("max@example.org")
        assert english["Subject"] == f"Your Pixhound digest for {day.day} {day:%B %Y}: 1 notification"
        assert f"• You have been paid: €100.00\n  {PORTAL}/money" in _text(english)

        await probe.publish(_paid_out("lou", "case-b", 5000))
        await _notified(client, "lou", 3)
        assert await worker.send_due_digests(runtime, now=at + timedelta(hours=5)) == 0, "once a day"
        assert await worker.send_due_digests(runtime, now=at + timedelta(days=1)) == 1
        second = inbox.to("lou@example.org")[1]
        assert "1 notification" in second["Subject"] and "50,00 €" in _text(second)
        assert "257,30" not in _text(second), "a notification is listed in one digest only"

        await register(runtime, "zoe", locale="en")
        assert await worker.send_due_digests(runtime, now=at + timedelta(days=1)) == 1
        assert len(inbox.to("zoe@example.org")) == 1, "waiting notifications go out once the address is known"
        assert len(inbox.messages) == 4
        assert await _awaiting_digest(runtime) == 0


async def test_read_notifications_are_left_out_of_the_digest(notifier, register, probe, smtp_server):
    inbox, _ = smtp_server
    async with notifier() as (client, runtime):
        await register(runtime, "ana")
        await probe.publish(_paid_out("ana", "c1", 100))
        await probe.publish(_paid_out("ana", "c1", 200))
        first, _ = sorted(await _notified(client, "ana", 2), key=lambda item: item["created_at"])
        assert (await client.post(f"/v1/notifications/{first['id']}/read", headers=bearer("ana"))).status_code == 204
        at = _next_digest_at()
        assert await worker.send_due_digests(runtime, now=at) == 1
        (digest,) = inbox.messages
        assert "€2.00" in _text(digest) and "€1.00" not in _text(digest)

        await probe.publish(_paid_out("ana", "c2", 300))
        await _notified(client, "ana", 3)
        assert (await client.post("/v1/notifications/read-all", headers=bearer("ana"))).status_code == 204
        assert await worker.send_due_digests(runtime, now=at + timedelta(days=1)) == 0
        assert len(inbox.messages) == 1


async def test_each_photographer_can_choose_their_digest_hour(notifier, register, probe, smtp_server):
    inbox, _ = smtp_server
    hour = (datetime.now(UTC) + timedelta(hours=2)).hour
    due = _next_digest_at(hour)
    async with notifier() as (client, runtime):
        await register(runtime, "eve")
        body = {"items": [], "digest_hour_utc": hour}
        assert (await client.put("/v1/preferences", json=body, headers=bearer("eve"))).status_code == 200
        await probe.publish(_paid_out("eve", "c1"))
        await _notified(client, "eve", 1)
        assert await worker.send_due_digests(runtime, now=due - timedelta(seconds=1)) == 0
        assert await worker.send_due_digests(runtime, now=due) == 1
        assert inbox.to("eve@example.org")


ACCOUNTS = [f"acct-{number}" for number in range(6)]


async def _six_accounts_awaiting_a_digest(client, runtime, register, probe) -> None:
    for account_id in ACCOUNTS:
        await register(runtime, account_id)
        await probe.publish(_paid_out(account_id, f"case-{account_id}", 100))
        await probe.publish(_paid_out(account_id, f"case-{account_id}", 200))
    for account_id in ACCOUNTS:
        await _notified(client, account_id, 2)


async def _one_digest_each(inbox, runtime) -> None:
    assert sorted(message["To"] for message in inbox.messages) == sorted(f"{a}@example.org" for a in ACCOUNTS)
    for message in inbox.messages:
        assert "2 notifications" in message["Subject"]
    d = store.digests
    assert await _count(runtime, select(func.count()).select_from(d)) == len(ACCOUNTS)
    assert await _count(runtime, select(func.count()).where(d.c.status == "sent")) == len(ACCOUNTS)
    assert await _awaiting_digest(runtime) == 0


async def test_replicas_running_the_digest_together_send_one_each(notifier, register, probe, smtp_server):
    inbox, _ = smtp_server
    async with notifier() as (client, first), notifier() as (_, second):
        await _six_accounts_awaiting_a_digest(client, first, register, probe)
        at = _next_digest_at()
        runs = [worker.send_due_digests(runtime, now=at) for runtime in (first, second, first, second)]
        sent = await asyncio.gather(*runs)
        assert sum(sent) == len(ACCOUNTS)
        await _one_digest_each(inbox, first)
        assert await worker.send_due_digests(second, now=at + timedelta(minutes=1)) == 0


class ProcessCrash(BaseException):
    """Stands for the process dying: nothing below catches it, like a kill."""


class CrashOnCall:
    def __init__(self, wrapped, crash_on: int) -> None:
        self.wrapped = wrapped
        self.crash_on = crash_on
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.crash_on:
            raise ProcessCrash
        return self.wrapped(*args, **kwargs)


class CrashingTransport:
    def __init__(self, transport, crash_on: int) -> None:
        self.send = CrashOnCall(transport.send, crash_on)


async def test_a_crash_while_composing_or_sending_neither_loses_nor_repeats_a_digest(
    notifier, register, probe, smtp_server, monkeypatch
):
    inbox, _ = smtp_server
    async with notifier() as (client, runtime):
        await _six_accounts_awaiting_a_digest(client, runtime, register, probe)
        at = _next_digest_at()

        monkeypatch.setattr(domain, "digest_notice", CrashOnCall(domain.digest_notice, crash_on=3))
        with pytest.raises(ProcessCrash):
            await worker.send_due_digests(runtime, now=at)
        monkeypatch.undo()
        assert inbox.messages == []
        assert await _count(runtime, select(func.count()).select_from(store.digests)) == 2
        assert await _awaiting_digest(runtime) == 2 * (len(ACCOUNTS) - 2)

        mailer = runtime.state[worker.MAILER]
        runtime.state[worker.MAILER] = CrashingTransport(mailer, crash_on=4)
        with pytest.raises(ProcessCrash):
            await worker.send_due_digests(runtime, now=at + timedelta(minutes=1))
        assert len(inbox.messages) == 3
        runtime.state[worker.MAILER] = mailer

        assert await worker.send_due_digests(runtime, now=at + timedelta(minutes=2)) == len(ACCOUNTS) - 3
        await _one_digest_each(inbox, runtime)
