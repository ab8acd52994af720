"""Ingest's photo API on PostgreSQL, S3 and Kafka: searching, correcting details and viewing renditions."""

import io
import threading

import pytest
from PIL import ExifTags, Image
from sqlalchemy import select

from pixhound_events.v1 import photos_pb2
from pixhound_ingest import domain, store
from pixhound_platform.events import decode, unpack

pytestmark = pytest.mark.infra
CACHE_CONTROL = "private, max-age=31536000, immutable"


def _jpeg(size=(960, 480), *, artist: str = "", orientation: int = 1, seed: int = 0) -> bytes:
    """Left half red, right half blue, stored sideways when `orientation` says so."""
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    image.putpixel((seed % size[0], 0), (seed % 256, 0, 0))
    exif = Image.Exif()
    if artist:
        exif[ExifTags.Base.Artist] = artist
    if orientation != 1:
        exif[ExifTags.Base.Orientation] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif)
    return buffer.getvalue()


async def _upload(client, auth, data: bytes, filename: str, title: str = "") -> dict:
    response = await client.post(
        "/v1/photos", headers=auth, files={"file": (filename, data, "image/jpeg")}, data={"title": title}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _details_events(app) -> list:
    outbox = store.messaging.outbox
    async with app.state.runtime.database.sessions() as session:
        rows = (await session.execute(select(outbox).order_by(outbox.c.id))).all()
    return [unpack(decode(row.envelope)) for row in rows if row.event_type.endswith("PhotoDetailsChanged")]


async def test_search_my_photos_with_a_total(client, signup):
    _, alice = await signup("alice@example.org")
    _, bob = await signup("bob@example.org")
    await _upload(client, alice, _jpeg(seed=1), "quai-branly.jpg", "Sunset over the Seine")
    await _upload(client, alice, _jpeg(seed=2, artist="Camille ROUX"), "IMG_0002.jpg", "Market")
    await _upload(client, alice, _jpeg(seed=3), "IMG_0003.jpg", "100% Paris_by night")
    await _upload(client, bob, _jpeg(seed=4), "seine.jpg", "Seine for Bob")

    async def search(q: str, **params) -> dict:
        response = await client.get("/v1/photos", headers=alice, params={"q": q, **params})
        assert response.status_code == 200, response.text
        return response.json()

    everything = await search("")
    assert everything["total"] == 3 and len(everything["items"]) == 3
    assert [item["title"] for item in (await search("SEINE"))["items"]] == ["Sunset over the Seine"], "title, any case"
    assert (await search("branly"))["total"] == 1, "file name"
    assert [item["title"] for item in (await search("roux"))["items"]] == ["Market"], "creator"
    assert (await search("img_"))["total"] == 2
    assert (await search("100%"))["total"] == 1 and (await search("%"))["total"] == 1, (
        "% is a character, not a wildcard"
    )
    assert (await search("s_by"))["total"] == 1 and (await search("_"))["total"] == 2, "_ is a character too"
    assert (await search("nowhere")) == {"items": [], "total": 0, "limit": 50, "offset": 0}
    page = await search("img", limit=1, offset=1)
    assert page["total"] == 2 and len(page["items"]) == 1, "the total counts every match, not the page"


async def test_correcting_a_photos_details(client, signup):
    alice_token, alice = await signup("alice@example.org")
    _, bob = await signup("bob@example.org")
    photo = await _upload(client, alice, _jpeg(artist="Cam"), "p.jpg", "Quai")
    changes = {"title": "Quai de Seine", "creator": "Camille Roux", "copyright": "© Camille Roux 2026"}
    edited = await client.patch(f"/v1/photos/{photo['id']}", headers=alice, json=changes)
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["title"] == "Quai de Seine" and body["authorship"]["creator"] == "Camille Roux"
    assert body["authorship"]["copyright"] == "© Camille Roux 2026" and body["sha256"] == photo["sha256"]
    assert (await client.get(f"/v1/photos/{photo['id']}", headers=alice)).json() == body

    long_date = "2026-05-01T19:45:00+02:00 (" + "x" * 260 + ")"
    assert len(long_date) <= 300
    dated = await client.patch(
        f"/v1/photos/{photo['id']}", headers=alice, json={"captured_at": long_date, "credit": "", "title": ""}
    )
    assert dated.status_code == 200, dated.text
    assert dated.json()["authorship"]["captured_at"] == long_date and dated.json()["title"] == ""
    assert (await client.patch(f"/v1/photos/{photo['id']}", headers=alice, json={"creator": "Camille Roux"})).json()[
        "authorship"
    ]["creator"] == "Camille Roux"

    assert (await client.patch(f"/v1/photos/{photo['id']}", headers=bob, json={"title": "mine"})).status_code == 404
    for bad in ({"title": "x" * 301}, {"credit": "x" * 301}, {"sha256": "00"}, {"title": None}, {"creator": 3}):
        response = await client.patch(f"/v1/photos/{photo['id']}", headers=alice, json=bad)
        assert response.status_code == 422, (bad, response.text)
    assert (await client.patch("/v1/photos/nope", headers=alice, json={"title": "x"})).status_code == 404

    announced = await _details_events(client.app)
    assert [(event.title, event.authorship.creator, event.authorship.captured_at) for event in announced] == [
        ("Quai de Seine", "Camille Roux", ""),
        ("", "Camille Roux", long_date),
    ], "one event per change, none for an edit that changes nothing or is refused"
    assert announced[0] == photos_pb2.PhotoDetailsChanged(
        photo_id=photo["id"],
        owner_id=alice_token["account_id"],
        title="Quai de Seine",
        authorship=photos_pb2.Authorship(creator="Camille Roux", copyright="© Camille Roux 2026"),
    )


async def test_renditions_are_upright_cached_and_revalidated(client, signup, monkeypatch):
    owner, alice = await signup("alice@example.org")
    _, bob = await signup("bob@example.org")
    photo = await _upload(client, alice, _jpeg((960, 480), orientation=6), "sideways.jpg")
    render_threads = []
    real_render = domain.render_rendition

    def recording_render(*args, **kwargs):
        render_threads.append(threading.current_thread())
        return real_render(*args, **kwargs)

    monkeypatch.setattr(domain, "render_rendition", recording_render)
    url = f"/v1/photos/{photo['id']}/image"
    expected = {"thumb": (160, 320), "medium": (400, 800), "large": (480, 960)}
    etags = {}
    for size, dimensions in expected.items():
        response = await client.get(url, headers=alice, params={"size": size})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "image/jpeg"
        assert response.headers["cache-control"] == CACHE_CONTROL
        etags[size] = response.headers["etag"]
        assert etags[size].startswith('"') and not etags[size].startswith("W/")
        with Image.open(io.BytesIO(response.content)) as image:
            assert image.format == "JPEG" and image.size == dimensions, "upright, longest side capped, never enlarged"
            assert ExifTags.Base.Orientation not in image.getexif()
            top, bottom = (
                image.getpixel((dimensions[0] // 2, 5)),
                image.getpixel((dimensions[0] // 2, dimensions[1] - 5)),
            )
        assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0], "the left (red) side is on top once turned"
    assert len(set(etags.values())) == 3
    assert render_threads and threading.main_thread() not in render_threads, "Pillow runs off the event loop"

    objects = client.app.state.runtime.objects
    key = f"derived/{owner['account_id']}/{photo['id']}/thumb.jpg"
    first = await client.get(url, headers=alice)
    assert first.headers["etag"] == etags["thumb"] and first.content == await objects.get(key), "default is thumb"
    renders = len(render_threads)
    again = await client.get(url, headers=alice, params={"size": "thumb"})
    assert again.content == first.content and len(render_threads) == renders, "served from the cache, not remade"

    marker = _jpeg((10, 10), seed=9)
    await objects.put(key, marker, "image/jpeg")
    assert (await client.get(url, headers=alice)).content == marker, "the stored rendition is what is served"

    for header in (etags["thumb"], f'"other", {etags["thumb"]}', "W/" + etags["thumb"], "*"):
        not_modified = await client.get(url, headers={**alice, "If-None-Match": header})
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert not_modified.headers["etag"] == etags["thumb"]
        assert not_modified.headers["cache-control"] == CACHE_CONTROL
    stale = await client.get(url, headers={**alice, "If-None-Match": etags["medium"]})
    assert stale.status_code == 200

    assert (await client.get(url, headers=bob)).status_code == 404
    assert (await client.get(url, headers={**bob, "If-None-Match": "*"})).status_code == 404
    assert (await client.get(url, headers=alice, params={"size": "huge"})).status_code == 422
    assert (await client.get(url)).status_code == 401
    assert not await objects.exists(f"derived/{owner['account_id']}/nope/thumb.jpg")


async def test_renditions_respect_the_pixel_limit(client, signup):
    _, alice = await signup()
    photo = await _upload(client, alice, _jpeg((400, 300)), "p.jpg")
    client.app.state.runtime.settings.max_image_pixels = 100_000
    response = await client.get(f"/v1/photos/{photo['id']}/image", headers=alice, params={"size": "medium"})
    assert response.status_code == 422 and response.json()["type"].endswith("/image-too-large")


async def test_an_offset_beyond_any_real_list_is_a_422_not_a_500(client, signup):
    _, auth = await signup("offsets@example.org")
    answer = await client.get("/v1/photos", headers=auth, params={"offset": 2**63})
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
