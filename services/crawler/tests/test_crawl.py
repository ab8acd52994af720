"""A crawl over a real website on loopback, on PostgreSQL, S3 and Kafka."""

import hashlib
import io

import pytest
from sqlalchemy import func, select
from warcio.archiveiterator import ArchiveIterator

from pixhound_crawler import store
from pixhound_crawler.app import create_app
from pixhound_crawler.settings import CrawlerSettings
from pixhound_embedded.sample import serve_website, stolen_copy, synthetic_photo
from pixhound_platform.migrations import upgrade_async
from pixhound_platform.testing import bearer, serve_app, wait_until

pytestmark = pytest.mark.infra


@pytest.fixture
def website():
    image = stolen_copy(synthetic_photo(21))
    page = (
        '<html><body><img src="/img/photo.jpg"><a href="/a">a</a><a href="/b">b</a><a href="/meta">m</a></body></html>'
    )
    shared = (
        '<html><body><img srcset="/img/photo.jpg 480w, /img/small.jpg 100w"><img src="/img/broken.jpg"></body></html>'
    )
    site = serve_website(
        {
            "/": ("text/html", page.encode()),
            "/a": ("text/html", shared.encode()),
            "/b": ("text/html; charset=utf-8", shared.encode()),
            "/img/photo.jpg": ("image/jpeg", image),
            "/img/broken.jpg": ("image/jpeg", b"not really a jpeg"),
            "/meta": ("text/html", b"<html>unreachable</html>"),
        }
    )
    yield site, image
    site.close()


async def _settings(pg_url, infra_settings, **extra) -> CrawlerSettings:
    await upgrade_async("pixhound_crawler", pg_url)
    return CrawlerSettings(database_url=pg_url, host_delay_seconds=0, poll_seconds=0.1, **{**infra_settings, **extra})


async def test_crawl_finds_each_occurrence_stores_each_image_once_and_announces_them(
    pg_url, infra_settings, probe, website
):
    site, image = website
    settings = await _settings(pg_url, infra_settings, allowed_networks="127.0.0.0/8")
    owner = bearer("alice")
    async with serve_app(create_app(settings, configure_logs=False)) as client:
        submitted = await client.post(
            "/v1/crawls", headers=owner, json={"seeds": [site.url], "max_pages": 10, "max_depth": 1}
        )
        assert submitted.status_code == 202, submitted.text
        crawl_id = submitted.json()["id"]

        async def finished():
            crawl = (await client.get(f"/v1/crawls/{crawl_id}", headers=owner)).json()
            return crawl if crawl["status"] == "completed" else None

        crawl = await wait_until(finished, timeout=60, description="crawl completion")
        assert crawl["pages_fetched"] == 4 and crawl["images_found"] == 3
        assert crawl["errors"] == 2, "the broken image on /a and /b"
        found = (await client.get(f"/v1/crawls/{crawl_id}/images", headers=owner)).json()["items"]
        assert sorted(item["page_url"] for item in found) == sorted([site.url, site.url + "a", site.url + "b"])
        assert {item["sha256"] for item in found} == {hashlib.sha256(image).hexdigest()}
        assert all(item["page_sha256"] and item["archive_key"] for item in found)
        assert (await client.get(f"/v1/crawls/{crawl_id}", headers=bearer("bob"))).status_code == 404

        runtime = client._transport.app.state.runtime
        async with runtime.database.sessions() as session:
            assert (await session.execute(select(func.count()).select_from(store.images))).scalar_one() == 1
        stored = await runtime.objects.get(found[0]["archive_key"])
        assert hashlib.sha256(stored).hexdigest() == found[0]["archive_sha256"], "the WARC matches its recorded hash"
        records = [
            (record.rec_type, record.rec_headers.get_header("WARC-Target-URI"), record.content_stream().read())
            for record in ArchiveIterator(io.BytesIO(stored))
        ]
        response = next(r for r in records if r[0] == "response")
        assert response[1] == found[0]["page_url"]
        assert hashlib.sha256(response[2]).hexdigest() == found[0]["page_sha256"], (
            "the archived page is the hashed page"
        )

        discovered = await probe.events("pixhound.discoveries.v1", 3)
        assert {event.page_url for event in discovered} == {site.url, site.url + "a", site.url + "b"}
        assert all(
            event.evidence.server_ip == "127.0.0.1" and event.evidence.fetched_at.seconds > 0 for event in discovered
        )
        completed = await probe.events("pixhound.crawls.v1", 1)
        assert completed[0].crawl_id == crawl_id and completed[0].pages_fetched == 4


