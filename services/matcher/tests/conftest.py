"""Images the matcher tests build: textured photo-like pictures and the copies a thief would make of them."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont, ImageOps


def photo(seed: int, size: tuple[int, int] = (800, 560)) -> Image.Image:
    """A photo-like picture with structure at several scales, different for each seed."""
    rng = np.random.default_rng(seed)
    width, height = size
    coarse = rng.integers(0, 255, (height // 40 + 1, width // 40 + 1, 3), dtype=np.uint8)
    base = Image.fromarray(coarse).resize((width, height), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(base)
    for _ in range(90):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        w, h = int(rng.integers(10, width // 4)), int(rng.integers(10, height // 4))
        colour = tuple(int(v) for v in rng.integers(0, 255, 3))
        shape = rng.integers(0, 3)
        if shape == 0:
            draw.ellipse((x0, y0, x0 + w, y0 + h), fill=colour)
        elif shape == 1:
            draw.rectangle((x0, y0, x0 + w, y0 + h), fill=colour)
        else:
            draw.line((x0, y0, x0 + w, y0 + h), fill=colour, width=int(rng.integers(2, 8)))
    return base


def encode(image: Image.Image, image_format: str = "JPEG", **params) -> bytes:
    buffer = io.BytesIO()
    if image_format == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    image.save(buffer, image_format, **params)
    return buffer.getvalue()


def crop(image: Image.Image, box: tuple[float, float, float, float], width: int = 600) -> Image.Image:
    x, y, w, h = box
    part = image.crop(
        (int(x * image.width), int(y * image.height), int((x + w) * image.width), int((y + h) * image.height))
    )
    return part.resize((width, int(part.height * width / part.width)), Image.Resampling.LANCZOS)


def mirror(image: Image.Image) -> Image.Image:
    return ImageOps.mirror(image)


def screenshot(image: Image.Image, scale: float = 0.45) -> Image.Image:
    """A page capture with a header, text and the photo shown small in the content column."""
    page = Image.new("RGB", (1366, 900), (246, 246, 242))
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, 1366, 70), fill=(30, 60, 110))
    font = ImageFont.load_default(size=16)
    draw.text((40, 22), "Agence du Port - annonces", fill=(255, 255, 255), font=ImageFont.load_default(size=24))
    for line in range(30):
        draw.text(
            (40, 100 + line * 26),
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit " * 1,
            fill=(40, 40, 40),
            font=font,
        )
    shown = image.resize((int(image.width * scale), int(image.height * scale)), Image.Resampling.LANCZOS)
    page.paste(shown, (700, 180))
    return page


def pasted(
    image: Image.Image,
    box: tuple[float, float, float, float],
    *,
    at: tuple[int, int],
    width: int,
    mirrored: bool = False,
) -> tuple[Image.Image, tuple[float, float, float, float]]:
    """A page with a header and text, and `box` of the photo, `width` pixels wide, pasted at `at`; and where the
    pasted photo lies in the page (x, y, width, height as fractions)."""
    page = Image.new("RGB", (1366, 900), (246, 246, 242))
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, 1366, 70), fill=(30, 60, 110))
    font = ImageFont.load_default(size=16)
    for line in range(28):
        draw.text((40, 100 + line * 26), "Lorem ipsum dolor sit amet, consectetur", fill=(40, 40, 40), font=font)
    shown = crop(image, box, width=width)
    page.paste(ImageOps.mirror(shown) if mirrored else shown, at)
    return page, (at[0] / page.width, at[1] / page.height, shown.width / page.width, shown.height / page.height)


def overlay_text(image: Image.Image, text: str = "© Agence du Port") -> Image.Image:
    marked = image.copy()
    draw = ImageDraw.Draw(marked)
    draw.rectangle((0, marked.height - 70, marked.width, marked.height), fill=(255, 255, 255))
    draw.text((20, marked.height - 60), text, fill=(200, 0, 0), font=ImageFont.load_default(size=40))
    return marked


class Thief:
    """What the tests' thief does to a photo (a fixture: test modules cannot import each other here)."""

    photo = staticmethod(photo)
    encode = staticmethod(encode)
    crop = staticmethod(crop)
    mirror = staticmethod(mirror)
    screenshot = staticmethod(screenshot)
    pasted = staticmethod(pasted)
    overlay_text = staticmethod(overlay_text)


@pytest.fixture(scope="session")
def thief() -> type[Thief]:
    return Thief
