"""The matcher on real Kafka, PostgreSQL and S3: events in, MatchFound out, both sides, restarts."""

import asyncio
import io

import pytest
from PIL import Image

from pixhound_embedded.sample import stolen_copy, synthetic_photo
from pixhound_events.v1 import crawl_pb2, photos_pb2
from pixhound_matcher.app import create_app
from pixhound_matcher.settings import MatcherSettings
from pixhound_platform.auth import issue_token
from pixhound_platform.events import unpack
from pixhound_platform.migrations import upgrade_async
from pixhound_platform.objects import S3ObjectStore
from pixhound_platform.testing import serve_app, wait_until

pytestmark = pytest.mark.infra


@pytest.fixture
async def matcher_settings(pg_url, infra_settings):
    await upgrade_async("pixhound_matcher", pg_url)
    return MatcherSettings(database_url=pg_url, **infra_settings)


@pytest.fixture
async def objects(matcher_settings):
    store = S3ObjectStore.connect(
        endpoint=matcher_settings.s3_endpoint,
        access_key=matcher_settings.s3_access_key,
        secret_key=matcher_settings.s3_secret_key.get_secret_value(),
        bucket=matcher_settings.s3_bucket,
        secure=False,
        region="us-east-1",
    )
    await store.ensure_ready()
    return store


def photo_event(photo_id: str, key: str, owner_id: str = "owner-1") -> photos_pb2.PhotoIngested:
    return photos_pb2.PhotoIngested(photo_id=photo_id, owner_id=owner_id, object_key=key, sha256=photo_id)


def bearer(settings: MatcherSettings, account_id: str = "owner-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(account_id, settings.auth_secret.get_secret_value(), 60)}"}


def discovery_event(discovery_id: str, key: str, sha: str) -> crawl_pb2.ImageDiscovered:
    return crawl_pb2.ImageDiscovered(
        discovery_id=discovery_id,
        crawl_id="c1",
        page_url=f"https://shop.example/{discovery_id}",
        image_url=f"https://shop.example/{discovery_id}.jpg",
        object_key=key,
        image_sha256=sha,
        site_host="shop.example",
    )


async def test_both_sides_match_and_survive_a_restart(matcher_settings, objects, probe):
    original, other = synthetic_photo(11), synthetic_photo(12)
    await objects.put("ingest/photos/o/p1.jpg", original)
    await objects.put("ingest/photos/o/p2.jpg", other)
    await objects.put("crawler/images/copy-before", stolen_copy(original))
    await objects.put("crawler/images/copy-after", stolen_copy(original, width=320, quality=40))
    await objects.put("crawler/images/unrelated", stolen_copy(synthetic_photo(13)))

    app = create_app(matcher_settings, configure_logs=False)
    async with serve_app(app) as client:
        client.headers.update(bearer(matcher_settings))
        await probe.publish(discovery_event("d-before", "crawler/images/copy-before", "s1"))
        await probe.publish(discovery_event("d-unrelated", "crawler/images/unrelated", "s3"))
        await wait_until(lambda: _sizes(client, discovered=2), timeout=30, description="discoveries indexed")
        await probe.publish(photo_event("p1", "ingest/photos/o/p1.jpg"))
        await probe.publish(photo_event("p2", "ingest/photos/o/p2.jpg"))
        first = await probe.events("pixhound.matches.v1", 1)
        assert first[0].photo_id == "p1" and first[0].discovery_id == "d-before", (
            "a new photo matches a page crawled before"
        )
        assert 0.5 <= first[0].score <= 1.0 and first[0].signals[0].signal == "pdq"
        assert first[0].shard_count == 1 and "reencode" in first[0].transforms
        copy = first[0].copy_region
        assert (copy.x, copy.y, copy.width, copy.height) == (0.0, 0.0, 1.0, 1.0), "a whole-frame copy"
        await wait_until(lambda: _sizes(client, references=2), timeout=30, description="references indexed")

    restarted = create_app(matcher_settings, configure_logs=False)
    async with serve_app(restarted) as client:
        client.headers.update(bearer(matcher_settings))
        stats = (await client.get("/v1/index")).json()
        assert stats["references"] == 2 and stats["discovered_images"] == 2, "indexes are rebuilt from the database"
        await probe.publish(discovery_event("d-after", "crawler/images/copy-after", "s2"))

        async def distinct_matches():
            records = await probe.read("pixhound.matches.v1", 2)
            return {envelope.event_id: unpack(envelope) for envelope, _ in records}

        matches = await wait_until(
            lambda: _at_least(distinct_matches, 2), timeout=30, description="two distinct matches"
        )
        assert sorted((m.photo_id, m.discovery_id) for m in matches.values()) == [("p1", "d-after"), ("p1", "d-before")]
        await asyncio.sleep(1.0)
        assert len(await distinct_matches()) == 2, "no match for the unrelated image, none decided twice"


