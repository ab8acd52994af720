"""Isolation, for every endpoint that names a case: another photographer or agency gets 404, as if it did not exist.

The routes are read from the OpenAPI document: a new endpoint without a case here fails until it is covered.
"""

import uuid

import pytest

from pixhound_platform.testing import bearer

pytestmark = pytest.mark.infra

PRICING = {"licence_price": 35000, "surcharge_percent": "100", "floor_price": 50000}
PHOTOGRAPHER_BODIES = {
    "confirm": {},
    "dismiss": {},
    "license": {},
    "pricing": PRICING,
    "recovery": {"agency_id": "x"},
    "self-managed": {},
    "steps": {"step": "notice_sent"},
    "infringer": {"name": "X SARL"},
    "offers": {"amount": 100},
    "decision": {"accept": True},
    "payments": {"gross": 100},
    "close": {},
    "abandon": {"reason": "other", "note": "no longer"},
    "reopen": {"note": "new facts"},
}
PARTNER_BODIES = {
    "accept": {},
    "infringer": {"name": "X SARL"},
    "notice": {},
    "abandon": {"reason": "no_response", "note": "silence"},
    "offers": {"amount": 100},
    "settle": {"offer_id": "x"},
    "payments": {"gross": 100},
    "paid": {"reference": "VIR-1"},
}


def _routes(app, prefix: str):
    for path, operations in app.openapi()["paths"].items():
        if path.startswith(prefix) and "{case_id}" in path:
            for method in sorted(operations):
                yield method.upper(), path


def _fill(path: str, case_id: str) -> str:
    return (
        path.replace("{case_id}", case_id)
        .replace("{offer_id}", "offer-x")
        .replace("{payout_id}", "payout-x")
        .replace("{kind}", "original")
    )


async def _call(client, method: str, url: str, headers: dict, bodies: dict):
    last = url.rstrip("/").split("/")[-1]
    if method == "GET":
        return await client.get(url, headers=headers)
    assert last in bodies, f"no request body known for {method} {url}: add it to this test"
    return await client.request(method, url, headers=headers, json=bodies[last])


async def test_photographers_cannot_reach_each_others_cases(world):
    case = await world.open_case("alice", "photo-private", "https://agence.example/private")
    routes = list(_routes(world.app, "/v1/"))
    assert len(routes) >= 15
    for method, path in routes:
        if path.endswith("{kind}"):
            path = path.replace("{kind}", "notice.pdf")
        response = await _call(world.client, method, _fill(path, case["id"]), bearer("bob"), PHOTOGRAPHER_BODIES)
        assert response.status_code == 404, f"bob reached {method} {path}: {response.status_code} {response.text}"
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await world.client.get("/v1/cases", headers=bearer("bob"))).json()["items"] == []
    assert (await world.client.get("/v1/matches", headers=bearer("bob"))).json()["items"] == []
    assert (await world.client.get(f"/v1/cases/{case['id']}", headers=bearer("alice"))).status_code == 200


async def test_agencies_cannot_reach_cases_assigned_to_another(world):
    client, alpha, beta = world.client, "Cabinet Alpha", "Recouvrement Beta"
    case = await world.open_case("alice", "photo-assigned", "https://agence.example/assigned")
    case_id = case["id"]
    await client.put(f"/v1/cases/{case_id}/pricing", headers=bearer("alice"), json=PRICING)
    await client.post(f"/v1/cases/{case_id}/confirm", headers=bearer("alice"), json={})
    assigned = await client.post(
        f"/v1/cases/{case_id}/recovery", headers=bearer("alice"), json={"agency_id": world.agencies[alpha]["id"]}
    )
    assert assigned.status_code == 200, assigned.text
    routes = list(_routes(world.app, "/partner/v1/"))
    assert len(routes) >= 10
    for method, path in routes:
        headers = world.partner(beta, f"iso-{uuid.uuid4().hex}")
        response = await _call(client, method, _fill(path, case_id), headers, PARTNER_BODIES)
        assert response.status_code == 404, f"beta reached {method} {path}: {response.status_code} {response.text}"
    assert (await client.get("/partner/v1/cases", headers=world.partner(beta))).json()["items"] == []
    assert (await client.get(f"/partner/v1/cases/{case_id}", headers=world.partner(alpha))).status_code == 200


async def test_partner_keys_are_checked_scoped_revocable_and_rotatable(world):
    client, alpha = world.client, "Cabinet Alpha"
    admin = {"Authorization": "Bearer operator-token-for-tests"}
    agency_id = world.agencies[alpha]["id"]
    assert (await client.get("/partner/v1/cases")).status_code == 401
    assert (await client.get("/partner/v1/cases", headers={"Authorization": "Bearer phk_nope.nope"})).status_code == 401
    forged = world.agencies[alpha]["token"][:-4] + "AAAA"
    assert (await client.get("/partner/v1/cases", headers={"Authorization": f"Bearer {forged}"})).status_code == 401

    read_only = await client.post(
        f"/admin/v1/agencies/{agency_id}/keys", headers=admin, json={"scopes": ["cases:read"]}
    )
    token = read_only.json()["token"]
    assert (await client.get("/partner/v1/cases", headers={"Authorization": f"Bearer {token}"})).status_code == 200
    denied = await client.post("/partner/v1/keys/rotate", headers={"Authorization": f"Bearer {token}"})
    assert denied.status_code == 403 and denied.json()["type"].endswith("missing-scope")
    assert (await client.post(f"/admin/v1/keys/{read_only.json()['key_id']}/revoke", headers=admin)).status_code == 204
    assert (await client.get("/partner/v1/cases", headers={"Authorization": f"Bearer {token}"})).status_code == 401

    rotated = await client.post("/partner/v1/keys/rotate", headers=world.partner(alpha))
    assert rotated.status_code == 201
    fresh = {"Authorization": f"Bearer {rotated.json()['token']}"}
    assert (await client.get("/partner/v1/cases", headers=fresh)).status_code == 200
    assert (await client.get("/partner/v1/cases", headers=world.partner(alpha))).status_code == 200, (
        "old key in its grace period"
    )
    assert (await client.post("/admin/v1/agencies", json={"name": "x"})).status_code == 401


async def test_partner_rate_limit(world):
    limiter = world.app.state.runtime.state.get("partner_rate_limiter")
    if limiter is None:
        await world.client.get("/partner/v1/cases", headers=world.partner("Cabinet Alpha"))
        limiter = world.app.state.runtime.state["partner_rate_limiter"]
    limiter.rate_per_minute = 3
    limiter.tokens.clear()
    answers = [await world.client.get("/partner/v1/cases", headers=world.partner("Cabinet Alpha")) for _ in range(5)]
    statuses = [answer.status_code for answer in answers]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
    assert int(answers[3].headers["retry-after"]) >= 1, "a 429 says when to come back"
    other = await world.client.get("/partner/v1/cases", headers=world.partner("Recouvrement Beta"))
    assert other.status_code == 200, "limits are per key"
