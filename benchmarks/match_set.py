"""Build the image copy-detection benchmark set that `make match-eval` scores the matcher on.

The matcher has to recognise a photographer's photo after the edits that thieves and re-publishers
make (crops, re-encodes, overlays, watermarks, flips, colour changes, screenshots of a page showing
it) and must stay quiet on photos it has never seen. This script turns a folder of photos into such
a set, deterministically for a given --seed:

- `<out>/refs/`: the first 150 photos (sorted by name), bytes unchanged, names kept;
- `<out>/queries/`: one query per reference for each transformation family, plus negatives built
  only from the other photos and from synthetic images (no pixel of a reference ever reaches one);
- `<out>/truth.csv`: `query,reference,transform`, with an empty reference for negatives.

The photos are the BSDS500 training images: P. Arbelaez, M. Maire, C. Fowlkes, J. Malik,
"Contour Detection and Hierarchical Image Segmentation", IEEE TPAMI 33(5), 2011. The
transformations are written here. Neither the photos nor the generated set are committed.

    python benchmarks/match_set.py --photos ../shared/data/photos/bsds500-train --out /tmp/matchset
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import os
import random
import shutil
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

REFERENCE_COUNT = 150
PHOTO_SUFFIXES = {".jpg", ".jpeg"}
LANCZOS = Image.Resampling.LANCZOS
BICUBIC = Image.Resampling.BICUBIC

OVERLAY_TEXTS = [
    "FOR SALE",
    "SOLD OUT",
    "Limited offer",
    "-40% this week",
    "Visit Lisbon",
    "Book now",
    "A vendre",
    "Photo du jour",
    "Nouvelle collection",
    "Best price guaranteed",
    "www.example-shop.com",
    "Call 555-0134",
    "Summer sale",
    "Travel deals",
    "Free shipping",
    "Open house Sunday",
    "Holiday rentals",
    "#wanderlust",
]
BRANDS = ["NORDA", "Pixel Co", "AURA", "bluefox", "KAMI", "Vista", "OMNI", "Lumen", "terra", "ZEST", "Halo", "MAPLE"]
WATERMARKS = ["(c) PHOTOSTOCK", "SAMPLE", "PREVIEW", "(c) studio-nord", "DO NOT COPY", "shutterpix", "proof"]
NAV_ITEMS = ["Home", "News", "Travel", "Shop", "Deals", "Blog", "About", "Contact", "Gallery", "Events", "Login"]
LOREM = (
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore "
    "magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo "
    "consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur excepteur sint "
    "occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim id est laborum"
).split()


@dataclass(frozen=True)
class Encoding:
    format: str
    quality: int = 95

    @property
    def suffix(self) -> str:
        return {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}[self.format]

    @property
    def lossy(self) -> bool:
        return self.format != "PNG"

    def encode(self, image: Image.Image) -> bytes:
        if self.format == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        buffer = io.BytesIO()
        if self.format == "PNG":
            image.save(buffer, "PNG", compress_level=3)
        else:
            image.save(buffer, self.format, quality=self.quality)
        return buffer.getvalue()


Family = Callable[[Image.Image, random.Random], tuple[Image.Image, Encoding]]


@lru_cache(maxsize=256)
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=max(6, int(size)))


MEASURE = ImageDraw.Draw(Image.new("L", (1, 1)))


def text_size(text: str, size: int, stroke: int = 0) -> tuple[int, int]:
    left, top, right, bottom = MEASURE.multiline_textbbox((0, 0), text, font=font(size), stroke_width=stroke)
    return right - left, bottom - top


def fitted_font_size(text: str, max_width: float, max_height: float) -> int:
    width, height = text_size(text, 100)
    return max(8, int(100 * min(max_width / width, max_height / height)))


def random_colour(rng: random.Random) -> tuple[int, int, int]:
    return rng.randrange(256), rng.randrange(256), rng.randrange(256)


def contrasting(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    return (20, 20, 20) if sum(colour) > 382 else (240, 240, 240)


def resized(image: Image.Image, scale_x: float, scale_y: float | None = None) -> Image.Image:
    scale_y = scale_x if scale_y is None else scale_y
    return image.resize((max(16, round(image.width * scale_x)), max(16, round(image.height * scale_y))), LANCZOS)


def crop_fraction(image: Image.Image, rng: random.Random) -> tuple[int, int]:
    area = rng.uniform(0.30, 0.70)
    ratio = rng.uniform(0.85, 1.15)
    width_fraction = min(1.0, math.sqrt(area) * ratio)
    height_fraction = min(1.0, area / width_fraction)
    return round(image.width * width_fraction), round(image.height * height_fraction)


def crop_centre(image: Image.Image, rng: random.Random) -> tuple[Image.Image, Encoding]:
    width, height = crop_fraction(image, rng)
    left, top = (image.width - width) // 2, (image.height - height) // 2
    cropped = image.crop((left, top, left + width, top + height))
    target_width = rng.randint(300, 900)
    return cropped.resize((target_width, round(height * target_width / width)), LANCZOS), Encoding(
        "JPEG", rng.randint(80, 92)
    )


def crop_offset(image: Image.Image, rng: random.Random) -> tuple[Image.Image, Encoding]:
    width, height = crop_fraction(image, rng)
    spare_x, spare_y = image.width - width, image.height - height
    anchor_x, anchor_y = rng.choice([(ax, ay) for ax in (0, 1, 2) for ay in (0, 1, 2) if (ax, ay) != (1, 1)])
    left = {0: 0, 1: rng.randint(0, spare_x), 2: spare_x}[anchor_x]
    top = {0: 0, 1: rng.randint(0, spare_y), 2: spare_y}[anchor_y]
    return image.crop((left, top, left + width, top + height)), Encoding("JPEG", rng.randint(80, 92))


def jpeg_low(image: Image.Image, rng: random.Random) -> tuple[Image.Image, Encoding]:
    if rng.random() < 0.5:
        image = resized(image, rng.uniform(0.5, 1.0))
    return image, Encoding("JPEG", rng.randint(15, 35))


def resize(image: Image.Image, rng: random.Random) -> tuple[Image.Image, Encoding]:
    scale = rng.uniform(0.25, 0.60) if rng.random() < 0.7 else rng.uniform(1.1, 1.5)
    encoding = rng.choice([Encoding("PNG"), Encoding("WEBP", 80), Encoding("JPEG", 80)])
    return resized(image, scale), encoding


def text_overlay(image: Image.Image, rng: random.Random) -> tuple[Image.Image, Encoding]:
    text = "\n".join(rng.sample(OVERLAY_TEXTS, rng.randint(1, 3)))
    boxed = rng.random() < 0.4
    stroke = 0 if boxed or rng.random() < 0.5 else 2
    coverage = rng.uniform(0.06, 0.20)
    width_100, height_100 = text_size(text, 100)
    padding = 1.3 if boxed else 1.0
    size = math.sqrt(coverage * image.width * image.height / (width_100 * height_100 * padding * padding)) * 100
    size = int(min(size, 100 * 0.94 * image.width / (width_100 * padding), 100 * 0.9 * image.height / height_100))
    stroke = max(stroke, size // 25) if stroke else 0
    width, height = text_size(text, size, stroke)
    pad = round(0.15 * size) if boxed else 0
    left = rng.randint(pad, max(pad, image.width - width - pad))
    top = rng.randint(pad, max(pad, image.height - height - pad))
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    ink = random_colour(rng)
    if boxed:
        draw.rectangle((left - pad, top - pad, left + width + pad, top + height + pad), fill=(*contrasting(ink), 170))
    offset_x, offset_y, _, _ = MEASURE.multiline_textbbox((0, 0), text, font=font(size), stroke_width=stroke)
    draw.multiline_text(
        (left - offset_x, top - offset_y),
        text,
        font=font(size),
        fill=(*ink, 255),
        stroke_width=stroke,
        stroke_fill=contrasting(ink),
        spacing=4,
    )
    composed = Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")
    return composed, Encoding("JPEG", rng.randint(82, 92))


def make_logo(rng: random.Random, width: int) -> Image.Image:
    stacked = rng.random() < 0.4
    height = max(12, round(width * (rng.uniform(0.8, 1.0) if stacked else rng.uniform(0.28, 0.4))))
    logo = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    background = random_colour(rng)
    style = rng.choice(["plain", "box", "rounded"])
    if style == "box":
        draw.rectangle((0, 0, width - 1, height - 1), fill=(*background, 255))
    elif style == "rounded":
        draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=min(width, height) // 4, fill=(*background, 255))
    ink = contrasting(background) if style != "plain" else random_colour(rng)
    if stacked:
        icon = round(height * 0.5)
        box = ((width - icon) // 2, round(height * 0.08), (width + icon) // 2, round(height * 0.08) + icon)
        text_box = (round(width * 0.08), box[3] + round(height * 0.06), round(width * 0.92), round(height * 0.94))
    else:
        icon = round(height * 0.7)
        margin = (height - icon) // 2
        box = (margin, margin, margin + icon, margin + icon)
        text_box = (box[2] + margin, round(height * 0.2), width - margin, round(height * 0.8))
    accent = random_colour(rng)
    shape = rng.choice(["circle", "square", "triangle", "diamond", "ring"])
    if shape == "circle":
        draw.ellipse(box, fill=(*accent, 255))
    elif shape == "ring":
        draw.ellipse(box, outline=(*accent, 255), width=max(2, icon // 6))
    elif shape == "square":
        draw.rectangle(box, fill=(*accent, 255))
    elif shape == "triangle":
        draw.polygon([(box[0], box[3]), ((box[0] + box[2]) // 2, box[1]), (box[2], box[3])], fill=(*accent, 255))
    else:
        middle_x, middle_y = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
        draw.polygon(
            [(middle_x, box[1]), (box[2], middle_y), (middle_x, box[3]), (box[0], middle_y)], fill=(*accent, 255)
        )
    brand = rng.choice(BRANDS)
    text_width, text_height = text_box[2] - text_box[0], text_box[3] - text_box[1]
    if text_width > 8 and text_height > 4:
        size = fitted_font_size(brand, text_width, text_height)
        bbox = MEASURE.textbbox((0, 0), brand, font=font(size))
        left = text_box[0] + (text_width - (bbox[2] - bbox[0])) // 2 - bbox[0]
        top = text_box[1] + (text_height - (bbox[3] - bbox[1])) // 2 - bbox[1]
        draw.text((left, top), brand, font=font(size), fill=(*ink, 255))
    if rng.random() < 0.5:
        alpha = logo.getchannel("A").point(lambda value, scale=rng.uniform(0.35, 0.75): round(value * scale))
        logo.putalpha(alpha)
    return logo


def logo_overlay(image: Image.Image, rng: random.Random) -> tuple[Image.Image, Encoding]:
    logo = make_logo(rng, round(image.width * rng.uniform(0.10, 0.25)))
    margin = round(image.width * rng.uniform(0.0, 0.04))
    left = margin if rng.random() < 0.5 else image.width - logo.width - margin
    top = margin if rng.random() < 0.5 else image.height - logo.height - margin
    composed = image.convert("RGBA")
    composed.alpha_composite(logo, (max(0, left), max(0, top)))
    return composed.convert("RGB"), Encoding("JPEG", rng.randint(82, 92))


def watermark_band(image: Image.Image, rng: random.Random) -> tuple[Image.Image, Encoding]:
    diagonal = rng.random() < 0.5
    side = math.ceil(math.hypot(*image.size)) if diagonal else None
    layer_size = (side, side) if side else image.size
    layer = Image.new("RGBA", layer_size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    band_height = round(image.height * rng.uniform(0.08, 0.20))
    centre = layer_size[1] // 2 if diagonal else rng.randint(band_height, image.height - band_height)
    band_top = centre - band_height // 2
    tone = rng.choice([(255, 255, 255), (0, 0, 0), random_colour(rng)])
    draw.rectangle((0, band_top, layer_size[0], band_top + band_height), fill=(*tone, rng.randint(60, 140)))
    text = rng.choice(WATERMARKS)
    size = max(8, round(band_height * 0.6))
    bbox = MEASURE.textbbox((0, 0), text, font=font(size))
    step = bbox[2] - bbox[0] + size
    ink = (*contrasting(tone), rng.randint(110, 200))
    for left in range(-rng.randint(0, step), layer_size[0], step):
        draw.text((left, centre - (bbox[1] + bbox[3]) // 2), text, font=font(size), fill=ink)
    if diagonal:
        angle = rng.choice([-1, 1]) * rng.uniform(20, 45)
        layer = layer.rotate(angle, resample=BICUBIC)
        left, top = (side - image.width) // 2, (side - image.height) // 2
        layer = layer.crop((left, top, left + image.width, top + image.height))
    composed = Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")
    return composed, Encoding("JPEG", rng.randint(82, 92))


def mirror(image: Image.Image, rng: random.Random) -> tuple[Image.Image, Encoding]:
    quality = rng.randint(60, 80) if rng.random() < 0.4 else 95
    return ImageOps.mirror(image), Encoding("JPEG", quality)


def largest_inner_rectangle(width: int, height: int, angle: float) -> tuple[float, float]:
    sin_a, cos_a = abs(math.sin(math.radians(angle))), abs(math.cos(math.radians(angle)))
    long_side, short_side = max(width, height), min(width, height)
    if short_side <= 2 * sin_a * cos_a * long_side:
        half = short_side / 2
        return (half / sin_a, half / cos_a) if width >= height else (half / cos_a, half / sin_a)
    cos_2a = cos_a * cos_a - sin_a * sin_a
    return (width * cos_a - height * sin_a) / cos_2a, (height * cos_a - width * sin_a) / cos_2a


def rotate(image: Image.Image, rng: random.Random) -> tuple[Image.Image, Encoding]:
    angle = rng.choice([-1, 1]) * rng.uniform(2, 10)
    if rng.random() < 0.5:
        inner_width, inner_height = largest_inner_rectangle(image.width, image.height, angle)
        turned = image.rotate(angle, resample=BICUBIC)
        left, top = (image.width - inner_width) / 2, (image.height - inner_height) / 2
        turned = turned.crop(
            (math.ceil(left), math.ceil(top), math.floor(left + inner_width), math.floor(top + inner_height))
        )
        if rng.random() < 0.5:
            turned = turned.resize(image.size, LANCZOS)
    else:
        fill = rng.choice([(0, 0, 0), (255, 255, 255), random_colour(rng)])
        turned = image.rotate(angle, resample=BICUBIC, expand=True, fillcolor=fill)
    return turned, Encoding("JPEG", rng.randint(85, 92))


def sepia(image: Image.Image) -> Image.Image:
    pixels = np.asarray(image.convert("RGB"), dtype=np.float32)
    matrix = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]], dtype=np.float32)
    return Image.fromarray(np.clip(pixels @ matrix.T, 0, 255).astype(np.uint8))


def hue_shift(image: Image.Image, rng: random.Random) -> Image.Image:
    hue, saturation, value = image.convert("HSV").split()
    offset = rng.choice([-1, 1]) * rng.randint(8, 40)
    hue = hue.point(lambda h: (h + offset) % 256)
    return Image.merge("HSV", (hue, saturation, value)).convert("RGB")


def channel_gains(image: Image.Image, rng: random.Random) -> Image.Image:
    pixels = np.asarray(image.convert("RGB"), dtype=np.float32)
    gains = np.array([rng.uniform(0.8, 1.2) for _ in range(3)], dtype=np.float32)
    offsets = np.array([rng.uniform(-25, 25) for _ in range(3)], dtype=np.float32)
    return Image.fromarray(np.clip(pixels * gains + offsets, 0, 255).astype(np.uint8))


def colour(image: Image.Image, rng: random.Random) -> tuple[Image.Image, Encoding]:
    kind = rng.choice(["enhance", "enhance", "hue", "channels", "sepia"])
    if kind == "sepia":
        image = sepia(image)
    elif kind == "hue":
        image = hue_shift(image, rng)
    elif kind == "channels":
        image = channel_gains(image, rng)
    else:
        enhancers = [ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color]
        for enhancer in rng.sample(enhancers, rng.randint(1, 3)):
            factor = rng.choice([rng.uniform(0.6, 0.85), rng.uniform(1.15, 1.4)])
            image = enhancer(image).enhance(factor)
    return image, Encoding("JPEG", rng.randint(85, 92))


def grayscale(image: Image.Image, rng: random.Random) -> tuple[Image.Image, Encoding]:
    return image.convert("L"), Encoding("JPEG", rng.randint(85, 92))


def blur(image: Image.Image, rng: random.Random) -> tuple[Image.Image, Encoding]:
    return image.filter(ImageFilter.GaussianBlur(rng.uniform(1, 3))), Encoding("JPEG", rng.randint(85, 92))


def aspect(image: Image.Image, rng: random.Random) -> tuple[Image.Image, Encoding]:
    factor = rng.choice([rng.uniform(0.75, 0.92), rng.uniform(1.08, 1.3)])
    stretched = resized(image, factor, 1.0) if rng.random() < 0.5 else resized(image, 1.0, factor)
    return stretched, Encoding("JPEG", rng.randint(85, 92))


def lorem_line(rng: random.Random, size: int, max_width: float) -> str:
    words, width = [], 0.0
    space = font(size).getlength(" ")
    while True:
        word = rng.choice(LOREM)
        word_width = font(size).getlength(word)
        if width + word_width > max_width:
            return " ".join(words)
        words.append(word)
        width += word_width + space


def synthetic_picture(rng: random.Random, width: int, height: int) -> Image.Image:
    start, end = np.array(random_colour(rng), np.float32), np.array(random_colour(rng), np.float32)
    ramp = np.linspace(0, 1, width, dtype=np.float32)[None, :, None]
    pixels = np.broadcast_to(start + (end - start) * ramp, (height, width, 3))
    picture = Image.fromarray(pixels.astype(np.uint8))
    draw = ImageDraw.Draw(picture)
    for _ in range(rng.randint(1, 4)):
        x, y = rng.randrange(width), rng.randrange(height)
        radius = rng.randint(max(4, min(width, height) // 10), max(8, min(width, height) // 3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x - radius, y - radius, x + radius, y + radius), fill=random_colour(rng))
    return picture


def render_page(rng: random.Random, photo: Image.Image | None) -> Image.Image:
    width, height = rng.randint(1280, 1440), rng.randint(800, 1000)
    paper = rng.choice([(255, 255, 255), (250, 250, 247), (245, 247, 250), (252, 250, 245)])
    page = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(page)
    header_height = rng.randint(56, 90)
    header = rng.choice([(33, 37, 41), (20, 60, 120), (180, 30, 45), (30, 110, 80), (240, 240, 240), (90, 40, 130)])
    draw.rectangle((0, 0, width, header_height), fill=header)
    header_ink = contrasting(header)
    title_size = round(header_height * 0.45)
    draw.text((28, header_height // 2), rng.choice(BRANDS), font=font(title_size), fill=header_ink, anchor="lm")
    nav_size = rng.randint(14, 18)
    nav_left = width - 40
    for item in rng.sample(NAV_ITEMS, rng.randint(4, 7)):
        nav_left -= font(nav_size).getlength(item) + 28
        draw.text((nav_left, header_height // 2), item, font=font(nav_size), fill=header_ink, anchor="lm")

    margin = rng.randint(24, 40)
    sidebar_width = rng.randint(240, 320)
    sidebar_left = rng.random() < 0.3
    sidebar_x = margin if sidebar_left else width - margin - sidebar_width
    content_left = sidebar_x + sidebar_width + margin if sidebar_left else margin
    content_right = width - margin if sidebar_left else sidebar_x - margin
    box_top = header_height + margin
    while box_top < height - 120:
        box_height = rng.randint(110, 220)
        shade = tuple(max(0, value - rng.randint(8, 25)) for value in paper)
        draw.rectangle((sidebar_x, box_top, sidebar_x + sidebar_width, box_top + box_height), fill=shade)
        draw.text(
            (sidebar_x + 14, box_top + 12),
            lorem_line(rng, 17, sidebar_width - 28).title(),
            font=font(17),
            fill=(40, 40, 40),
        )
        for line_top in range(box_top + 42, box_top + box_height - 18, 20):
            draw.text(
                (sidebar_x + 14, line_top), lorem_line(rng, 13, sidebar_width - 28), font=font(13), fill=(90, 90, 90)
            )
        box_top += box_height + rng.randint(14, 26)

    heading_size = rng.randint(26, 36)
    heading_top = header_height + margin
    heading = lorem_line(rng, heading_size, (content_right - content_left) * rng.uniform(0.5, 0.9)).capitalize()
    draw.text((content_left, heading_top), heading, font=font(heading_size), fill=(25, 25, 25))
    body_top = heading_top + heading_size + 24

    photo_box = None
    if photo is not None:
        scale = rng.uniform(0.40, 0.90)
        scale = min(scale, (height - body_top - 40) / photo.height)
        shown = resized(photo, scale)
        left = rng.choice(
            [content_left, content_right - shown.width, rng.randint(content_left, content_right - shown.width)]
        )
        top = rng.randint(body_top, max(body_top, height - shown.height - 40))
        photo_box = (left, top, left + shown.width, top + shown.height)

    text_size_px = rng.randint(14, 17)
    line_height = round(text_size_px * 1.5)
    line_top = body_top
    while line_top < height - line_height:
        line_left, line_right = content_left, content_right
        if photo_box and line_top + line_height > photo_box[1] - 12 and line_top < photo_box[3] + 30:
            space_left, space_right = photo_box[0] - 20 - content_left, content_right - photo_box[2] - 20
            if max(space_left, space_right) < 150:
                line_top += line_height
                continue
            line_left, line_right = (
                (content_left, photo_box[0] - 20) if space_left >= space_right else (photo_box[2] + 20, content_right)
            )
        if rng.random() < 0.12:
            line_top += line_height
            continue
        line = lorem_line(rng, text_size_px, (line_right - line_left) * rng.uniform(0.85, 1.0))
        draw.text((line_left, line_top), line, font=font(text_size_px), fill=(55, 55, 55))
        line_top += line_height

    if photo_box:
        page.paste(shown, photo_box[:2])
        caption = lorem_line(rng, 12, shown.width * 0.9).capitalize()
        draw.text((photo_box[0], photo_box[3] + 8), caption, font=font(12), fill=(120, 120, 120))
    return page


def screenshot(image: Image.Image, rng: random.Random) -> tuple[Image.Image, Encoding]:
    return render_page(rng, image.convert("RGB")), rng.choice([Encoding("PNG"), Encoding("JPEG", 85)])


def letterbox(image: Image.Image, rng: random.Random) -> tuple[Image.Image, Encoding]:
    ratio_width, ratio_height = rng.choice([(16, 9), (1, 1), (9, 16)])
    scale = max(image.width / ratio_width, image.height / ratio_height)
    canvas_size = (math.ceil(scale * ratio_width), math.ceil(scale * ratio_height))
    bars = rng.choice(["black", "white", "blurred"])
    if bars == "blurred":
        cover = max(canvas_size[0] / image.width, canvas_size[1] / image.height)
        canvas = resized(image, cover).filter(ImageFilter.GaussianBlur(20))
        canvas = canvas.crop(
            ((canvas.width - canvas_size[0]) // 2, (canvas.height - canvas_size[1]) // 2)
            + ((canvas.width + canvas_size[0]) // 2, (canvas.height + canvas_size[1]) // 2)
        )
        canvas = canvas.resize(canvas_size)
    else:
        canvas = Image.new("RGB", canvas_size, (0, 0, 0) if bars == "black" else (255, 255, 255))
    canvas.paste(image, ((canvas_size[0] - image.width) // 2, (canvas_size[1] - image.height) // 2))
    if rng.random() < 0.5:
        long_side = rng.choice([640, 720, 1080, 1280])
        canvas = resized(canvas, long_side / max(canvas.size))
    return canvas, Encoding("JPEG", rng.randint(82, 92))


CHAIN_ORDER: list[Family] = [
    crop_centre,
    crop_offset,
    aspect,
    rotate,
    mirror,
    letterbox,
    text_overlay,
    logo_overlay,
    watermark_band,
    colour,
    grayscale,
    blur,
    resize,
    jpeg_low,
]
EXCLUSIVE = [{crop_centre, crop_offset, letterbox}, {text_overlay, logo_overlay, watermark_band}, {colour, grayscale}]


def combo_steps(rng: random.Random) -> list[Family]:
    while True:
        chosen = set(rng.sample(CHAIN_ORDER, rng.randint(2, 3)))
        if all(len(chosen & group) <= 1 for group in EXCLUSIVE):
            return [step for step in CHAIN_ORDER if step in chosen]


def combo(image: Image.Image, rng: random.Random) -> tuple[Image.Image, Encoding]:
    steps = combo_steps(rng)
    for index, step in enumerate(steps):
        image, encoding = step(image, rng)
        if index < len(steps) - 1 and encoding.lossy and encoding.quality < 90:
            image = Image.open(io.BytesIO(encoding.encode(image)))
            image.load()
    return image, encoding


FAMILIES: dict[str, Family] = {
    family.__name__: family
    for family in [
        crop_centre,
        crop_offset,
        jpeg_low,
        resize,
        text_overlay,
        logo_overlay,
        watermark_band,
        mirror,
        rotate,
        colour,
        grayscale,
        blur,
        aspect,
        screenshot,
        letterbox,
        combo,
    ]
}
EDITS = [name for name in FAMILIES if name != "screenshot"]
PHOTO_NEGATIVES = {"negative_photo", "negative_photo_edit", "negative_page_photo"}


def flat_image(rng: random.Random, kind: str) -> Image.Image:
    width, height = rng.randint(300, 1200), rng.randint(300, 1200)
    base = np.array(random_colour(rng), dtype=np.float32)
    if kind == "negative_flat":
        pixels = np.broadcast_to(base, (height, width, 3))
    elif kind == "negative_gradient":
        other = np.array(random_colour(rng), dtype=np.float32)
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        if rng.random() < 0.6:
            angle = rng.uniform(0, 2 * math.pi)
            ramp = xs * math.cos(angle) + ys * math.sin(angle)
        else:
            ramp = np.hypot(xs - rng.uniform(0, width), ys - rng.uniform(0, height))
        ramp = (ramp - ramp.min()) / max(1e-6, float(ramp.max() - ramp.min()))
        pixels = base + (other - base) * ramp[..., None]
    else:
        noise = np.random.default_rng(rng.getrandbits(64)).normal(0, rng.uniform(1.5, 6), (height, width, 1))
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        vignette = 1 - rng.uniform(0, 0.08) * np.hypot(xs / width - 0.5, ys / height - 0.5)[..., None] * 2
        pixels = base * vignette + noise
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


@dataclass(frozen=True)
class Task:
    stem: str
    transform: str
    source: Path | None
    reference: str
    key: str
    out_dir: Path


def run_task(task: Task) -> tuple[str, str, str]:
    if task.transform == "negative_photo":
        name = task.stem + task.source.suffix.lower()
        shutil.copyfile(task.source, task.out_dir / name)
        return name, task.reference, task.transform
    rng = random.Random(task.key)
    photo = Image.open(task.source).convert("RGB") if task.source else None
    if task.transform in FAMILIES:
        image, encoding = FAMILIES[task.transform](photo, rng)
    elif task.transform == "negative_photo_edit":
        image, encoding = FAMILIES[rng.choice(EDITS)](photo, rng)
    elif task.transform in ("negative_page_photo", "negative_page"):
        if photo is None and rng.random() < 0.6:
            photo = synthetic_picture(rng, rng.randint(300, 600), rng.randint(200, 450))
        image, encoding = render_page(rng, photo), rng.choice([Encoding("PNG"), Encoding("JPEG", 85)])
    else:
        image, encoding = flat_image(rng, task.transform), rng.choice([Encoding("PNG"), Encoding("JPEG", 90)])
    name = task.stem + encoding.suffix
    (task.out_dir / name).write_bytes(encoding.encode(image))
    return name, task.reference, task.transform


def negative_plan(count: int, others: int) -> dict[str, int]:
    plan = {
        "negative_photo": min(others, round(count * 0.125)),
        "negative_page_photo": round(count * 0.15),
        "negative_page": round(count * 0.15),
        "negative_flat": round(count * 0.0375),
        "negative_gradient": round(count * 0.05),
        "negative_near_uniform": round(count * 0.0375),
    }
    plan["negative_photo_edit"] = max(0, count - sum(plan.values()))
    return plan


def build_tasks(references: list[Path], others: list[Path], negatives: int, seed: int, out_dir: Path) -> list[Task]:
    planned: list[tuple[str, Path | None, str]] = []
    for family in FAMILIES:
        planned += [(family, reference, reference.name) for reference in references]
    for transform, count in negative_plan(negatives, len(others)).items():
        for index in range(count):
            source = others[index % len(others)] if transform in PHOTO_NEGATIVES else None
            planned.append((transform, source, ""))
    order = list(range(len(planned)))
    random.Random(f"{seed}/order").shuffle(order)
    tasks = []
    for number, position in enumerate(order, start=1):
        transform, source, reference = planned[position]
        tasks.append(Task(f"q{number:05d}", transform, source, reference, f"{seed}/{transform}/{position}", out_dir))
    return tasks


def list_photos(folder: Path) -> list[Path]:
    photos = sorted(path for path in folder.iterdir() if path.suffix.lower() in PHOTO_SUFFIXES)
    if len(photos) <= REFERENCE_COUNT:
        raise SystemExit(f"{folder}: need more than {REFERENCE_COUNT} photos (references plus negatives)")
    digests = {hashlib.sha256(path.read_bytes()).hexdigest() for path in photos[:REFERENCE_COUNT]}
    if any(hashlib.sha256(path.read_bytes()).hexdigest() in digests for path in photos[REFERENCE_COUNT:]):
        raise SystemExit(f"{folder}: a non-reference photo duplicates a reference")
    return photos


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path, required=True, help="folder of JPEG photos (BSDS500 train)")
    parser.add_argument("--out", type=Path, required=True, help="output folder (refs/, queries/ and truth.csv)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--negatives", type=int, default=400, help="number of negative queries")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    photos = list_photos(args.photos)
    references, others = photos[:REFERENCE_COUNT], photos[REFERENCE_COUNT:]
    refs_dir, queries_dir = args.out / "refs", args.out / "queries"
    for folder in (refs_dir, queries_dir):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    for reference in references:
        shutil.copyfile(reference, refs_dir / reference.name)

    tasks = build_tasks(references, others, max(0, args.negatives), args.seed, queries_dir)
    with Pool(max(1, args.workers)) as pool:
        rows = sorted(pool.imap_unordered(run_task, tasks, chunksize=8))
    with (args.out / "truth.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["query", "reference", "transform"])
        writer.writerows(rows)

    counts = Counter(transform for _, _, transform in rows)
    negatives = sum(count for transform, count in counts.items() if transform.startswith("negative"))
    summary = {
        "out": str(args.out),
        "refs": len(references),
        "queries": len(rows),
        "positives": len(rows) - negatives,
        "negatives": negatives,
        "transforms": dict(sorted(counts.items())),
    }
    sys.stdout.write(json.dumps(summary) + "\n")


if __name__ == "__main__":
    main()
