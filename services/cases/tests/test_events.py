"""Cases on real Kafka and PostgreSQL: MatchFound opens one case per photo and page, scoped to its owner."""

import pytest

from pixhound_cases.app import create_app
from pixhound_cases.settings import CasesSettings
from pixhound_events.v1 import matches_pb2
from pixhound_platform.migrations import upgrade_async
from pixhound_platform.testing import bearer, serve_app, wait_until

pytestmark = pytest.mark.infra


def match(
    match_id: str, page: str, photo: str = "photo-1", owner: str = "alice", score: float = 0.9
) -> matches_pb2.MatchFound:
    return matches_pb2.MatchFound(
        match_id=match_id,
        photo_id=photo,
        owner_id=owner,
        discovery_id=f"d-{match_id}",
        page_url=page,
        image_url=f"{page}/img.jpg",
        score=score,
        site_host="agence.example",
    )


async def test_match_found_opens_one_case_per_photo_and_page(pg_url, infra_settings, probe):
    await upgrade_async("pixhound_cases", pg_url)
    app = create_app(CasesSettings(database_url=pg_url, **infra_settings), configure_logs=False)
    alice, bob = bearer("alice"), bearer("bob")
    async with serve_app(app) as client:
        await probe.publish(match("m1", "https://agence.example/a"))
        await probe.publish(match("m2", "https://agence.example/a"))
        await probe.publish(match("m3", "https://agence.example/b"))
        await probe.publish_raw("pixhound.matches.v1", b"not an envelope")
        await probe.publish(match("m4", "https://agence.example/c", score=7.5))

        async def two_cases():
            items = (await client.get("/v1/cases", headers=alice)).json()["items"]
            return items if len(items) == 2 else None

        cases = await wait_until(two_cases, timeout=30, description="two cases")
        assert {case["page_url"] for case in cases} == {"https://agence.example/a", "https://agence.example/b"}
        assert all(case["state"] == "detected" for case in cases)
        matches = (await client.get("/v1/matches", headers=alice)).json()["items"]
        assert sorted(m["occurrences"] for m in matches) == [1, 2], "the same photo on the same page is one match"

        detail = await client.get(f"/v1/cases/{cases[0]['id']}", headers=alice)
        assert detail.status_code == 200 and detail.json()["timeline"][0]["to_state"] == "detected"
        assert (await client.get(f"/v1/cases/{cases[0]['id']}", headers=bob)).status_code == 404
        assert (await client.get("/v1/cases", headers=bob)).json()["items"] == []
        assert (await client.get("/v1/matches", headers=bob)).json()["items"] == []

        opened = await probe.events("pixhound.cases.v1", 2)
        assert {event.page_url for event in opened} == {"https://agence.example/a", "https://agence.example/b"}
        dead = await probe.read("pixhound.matches.v1.dlq", 2)
        reasons = [headers["x-dead-letter-reason"] for _, headers in dead]
        assert any("not a Pixhound envelope" in reason for reason in reasons)
        assert any("outside [0, 1]" in reason for reason in reasons)
