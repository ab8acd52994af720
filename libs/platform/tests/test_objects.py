"""Object storage: the S3 server and the local folder behave the same for the keys we use."""

import uuid

import pytest

from pixhound_platform.objects import LocalObjectStore, ObjectNotFound, S3ObjectStore


@pytest.fixture(params=["s3", "local"])
async def store(request, tmp_path):
    if request.param == "local":
        store = LocalObjectStore(tmp_path / "objects")
    else:
        import os

        endpoint = request.getfixturevalue("s3_endpoint")
        store = S3ObjectStore.connect(
            endpoint=endpoint,
            access_key=os.environ.get("PIXHOUND_S3_ACCESS_KEY", "pixhound"),
            secret_key=os.environ.get("PIXHOUND_S3_SECRET_KEY", "pixhound-secret"),
            bucket=f"t-{uuid.uuid4().hex[:12]}",
            secure=False,
            region="us-east-1",
        )
    await store.ensure_ready()
    return store


async def test_put_get_exists(store):
    await store.put("crawler/images/ab/abc", b"\x89PNG data", "image/png")
    assert await store.get("crawler/images/ab/abc") == b"\x89PNG data"
    assert await store.exists("crawler/images/ab/abc")
    assert not await store.exists("crawler/images/ab/missing")
    await store.ping()


async def test_missing_object_raises_not_found(store):
    with pytest.raises(ObjectNotFound):
        await store.get("nothing/here")


@pytest.mark.parametrize("key", ["", "/absolute", "a/../../etc/passwd", "a//b"])
async def test_unsafe_keys_are_refused(store, key):
    with pytest.raises(ValueError):
        await store.put(key, b"x")
