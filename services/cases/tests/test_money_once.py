"""Money moves exactly once: a paid claim takes no second payment, a move to the current state is refused,
amounts carry the case's currency, and request bodies refuse unknown fields."""

from __future__ import annotations

import pytest

from pixhound_platform.testing import bearer

pytestmark = pytest.mark.infra
ALICE = bearer("alice")
ALPHA = "Cabinet Alpha"
PRICING = {"licence_price": 35000, "surcharge_percent": "100", "floor_price": 50000, "vat_country": "FR"}


async def _ok(response, status=200):
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
    )
    return response.json()


def _problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    assert response.json()["type"].endswith(slug), response.json()
    return response.json()


async def agency_case(world, photo: str) -> str:
    """A priced case handed to Cabinet Alpha, up to the notice."""
    client = world.client
    case_id = (await world.open_case("alice", photo, f"https://{photo}.example/page"))["id"]
    await _ok(await client.put(f"/v1/cases/{case_id}/pricing", headers=ALICE, json=PRICING))
    await _ok(await client.post(f"/v1/cases/{case_id}/confirm", headers=ALICE, json={}))
    agency_id = world.agencies[ALPHA]["id"]
    await _ok(await client.post(f"/v1/cases/{case_id}/recovery", headers=ALICE, json={"agency_id": agency_id}))
    for path, body in (("accept", {}), ("infringer", {"name": "Boutique SARL"}), ("notice", {})):
        await _ok(await agency_post(world, case_id, path, f"{path}-{photo}", body))
    return case_id


async def agency_post(world, case_id: str, path: str, key: str, body: dict):
    return await world.client.post(f"/partner/v1/cases/{case_id}/{path}", headers=world.partner(ALPHA, key), json=body)


async def self_managed_case(world, photo: str) -> str:
    """A priced, confirmed, self-managed case whose notice was sent."""
    client = world.client
    case_id = (await world.open_case("alice", photo, f"https://{photo}.example/page"))["id"]
    await _ok(await client.put(f"/v1/cases/{case_id}/pricing", headers=ALICE, json=PRICING))
    await _ok(await client.post(f"/v1/cases/{case_id}/confirm", headers=ALICE, json={}))
    await _ok(await client.post(f"/v1/cases/{case_id}/self-managed", headers=ALICE, json={}))
    await _ok(await client.post(f"/v1/cases/{case_id}/steps", headers=ALICE, json={"step": "notice_sent"}))
    return case_id


async def ledger_and_payments(world, case_id: str) -> tuple[list[dict], list[dict]]:
    client = world.client
    ledger = await _ok(await client.get(f"/v1/cases/{case_id}/ledger", headers=ALICE))
    payments = await _ok(await client.get(f"/v1/cases/{case_id}/payments", headers=ALICE))
    return ledger, payments


async def test_a_paid_claim_takes_no_second_partner_payment_whatever_the_key(world):
    case_id = await agency_case(world, "paid-twice")
    offer = await _ok(await agency_post(world, case_id, "offers", "offer-paid-twice", {"amount": 70000}), 201)
    await _ok(await agency_post(world, case_id, "settle", "settle-paid-twice", {"offer_id": offer["id"]}))
    first = await _ok(await agency_post(world, case_id, "payments", "payment-first-1", {"gross": 70000}), 201)
    replay = await agency_post(world, case_id, "payments", "payment-first-1", {"gross": 70000})
    assert replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"
    assert replay.json()["payment_id"] == first["payment_id"]
    ledger, payments = await ledger_and_payments(world, case_id)

    second = await agency_post(world, case_id, "payments", "payment-second", {"gross": 70000})
    _problem(second, 409, "already-paid")
    assert await ledger_and_payments(world, case_id) == (ledger, payments), "nothing booked"
    assert len(payments) == 1 and sum(p["debit"] for p in ledger) == sum(p["credit"] for p in ledger)

    await _ok(
        await agency_post(
            world, case_id, f"payouts/{first['payout']['id']}/paid", "payout-paid-twice", {"reference": "VIR-1"}
        )
    )
    after_payout = await agency_post(world, case_id, "payments", "payment-third", {"gross": 1000})
    _problem(after_payout, 409, "already-paid")
    payouts = await _ok(await world.client.get("/v1/payouts", headers=ALICE))
    assert [p["case_id"] for p in payouts].count(case_id) == 1


async def test_a_paid_self_managed_claim_takes_no_second_payment(world):
    client = world.client
    case_id = await self_managed_case(world, "self-paid-twice")
    await _ok(await client.post(f"/v1/cases/{case_id}/payments", headers=ALICE, json={"gross": 70000}), 201)
    ledger, payments = await ledger_and_payments(world, case_id)
    again = await client.post(f"/v1/cases/{case_id}/payments", headers=ALICE, json={"gross": 70000})
    _problem(again, 409, "already-paid")
    assert await ledger_and_payments(world, case_id) == (ledger, payments)
    await _ok(await client.post(f"/v1/cases/{case_id}/close", headers=ALICE, json={}))
    _problem(
        await client.post(f"/v1/cases/{case_id}/payments", headers=ALICE, json={"gross": 500}), 409, "already-paid"
    )


