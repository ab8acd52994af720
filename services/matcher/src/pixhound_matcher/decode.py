"""Turn untrusted image bytes into upright 8-bit pixels at the size the signals need, or refuse them clearly.

Discovered images come from the open web: any format, any mode, sometimes hostile. The
dimensions are checked from the header before any pixel is decoded, against one limit (the
configured one or Pillow's, whichever is lower), JPEG DCT scaling (draft
mode; libjpeg-turbo's reduced decoding for plain upright JPEGs) decodes large photos straight
at a fraction of their size, the EXIF orientation is applied, and every mode (CMYK, 16-bit,
palette, alpha, animated) ends as RGB on white.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE_PIXELS = 65_535
HIGH_DEPTH_MODES = {"I", "I;16", "I;16B", "I;16L", "I;16N", "F"}
REDUCED_FLAGS = {
    1: cv2.IMREAD_COLOR,
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8,
}


class UnusableImage(ValueError):
    """The bytes are not an image the matcher can fingerprint; retrying will not help."""


class ImageTooLarge(UnusableImage):
    """The header announces more pixels than the limit in force; nothing was decoded."""


def pixel_limit(configured: int) -> int:
    """The one limit in force: the configured one, or Pillow's decompression-bomb limit when that is lower."""
    library = Image.MAX_IMAGE_PIXELS
    return configured if library is None else min(configured, int(library))


def check_size(data: bytes, *, max_pixels: int) -> tuple[int, int]:
    """Read the dimensions from the header alone and refuse an image over the limit in force."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                _check_dimensions(image.size, max_pixels)
                return image.size
    except UnusableImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageTooLarge(
            f"the image exceeds the limit of {pixel_limit(max_pixels)} pixels (decompression bomb?)"
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise UnusableImage(f"cannot decode image: {error}") from error


@dataclass(frozen=True)
class DecodedImage:
    rgb: np.ndarray
    original_width: int
    original_height: int
    image_format: str
    frames: int = 1

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])

    def gray(self) -> np.ndarray:
        return cv2.cvtColor(self.rgb, cv2.COLOR_RGB2GRAY)


def decode(data: bytes, *, max_pixels: int, max_side: int) -> DecodedImage:
    """Decode to RGB whose longest side is at most `max_side`, refusing images over `max_pixels`."""
    if not data:
        raise UnusableImage("empty image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                _check_dimensions(image.size, max_pixels)
                frames = int(getattr(image, "n_frames", 1) or 1)
                image_format = image.format or "unknown"
                original_width, original_height = _upright_size(image)
                if _plain_jpeg(image):
                    pixels = _decode_plain_jpeg(data, image.size, max_side)
                    if pixels is not None:
                        return DecodedImage(pixels, original_width, original_height, image_format, frames)
                if image.format == "JPEG":
                    image.draft(None, _draft_request(image.size, max_side))
                upright = ImageOps.exif_transpose(image)
                rgb = _to_rgb(upright)
    except UnusableImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageTooLarge(
            f"the image exceeds the limit of {pixel_limit(max_pixels)} pixels (decompression bomb?)"
        ) from error
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        MemoryError,
    ) as error:
        raise UnusableImage(f"cannot decode image: {error}") from error
    if max(rgb.size) > max_side:
        rgb.thumbnail((max_side, max_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return DecodedImage(
        rgb=np.asarray(rgb, dtype=np.uint8),
        original_width=original_width,
        original_height=original_height,
        image_format=image_format,
        frames=frames,
    )


def _plain_jpeg(image: Image.Image) -> bool:
    """The common case: an upright RGB or grey JPEG, which libjpeg-turbo decodes directly at a reduced scale."""
    return image.format == "JPEG" and image.mode in ("RGB", "L") and image.getexif().get(0x0112, 1) == 1


def _decode_plain_jpeg(data: bytes, size: tuple[int, int], max_side: int) -> np.ndarray | None:
    longest = max(size)
    reduction = next((factor for factor in (8, 4, 2) if longest / factor >= max_side), 1)
    flag = REDUCED_FLAGS[reduction] | cv2.IMREAD_IGNORE_ORIENTATION
    bgr = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), flag)
    if bgr is None:
        return None
    return cv2.cvtColor(_fit(bgr, max_side), cv2.COLOR_BGR2RGB)


def _fit(pixels: np.ndarray, max_side: int) -> np.ndarray:
    """Shrink to `max_side`: area averaging for large reductions; under 2× (the fractional factors left after
    DCT scaling) a light blur then bilinear sampling, as free of aliasing on text and several times faster."""
    height, width = pixels.shape[:2]
    longest = max(width, height)
    if longest <= max_side:
        return pixels
    factor = max_side / longest
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    if factor < 0.5:
        return np.ascontiguousarray(cv2.resize(pixels, size, interpolation=cv2.INTER_AREA))
    blurred = cv2.GaussianBlur(pixels, (3, 3), 0.5 / factor - 0.25)
    return np.ascontiguousarray(cv2.resize(blurred, size, interpolation=cv2.INTER_LINEAR))


def _check_dimensions(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    max_pixels = pixel_limit(max_pixels)
    if width <= 0 or height <= 0:
        raise UnusableImage(f"absurd dimensions {width}x{height}")
    if width > MAX_SIDE_PIXELS or height > MAX_SIDE_PIXELS:
        raise ImageTooLarge(f"absurd dimensions {width}x{height}: a side exceeds {MAX_SIDE_PIXELS} pixels")
    if width * height > max_pixels:
        raise ImageTooLarge(f"{width}x{height} pixels exceeds the limit of {max_pixels} (decompression bomb?)")


def _draft_request(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    width, height = size
    ratio = max_side / max(width, height)
    return max(1, int(width * ratio)), max(1, int(height * ratio))


def _upright_size(image: Image.Image) -> tuple[int, int]:
    width, height = image.size
    orientation = image.getexif().get(0x0112, 1)
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in HIGH_DEPTH_MODES:
        values = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if values.max(initial=0) > 255 else 255.0
        gray = (values.clip(0, peak) * (255.0 / peak)).round().astype(np.uint8)
        return Image.fromarray(gray, "L").convert("RGB")
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        canvas.alpha_composite(rgba)
        return canvas.convert("RGB")
    return image.convert("RGB")
