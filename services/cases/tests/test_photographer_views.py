"""What the portal shows a photographer, on PostgreSQL, Kafka and S3: the match's geometry, the site and the photo
of a case, list filters and facets, the found image and page archive, per-photo counts, recovery options with
agencies' track records, payments and the money overview."""

from datetime import UTC, date, datetime, timedelta

import pytest

from pixhound_events.v1 import crawl_pb2, matches_pb2
from pixhound_platform.testing import bearer, wait_until

pytestmark = pytest.mark.infra
ALICE, BOB = bearer("alice"), bearer("bob")
PRICING = {"licence_price": 35000, "surcharge_percent": "100", "floor_price": 50000}
CLAIM = 70000


async def _ok(response, status=200):
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
    )
    return response.json() if response.headers.get("content-type", "").endswith("json") else response


def _site(host: str, actionability: float, country: str = "FR", name: str = "") -> crawl_pb2.SiteIdentified:
    return crawl_pb2.SiteIdentified(
        host=host,
        name=name or f"{host} SARL",
        legal_form="SARL",
        address="1 quai du Port, 13002 Marseille",
        emails=[f"contact@{host}"],
        company_ids=[crawl_pb2.CompanyId(type="siren", value="732829320", valid=True)],
        country=country,
        commercial=True,
        actionability=actionability,
        reasons=["Registered company identified (siren 732829320, check digits valid).", "Commercial use: shop."],
    )


async def _detail(world, case_id: str, ready=lambda detail: True) -> dict:
    async def fetch():
        detail = (await world.client.get(f"/v1/cases/{case_id}", headers=ALICE)).json()
        return detail if ready(detail) else None

    return await wait_until(fetch, timeout=30, description=f"case {case_id} ready")


async def test_a_case_shows_the_match_geometry_the_site_and_the_photo(world):
    await world.probe.publish(_site("studio.example", 0.8))
    case = await world.open_case(
        "alice",
        "photo-geo",
        "https://studio.example/portfolio",
        inliers=57,
        region=matches_pb2.MatchRegion(x=0.1, y=0.2, width=0.5, height=0.25),
        copy_region=matches_pb2.MatchRegion(x=0.0, y=0.5, width=1.0, height=0.5),
        transforms=["crop", "mirror"],
        signals=[matches_pb2.SignalEvidence(signal="orb", distance=0.2, threshold=0.5)],
    )
    detail = await _detail(world, case["id"], lambda d: d["site"] and d["photo"])
    match = detail["match"]
    assert match["region"] == [0.1, 0.2, 0.5, 0.25] and match["copy_region"] == [0.0, 0.5, 1.0, 0.5]
    assert match["inliers"] == 57 and match["transforms"] == ["crop", "mirror"]
    assert match["signals"] == [{"signal": "orb", "distance": 0.2, "threshold": 0.5}]
    assert match["image_sha256"] == "cd" * 32 and match["page_sha256"] == "ef" * 32 and match["has_evidence"] is True
    assert match["occurrences"] == 1 and match["first_seen_at"] and match["fetched_at"] is None
    site = detail["site"]
    assert (site["host"], site["name"], site["country"], site["commercial"]) == (
        "studio.example",
        "studio.example SARL",
        "FR",
        True,
    )
    assert site["actionability"] == pytest.approx(0.8) and len(site["reasons"]) == 2
    assert site["identity"]["company_ids"] == [{"type": "siren", "value": "732829320", "valid": True}]
    assert detail["photo"] == {
        "title": "Photo photo-geo",
        "filename": "",
        "creator": "Camille",
        "copyright": "© Camille 2026",
        "width": 0,
        "height": 0,
    }
    assert detail["timeline"][0]["to_state"] == "detected" and detail["next_actions"]

    await world.probe.publish(
        matches_pb2.MatchFound(
            match_id="again",
            photo_id="photo-geo",
            owner_id="alice",
            page_url="https://studio.example/portfolio",
            image_url="https://studio.example/portfolio/img.jpg",
            score=0.95,
            inliers=12,
            region=matches_pb2.MatchRegion(x=0.3, y=0.3, width=0.1, height=0.1),
        )
    )
    again = await _detail(world, case["id"], lambda d: d["match"]["occurrences"] == 2)
    assert again["match"]["region"] == [0.1, 0.2, 0.5, 0.25] and again["match"]["inliers"] == 57, (
        "a known geometry stays with the image it was measured on"
    )

    bare = await world.open_case(
        "alice", "photo-bare", "https://unknown.example/page", evidence_key="", image_object_key=""
    )
    plain = await _detail(world, bare["id"])
    assert plain["match"]["region"] is None and plain["match"]["copy_region"] is None, "unset regions are unknown"
    assert plain["match"]["inliers"] == 0 and plain["match"]["transforms"] == []
    assert plain["match"]["has_evidence"] is False and plain["site"] is None
    await world.probe.publish(
        matches_pb2.MatchFound(
            match_id="later",
            photo_id="photo-bare",
            owner_id="alice",
            page_url="https://unknown.example/page",
            image_url="https://unknown.example/page/img.jpg",
            score=0.9,
            copy_region=matches_pb2.MatchRegion(x=0.25, y=0.0, width=0.5, height=1.0),
        )
    )
    later = await _detail(world, bare["id"], lambda d: d["match"]["occurrences"] == 2)
    assert later["match"]["copy_region"] == [0.25, 0.0, 0.5, 1.0], "a region unknown so far is filled in later"
    assert later["match"]["region"] is None
    assert (await world.client.get(f"/v1/cases/{case['id']}", headers=BOB)).status_code == 404


