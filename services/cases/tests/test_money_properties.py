"""Random sequences of partner and photographer calls (hypothesis) never create or lose money.

Each example opens a fresh case, sends it down the agency or the self-managed path, then plays a random
program of offers, decisions, settlements, payments (with fresh and reused idempotency keys, replays and
two payments racing) and payouts. After it: no 5xx, the ledger balances (entry by entry), a claim was paid
at most once, and nothing was paid out beyond what the infringer paid.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pixhound_events.v1 import matches_pb2
from pixhound_platform.testing import EventProbe, bearer

pytestmark = pytest.mark.infra
ADMIN = {"Authorization": "Bearer fuzz-operator-token"}
OWNER = bearer("prop")
PRICING = {"licence_price": 30000, "surcharge_percent": "100", "floor_price": 40000, "vat_country": "FR"}
COUNTER = itertools.count()

keys = st.one_of(st.just(None), st.sampled_from(["key-aaaaaaaa", "key-bbbbbbbb"]))
amounts = st.sampled_from([20000, 40000, 60000, 80000])
operations = st.lists(
    st.one_of(
        st.tuples(st.just("offer"), amounts, keys),
        st.tuples(st.just("decide"), st.integers(0, 3), st.booleans()),
        st.tuples(st.just("settle"), st.integers(0, 3), keys),
        st.tuples(st.just("pay"), amounts, keys),
        st.tuples(st.just("race"), amounts, st.just(None)),
        st.tuples(st.just("replay"), st.integers(0, 20), st.just(None)),
        st.tuples(st.just("payout"), st.integers(0, 1), keys),
    ),
    min_size=1,
    max_size=12,
)


def _open_case(client: httpx.Client, infra_settings: dict, photo: str) -> str:
    async def publish() -> None:
        async with EventProbe(infra_settings["kafka_bootstrap"], infra_settings["topic_prefix"]) as probe:
            await probe.publish(
                matches_pb2.MatchFound(
                    match_id=f"m-{photo}",
                    photo_id=photo,
                    owner_id="prop",
                    discovery_id="d",
                    page_url=f"https://{photo}.example/",
                    image_url=f"https://{photo}.example/i.jpg",
                    score=0.9,
                    site_host=f"{photo}.example",
                )
            )

    asyncio.run(publish())
    for _ in range(300):
        items = client.get("/v1/cases", headers=OWNER, params={"photo_id": photo}).json()["items"]
        if items:
            return items[0]["id"]
        time.sleep(0.05)
    raise AssertionError(f"no case opened for {photo}")


def test_random_calls_never_create_or_lose_money(live_cases):
    base, _, infra_settings = live_cases
    client = httpx.Client(base_url=base, timeout=30)
    agency = client.post(
        "/admin/v1/agencies",
        headers=ADMIN,
        json={"name": "Property Agency", "contact_email": "p@x.example", "fee_percent": "30"},
    ).json()
    token = client.post(f"/admin/v1/agencies/{agency['id']}/keys", headers=ADMIN, json={}).json()["token"]
    partner = {"Authorization": f"Bearer {token}"}

    @given(self_managed=st.booleans(), program=operations)
    @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def play(self_managed: bool, program: list[tuple]) -> None:
        run = next(COUNTER)
        case_id = _open_case(client, infra_settings, f"prop-{run}")
        client.put(f"/v1/cases/{case_id}/pricing", headers=OWNER, json=PRICING).raise_for_status()
        client.post(f"/v1/cases/{case_id}/confirm", headers=OWNER, json={}).raise_for_status()
        if self_managed:
            client.post(f"/v1/cases/{case_id}/self-managed", headers=OWNER, json={}).raise_for_status()
            client.post(f"/v1/cases/{case_id}/steps", headers=OWNER, json={"step": "notice_sent"}).raise_for_status()
        else:
            client.post(
                f"/v1/cases/{case_id}/recovery", headers=OWNER, json={"agency_id": agency["id"]}
            ).raise_for_status()
            for path, body in (("accept", {}), ("infringer", {"name": "Boutique SARL"}), ("notice", {})):
                client.post(
                    f"/partner/v1/cases/{case_id}/{path}",
                    headers={**partner, "Idempotency-Key": f"{path}-{run}-setup"},
                    json=body,
                ).raise_for_status()

        sent: list[tuple[str, str, dict, dict]] = []
        offers: list[str] = []
        payouts: list[str] = []
        fresh = itertools.count()

        def call(method: str, path: str, body: dict, key: str | None) -> httpx.Response:
            if self_managed:
                url, headers = f"/v1/cases/{case_id}/{path}", dict(OWNER)
            else:
                url = f"/partner/v1/cases/{case_id}/{path}"
                headers = {**partner, "Idempotency-Key": f"{key or f'fresh-{next(fresh)}'}-{run}"}
            sent.append((method, url, body, headers))
            response = client.request(method, url, json=body, headers=headers)
            assert response.status_code < 500, f"{method} {url} {body}: {response.status_code} {response.text}"
            return response

        for name, value, extra in program:
            if name == "offer":
                response = call("POST", "offers", {"amount": value}, extra)
                if response.status_code == 201:
                    offers.append(response.json()["id"])
            elif name == "decide" and offers:
                offer_id = offers[value % len(offers)]
                decided = client.post(
                    f"/v1/cases/{case_id}/offers/{offer_id}/decision", headers=OWNER, json={"accept": extra}
                )
                assert decided.status_code < 500, decided.text
            elif name == "settle" and offers:
                if self_managed:
                    call("POST", "steps", {"step": "settled"}, None)
                else:
                    call("POST", "settle", {"offer_id": offers[value % len(offers)]}, extra)
            elif name == "pay":
                response = call("POST", "payments", {"gross": value}, extra)
                if response.status_code == 201 and response.json()["payout"]:
                    payouts.append(response.json()["payout"]["id"])
            elif name == "race":
                with ThreadPoolExecutor(2) as pool:
                    answers = list(
                        pool.map(lambda _, gross=value: call("POST", "payments", {"gross": gross}, None), range(2))
                    )
                assert [a.status_code for a in answers].count(201) <= 1, "two racing payments both booked"
                payouts += [a.json()["payout"]["id"] for a in answers if a.status_code == 201 and a.json()["payout"]]
            elif name == "replay" and sent:
                method, url, body, headers = sent[value % len(sent)]
                response = client.request(method, url, json=body, headers=headers)
                assert response.status_code < 500, response.text
            elif name == "payout" and payouts and not self_managed:
                call("POST", f"payouts/{payouts[value % len(payouts)]}/paid", {"reference": f"VIR-{run}"}, extra)

        ledger = client.get(f"/v1/cases/{case_id}/ledger", headers=OWNER).json()
        payments = client.get(f"/v1/cases/{case_id}/payments", headers=OWNER).json()
        entries: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        balance: dict[str, int] = defaultdict(int)
        for posting in ledger:
            entries[posting["entry_id"]][0] += posting["debit"]
            entries[posting["entry_id"]][1] += posting["credit"]
            balance[posting["account"]] += posting["debit"] - posting["credit"]
        assert all(debit == credit for debit, credit in entries.values()), "an unbalanced ledger entry"
        assert len(payments) <= 1, "a claim was paid twice"
        received = sum(payment["gross"] for payment in payments)
        share = sum(
            next(line["amount"] for line in p["waterfall"]["lines"] if line["key"] == "photographer") for p in payments
        )
        paid_out = sum(p["payout"]["amount"] for p in payments if p["payout"] and p["payout"]["status"] == "paid")
        assert balance["collection_cash"] == received - paid_out >= 0, "cash does not match what came in and went out"
        assert paid_out <= share <= received, "paid out more than the infringer paid"
        assert balance["photographer_payable"] == paid_out - share, "the photographer's payable drifted"

    try:
        play()
    finally:
        client.close()
