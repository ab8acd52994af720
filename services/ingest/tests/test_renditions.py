"""Pure rules for showing and editing photos: renditions, ETags, what an edit changes."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image, ImageCms

from pixhound_ingest.domain import (
    RENDITION_SIDES,
    RenditionRefused,
    changes,
    etag_matches,
    examine_upload,
    render_rendition,
    rendition_etag,
    rendition_object_key,
)


def _encode(image: Image.Image, image_format: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **params)
    return buffer.getvalue()


def _rendered(data: bytes, side: int = 320, max_pixels: int = 50_000_000) -> Image.Image:
    image = Image.open(io.BytesIO(render_rendition(data, side, max_pixels=max_pixels)))
    assert image.format == "JPEG" and image.mode == "RGB"
    return image


@pytest.mark.parametrize(
    ("size", "expected"),
    [((4000, 3000), (320, 240)), ((3000, 4000), (240, 320)), ((200, 100), (200, 100)), ((321, 10), (320, 10))],
    ids=["landscape", "portrait", "small-not-enlarged", "thin"],
)
def test_longest_side_is_capped_and_never_enlarged(size, expected) -> None:
    data = _encode(Image.new("RGB", size, (10, 200, 30)), "JPEG")
    assert _rendered(data).size == expected


@pytest.mark.parametrize(
    ("orientation", "expected_size", "top_is_red"),
    [(1, (320, 160), None), (3, (320, 160), None), (6, (160, 320), True), (8, (160, 320), False)],
)
def test_exif_orientation_is_applied_and_dropped(orientation, expected_size, top_is_red) -> None:
    image = Image.new("RGB", (640, 320), (220, 20, 20))
    image.paste((20, 20, 220), (320, 0, 640, 320))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Artist] = "Camille"
    rendition = _rendered(_encode(image, "JPEG", exif=exif))
    assert rendition.size == expected_size
    assert not rendition.getexif(), "no metadata leaves through a rendition"
    if top_is_red is not None:
        top = rendition.getpixel((80, 5))
        assert (top[0] > top[2]) is top_is_red


@pytest.mark.parametrize(
    ("source", "image_format", "expected"),
    [
        (Image.new("RGBA", (400, 200), (0, 0, 0, 0)), "PNG", (255, 255, 255)),
        (Image.new("LA", (400, 200), (0, 0)), "PNG", (255, 255, 255)),
        (Image.new("RGBA", (400, 200), (200, 30, 30, 255)), "PNG", (200, 30, 30)),
        (Image.new("I;16", (400, 200), 128 * 256), "PNG", (128, 128, 128)),
        (Image.new("L", (400, 200), 90), "JPEG", (90, 90, 90)),
        (Image.new("CMYK", (400, 200), (0, 255, 255, 0)), "JPEG", (255, 0, 0)),
        (Image.new("P", (400, 200), 3), "GIF", (3, 3, 3)),
        (Image.new("RGB", (400, 200), (20, 90, 200)), "WEBP", (20, 90, 200)),
    ],
    ids=["transparent-rgba", "transparent-la", "opaque-rgba", "16-bit-grey", "grey", "cmyk", "palette", "webp"],
)
def test_every_accepted_mode_becomes_an_rgb_jpeg(source, image_format, expected) -> None:
    rendition = _rendered(_encode(source, image_format, **({"lossless": True} if image_format == "WEBP" else {})))
    assert rendition.size == (320, 160)
    pixel = rendition.getpixel((160, 80))
    assert all(abs(got - want) <= 6 for got, want in zip(pixel, expected, strict=True)), (pixel, expected)


def test_a_transparent_gif_is_flattened_on_white() -> None:
    image = Image.new("P", (100, 100), 0)
    image.putpalette([0, 0, 0] * 256)
    data = _encode(image, "GIF", transparency=0)
    assert _rendered(data).getpixel((50, 50)) == (255, 255, 255)


def test_an_rgb_colour_profile_is_kept_and_others_dropped() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    with_profile = _encode(Image.new("RGB", (50, 50)), "JPEG", icc_profile=srgb)
    assert _rendered(with_profile).info.get("icc_profile") == srgb
    cmyk = _encode(Image.new("CMYK", (50, 50)), "JPEG", icc_profile=b"\0" * 16 + b"CMYK" + b"\0" * 108)
    assert "icc_profile" not in _rendered(cmyk).info


def test_renditions_respect_the_pixel_limit() -> None:
    data = _encode(Image.new("RGB", (400, 300)), "PNG")
    with pytest.raises(RenditionRefused) as refused:
        render_rendition(data, 320, max_pixels=400 * 300 - 1)
    assert (refused.value.status, refused.value.slug) == (422, "image-too-large")
    assert render_rendition(data, 320, max_pixels=400 * 300)


def test_unreadable_originals_are_refused() -> None:
    with pytest.raises(RenditionRefused) as refused:
        render_rendition(b"not an image", 320, max_pixels=1000)
    assert refused.value.slug == "unreadable-image"


def test_rendition_sizes_keys_and_etags() -> None:
    assert RENDITION_SIDES == {"thumb": 320, "medium": 800, "large": 1600}
    assert rendition_object_key("owner", "photo", "thumb") == "derived/owner/photo/thumb.jpg"
    etag = rendition_etag("ab" * 32, "medium")
    assert etag.startswith('"') and etag.endswith('"') and "medium" in etag
    assert len({rendition_etag("ab" * 32, size) for size in RENDITION_SIDES}) == 3
    assert rendition_etag("ab" * 32, "thumb") != rendition_etag("cd" * 32, "thumb")


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ("", False),
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", "abc"', True),
        ('"x",W/"abc" ', True),
        ("*", True),
        ('"abcd"', False),
        ("abc", False),
    ],
)
def test_if_none_match(header, matches) -> None:
    assert etag_matches(header, '"abc"') is matches


def test_changes_keep_only_what_differs() -> None:
    current = {"title": "Quai", "creator": "", "copyright": "©"}
    assert changes(current, {"title": "Quai", "creator": "Cam"}) == {"creator": "Cam"}
    assert changes(current, {"copyright": ""}) == {"copyright": ""}
    assert changes(current, {}) == {}


def test_capture_time_read_from_a_file_is_clipped() -> None:
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2026:05:01 19:45:00" + "x" * 500
    data = _encode(Image.new("RGB", (20, 20)), "JPEG", exif=exif)
    facts = examine_upload(data, max_bytes=10_000_000, max_pixels=10_000)
    assert facts.authorship.captured_at == ("2026:05:01 19:45:00" + "x" * 500)[:40]