async def test_cases_filter_by_band_state_and_dates_and_have_facets(world):
    client = world.client
    for host, score, country in (("high.example", 0.8, "FR"), ("mid.example", 0.5, "DE"), ("low.example", 0.2, "FR")):
        await world.probe.publish(_site(host, score, country, name=f"{host.split('.')[0].title()} SAS"))
    ids = {}
    for host in ("high.example", "mid.example", "low.example", "nowhere.example"):
        ids[host] = (await world.open_case("alice", f"photo-{host}", f"https://{host}/page"))["id"]

    async def identified():
        items = (await client.get("/v1/cases", headers=ALICE)).json()["items"]
        named = [item for item in items if item["site_name"] and item["photo_title"]]
        return items if len(named) == 3 else None

    items = await wait_until(identified, timeout=30, description="three identified sites")
    high = next(item for item in items if item["id"] == ids["high.example"])
    assert high["site_name"] == "High SAS" and high["photo_title"] == "Photo photo-high.example"
    assert [item["id"] for item in items][0] == ids["high.example"], "most actionable first"
    nowhere = next(item for item in items if item["id"] == ids["nowhere.example"])
    assert nowhere["site_name"] == ""

    async def listed(**params) -> list[str]:
        return [
            item["id"] for item in (await _ok(await client.get("/v1/cases", headers=ALICE, params=params)))["items"]
        ]

    assert await listed(band="high") == [ids["high.example"]]
    assert await listed(band="medium") == [ids["mid.example"]]
    assert await listed(band="low") == [ids["low.example"]]
    assert await listed(band="unknown") == [ids["nowhere.example"]]
    assert (await client.get("/v1/cases", headers=ALICE, params={"band": "huge"})).status_code == 422

    await _ok(await client.post(f"/v1/cases/{ids['high.example']}/confirm", headers=ALICE, json={}))
    await _ok(await client.post(f"/v1/cases/{ids['low.example']}/dismiss", headers=ALICE, json={}))
    assert sorted(await listed(state="confirmed, dismissed")) == sorted([ids["high.example"], ids["low.example"]])
    assert await listed(state="detected", country="de") == [ids["mid.example"]]
    wrong = await client.get("/v1/cases", headers=ALICE, params={"state": "confirmed,bogus"})
    assert wrong.status_code == 422 and wrong.json()["type"].endswith("invalid-state")

    today = datetime.now(UTC).date()
    assert len(await listed(since=today.isoformat(), until=today.isoformat())) == 4
    assert await listed(until=(today - timedelta(days=1)).isoformat()) == []
    assert await listed(since=(today + timedelta(days=1)).isoformat()) == []
    assert len(await listed(since=date.min.isoformat(), until=date.max.isoformat())) == 4

    facets = await _ok(await client.get("/v1/cases/facets", headers=ALICE))
    assert facets["countries"] == [{"value": "FR", "count": 2}, {"value": "DE", "count": 1}]
    assert {f["value"]: f["count"] for f in facets["sites"]} == {
        "high.example": 1,
        "mid.example": 1,
        "low.example": 1,
        "nowhere.example": 1,
    }
    assert facets["states"] == [
        {"value": "detected", "count": 2},
        {"value": "confirmed", "count": 1},
        {"value": "dismissed", "count": 1},
    ]
    assert {f["value"]: f["count"] for f in facets["bands"]} == {"high": 1, "medium": 1, "low": 1, "unknown": 1}
    assert await _ok(await client.get("/v1/cases/facets", headers=BOB)) == {
        "countries": [],
        "sites": [],
        "states": [],
        "bands": [],
    }


