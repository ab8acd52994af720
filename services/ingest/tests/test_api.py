"""Ingest's API on PostgreSQL, S3 and Kafka: accounts, uploads, bad uploads, isolation."""

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from pixhound_embedded.sample import synthetic_photo
from pixhound_ingest import store

pytestmark = pytest.mark.infra


async def _account(client, email="camille@example.org") -> dict:
    response = await client.post(
        "/v1/accounts", json={"email": email, "display_name": "Camille", "password": "a long password"}
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def _counts(app) -> tuple[int, int]:
    runtime = app.state.runtime
    async with runtime.database.sessions() as session:
        photos = (await session.execute(select(func.count()).select_from(store.photos))).scalar_one()
        events = (await session.execute(select(func.count()).select_from(store.messaging.outbox))).scalar_one()
    return photos, events


async def test_upload_stores_the_photo_and_announces_it(client):
    auth = await _account(client)
    photo = synthetic_photo(3)
    response = await client.post(
        "/v1/photos", headers=auth, files={"file": ("p.jpg", photo, "image/jpeg")}, data={"title": "Quai"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["content_type"] == "image/jpeg" and body["width"] == 960 and body["title"] == "Quai"
    runtime = client.app.state.runtime
    async with runtime.database.sessions() as session:
        row = (await session.execute(select(store.photos))).one()
        outbox_types = [
            r.event_type
            for r in (await session.execute(select(store.messaging.outbox).order_by(store.messaging.outbox.c.id))).all()
        ]
    assert await runtime.objects.get(row.object_key) == photo, "the original bytes are in S3"
    assert outbox_types == ["pixhound.events.v1.AccountRegistered", "pixhound.events.v1.PhotoIngested"]

    again = await client.post("/v1/photos", headers=auth, files={"file": ("copy.jpg", photo, "image/jpeg")})
    assert again.status_code == 200 and again.json()["id"] == body["id"], "the same photo twice is deduplicated"
    assert (await _counts(client.app)) == (1, 2)


@pytest.mark.parametrize(
    ("payload", "status", "slug"),
    [
        (b"", 422, "empty-upload"),
        (b"%PDF-1.4 not an image", 415, "unsupported-image"),
        (synthetic_photo(4)[:4000], 415, "unsupported-image"),
        (b"\xff\xd8" + b"0" * 2_100_000, 413, "upload-too-large"),
    ],
    ids=["empty", "not-an-image", "truncated-jpeg", "too-large"],
)
async def test_bad_uploads_get_problem_details_and_store_nothing(client, payload, status, slug):
    auth = await _account(client)
    response = await client.post("/v1/photos", headers=auth, files={"file": ("x.jpg", payload, "image/jpeg")})
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith(slug) and problem["status"] == status and problem["detail"]
    assert (await _counts(client.app)) == (0, 1), "nothing stored, no PhotoIngested"


async def test_photos_are_private_to_their_owner(client):
    alice, bob = await _account(client, "alice@example.org"), await _account(client, "bob@example.org")
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buffer, "PNG")
    created = await client.post("/v1/photos", headers=alice, files={"file": ("a.png", buffer.getvalue(), "image/png")})
    photo_id = created.json()["id"]
    assert (await client.get(f"/v1/photos/{photo_id}", headers=alice)).status_code == 200
    assert (await client.get(f"/v1/photos/{photo_id}", headers=bob)).status_code == 404
    assert (await client.get("/v1/photos", headers=bob)).json()["items"] == []
    assert (await client.get("/v1/photos")).status_code == 401


async def test_accounts_and_sessions(client):
    await _account(client, "dup@example.org")
    duplicate = await client.post(
        "/v1/accounts", json={"email": "DUP@example.org", "display_name": "X", "password": "another password"}
    )
    assert duplicate.status_code == 409
    ok = await client.post("/v1/sessions", json={"email": "dup@example.org", "password": "a long password"})
    assert ok.status_code == 200 and ok.json()["token"]
    wrong = await client.post("/v1/sessions", json={"email": "dup@example.org", "password": "wrong password"})
    assert wrong.status_code == 401 and wrong.json()["type"].endswith("bad-credentials")
    invalid = await client.post(
        "/v1/accounts", json={"email": "not-an-email", "display_name": "X", "password": "a long password"}
    )
    assert invalid.status_code == 422 and invalid.json()["errors"]


async def test_operations_endpoints(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {
        "database": "ok",
        "bus": "ok",
        "object_store": "ok",
        "consumers": "ok",
    }
    await client.get("/healthz")
    metrics = (await client.get("/metrics")).text
    assert 'pixhound_http_requests_total{method="GET",route="/healthz",service="ingest",status="200"}' in metrics