async def test_malformed_and_unusable_events_are_dead_lettered(matcher_settings, objects, probe):
    await objects.put("crawler/images/not-an-image", b"<html>nope</html>")
    app = create_app(matcher_settings, configure_logs=False)
    async with serve_app(app):
        await probe.publish_raw("pixhound.discoveries.v1", b"\x00garbage")
        await probe.publish(discovery_event("d-bad", "crawler/images/not-an-image", "s9"))
        await probe.publish(discovery_event("d-missing", "crawler/images/never-stored", "s8"))
        dead = await probe.read("pixhound.discoveries.v1.dlq", 3)
        reasons = sorted(headers["x-dead-letter-reason"] for _, headers in dead)
        assert any("not a Pixhound envelope" in reason for reason in reasons)
        assert any("cannot decode image" in reason for reason in reasons)
        assert any("does not exist" in reason for reason in reasons)


async def _at_least(distinct, count: int):
    found = await distinct()
    return found if len(found) >= count else None


async def _sizes(
    client, references: int | None = None, discovered: int | None = None, headers: dict | None = None
) -> bool:
    stats = (await client.get("/v1/index", headers=headers)).json()
    return (references is None or stats["references"] == references) and (
        discovered is None or stats["discovered_images"] == discovered
    )


async def test_crop_found_by_local_features_with_evidence_and_indexes_persist_as_snapshots(
    matcher_settings, objects, probe, thief, caplog
):
    caplog.set_level("INFO", logger="pixhound_matcher.worker")
    original = thief.photo(21)
    await objects.put("ingest/photos/o/p21.jpg", thief.encode(original, quality=92))
    await objects.put("crawler/images/crop21", thief.encode(thief.crop(original, (0.45, 0.4, 0.5, 0.55))))
    settings = matcher_settings.model_copy(update={"snapshot_interval_seconds": 3600})
    app = create_app(settings, configure_logs=False)
    async with serve_app(app) as client:
        client.headers.update(bearer(settings))
        assert (await client.get("/readyz")).status_code == 200
        await probe.publish(photo_event("p21", "ingest/photos/o/p21.jpg"))
        await wait_until(lambda: _sizes(client, references=1), timeout=30, description="reference indexed")
        await probe.publish(discovery_event("d-crop", "crawler/images/crop21", "s21"))
        found = (await probe.events("pixhound.matches.v1", 1))[0]
        assert found.photo_id == "p21" and found.discovery_id == "d-crop"
        assert found.signals[0].signal == "local_features" and found.inliers >= 14
        assert "crop" in found.transforms
        assert 0.4 <= found.region.x <= 0.5 and 0.35 <= found.region.y <= 0.45
        assert 0.4 <= found.region.width <= 0.6
        assert found.HasField("copy_region") and found.copy_region.x <= 0.02 and found.copy_region.y <= 0.02
        assert found.copy_region.width >= 0.96 and found.copy_region.height >= 0.96, "the crop is all photo"
        upload = await client.post("/v1/search", files={"file": ("c.jpg", thief.encode(thief.mirror(original)))})
        candidate = upload.json()["candidates"][0]
        assert candidate["photo_id"] == "p21" and candidate["copy_region"] == [0.0, 0.0, 1.0, 1.0]
        bad = await client.post("/v1/search", files={"file": ("x.jpg", b"not an image")})
        assert bad.status_code == 415 and bad.headers["content-type"].startswith("application/problem+json")

    assert "references snapshot written: 1 items" in caplog.text
    restarted = create_app(settings, configure_logs=False)
    async with serve_app(restarted) as client:
        client.headers.update(bearer(settings))
        stats = (await client.get("/v1/index")).json()
        assert stats["references"] == 1 and stats["discovered_images"] == 1
        assert stats["clip"] is False
    assert "references: 1 items from snapshot matcher/indexes/shard-0-of-1/references-" in caplog.text