async def test_the_found_image_and_the_page_archive_are_served_to_their_owner_only(world):
    client, objects = world.client, world.app.state.runtime.objects
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    warc = b"\x1f\x8b\x08\x00 compressed WARC records"
    await objects.put("crawler/images/found-1", png)
    await objects.put("crawler/evidence/2026/12/01/page-1.warc.gz", warc)
    case = await world.open_case(
        "alice",
        "photo-files",
        "https://files.example/page",
        image_object_key="crawler/images/found-1",
        evidence_key="crawler/evidence/2026/12/01/page-1.warc.gz",
    )
    image = await _ok(await client.get(f"/v1/cases/{case['id']}/copy-image", headers=ALICE))
    assert image.content == png and image.headers["content-type"] == "image/png"
    assert image.headers["cache-control"] == "private, max-age=86400"
    archive = await _ok(await client.get(f"/v1/cases/{case['id']}/evidence/archive", headers=ALICE))
    assert archive.content == warc and archive.headers["content-type"] == "application/warc"
    assert archive.headers["content-disposition"] == f'attachment; filename="evidence-{case["id"][:8]}.warc.gz"'
    for path in ("copy-image", "evidence/archive"):
        other = await client.get(f"/v1/cases/{case['id']}/{path}", headers=BOB)
        assert other.status_code == 404 and other.json()["type"].endswith("case-not-found")

    missing = await world.open_case(
        "alice", "photo-nofile", "https://files.example/other", image_object_key="", evidence_key="crawler/gone.warc"
    )
    none = await client.get(f"/v1/cases/{missing['id']}/copy-image", headers=ALICE)
    assert none.status_code == 404 and none.json()["type"].endswith("file-not-recorded")
    gone = await client.get(f"/v1/cases/{missing['id']}/evidence/archive", headers=ALICE)
    assert gone.status_code == 404 and gone.json()["type"].endswith("file-missing")


async def _through_agency(world, case_id: str, agency: str, tag: str, *, received_days_ago: int | None) -> dict | None:
    """Price, confirm and hand a case to `agency`, which accepts it and, with `received_days_ago`, collects 60000."""
    client = world.client
    await _ok(await client.put(f"/v1/cases/{case_id}/pricing", headers=ALICE, json=PRICING))
    await _ok(await client.post(f"/v1/cases/{case_id}/confirm", headers=ALICE, json={}))
    body = {"agency_id": world.agencies[agency]["id"]}
    await _ok(await client.post(f"/v1/cases/{case_id}/recovery", headers=ALICE, json=body))
    steps = [("accept", {}), ("infringer", {"name": "Agence du Port SARL"}), ("notice", {})]
    for path, body in steps if received_days_ago is not None else steps[:1]:
        url = f"/partner/v1/cases/{case_id}/{path}"
        await _ok(await client.post(url, headers=world.partner(agency, f"views-{tag}-{path}"), json=body))
    if received_days_ago is None:
        return None
    received = (datetime.now(UTC) - timedelta(days=received_days_ago)).isoformat()
    return await _ok(
        await client.post(
            f"/partner/v1/cases/{case_id}/payments",
            headers=world.partner(agency, f"views-{tag}-payment"),
            json={"gross": 60000, "received_at": received},
        ),
        201,
    )


