"""A photographer recovers on their own: letter and invoice as PDF, their own steps, no platform commission.

Also: licensed clients are whitelisted, and later matches on their sites raise no alert.
"""

import asyncio
import io

import pytest
from pypdf import PdfReader

from pixhound_events.v1 import matches_pb2
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


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\u00a0", " ")


async def test_self_managed_recovery_with_letter_and_invoice(world):
    client = world.client
    case_id = (await world.open_case("alice", "photo-self", "https://boutique.example/produit"))["id"]
    pricing = {"licence_price": 40000, "surcharge_percent": "50", "floor_price": 45000, "vat_country": "FR"}
    assert (await client.put(f"/v1/cases/{case_id}/pricing", headers=ALICE, json=pricing)).status_code == 200
    assert (await client.post(f"/v1/cases/{case_id}/confirm", headers=ALICE, json={})).status_code == 200
    managed = await client.post(f"/v1/cases/{case_id}/self-managed", headers=ALICE, json={})
    assert managed.status_code == 200 and managed.json()["mode"] == "self"

    missing = await client.get(f"/v1/cases/{case_id}/documents/notice.pdf", headers=ALICE)
    assert missing.status_code == 409 and missing.json()["type"].endswith("profile-missing")
    assert (await client.put("/v1/profile", headers=ALICE, json=PROFILE)).status_code == 200
    no_infringer = await client.get(f"/v1/cases/{case_id}/documents/notice.pdf", headers=ALICE)
    assert no_infringer.status_code == 409 and no_infringer.json()["type"].endswith("infringer-missing")
    reopened_details = {
        "name": "Boutique Exemple SAS",
        "address": ["3 avenue du Commerce", "75011 Paris"],
        "email": "contact@boutique.example",
        "company_id": "732829320",
    }
    assert (
        await client.post(
            f"/v1/cases/{case_id}/abandon",
            headers=ALICE,
            json={"reason": "infringer_unidentifiable", "note": "no legal notice page"},
        )
    ).status_code == 200
    reopened = await client.post(
        f"/v1/cases/{case_id}/reopen",
        headers=ALICE,
        json={"note": "found the company on the invoice page", "infringer": reopened_details},
    )
    assert reopened.status_code == 200 and reopened.json()["state"] == "confirmed"
    assert (await client.post(f"/v1/cases/{case_id}/self-managed", headers=ALICE, json={})).status_code == 200

    letter = await client.get(f"/v1/cases/{case_id}/documents/notice.pdf", headers=ALICE)
    assert letter.status_code == 200 and letter.headers["content-type"] == "application/pdf"
    text = _text(letter.content)
    assert "Boutique Exemple SAS" in text and "L.122-4" in text and "https://boutique.example/produit" in text
    assert "600,00 €" in text, "licence 400 € plus a 50 % surcharge"
    english = _text(
        (await client.get(f"/v1/cases/{case_id}/documents/notice.pdf", headers=ALICE, params={"locale": "en"})).content
    )
    assert "€600.00" in english
    invoice = _text((await client.get(f"/v1/cases/{case_id}/documents/invoice.pdf", headers=ALICE)).content)
    assert f"PXH-{case_id[:8].upper()}" in invoice and "293 B" in invoice

    assert (
        await client.post(f"/v1/cases/{case_id}/steps", headers=ALICE, json={"step": "notice_sent"})
    ).status_code == 200
    low = await client.post(f"/v1/cases/{case_id}/offers", headers=ALICE, json={"amount": 30000})
    assert low.status_code == 201 and low.json()["status"] == "awaiting_photographer"
    refused = await client.post(f"/v1/cases/{case_id}/payments", headers=ALICE, json={"gross": 30000})
    assert refused.status_code == 409, "below the floor without an explicit acceptance"
    accepted = await client.post(
        f"/v1/cases/{case_id}/offers/{low.json()['id']}/decision", headers=ALICE, json={"accept": True}
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = await client.post(
        f"/v1/cases/{case_id}/offers/{low.json()['id']}/decision", headers=ALICE, json={"accept": False}
    )
    assert again.status_code == 409
    assert (await client.post(f"/v1/cases/{case_id}/steps", headers=ALICE, json={"step": "settled"})).status_code == 200
    paid = await client.post(f"/v1/cases/{case_id}/payments", headers=ALICE, json={"gross": 30000})
    assert paid.status_code == 201, paid.text
    lines = {line["key"]: line["amount"] for line in paid.json()["waterfall"]["lines"]}
    assert "agency_fee" not in lines and lines["platform_commission"] == 0, "self-managed: no agency, no commission"
    assert lines["vat"] + lines["photographer"] == 30000 and paid.json()["payout"] is None
    closed = await client.post(f"/v1/cases/{case_id}/close", headers=ALICE, json={})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"


async def test_licensed_clients_are_whitelisted(world):
    client = world.client
    first = await world.open_case("alice", "photo-lic", "https://client.example/page-1")
    licensed = await client.post(f"/v1/cases/{first['id']}/license", headers=ALICE, json={"scope": "all"})
    assert licensed.status_code == 200 and licensed.json()["state"] == "licensed"
    await world.probe.publish(
        matches_pb2.MatchFound(
            match_id="m-later",
            photo_id="photo-other",
            owner_id="alice",
            discovery_id="d2",
            page_url="https://www.client.example/page-2",
            image_url="https://www.client.example/i.jpg",
            score=0.9,
            site_host="www.client.example",
        )
    )

    async def recorded():
        items = (await client.get("/v1/cases", headers=ALICE, params={"photo_id": "photo-other"})).json()["items"]
        return items[0] if items else None

    later = await wait_until(recorded, timeout=30, description="the later match")
    assert later["state"] == "licensed", "a whitelisted client's site raises no alert"
    opened = [e for e in await world.probe.events("pixhound.cases.v1", 1) if type(e).__name__ == "CaseOpened"]
    assert [e.photo_id for e in opened] == ["photo-lic"]


async def test_bulk_review_and_filters(world):
    client = world.client
    ids = [(await world.open_case("alice", f"photo-bulk-{n}", f"https://bulk.example/{n}"))["id"] for n in range(3)]
    result = await client.post(
        "/v1/cases/bulk", headers=ALICE, json={"action": "dismiss", "case_ids": [*ids[:2], "not-a-case"]}
    )
    assert result.status_code == 200
    assert [(r["ok"], r["problem"]) for r in result.json()] == [(True, None), (True, None), (False, "case-not-found")]
    dismissed = (
        await client.get("/v1/cases", headers=ALICE, params={"state": "dismissed", "site": "bulk.example"})
    ).json()
    assert sorted(item["id"] for item in dismissed["items"]) == sorted(ids[:2])
    page = (await client.get("/v1/cases", headers=ALICE, params={"limit": 1})).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = (await client.get("/v1/cases", headers=ALICE, params={"limit": 50, "cursor": page["next_cursor"]})).json()
    assert page["items"][0]["id"] not in {item["id"] for item in rest["items"]}
    bad = await client.get("/v1/cases", headers=ALICE, params={"cursor": "!!!"})
    assert bad.status_code == 422 and bad.json()["type"].endswith("invalid-cursor")


async def test_site_identity_from_the_crawler_ranks_cases(world):
    from pixhound_events.v1 import crawl_pb2

    client = world.client
    await world.probe.publish(
        crawl_pb2.SiteIdentified(
            host="agence-identifiee.example",
            name="Agence Identifiée SARL",
            country="FR",
            commercial=True,
            actionability=0.9,
            company_ids=[crawl_pb2.CompanyId(type="siren", value="732829320", valid=True)],
            reasons=["valid SIREN"],
        )
    )
    vague = await world.open_case("alice", "photo-rank-1", "https://blog-anonyme.example/post")
    await asyncio.sleep(0.5)
    strong = await world.open_case("alice", "photo-rank-2", "https://agence-identifiee.example/annonce")
    assert strong["site_country"] == "FR" and strong["commercial"] is True and strong["actionability"] == 0.9
    ranked = (await client.get("/v1/cases", headers=ALICE, params={"min_actionability": 0.5})).json()["items"]
    assert [case["id"] for case in ranked] == [strong["id"]]
    listed = (await client.get("/v1/cases", headers=ALICE)).json()["items"]
    assert listed.index(next(c for c in listed if c["id"] == strong["id"])) < listed.index(
        next(c for c in listed if c["id"] == vague["id"])
    ), "the most actionable case comes first"
    later = crawl_pb2.SiteIdentified(host="blog-anonyme.example", country="US", commercial=False, actionability=0.1)
    await world.probe.publish(later)

    async def updated():
        case = (await client.get(f"/v1/cases/{vague['id']}", headers=ALICE)).json()
        return case if case["actionability"] == 0.1 else None

    assert (await wait_until(updated, timeout=30, description="the case updated"))["site_country"] == "US"


async def test_self_managed_infringer_is_recorded_without_a_detour(world):
    client = world.client
    case_id = (await world.open_case("alice", "photo-self-2", "https://atelier.example/galerie"))["id"]
    details = {"name": "Atelier Exemple SARL", "address": ["5 rue du Port", "13002 Marseille"], "country": "FR"}
    refused = await client.post(f"/v1/cases/{case_id}/infringer", headers=ALICE, json=details)
    assert refused.status_code == 409 and refused.json()["type"].endswith("not-self-managed")
    assert (await client.post(f"/v1/cases/{case_id}/confirm", headers=ALICE, json={})).status_code == 200
    assert (await client.post(f"/v1/cases/{case_id}/self-managed", headers=ALICE, json={})).status_code == 200
    recorded = await client.post(f"/v1/cases/{case_id}/infringer", headers=ALICE, json=details)
    assert recorded.status_code == 200
    assert recorded.json()["state"] == "confirmed" and recorded.json()["infringer"]["name"] == "Atelier Exemple SARL"
    other = await client.post(f"/v1/cases/{case_id}/infringer", headers=bearer("bob"), json=details)
    assert other.status_code == 404, "another photographer's case does not exist for them"
    assert (await client.put("/v1/profile", headers=ALICE, json=PROFILE)).status_code == 200
    pricing = {"licence_price": 30000, "surcharge_percent": "100", "floor_price": 40000, "vat_country": "FR"}
    assert (await client.put(f"/v1/cases/{case_id}/pricing", headers=ALICE, json=pricing)).status_code == 200
    letter = await client.get(f"/v1/cases/{case_id}/documents/notice.pdf", headers=ALICE)
    assert letter.status_code == 200 and "Atelier Exemple SARL" in _text(letter.content)
