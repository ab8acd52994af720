"""Notification preferences, the unread badge and "mark all read", on real PostgreSQL, Kafka and SMTP."""

import pytest

from pixhound_events.v1 import cases_pb2
from pixhound_platform.testing import bearer, wait_until

pytestmark = pytest.mark.infra
PROBLEM = "application/problem+json"
DEFAULTS = {
    "case_opened": "instant",
    "offer_needs_decision": "instant",
    "payment_received": "digest",
    "payout_overdue": "instant",
    "paid_out": "digest",
}


def _channels(body: dict) -> dict[str, str]:
    return {item["kind"]: item["channel"] for item in body["items"]}


async def test_preferences_list_every_kind_with_defaults_and_are_replaced_as_a_whole(notifier):
    async with notifier(digest_hour_utc=6) as (client, _):
        assert (await client.get("/v1/preferences")).status_code == 401
        fresh = await client.get("/v1/preferences", headers=bearer("ines"))
        assert fresh.status_code == 200
        assert fresh.json() == {"items": [{"kind": k, "channel": c} for k, c in DEFAULTS.items()], "digest_hour_utc": 6}

        chosen = {
            "items": [{"kind": "case_opened", "channel": "digest"}, {"kind": "paid_out", "channel": "in_app"}],
            "digest_hour_utc": 19,
        }
        saved = await client.put("/v1/preferences", json=chosen, headers=bearer("ines"))
        assert saved.status_code == 200
        assert saved.json()["digest_hour_utc"] == 19
        assert _channels(saved.json()) == {**DEFAULTS, "case_opened": "digest", "paid_out": "in_app"}
        assert (await client.get("/v1/preferences", headers=bearer("ines"))).json() == saved.json()
        assert (await client.get("/v1/preferences", headers=bearer("mallory"))).json() == fresh.json()

        again = await client.put(
            "/v1/preferences", json={"items": [{"kind": "payout_overdue", "channel": "digest"}]}, headers=bearer("ines")
        )
        assert again.status_code == 200
        assert _channels(again.json()) == {**DEFAULTS, "payout_overdue": "digest"}, "left-out kinds are defaults"
        assert again.json()["digest_hour_utc"] == 6, "no hour follows the service's default"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"items": [{"kind": "newsletter", "channel": "digest"}]}, ["body", "items", "0", "kind"]),
        ({"items": [{"kind": "case_opened", "channel": "sms"}]}, ["body", "items", "0", "channel"]),
        ({"items": [{"kind": "case_opened", "channel": "digest", "urgent": True}]}, ["body", "items", "0", "urgent"]),
        ({"items": [], "quiet_hours": [22, 7]}, ["body", "quiet_hours"]),
        ({"items": [], "digest_hour_utc": 24}, ["body", "digest_hour_utc"]),
        ({"digest_hour_utc": 7}, ["body", "items"]),
        (
            {"items": [{"kind": "paid_out", "channel": "digest"}, {"kind": "paid_out", "channel": "in_app"}]},
            ["body", "items"],
        ),
    ],
)
async def test_invalid_preferences_are_a_422_problem_and_change_nothing(notifier, body, field):
    async with notifier() as (client, _):
        response = await client.put("/v1/preferences", json=body, headers=bearer("ines"))
        assert response.status_code == 422
        assert response.headers["content-type"] == PROBLEM
        problem = response.json()
        assert problem["type"].endswith("/validation-error")
        assert field in [error["location"] for error in problem["errors"]]
        assert _channels((await client.get("/v1/preferences", headers=bearer("ines"))).json()) == DEFAULTS


async def test_the_worker_honours_each_channel_and_the_badge_counts_unread(notifier, register, probe, smtp_server):
    inbox, _ = smtp_server
    async with notifier() as (client, runtime):
        await register(runtime, "jade", locale="en")
        chosen = {
            "items": [
                {"kind": "case_opened", "channel": "digest"},
                {"kind": "payout_overdue", "channel": "in_app"},
                {"kind": "paid_out", "channel": "instant"},
            ]
        }
        assert (await client.put("/v1/preferences", json=chosen, headers=bearer("jade"))).status_code == 200
        eur = cases_pb2.Amount(minor=12000, currency="EUR")
        await probe.publish(cases_pb2.CaseOpened(case_id="k1", owner_id="jade", page_url="https://a.example/p"))
        overdue = cases_pb2.PayoutOverdue(case_id="k1", owner_id="jade", amount=eur, days_overdue=3)
        overdue.due_at.FromSeconds(1_800_000_000)
        await probe.publish(overdue)
        await probe.publish(cases_pb2.PaidOut(case_id="k1", owner_id="jade", amount=eur))

        async def all_handled():
            items = (await client.get("/v1/notifications", headers=bearer("jade"))).json()["items"]
            sent = any(item["kind"] == "paid_out" and item["email_status"] == "sent" for item in items)
            return {item["kind"]: item for item in items} if len(items) == 3 and sent else None

        items = await wait_until(all_handled, timeout=30, description="three notifications, the instant one mailed")
        assert {kind: item["channel"] for kind, item in items.items()} == {
            "case_opened": "digest",
            "payout_overdue": "in_app",
            "paid_out": "instant",
        }
        assert items["case_opened"]["email_status"] is None and items["payout_overdue"]["email_status"] is None
        assert [message["Subject"] for message in inbox.messages] == ["You have been paid: €120.00"]

        badge = await client.get("/v1/notifications/unread-count", headers=bearer("jade"))
        assert badge.status_code == 200 and badge.json() == {"unread": 3}
        assert (await client.get("/v1/notifications/unread-count", headers=bearer("mallory"))).json() == {"unread": 0}
        assert (await client.get("/v1/notifications/unread-count")).status_code == 401
        first = items["paid_out"]["id"]
        assert (await client.post(f"/v1/notifications/{first}/read", headers=bearer("jade"))).status_code == 204
        assert (await client.get("/v1/notifications/unread-count", headers=bearer("jade"))).json() == {"unread": 2}

        assert (await client.post("/v1/notifications/read-all", headers=bearer("mallory"))).status_code == 204
        assert (await client.get("/v1/notifications/unread-count", headers=bearer("jade"))).json() == {"unread": 2}
        read_all = await client.post("/v1/notifications/read-all", headers=bearer("jade"))
        assert read_all.status_code == 204 and read_all.content == b""
        assert (await client.get("/v1/notifications/unread-count", headers=bearer("jade"))).json() == {"unread": 0}
        page = (await client.get("/v1/notifications", headers=bearer("jade"))).json()
        assert page["unread"] == 0 and all(item["read_at"] for item in page["items"])
        assert (await client.post("/v1/notifications/read-all", headers=bearer("jade"))).status_code == 204