async def test_a_move_to_the_current_state_is_refused_and_leaves_no_trace(world):
    client = world.client
    case_id = (await world.open_case("alice", "same-state", "https://same-state.example/page"))["id"]
    await _ok(await client.put(f"/v1/cases/{case_id}/pricing", headers=ALICE, json=PRICING))
    await _ok(await client.post(f"/v1/cases/{case_id}/confirm", headers=ALICE, json={}))
    _problem(await client.post(f"/v1/cases/{case_id}/confirm", headers=ALICE, json={}), 409, "illegal-transition")
    agency_id = world.agencies[ALPHA]["id"]
    await _ok(await client.post(f"/v1/cases/{case_id}/recovery", headers=ALICE, json={"agency_id": agency_id}))
    await _ok(await agency_post(world, case_id, "accept", "accept-same-1", {}))
    before = await _ok(await client.get(f"/v1/cases/{case_id}", headers=ALICE))

    again = await agency_post(world, case_id, "accept", "accept-same-2", {})
    _problem(again, 409, "illegal-transition")
    after = await _ok(await client.get(f"/v1/cases/{case_id}", headers=ALICE))
    assert after["version"] == before["version"] and after["timeline"] == before["timeline"]
    assert not [t for t in after["timeline"] if t["from_state"] == t["to_state"] == "accepted_by_agency"]


async def test_in_place_changes_still_work_and_a_no_op_writes_nothing(world):
    client = world.client
    case_id = (await world.open_case("alice", "in-place", "https://in-place.example/page"))["id"]
    priced = await _ok(await client.put(f"/v1/cases/{case_id}/pricing", headers=ALICE, json=PRICING))
    same = await _ok(await client.put(f"/v1/cases/{case_id}/pricing", headers=ALICE, json=PRICING))
    assert same["version"] == priced["version"], "the same pricing again changes nothing"
    repriced = await _ok(
        await client.put(f"/v1/cases/{case_id}/pricing", headers=ALICE, json={**PRICING, "floor_price": 45000})
    )
    assert repriced["version"] == priced["version"] + 1 and repriced["floor_price"] == 45000

    await _ok(await client.post(f"/v1/cases/{case_id}/confirm", headers=ALICE, json={}))
    managed = await _ok(await client.post(f"/v1/cases/{case_id}/self-managed", headers=ALICE, json={}))
    assert managed["mode"] == "self" and managed["state"] == "confirmed"
    infringer = {"name": "Boutique SARL", "address": ["1 rue du Port"]}
    recorded = await _ok(await client.post(f"/v1/cases/{case_id}/infringer", headers=ALICE, json=infringer))
    unchanged = await _ok(await client.post(f"/v1/cases/{case_id}/infringer", headers=ALICE, json=infringer))
    assert recorded["infringer"]["name"] == "Boutique SARL" and unchanged["version"] == recorded["version"]
    detail = await _ok(await client.get(f"/v1/cases/{case_id}", headers=ALICE))
    in_place = [t["reason"] for t in detail["timeline"] if t["from_state"] == t["to_state"]]
    assert in_place.count("pricing set") == 2 and in_place.count("infringer recorded") == 1

    step = {"step": "notice_sent"}
    await _ok(await client.post(f"/v1/cases/{case_id}/steps", headers=ALICE, json=step))
    _problem(await client.post(f"/v1/cases/{case_id}/steps", headers=ALICE, json=step), 409, "illegal-transition")

    licensed_id = (await world.open_case("alice", "in-place-lic", "https://in-place-lic.example/page"))["id"]
    licensed = await _ok(await client.post(f"/v1/cases/{licensed_id}/license", headers=ALICE, json={}))
    wider = await _ok(await client.post(f"/v1/cases/{licensed_id}/license", headers=ALICE, json={"scope": "all"}))
    assert wider["state"] == "licensed" and wider["version"] == licensed["version"]


async def test_amounts_in_another_currency_are_refused(world):
    case_id = await agency_case(world, "currency")
    wrong = await agency_post(world, case_id, "offers", "offer-usd-0001", {"amount": 70000, "currency": "USD"})
    problem = _problem(wrong, 422, "currency-mismatch")
    assert problem["case_currency"] == "EUR"
    offer = await _ok(
        await agency_post(world, case_id, "offers", "offer-eur-0001", {"amount": 70000, "currency": "EUR"}), 201
    )
    assert offer["currency"] == "EUR"
    await _ok(await agency_post(world, case_id, "settle", "settle-cur-01", {"offer_id": offer["id"]}))
    _problem(
        await agency_post(world, case_id, "payments", "pay-usd-00001", {"gross": 70000, "currency": "USD"}),
        422,
        "currency-mismatch",
    )
    await _ok(await agency_post(world, case_id, "payments", "pay-eur-00001", {"gross": 70000, "currency": "EUR"}), 201)

    own = await self_managed_case(world, "currency-self")
    client = world.client
    _problem(
        await client.post(f"/v1/cases/{own}/offers", headers=ALICE, json={"amount": 70000, "currency": "GBP"}),
        422,
        "currency-mismatch",
    )
    _problem(
        await client.post(f"/v1/cases/{own}/payments", headers=ALICE, json={"gross": 70000, "currency": "GBP"}),
        422,
        "currency-mismatch",
    )
    _, payments = await ledger_and_payments(world, own)
    assert payments == []


async def test_request_bodies_refuse_unknown_fields(world):
    client = world.client
    case_id = await agency_case(world, "unknown-fields")
    _problem(
        await agency_post(world, case_id, "offers", "offer-extra-01", {"amount": 70000, "currncy": "USD"}),
        422,
        "validation-error",
    )
    _problem(
        await client.put(f"/v1/cases/{case_id}/pricing", headers=ALICE, json={**PRICING, "floor": 1}),
        422,
        "validation-error",
    )
    _problem(
        await client.post(f"/v1/cases/{case_id}/confirm", headers=ALICE, json={"expected_versoin": 1}),
        422,
        "validation-error",
    )