async def test_a_photo_uploaded_after_a_page_showing_a_crop_of_it_is_located_in_the_page(
    matcher_settings, objects, probe, thief
):
    """The reverse direction reads the page's pixels again to put the region's edges on the crop's borders."""
    original = thief.photo(31)
    page, truth = thief.pasted(original, (0.1, 0.15, 0.7, 0.7), at=(560, 150), width=640)
    await objects.put("crawler/images/page31", thief.encode(page, quality=85))
    await objects.put("ingest/photos/o/p31.jpg", thief.encode(original, quality=92))
    app = create_app(matcher_settings, configure_logs=False)
    async with serve_app(app) as client:
        client.headers.update(bearer(matcher_settings))
        await probe.publish(discovery_event("d-page", "crawler/images/page31", "s31"))
        await wait_until(lambda: _sizes(client, discovered=1), timeout=30, description="page indexed")
        await probe.publish(photo_event("p31", "ingest/photos/o/p31.jpg"))
        found = (await probe.events("pixhound.matches.v1", 1))[0]
    assert found.photo_id == "p31" and found.discovery_id == "d-page"
    copy = found.copy_region
    edges = (copy.x, copy.y, copy.x + copy.width, copy.y + copy.height)
    expected = (truth[0], truth[1], truth[0] + truth[2], truth[1] + truth[3])
    assert max(abs(a - b) for a, b in zip(edges, expected, strict=True)) <= 0.02, (edges, expected)


async def test_search_needs_a_token_answers_only_with_the_callers_photos_and_refuses_bombs_undecoded(
    matcher_settings, objects, probe, thief
):
    original = thief.photo(41)
    await objects.put("ingest/photos/o/p41.jpg", thief.encode(original, quality=92))
    copy = {"file": ("c.jpg", thief.encode(thief.crop(original, (0.0, 0.0, 1.0, 1.0), width=500)))}
    app = create_app(matcher_settings.model_copy(update={"max_image_pixels": 200_000_000}), configure_logs=False)
    async with serve_app(app) as client:
        for response in (await client.get("/v1/index"), await client.post("/v1/search", files=copy)):
            assert response.status_code == 401
            assert response.headers["content-type"].startswith("application/problem+json")
        owner, stranger = bearer(matcher_settings, "owner-41"), bearer(matcher_settings, "someone-else")
        await probe.publish(photo_event("p41", "ingest/photos/o/p41.jpg", owner_id="owner-41"))
        await wait_until(
            lambda: _sizes(client, references=1, headers=owner), timeout=30, description="reference indexed"
        )
        mine = (await client.post("/v1/search", files=copy, headers=owner)).json()["candidates"]
        assert [c["photo_id"] for c in mine] == ["p41"]
        theirs = await client.post("/v1/search", files=copy, headers=stranger)
        assert theirs.status_code == 200 and theirs.json()["candidates"] == [], "another's photo is never named"

        side = int(Image.MAX_IMAGE_PIXELS**0.5) + 100
        bomb = io.BytesIO()
        Image.new("1", (side, side)).save(bomb, "PNG")
        refused = await client.post("/v1/search", files={"file": ("b.png", bomb.getvalue())}, headers=owner)
        assert refused.status_code == 413, "under the 200 Mpx setting, over Pillow's limit: the lower one is in force"
        assert refused.json()["type"].endswith("image-too-large")
        assert str(Image.MAX_IMAGE_PIXELS) in refused.json()["detail"]
