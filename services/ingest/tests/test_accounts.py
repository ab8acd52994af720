"""Ingest's account API on PostgreSQL and Kafka: my account, its edits, revocable sessions, password change."""

import pytest
from sqlalchemy import select

from pixhound_events.v1 import accounts_pb2
from pixhound_ingest import store
from pixhound_platform.events import decode, unpack
from pixhound_platform.testing import bearer

pytestmark = pytest.mark.infra


def _problem(response, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/" + slug)


async def _events(app, event_type: str) -> list:
    outbox = store.messaging.outbox
    async with app.state.runtime.database.sessions() as session:
        rows = (await session.execute(select(outbox).order_by(outbox.c.id))).all()
    return [unpack(decode(row.envelope)) for row in rows if row.event_type == event_type]


async def _sessions(app, account_id: str) -> list:
    async with app.state.runtime.database.sessions() as session:
        query = select(store.sessions).where(store.sessions.c.account_id == account_id)
        return (await session.execute(query)).all()


async def test_my_account_and_signing_out_one_session(client, signup):
    created, first = await signup()
    assert created["session_id"] and created["token_type"] == "bearer"
    me = await client.get("/v1/me", headers=first)
    assert me.status_code == 200, me.text
    body = me.json()
    assert set(body) == {"id", "email", "display_name", "locale", "created_at"}
    assert (body["id"], body["email"], body["display_name"], body["locale"]) == (
        created["account_id"],
        "camille@example.org",
        "Camille",
        "fr",
    )

    signed_in = await client.post("/v1/sessions", json={"email": "camille@example.org", "password": "a long password"})
    assert signed_in.status_code == 200 and signed_in.json()["session_id"] != created["session_id"]
    second = {"Authorization": f"Bearer {signed_in.json()['token']}"}
    assert len(await _sessions(client.app, created["account_id"])) == 2

    assert (await client.delete("/v1/sessions/current", headers=first)).status_code == 204
    _problem(await client.get("/v1/me", headers=first), 401, "session-revoked")
    _problem(await client.get("/v1/photos", headers=first), 401, "session-revoked")
    _problem(await client.delete("/v1/sessions/current", headers=first), 401, "session-revoked")
    assert (await client.get("/v1/me", headers=second)).status_code == 200, "the other session is untouched"
    revoked = {row.id: row.revoked_at for row in await _sessions(client.app, created["account_id"])}
    assert revoked[created["session_id"]] is not None and revoked[signed_in.json()["session_id"]] is None


async def test_tokens_without_a_session_are_accepted_but_cannot_sign_out(client, signup):
    created, _ = await signup()
    legacy = bearer(created["account_id"])
    assert (await client.get("/v1/me", headers=legacy)).json()["id"] == created["account_id"]
    _problem(await client.delete("/v1/sessions/current", headers=legacy), 409, "session-not-revocable")
    _problem(await client.get("/v1/me", headers=bearer("nobody")), 401, "account-not-found")
    _problem(await client.get("/v1/me"), 401, "missing-token")


async def test_editing_my_account_announces_it_once(client, signup):
    created, auth = await signup()
    edited = await client.patch("/v1/me", headers=auth, json={"display_name": "Camille Roux", "locale": "en"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["display_name"] == "Camille Roux" and edited.json()["locale"] == "en"
    assert (await client.get("/v1/me", headers=auth)).json() == edited.json()

    only_locale = await client.patch("/v1/me", headers=auth, json={"locale": "fr"})
    assert only_locale.json()["display_name"] == "Camille Roux" and only_locale.json()["locale"] == "fr"
    unchanged = await client.patch("/v1/me", headers=auth, json={"locale": "fr"})
    assert unchanged.status_code == 200 and (await client.patch("/v1/me", headers=auth, json={})).status_code == 200

    announced = await _events(client.app, "pixhound.events.v1.AccountUpdated")
    assert announced == [
        accounts_pb2.AccountUpdated(account_id=created["account_id"], display_name="Camille Roux", locale="en"),
        accounts_pb2.AccountUpdated(account_id=created["account_id"], display_name="Camille Roux", locale="fr"),
    ], "one event per change, carrying the whole current state; edits that change nothing announce nothing"


@pytest.mark.parametrize(
    "payload",
    [
        {"display_name": ""},
        {"display_name": "x" * 201},
        {"display_name": None},
        {"locale": "de"},
        {"email": "other@example.org"},
    ],
    ids=["empty-name", "long-name", "null-name", "unknown-locale", "unknown-field"],
)
async def test_account_edits_are_validated(client, signup, payload):
    _, auth = await signup()
    _problem(await client.patch("/v1/me", headers=auth, json=payload), 422, "validation-error")
    assert (await client.get("/v1/me", headers=auth)).json()["display_name"] == "Camille"


async def test_changing_the_password_revokes_every_other_session(client, signup):
    created, first = await signup()
    second = {
        "Authorization": "Bearer "
        + (
            await client.post("/v1/sessions", json={"email": "camille@example.org", "password": "a long password"})
        ).json()["token"]
    }
    wrong = await client.post(
        "/v1/me/password", headers=first, json={"current_password": "not my password", "new_password": "a new long one"}
    )
    _problem(wrong, 403, "bad-credentials")
    too_short = await client.post(
        "/v1/me/password", headers=first, json={"current_password": "a long password", "new_password": "short"}
    )
    _problem(too_short, 422, "validation-error")
    assert (await client.get("/v1/me", headers=second)).status_code == 200, "a refused change revokes nothing"

    changed = await client.post(
        "/v1/me/password", headers=first, json={"current_password": "a long password", "new_password": "a new long one"}
    )
    assert changed.status_code == 200, changed.text
    token = changed.json()
    assert token["account_id"] == created["account_id"] and token["session_id"] != created["session_id"]
    _problem(await client.get("/v1/me", headers=first), 401, "session-revoked")
    _problem(await client.get("/v1/me", headers=second), 401, "session-revoked")
    assert (await client.get("/v1/me", headers={"Authorization": f"Bearer {token['token']}"})).status_code == 200
    active = [row.id for row in await _sessions(client.app, created["account_id"]) if row.revoked_at is None]
    assert active == [token["session_id"]]

    old = await client.post("/v1/sessions", json={"email": "camille@example.org", "password": "a long password"})
    _problem(old, 401, "bad-credentials")
    new = await client.post("/v1/sessions", json={"email": "camille@example.org", "password": "a new long one"})
    assert new.status_code == 200


async def test_a_huge_json_body_to_sign_up_is_refused_before_it_is_read(client):
    limit = client.app.state.runtime.settings.max_json_body_bytes
    padding = "x" * (limit + 1)
    response = await client.post(
        "/v1/accounts", json={"email": "big@example.org", "display_name": padding, "password": "a long password"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("body-too-large")
