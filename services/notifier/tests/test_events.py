"""The notifier on real Kafka and PostgreSQL, sending through a real SMTP server on loopback."""

import asyncio
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from pixhound_events.v1 import accounts_pb2, cases_pb2
from pixhound_notifier.app import create_app
from pixhound_notifier.settings import NotifierSettings
from pixhound_platform.migrations import upgrade_async
from pixhound_platform.testing import bearer, serve_app, wait_until

pytestmark = pytest.mark.infra


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, controller.port
    controller.stop()


async def test_case_opened_sends_email_and_in_app_notification(pg_url, infra_settings, probe, smtp_server):
    inbox, port = smtp_server
    await upgrade_async("pixhound_notifier", pg_url)
    settings = NotifierSettings(
        database_url=pg_url, mail_transport="smtp", smtp_host="127.0.0.1", smtp_port=port, **infra_settings
    )
    async with serve_app(create_app(settings, configure_logs=False)) as client:
        await probe.publish(
            accounts_pb2.AccountRegistered(
                account_id="alice", email="alice@example.org", display_name="Alice", locale="en"
            )
        )
        await asyncio.sleep(0.5)
        await probe.publish(
            cases_pb2.CaseOpened(
                case_id="case-1", owner_id="alice", photo_id="p", page_url="https://shop.example/x", score=0.93
            )
        )
        await wait_until(lambda: inbox.messages, timeout=30, description="the email")
        message = inbox.messages[0]
        assert message["To"] == "alice@example.org"
        assert message["Subject"] == "We found your photo on shop.example"
        assert "https://shop.example/x" in message.get_content()

        async def sent():
            page = (await client.get("/v1/notifications", headers=bearer("alice"))).json()
            return page if page["items"] and page["items"][0]["email_status"] == "sent" else None

        page = await wait_until(sent, timeout=30, description="delivery recorded")
        assert page["unread"] == 1 and page["items"][0]["subject_id"] == "case-1"
        assert (await client.get("/v1/notifications", headers=bearer("mallory"))).json()["items"] == []
        notification_id = page["items"][0]["id"]
        assert (
            await client.post(f"/v1/notifications/{notification_id}/read", headers=bearer("mallory"))
        ).status_code == 404
        assert (
            await client.post(f"/v1/notifications/{notification_id}/read", headers=bearer("alice"))
        ).status_code == 204
        assert (await client.get("/v1/notifications", headers=bearer("alice"))).json()["unread"] == 0


async def test_mail_server_outage_delays_but_loses_nothing(pg_url, infra_settings, probe, smtp_server):
    inbox, port = smtp_server
    await upgrade_async("pixhound_notifier", pg_url)
    closed_port = port + 1 if port < 65000 else port - 1
    down = NotifierSettings(
        database_url=pg_url, mail_transport="smtp", smtp_port=closed_port, smtp_timeout_seconds=1, **infra_settings
    )
    async with serve_app(create_app(down, configure_logs=False)) as client:
        await probe.publish(
            accounts_pb2.AccountRegistered(account_id="bob", email="bob@example.org", display_name="Bob", locale="fr")
        )
        await asyncio.sleep(0.5)
        await probe.publish(
            cases_pb2.CaseOpened(case_id="case-2", owner_id="bob", page_url="https://blog.example/y", score=0.8)
        )

        async def failed_once():
            items = (await client.get("/v1/notifications", headers=bearer("bob"))).json()["items"]
            return items and items[0]["email_status"] == "pending"

        await wait_until(failed_once, timeout=30, description="the in-app notification")
    up = NotifierSettings(database_url=pg_url, mail_transport="smtp", smtp_port=port, **infra_settings)
    async with serve_app(create_app(up, configure_logs=False)):
        await wait_until(lambda: inbox.messages, timeout=30, description="the delayed email")
    assert inbox.messages[0]["Subject"] == "Nous avons trouvé votre photo sur blog.example"


async def test_money_events_reach_the_photographer_in_their_language(pg_url, infra_settings, probe, smtp_server):
    inbox, port = smtp_server
    await upgrade_async("pixhound_notifier", pg_url)
    settings = NotifierSettings(database_url=pg_url, mail_transport="smtp", smtp_port=port, **infra_settings)
    async with serve_app(create_app(settings, configure_logs=False)) as client:
        await probe.publish(
            accounts_pb2.AccountRegistered(
                account_id="cam", email="cam@example.org", display_name="Camille", locale="fr"
            )
        )
        await asyncio.sleep(0.5)
        eur = cases_pb2.Amount

        offer = cases_pb2.OfferReceived(
            case_id="c1",
            owner_id="cam",
            offer_id="o1",
            amount=eur(minor=30000, currency="EUR"),
            floor=eur(minor=50000, currency="EUR"),
            needs_photographer_decision=True,
        )
        offer.decision_deadline.FromSeconds(1_800_000_000)
        await probe.publish(offer)
        fine_offer = cases_pb2.OfferReceived(
            case_id="c1",
            owner_id="cam",
            offer_id="o2",
            amount=eur(minor=60000, currency="EUR"),
            needs_photographer_decision=False,
        )
        await probe.publish(fine_offer)
        payment = cases_pb2.PaymentReceived(
            case_id="c1",
            owner_id="cam",
            payment_id="p1",
            gross=eur(minor=50000, currency="EUR"),
            vat=eur(minor=8333, currency="EUR"),
            agency_fee=eur(minor=14583, currency="EUR"),
            platform_commission=eur(minor=1354, currency="EUR"),
            photographer=eur(minor=25730, currency="EUR"),
        )
        payment.payout_due_at.FromSeconds(1_800_000_000)
        await probe.publish(payment)
        overdue = cases_pb2.PayoutOverdue(
            case_id="c1",
            owner_id="cam",
            payout_id="po1",
            amount=eur(minor=25730, currency="EUR"),
            days_overdue=12,
            escalation_level=2,
        )
        overdue.due_at.FromSeconds(1_800_000_000)
        await probe.publish(overdue)
        await wait_until(lambda: len(inbox.messages) >= 3, timeout=30, description="three emails")
        await asyncio.sleep(1)
        subjects = [message["Subject"] for message in inbox.messages]
        assert subjects == [
            "Une offre sous votre prix plancher attend votre décision",
            "Paiement reçu : 257,30 € vous reviennent",
            "Votre paiement de 257,30 € est en retard",
        ], "an acceptable offer needs no alert; the others arrive in French"
        assert "Honoraires de l'agence : 145,83 €" in inbox.messages[1].get_content()
        page = (await client.get("/v1/notifications", headers=bearer("cam"))).json()
        assert {item["kind"] for item in page["items"]} == {
            "offer_needs_decision",
            "payment_received",
            "payout_overdue",
        }