async def test_recovery_options_payments_money_and_photo_stats(world):
    client, alpha, beta = world.client, "Cabinet Alpha", "Recouvrement Beta"
    paid_out = (await world.open_case("alice", "photo-m1", "https://m.example/a"))["id"]
    payment = await _through_agency(world, paid_out, alpha, "a", received_days_ago=10)
    url = f"/partner/v1/cases/{paid_out}/payouts/{payment['payout']['id']}/paid"
    await _ok(await client.post(url, headers=world.partner(alpha, "views-a-paid"), json={"reference": "VIR-1"}))
    accepted = (await world.open_case("alice", "photo-m1b", "https://m.example/b"))["id"]
    await _through_agency(world, accepted, alpha, "b", received_days_ago=None)
    overdue = (await world.open_case("alice", "photo-m2", "https://m.example/c"))["id"]
    late = await _through_agency(world, overdue, beta, "c", received_days_ago=20)

    managed = (await world.open_case("alice", "photo-m2b", "https://m.example/d"))["id"]
    await _ok(await client.put(f"/v1/cases/{managed}/pricing", headers=ALICE, json=PRICING))
    await _ok(await client.post(f"/v1/cases/{managed}/confirm", headers=ALICE, json={}))
    await _ok(await client.post(f"/v1/cases/{managed}/self-managed", headers=ALICE, json={}))
    await _ok(await client.post(f"/v1/cases/{managed}/steps", headers=ALICE, json={"step": "notice_sent"}))
    await _ok(await client.post(f"/v1/cases/{managed}/payments", headers=ALICE, json={"gross": 59000}), 201)
    unpriced = (await world.open_case("alice", "photo-m3", "https://m.example/e"))["id"]
    fresh = (await world.open_case("alice", "photo-m4", "https://m.example/f"))["id"]
    await _ok(await client.put(f"/v1/cases/{fresh}/pricing", headers=ALICE, json=PRICING))

    no_price = await client.get(f"/v1/cases/{unpriced}/recovery-options", headers=ALICE)
    assert no_price.status_code == 409 and no_price.json()["type"].endswith("pricing-missing")
    options = await _ok(await client.get(f"/v1/cases/{fresh}/recovery-options", headers=ALICE))
    assert options["currency"] == "EUR" and options["claim"] == CLAIM
    assert [(o["kind"], o["agency"] and o["agency"]["name"]) for o in options["options"]] == [
        ("self", None),
        ("agency", beta),
        ("agency", alpha),
    ], "largest photographer share first"
    shares = [{line["key"]: line["amount"] for line in o["waterfall"]["lines"]} for o in options["options"]]
    assert [s["photographer"] for s in shares] == sorted((s["photographer"] for s in shares), reverse=True)
    assert all(s["gross"] == CLAIM for s in shares) and "agency_fee" not in shares[0]
    assert options["options"][0]["track_record"] is None
    beta_option, alpha_option = options["options"][1], options["options"][2]
    assert alpha_option["agency"]["fee_percent"] == "35.000" and alpha_option["agency"]["payout_days"] == 14
    assert alpha_option["track_record"] == {
        "cases_taken": 2,
        "cases_paid": 1,
        "share_paid": 0.5,
        "median_days_to_payout": pytest.approx(10.0, abs=0.01),
    }
    assert beta_option["track_record"] == {
        "cases_taken": 1,
        "cases_paid": 1,
        "share_paid": 1.0,
        "median_days_to_payout": None,
    }

    [recorded] = await _ok(await client.get(f"/v1/cases/{paid_out}/payments", headers=ALICE))
    assert recorded["id"] == payment["payment_id"] and recorded["gross"] == 60000 and recorded["currency"] == "EUR"
    assert recorded["waterfall"] == payment["waterfall"], "the stored split is the waterfall shown at payment"
    assert recorded["payout"]["status"] == "paid" and recorded["payout"]["paid_at"]
    assert recorded["payout"]["amount"] == payment["payout"]["amount"]
    [own] = await _ok(await client.get(f"/v1/cases/{managed}/payments", headers=ALICE))
    assert own["payout"] is None and "agency_fee" not in [line["key"] for line in own["waterfall"]["lines"]]
    assert await _ok(await client.get(f"/v1/cases/{fresh}/payments", headers=ALICE)) == []

    overview = await _ok(await client.get("/v1/money", headers=ALICE))
    items = {item["case_id"]: item for item in overview["items"]}
    assert set(items) == {paid_out, accepted, overdue, managed}, "cases in recovery or paid, not detected ones"
    owed = late["payout"]["amount"]
    assert overview["items"][0]["case_id"] == overdue and items[overdue]["next_due_at"]
    assert (items[overdue]["owed"], items[overdue]["overdue"], items[overdue]["paid_out"]) == (owed, owed, 0)
    assert items[paid_out]["paid_out"] == payment["payout"]["amount"] and items[paid_out]["owed"] == 0
    assert items[managed]["received"] == 59000 and items[managed]["owed"] == 0
    assert items[paid_out]["photo_title"] == "Photo photo-m1" and items[paid_out]["site_host"] == "m.example"
    assert all(item["claimed"] == CLAIM for item in overview["items"])
    [total] = overview["totals"]
    assert total == {
        "currency": "EUR",
        "claimed": 4 * CLAIM,
        "received": 60000 + 60000 + 59000,
        "photographer_share": sum(item["photographer_share"] for item in overview["items"]),
        "paid_out": payment["payout"]["amount"],
        "owed": owed,
        "overdue": owed,
    }
    assert await _ok(await client.get("/v1/money", headers=BOB)) == {"totals": [], "items": []}

    exported = await _ok(await client.get("/v1/money.csv", headers=ALICE))
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["content-disposition"] == 'attachment; filename="pixhound-money.csv"'
    lines = exported.text.strip().split("\r\n")
    assert lines[0].startswith("case_id,photo_id,photo_title,site_host,state,currency,claimed") and len(lines) == 5
    assert any(
        line.startswith(f"{managed},photo-m2b,Photo photo-m2b,m.example,") and ",590.00," in line for line in lines
    )

    stats = await _ok(
        await client.get(
            "/v1/photo-stats", headers=ALICE, params={"photo_id": ["photo-m1", "photo-m2", "photo-m3", "nope"]}
        )
    )
    assert stats["items"] == [
        {"photo_id": "photo-m1", "matches": 1, "active_cases": 1, "paid_cases": 1},
        {"photo_id": "photo-m2", "matches": 1, "active_cases": 1, "paid_cases": 1},
        {"photo_id": "photo-m3", "matches": 1, "active_cases": 0, "paid_cases": 0},
        {"photo_id": "nope", "matches": 0, "active_cases": 0, "paid_cases": 0},
    ]
    foreign = await _ok(await client.get("/v1/photo-stats", headers=BOB, params={"photo_id": "photo-m1"}))
    assert foreign["items"] == [{"photo_id": "photo-m1", "matches": 0, "active_cases": 0, "paid_cases": 0}]
    too_many = await client.get("/v1/photo-stats", headers=ALICE, params={"photo_id": [f"p{i}" for i in range(201)]})
    assert too_many.status_code == 422
    assert await _ok(await client.get("/v1/photo-stats", headers=ALICE)) == {"items": []}


async def test_photo_stats_count_the_matches_not_dismissed_and_the_recoveries(world):
    client = world.client
    await world.open_case("alice", "photo-s", "https://s.example/0")
    for n in range(1, 4):
        page = f"https://s.example/{n}"
        await world.probe.publish(
            matches_pb2.MatchFound(
                match_id=f"s{n}", photo_id="photo-s", owner_id="alice", page_url=page, image_url=page, score=0.9
            )
        )

    async def four():
        items = (await client.get("/v1/cases", headers=ALICE, params={"photo_id": "photo-s"})).json()["items"]
        return items if len(items) == 4 else None

    first, second, *_ = await wait_until(four, timeout=30, description="four cases of one photo")
    await _ok(await client.post(f"/v1/cases/{first['id']}/dismiss", headers=ALICE, json={}))
    await _ok(await client.post(f"/v1/cases/{second['id']}/confirm", headers=ALICE, json={}))
    stats = await _ok(await client.get("/v1/photo-stats", headers=ALICE, params={"photo_id": ["photo-s", "photo-s"]}))
    assert stats == {"items": [{"photo_id": "photo-s", "matches": 3, "active_cases": 1, "paid_cases": 0}]}
