"""The whole recovery lifecycle through the APIs, on PostgreSQL and Kafka: from MatchFound to PaidOut."""

import asyncio
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from pixhound_cases import webhooks
from pixhound_cases.money import Account
from pixhound_platform.testing import bearer, wait_until

pytestmark = pytest.mark.infra
ALICE = bearer("alice")
PROFILE = {
    "legal_name": "Camille Martin",
    "address": ["12 rue des Arts", "13002 Marseille"],
    "email": "camille@example.org",
    "iban": "FR7630006000011234567890189",
    "locale": "fr",
}
PRICING = {
    "licence_price": 35000,
    "surcharge_percent": "100",
    "floor_price": 50000,
    "currency": "EUR",
    "vat_country": "FR",
}


async def _ok(response, status=200):
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
    )
    return response.json() if response.headers.get("content-type", "").endswith("json") else response


async def test_from_match_found_to_paid_out(world, webhook_receiver):
    client, alpha = world.client, "Cabinet Alpha"
    agency_id = world.agencies[alpha]["id"]
    await world.app.state.runtime.objects.put("ingest/photos/photo-1.jpg", b"original photo bytes")
    case = await world.open_case("alice", "photo-1", "https://agence.example/annonce-42")
    case_id = case["id"]
    assert case["state"] == "detected" and case["next_actions"] == ["confirmed", "dismissed", "licensed", "abandoned"]

    await _ok(await client.put("/v1/profile", headers=ALICE, json=PROFILE))
    priced = await _ok(await client.put(f"/v1/cases/{case_id}/pricing", headers=ALICE, json=PRICING))
    preview = await _ok(
        await client.get(f"/v1/cases/{case_id}/waterfall", headers=ALICE, params={"agency_id": agency_id})
    )
    lines = {line["key"]: line["amount"] for line in preview["lines"]}
    assert lines["gross"] == 70000, "the claim is the licence plus a 100 % surcharge"
    assert lines["vat"] + lines["agency_fee"] + lines["platform_commission"] + lines["photographer"] == lines["gross"]

    confirmed = await _ok(
        await client.post(f"/v1/cases/{case_id}/confirm", headers=ALICE, json={"expected_version": priced["version"]})
    )
    launched = await _ok(
        await client.post(
            f"/v1/cases/{case_id}/recovery",
            headers=ALICE,
            json={"agency_id": agency_id, "expected_version": confirmed["version"]},
        )
    )
    assert launched["case"]["state"] == "recovery_requested"
    assert launched["waterfall"] == preview, "the waterfall shown before launching is the one the recovery uses"

    await wait_until(lambda: webhook_receiver.received, timeout=15, description="the assignment webhook")
    headers, body = webhook_receiver.received[0]
    assert webhooks.verify(body, headers["pixhound-signature"], world.agencies[alpha]["secret"])
    assert json.loads(body)["event"] == "case.assigned"

    listed = await _ok(await client.get("/partner/v1/cases", headers=world.partner(alpha)))
    assert [item["id"] for item in listed["items"]] == [case_id]
    pack = await _ok(await client.get(f"/partner/v1/cases/{case_id}/evidence", headers=world.partner(alpha)))
    assert (
        pack["photo"]["authorship"]["creator"] == "Camille"
        and pack["page"]["url"] == "https://agence.example/annonce-42"
    )
    original = await client.get(pack["files"]["original"], headers=world.partner(alpha))
    assert original.content == b"original photo bytes"
    assert original.headers["x-content-sha256"] == hashlib.sha256(b"original photo bytes").hexdigest()

    async def agency_post(path: str, key: str, json: dict, status: int = 200):
        return await _ok(
            await client.post(f"/partner/v1/cases/{case_id}/{path}", headers=world.partner(alpha, key), json=json),
            status,
        )

    await agency_post("accept", "accept-0001", {})
    await agency_post(
        "infringer",
        "infringer-0001",
        {"name": "Agence du Port SARL", "address": ["1 quai du Port"], "company_id": "732829320", "country": "FR"},
    )
    await agency_post("notice", "notice-0001", {"note": "lettre recommandée"})
    low = await agency_post("offers", "offer-low-01", {"amount": 30000}, 201)
    assert low["needs_photographer_decision"] and low["status"] == "awaiting_photographer"
    refused = await client.post(
        f"/partner/v1/cases/{case_id}/settle",
        headers=world.partner(alpha, "settle-low-1"),
        json={"offer_id": low["id"]},
    )
    assert refused.status_code == 409, "an offer below the floor is never settled without the photographer"
    await _ok(
        await client.post(f"/v1/cases/{case_id}/offers/{low['id']}/decision", headers=ALICE, json={"accept": False})
    )

    async def decision_webhook():
        return [json.loads(b) for _, b in webhook_receiver.received if json.loads(b)["event"] == "offer.decided"]

    decided = await wait_until(decision_webhook, timeout=15, description="the photographer's decision webhook")
    assert decided[0]["data"] == {"case_id": case_id, "offer_id": low["id"], "decision": "rejected"}
    good = await agency_post("offers", "offer-good-1", {"amount": 60000}, 201)
    assert good["status"] == "acceptable"
    await agency_post("settle", "settle-good-1", {"offer_id": good["id"]})

    paid = await agency_post("payments", "payment-0001", {"gross": 60000}, 201)
    replay = await client.post(
        f"/partner/v1/cases/{case_id}/payments", headers=world.partner(alpha, "payment-0001"), json={"gross": 60000}
    )
    assert replay.status_code == 201 and replay.json() == paid and replay.headers["idempotent-replayed"] == "true"
    reuse = await client.post(
        f"/partner/v1/cases/{case_id}/payments", headers=world.partner(alpha, "payment-0001"), json={"gross": 61000}
    )
    assert reuse.status_code == 422 and reuse.json()["type"].endswith("idempotency-key-reused")
    share = {line["key"]: line["amount"] for line in paid["waterfall"]["lines"]}["photographer"]
    payouts = await _ok(await client.get("/v1/payouts", headers=ALICE))
    assert [(p["amount"], p["status"]) for p in payouts] == [(share, "due")]

    await agency_post(f"payouts/{paid['payout']['id']}/paid", "payout-0001", {"reference": "VIR-2026-11-28"})
    closed = await _ok(await client.post(f"/v1/cases/{case_id}/close", headers=ALICE, json={}))
    assert closed["state"] == "closed"

    postings = await _ok(await client.get(f"/v1/cases/{case_id}/ledger", headers=ALICE))
    balance = {}
    for posting in postings:
        balance[posting["account"]] = balance.get(posting["account"], 0) + posting["debit"] - posting["credit"]
    assert sum(balance.values()) == 0, "double entry: debits equal credits"
    assert balance.get(Account.PHOTOGRAPHER_PAYABLE.value, 0) == 0, "the photographer was paid everything owed"

    timeline = (await _ok(await client.get(f"/v1/cases/{case_id}", headers=ALICE)))["timeline"]
    assert [step["to_state"] for step in timeline] == [
        "detected",
        "detected",
        "confirmed",
        "recovery_requested",
        "accepted_by_agency",
        "infringer_identified",
        "notice_sent",
        "negotiating",
        "settled",
        "paid_by_infringer",
        "paid_out",
        "closed",
    ]
    events = await world.probe.events("pixhound.cases.v1", 14)
    kinds = [type(event).__name__ for event in events]
    for kind in ("CaseOpened", "CaseStateChanged", "OfferReceived", "PaymentReceived", "PayoutDue", "PaidOut"):
        assert kind in kinds, f"{kind} was published"
    offers = [event for event in events if type(event).__name__ == "OfferReceived"]
    assert [o.needs_photographer_decision for o in offers] == [True, False]


