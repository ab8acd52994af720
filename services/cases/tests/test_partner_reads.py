"""An agency reads what it needs to reconcile an assigned case: its offers, payments with their
waterfall and payout, and its ledger; another agency sees none of it."""

import pytest

from pixhound_platform.testing import bearer

pytestmark = pytest.mark.infra
ALICE = bearer("alice")
PRICING = {"licence_price": 35000, "surcharge_percent": "100", "floor_price": 50000}


async def test_an_agency_reads_offers_payments_and_ledger_of_its_case(world):
    client, alpha = world.client, "Cabinet Alpha"
    case_id = (await world.open_case("alice", "photo-reads", "https://agence.example/reads"))["id"]
    assert (await client.put(f"/v1/cases/{case_id}/pricing", headers=ALICE, json=PRICING)).status_code == 200
    assert (await client.post(f"/v1/cases/{case_id}/confirm", headers=ALICE, json={})).status_code == 200
    agency_id = world.agencies[alpha]["id"]
    assert (
        await client.post(f"/v1/cases/{case_id}/recovery", headers=ALICE, json={"agency_id": agency_id})
    ).status_code == 200

    async def post(path: str, key: str, body: dict) -> dict:
        answer = await client.post(f"/partner/v1/cases/{case_id}/{path}", headers=world.partner(alpha, key), json=body)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    await post("accept", "reads-accept", {})
    await post("infringer", "reads-infringer", {"name": "Agence du Port SARL"})
    await post("notice", "reads-notice", {})
    offer = await post("offers", "reads-offer", {"amount": 60000})
    await post("settle", "reads-settle", {"offer_id": offer["id"]})
    paid = await post("payments", "reads-payment", {"gross": 60000})

    offers = (await client.get(f"/partner/v1/cases/{case_id}/offers", headers=world.partner(alpha))).json()
    assert [item["id"] for item in offers] == [offer["id"]]
    payments = (await client.get(f"/partner/v1/cases/{case_id}/payments", headers=world.partner(alpha))).json()
    assert len(payments) == 1 and payments[0]["gross"] == 60000
    assert payments[0]["payout"]["id"] == paid["payout"]["id"]
    ledger = (await client.get(f"/partner/v1/cases/{case_id}/ledger", headers=world.partner(alpha))).json()
    assert ledger and sum(line["debit"] for line in ledger) == sum(line["credit"] for line in ledger)
    for path in ("offers", "payments", "ledger"):
        other = await client.get(f"/partner/v1/cases/{case_id}/{path}", headers=world.partner("Recouvrement Beta"))
        assert other.status_code == 404, f"another agency reads the {path} of a case not assigned to it"
