"""The notifier on real Kafka and PostgreSQL, sending through a real SMTP server on loopback."""

import pytest

from pixhound_events.v1 import cases_pb2
from pixhound_platform.testing import bearer, wait_until

pytestmark = pytest.mark.infra
PORTAL = "https://portal.pixhound.test"


async def test_case_opened_sends_email_and_in_app_notification(notifier, register, probe, smtp_server):
    inbox, _ = smtp_server
    async with notifier() as (client, runtime):
        await register(runtime, "alice", locale="en", name="Alice")
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
        assert f"{PORTAL}/cases/case-1" in message.get_content()

        async def sent():
            page = (await client.get("/v1/notifications", headers=bearer("alice"))).json()
            return page if page["items"] and page["items"][0]["email_status"] == "sent" else None

        page = await wait_until(sent, timeout=30, description="delivery recorded")
        assert page["unread"] == 1 and page["items"][0]["subject_id"] == "case-1"
        assert page["items"][0]["link"] == f"{PORTAL}/cases/case-1"
        assert page["items"][0]["channel"] == "instant"
        assert (await client.get("/v1/notifications", headers=bearer("mallory"))).json()["items"] == []
        notification_id = page["items"][0]["id"]
        assert (
            await client.post(f"/v1/notifications/{notification_id}/read", headers=bearer("mallory"))
        ).status_code == 404
        assert (
            await client.post(f"/v1/notifications/{notification_id}/read", headers=bearer("alice"))
        ).status_code == 204
        assert (await client.get("/v1/notifications", headers=bearer("alice"))).json()["unread"] == 0


async def test_mail_server_outage_delays_but_loses_nothing(notifier, register, probe, smtp_server):
    inbox, port = smtp_server
    closed_port = port + 1 if port < 65000 else port - 1
    async with notifier(smtp_port=closed_port, smtp_timeout_seconds=1) as (client, runtime):
        await register(runtime, "bob", locale="fr", name="Bob")
        await probe.publish(
            cases_pb2.CaseOpened(case_id="case-2", owner_id="bob", page_url="https://blog.example/y", score=0.8)
        )

        async def failed_once():
            items = (await client.get("/v1/notifications", headers=bearer("bob"))).json()["items"]
            return items and items[0]["email_status"] == "pending"

        await wait_until(failed_once, timeout=30, description="the in-app notification")
    async with notifier():
        await wait_until(lambda: inbox.messages, timeout=30, description="the delayed email")
    assert inbox.messages[0]["Subject"] == "Nous avons trouvé votre photo sur blog.example"


async def test_money_events_reach_the_photographer_in_their_language(notifier, register, probe, smtp_server):
    inbox, _ = smtp_server
    async with notifier() as (client, runtime):
        await register(runtime, "cam", locale="fr", name="Camille")
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

        async def all_handled():
            items = (await client.get("/v1/notifications", headers=bearer("cam"))).json()["items"]
            instant = [item for item in items if item["channel"] == "instant"]
            done = len(items) == 3 and all(item["email_status"] == "sent" for item in instant)
            return {item["kind"]: item for item in items} if done else None

        # One case, so one partition: once the overdue payout is notified, the events before it were handled.
        items = await wait_until(all_handled, timeout=30, description="three notifications, instant ones mailed")
        assert set(items) == {"offer_needs_decision", "payment_received", "payout_overdue"}
        assert items["payment_received"]["channel"] == "digest" and items["payment_received"]["email_status"] is None
        assert items["offer_needs_decision"]["link"] == f"{PORTAL}/cases/c1#offers"
        assert items["payment_received"]["link"] == f"{PORTAL}/money"
        assert items["payout_overdue"]["link"] == f"{PORTAL}/money"
        subjects = [message["Subject"] for message in inbox.messages]
        assert subjects == [
            "Une offre sous votre prix plancher attend votre décision",
            "Votre paiement de 257,30 € est en retard",
        ], "an acceptable offer needs no alert, a payment waits for the digest, the others arrive in French"
        assert f"{PORTAL}/cases/c1#offers" in inbox.messages[0].get_content()
        assert "Honoraires de l'agence : 145,83 €" in items["payment_received"]["body"]