async def test_an_overdue_payout_raises_its_event_and_escalates(world):
    client, alpha = world.client, "Cabinet Alpha"
    case = await world.open_case("alice", "photo-late", "https://agence.example/late")
    case_id = case["id"]
    await _ok(await client.put(f"/v1/cases/{case_id}/pricing", headers=ALICE, json=PRICING))
    await _ok(await client.post(f"/v1/cases/{case_id}/confirm", headers=ALICE, json={}))
    await _ok(
        await client.post(
            f"/v1/cases/{case_id}/recovery", headers=ALICE, json={"agency_id": world.agencies[alpha]["id"]}
        )
    )
    for path, key, body in (
        ("accept", "a-late-01", {}),
        ("infringer", "i-late-01", {"name": "Late SARL"}),
        ("notice", "n-late-01", {}),
    ):
        await _ok(
            await client.post(f"/partner/v1/cases/{case_id}/{path}", headers=world.partner(alpha, key), json=body)
        )
    received = (datetime.now(UTC) - timedelta(days=20)).isoformat()
    paid = await _ok(
        await client.post(
            f"/partner/v1/cases/{case_id}/payments",
            headers=world.partner(alpha, "p-late-01"),
            json={"gross": 70000, "received_at": received},
        ),
        201,
    )

    async def overdue_event():
        events = [e for e in await world.probe.events("pixhound.cases.v1", 1) if type(e).__name__ == "PayoutOverdue"]
        return events[0] if events else None

    event = await wait_until(overdue_event, timeout=30, description="PayoutOverdue")
    assert event.payout_id == paid["payout"]["id"] and event.days_overdue >= 6 and event.escalation_level == 1
    payouts = await _ok(await client.get("/v1/payouts", headers=ALICE))
    assert payouts[0]["status"] == "overdue" and payouts[0]["escalation_level"] == 1


