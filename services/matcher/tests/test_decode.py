"""Decoding untrusted images: every mode ends as upright RGB at the size asked, and bad input is refused clearly."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from pixhound_matcher.decode import ImageTooLarge, UnusableImage, check_size, decode
from pixhound_matcher.settings import MatcherSettings

MAX_PIXELS = 100_000_000


def _encode(image: Image.Image, image_format: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **params)
    return buffer.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A real small PNG whose header is patched (with a valid CRC) to claim other dimensions."""
    data = bytearray(_encode(Image.new("RGB", (8, 8), (120, 30, 200)), "PNG"))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return bytes(data)


@pytest.fixture(scope="module")
def picture(thief) -> Image.Image:
    return thief.photo(3, (600, 400))


def test_large_jpeg_is_decoded_small_with_its_true_size(thief):
    big = _encode(thief.photo(4, (4000, 2667)), "JPEG", quality=90)
    decoded = decode(big, max_pixels=MAX_PIXELS, max_side=640)
    assert max(decoded.width, decoded.height) == 640
    assert (decoded.original_width, decoded.original_height) == (4000, 2667)
    assert decoded.rgb.dtype == np.uint8 and decoded.rgb.shape[2] == 3


def test_exif_orientation_is_applied(picture):
    exif = Image.Exif()
    exif[0x0112] = 6
    data = _encode(picture, "JPEG", exif=exif.tobytes())
    decoded = decode(data, max_pixels=MAX_PIXELS, max_side=2000)
    assert (decoded.width, decoded.height) == (400, 600)
    assert (decoded.original_width, decoded.original_height) == (400, 600)
    upright = np.asarray(picture.transpose(Image.Transpose.ROTATE_270), dtype=np.int16)
    assert np.abs(decoded.rgb.astype(np.int16) - upright).mean() < 8


def test_cmyk_jpeg(picture):
    decoded = decode(_encode(picture.convert("CMYK"), "JPEG"), max_pixels=MAX_PIXELS, max_side=2000)
    assert np.abs(decoded.rgb.astype(np.int16) - np.asarray(picture, dtype=np.int16)).mean() < 12


def test_sixteen_bit_png_keeps_its_contrast():
    ramp = (np.tile(np.linspace(0, 65535, 256), (64, 1))).astype(np.uint16)
    data = _encode(Image.fromarray(ramp), "PNG")
    decoded = decode(data, max_pixels=MAX_PIXELS, max_side=2000)
    assert decoded.rgb[:, 0].max() < 5 and decoded.rgb[:, -1].min() > 250


def test_transparency_is_composited_on_white(picture):
    rgba = picture.convert("RGBA")
    rgba.putalpha(0)
    decoded = decode(_encode(rgba, "PNG"), max_pixels=MAX_PIXELS, max_side=2000)
    assert decoded.rgb.min() == 255
    palette = picture.convert("P", palette=Image.Palette.ADAPTIVE)
    palette.info["transparency"] = 0
    assert decode(_encode(palette, "PNG", transparency=0), max_pixels=MAX_PIXELS, max_side=2000).rgb.shape[2] == 3


def test_grayscale_and_bilevel(picture):
    for mode in ("L", "LA", "1"):
        decoded = decode(_encode(picture.convert(mode), "PNG"), max_pixels=MAX_PIXELS, max_side=2000)
        assert decoded.rgb.shape == (400, 600, 3)


def test_animated_gif_uses_its_first_frame(picture):
    frames = [picture.convert("P"), picture.transpose(Image.Transpose.FLIP_TOP_BOTTOM).convert("P")]
    data = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    decoded = decode(data, max_pixels=MAX_PIXELS, max_side=2000)
    assert decoded.frames == 2
    first = np.asarray(frames[0].convert("RGB"), dtype=np.int16)
    assert np.abs(decoded.rgb.astype(np.int16) - first).mean() < 1


def test_webp(picture):
    assert decode(_encode(picture, "WEBP"), max_pixels=MAX_PIXELS, max_side=300).width == 300


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty image"),
        (b"<html>not an image</html>", "cannot decode image"),
        (_png_claiming(70_000, 10), "absurd dimensions"),
        (_png_claiming(60_000, 60_000), "decompression bomb"),
        (_png_claiming(12_000, 9_000), "decompression bomb"),
        (_png_claiming(0, 10), "cannot decode image"),
    ],
)
def test_bad_input_is_refused_with_its_reason(data, reason):
    with pytest.raises(UnusableImage, match=reason):
        decode(data, max_pixels=MAX_PIXELS, max_side=640)


def test_truncated_jpeg_is_refused(picture):
    data = _encode(picture, "JPEG")
    with pytest.raises(UnusableImage):
        decode(data[: len(data) // 3], max_pixels=MAX_PIXELS, max_side=640)


def test_pixel_limit_is_a_setting(picture):
    with pytest.raises(UnusableImage, match="exceeds the limit of 1000"):
        decode(_encode(picture, "PNG"), max_pixels=1000, max_side=640)


def test_one_pixel_limit_is_in_force_the_lower_of_the_setting_and_pillows():
    assert MatcherSettings(max_image_pixels=200_000_000).effective_max_image_pixels == Image.MAX_IMAGE_PIXELS
    assert MatcherSettings(max_image_pixels=1_000_000).effective_max_image_pixels == 1_000_000
    over_pillow = _png_claiming(9_500, 9_500)
    with pytest.raises(ImageTooLarge, match=str(Image.MAX_IMAGE_PIXELS)):
        check_size(over_pillow, max_pixels=200_000_000)
    assert check_size(_png_claiming(900, 900), max_pixels=200_000_000) == (900, 900)