async def test_without_an_allow_list_loopback_is_refused(pg_url, infra_settings, website):
    site, _ = website
    settings = await _settings(pg_url, infra_settings)
    owner = bearer("alice")
    async with serve_app(create_app(settings, configure_logs=False)) as client:
        crawl_id = (await client.post("/v1/crawls", headers=owner, json={"seeds": [site.url]})).json()["id"]

        async def finished():
            crawl = (await client.get(f"/v1/crawls/{crawl_id}", headers=owner)).json()
            return crawl if crawl["status"] == "completed" else None

        crawl = await wait_until(finished, timeout=30, description="crawl completion")
        assert crawl["pages_fetched"] == 0 and crawl["errors"] == 1
        answer = await client.get(f"/v1/crawls/{crawl_id}/not-fetched", headers=owner)
        assert answer.status_code == 200
        [refused] = answer.json()["items"]
        assert refused["url"] == site.url and refused["outcome"] == "refused-or-failed"
        assert "loopback" in refused["reason"], "the photographer is told why the seed was not fetched"
        other = await client.get(f"/v1/crawls/{crawl_id}/not-fetched", headers=bearer("bob"))
        assert other.status_code == 404


async def test_bad_crawl_requests_get_problem_details(pg_url, infra_settings):
    settings = await _settings(pg_url, infra_settings)
    async with serve_app(create_app(settings, configure_logs=False)) as client:
        for body in (
            {"seeds": []},
            {"seeds": ["ftp://example.org/"]},
            {"seeds": ["https://example.org"], "max_pages": 0},
            {},
        ):
            response = await client.post("/v1/crawls", headers=bearer("alice"), json=body)
            assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
        assert (await client.post("/v1/crawls", json={"seeds": ["https://example.org"]})).status_code == 401


async def test_a_warc_file_becomes_discoveries_without_refetching_its_pages(
    pg_url, infra_settings, probe, website, tmp_path
):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    site, image = website
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for path in ("archived-1", "archived-2"):
        body = f'<html><body><img src="{site.url}img/photo.jpg"></body></html>'.encode()
        writer.write_record(
            writer.create_warc_record(
                f"https://gone.example/{path}",
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"),
            )
        )
    settings = await _settings(pg_url, infra_settings, allowed_networks="127.0.0.0/8")
    owner = bearer("alice")
    async with serve_app(create_app(settings, configure_logs=False)) as client:
        runtime = client._transport.app.state.runtime
        key = "imports/alice/segment-0001.warc.gz"
        await runtime.objects.put(key, buffer.getvalue())
        await runtime.objects.put("imports/bob/theirs.warc.gz", buffer.getvalue())
        refusals = [
            await client.post("/v1/imports", headers=owner, json={"object_key": object_key})
            for object_key in (
                "imports/alice/nope.warc.gz",
                "imports/bob/theirs.warc.gz",
                "imports/alice/../bob/theirs.warc.gz",
                key.replace("alice/", ""),
            )
        ]
        assert [r.status_code for r in refusals] == [404] * 4
        assert len({r.json()["detail"] for r in refusals}) == 1, "not yours and does not exist read the same"
        submitted = await client.post("/v1/imports", headers=owner, json={"object_key": key})
        assert submitted.status_code == 202, submitted.text
        crawl_id = submitted.json()["id"]

        async def finished():
            crawl = (await client.get(f"/v1/crawls/{crawl_id}", headers=owner)).json()
            return crawl if crawl["status"] == "completed" else None

        crawl = await wait_until(finished, timeout=30, description="the import")
        assert crawl["pages_fetched"] == 2 and crawl["images_found"] == 2
        found = (await client.get(f"/v1/crawls/{crawl_id}/images", headers=owner)).json()["items"]
        assert {item["page_url"] for item in found} == {
            "https://gone.example/archived-1",
            "https://gone.example/archived-2",
        }
        assert all(item["archive_key"].startswith(key + "#") for item in found)
        discovered = await probe.events("pixhound.discoveries.v1", 2)
        assert {event.page_url for event in discovered} == {
            "https://gone.example/archived-1",
            "https://gone.example/archived-2",
        }
