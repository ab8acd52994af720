"""Signing in on PostgreSQL: no hint of which emails have accounts, repeated failures slowed
down per email and per client address, older password hashes upgraded on sign-in."""

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from pixhound_ingest import domain, store

pytestmark = pytest.mark.infra

PASSWORD = "a long password"


def _sign_in(client, email: str = "camille@example.org", password: str = "not my password"):
    return client.post("/v1/sessions", json={"email": email, "password": password})


def _comparable(response) -> tuple:
    body = response.json()
    body.pop("trace_id", None)
    return response.status_code, response.headers["content-type"], body


def _from(client, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=client.app, client=(address, 4242))
    return httpx.AsyncClient(transport=transport, base_url="http://service.test")


async def test_an_unknown_email_costs_one_verification_and_gets_the_same_answer(client, signup, monkeypatch):
    await signup()
    calls = []
    real = domain.password_matches

    def spy(password: str, stored: str) -> bool:
        calls.append(stored)
        return real(password, stored)

    monkeypatch.setattr(domain, "password_matches", spy)
    known = await _sign_in(client, "camille@example.org")
    assert len(calls) == 1, "a wrong password for an account is verified once"
    unknown = await _sign_in(client, "nobody@example.org")
    assert len(calls) == 2, "an email without an account is verified once too, against the dummy hash"
    assert calls[1] == domain.DUMMY_PASSWORD_HASH
    assert known.status_code == 401 and known.json()["type"].endswith("/bad-credentials")
    assert _comparable(known) == _comparable(unknown)


async def test_wrong_passwords_in_a_row_are_slowed_down_per_email(client, signup):
    await signup()
    answers = [await _sign_in(client, " Camille@Example.org ") for _ in range(12)]
    assert [answer.status_code for answer in answers[:5]] == [401] * 5
    assert all(answer.status_code == 429 for answer in answers[5:]), [answer.status_code for answer in answers]
    refused = answers[5]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"].endswith("/too-many-attempts")
    assert refused.headers["Retry-After"] == "1"
    right = await _sign_in(client, "camille@example.org", PASSWORD)
    assert right.status_code == 429, "while it waits, not even the right password is checked"
    other = await _sign_in(client, "someone@example.org")
    assert other.status_code == 401, "another email from the same address is still heard"


async def test_wrong_passwords_sent_at_once_are_counted_before_they_are_checked(client, signup):
    await signup()
    answers = await asyncio.gather(*(_sign_in(client) for _ in range(15)))
    assert sorted(answer.status_code for answer in answers) == [401] * 5 + [429] * 10


async def test_the_wait_grows_after_each_failure_and_a_success_forgives(client, signup):
    await signup()
    subject = "email:camille@example.org"
    for failures in range(1, 8):
        await _age_failures(client.app, subject)
        assert (await _sign_in(client)).status_code == 401
        counters = await _counters(client.app)
        assert counters[subject] == failures
        if failures >= 5:
            answer = await _sign_in(client)
            assert answer.status_code == 429
            assert int(answer.headers["Retry-After"]) == 2 ** (failures - 5)
    assert (await _counters(client.app))[subject] == 7, "refused attempts are not counted"
    await _age_failures(client.app, subject)
    assert (await _sign_in(client, password=PASSWORD)).status_code == 200
    assert (await _counters(client.app))[subject] == 0
    assert (await _sign_in(client)).status_code == 401, "a new streak starts with its free failures"


async def test_wrong_passwords_from_one_address_are_slowed_down_across_emails(client):
    client.app.state.runtime.settings.sign_in_free_failures_per_ip = 3
    async with _from(client, "203.0.113.9") as attacker, _from(client, "198.51.100.7") as neighbour:
        answers = [(await _sign_in(attacker, f"user{n}@example.org")).status_code for n in range(5)]
        assert answers == [401, 401, 401, 429, 429]
        assert (await _sign_in(neighbour, "user9@example.org")).status_code == 401


async def test_an_older_scrypt_hash_signs_in_and_is_upgraded(client, signup):
    created, _ = await signup()
    salt = bytes(range(16))
    digest = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1)
    old_hash = f"scrypt${salt.hex()}${digest.hex()}"
    async with client.app.state.runtime.transaction() as session:
        await store.update_account(session, created["account_id"], {"password_hash": old_hash})

    assert (await _sign_in(client, password="a wrong password")).status_code == 401
    assert await _stored_hash(client.app, created["account_id"]) == old_hash, "a failure changes nothing"
    assert (await _sign_in(client, password=PASSWORD)).status_code == 200
    upgraded = await _stored_hash(client.app, created["account_id"])
    assert upgraded.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and not domain.password_needs_rehash(upgraded)
    assert (await _sign_in(client, password=PASSWORD)).status_code == 200
    assert await _stored_hash(client.app, created["account_id"]) == upgraded, "a current hash is kept"


async def _stored_hash(app, account_id: str) -> str:
    async with app.state.runtime.database.sessions() as session:
        return (await store.account_by_id(session, account_id)).password_hash


async def _counters(app) -> dict[str, int]:
    table = store.sign_in_failures
    async with app.state.runtime.database.sessions() as session:
        return {row.subject: row.failures for row in (await session.execute(select(table))).all()}


async def _age_failures(app, subject: str) -> None:
    """As if the last failure were an hour ago: any wait is over, the streak goes on."""
    table = store.sign_in_failures
    async with app.state.runtime.transaction() as session:
        await session.execute(
            table.update()
            .where(table.c.subject.in_([subject, "ip:127.0.0.1"]))
            .values(last_failure_at=datetime.now(UTC) - timedelta(hours=1))
        )