async def test_racing_requests_end_in_one_consistent_state(world):
    client, alpha, beta = world.client, "Cabinet Alpha", "Recouvrement Beta"
    case = await world.open_case("alice", "photo-race", "https://agence.example/race")
    case_id = case["id"]
    confirm, dismiss = await asyncio.gather(
        client.post(f"/v1/cases/{case_id}/confirm", headers=ALICE, json={}),
        client.post(f"/v1/cases/{case_id}/dismiss", headers=ALICE, json={}),
    )
    assert sorted([confirm.status_code, dismiss.status_code]) == [200, 409]
    winner = confirm if confirm.status_code == 200 else dismiss
    detail = await _ok(await client.get(f"/v1/cases/{case_id}", headers=ALICE))
    assert detail["state"] == winner.json()["state"] and detail["version"] == 2
    assert len(detail["timeline"]) == 2, "the loser left no trace"
    if detail["state"] == "dismissed":
        await _ok(
            await client.post(f"/v1/cases/{case_id}/reopen", headers=ALICE, json={"note": "it is mine after all"})
        )
        await _ok(await client.post(f"/v1/cases/{case_id}/confirm", headers=ALICE, json={}))
    await _ok(await client.put(f"/v1/cases/{case_id}/pricing", headers=ALICE, json=PRICING))
    await _ok(
        await client.post(
            f"/v1/cases/{case_id}/recovery", headers=ALICE, json={"agency_id": world.agencies[alpha]["id"]}
        )
    )
    first, second, other = await asyncio.gather(
        client.post(f"/partner/v1/cases/{case_id}/accept", headers=world.partner(alpha, "race-accept-1"), json={}),
        client.post(f"/partner/v1/cases/{case_id}/accept", headers=world.partner(alpha, "race-accept-2"), json={}),
        client.post(f"/partner/v1/cases/{case_id}/accept", headers=world.partner(beta, "race-accept-3"), json={}),
    )
    assert other.status_code == 404, "another agency cannot even see the case"
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    final = await _ok(await client.get(f"/v1/cases/{case_id}", headers=ALICE))
    assert final["state"] == "accepted_by_agency"
    assert [step["to_state"] for step in final["timeline"]].count("accepted_by_agency") == 1


async def test_an_offer_below_the_floor_expires_instead_of_being_accepted(world):
    from sqlalchemy import update

    from pixhound_cases import store
    from pixhound_cases.worker import expire_offers

    client, alpha = world.client, "Cabinet Alpha"
    case_id = (await world.open_case("alice", "photo-expiry", "https://agence.example/expiry"))["id"]
    await _ok(await client.put(f"/v1/cases/{case_id}/pricing", headers=ALICE, json=PRICING))
    await _ok(await client.post(f"/v1/cases/{case_id}/confirm", headers=ALICE, json={}))
    await _ok(
        await client.post(
            f"/v1/cases/{case_id}/recovery", headers=ALICE, json={"agency_id": world.agencies[alpha]["id"]}
        )
    )
    for path, key, body in (
        ("accept", "x-acc-01", {}),
        ("infringer", "x-inf-01", {"name": "X"}),
        ("notice", "x-not-01", {}),
    ):
        await _ok(
            await client.post(f"/partner/v1/cases/{case_id}/{path}", headers=world.partner(alpha, key), json=body)
        )
    low = await _ok(
        await client.post(
            f"/partner/v1/cases/{case_id}/offers", headers=world.partner(alpha, "x-off-01"), json={"amount": 100}
        ),
        201,
    )
    assert low["decision_deadline"] is not None
    runtime = world.app.state.runtime
    async with runtime.transaction() as session:
        past = datetime.now(UTC) - timedelta(minutes=1)
        await session.execute(update(store.offers).where(store.offers.c.id == low["id"]).values(decision_deadline=past))
    assert await expire_offers(runtime) >= 1
    offers = await _ok(await client.get(f"/v1/cases/{case_id}/offers", headers=ALICE))
    assert [o["status"] for o in offers] == ["expired"]
    late = await client.post(f"/v1/cases/{case_id}/offers/{low['id']}/decision", headers=ALICE, json={"accept": True})
    assert late.status_code == 409
    settle = await client.post(
        f"/partner/v1/cases/{case_id}/settle", headers=world.partner(alpha, "x-set-01"), json={"offer_id": low["id"]}
    )
    assert settle.status_code == 409, "an expired offer was never accepted on the photographer's behalf"
