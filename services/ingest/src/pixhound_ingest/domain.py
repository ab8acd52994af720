"""Pure rules for an uploaded photo: is it an image we accept, what are its facts, who made it.

Also what a photographer's edit changes, and how a photo is shown in the portal: JPEG
renditions of a fixed longest side, upright, never enlarged, stripped of metadata (no GPS
leaves through a thumbnail), identified by an ETag derived from the original's hash.

No I/O here: the API hands the bytes in and stores what comes back.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from PIL import ExifTags, Image, ImageOps, IptcImagePlugin, UnidentifiedImageError

ACCEPTED_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "TIFF": "image/tiff",
    "GIF": "image/gif",
}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/tiff": "tif", "image/gif": "gif"}
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CAPTURED_AT_FROM_FILE_MAX = 40
RENDITION_SIDES = {"thumb": 320, "medium": 800, "large": 1600}
RENDITION_VERSION = 1
RENDITION_QUALITY = 85


class RejectedUpload(ValueError):
    def __init__(self, status: int, slug: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug


@dataclass(frozen=True)
class Authorship:
    creator: str = ""
    copyright: str = ""
    credit: str = ""
    source: str = ""
    captured_at: str = ""


@dataclass(frozen=True)
class PhotoFacts:
    sha256: str
    content_type: str
    byte_size: int
    width: int
    height: int
    authorship: Authorship = field(default_factory=Authorship)

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def pixel_limit(configured: int) -> int:
    """The one pixel limit in force: the configured one, or Pillow's decompression-bomb limit when lower."""
    library = Image.MAX_IMAGE_PIXELS
    return configured if library is None else min(configured, int(library))


def examine_upload(data: bytes, *, max_bytes: int, max_pixels: int) -> PhotoFacts:
    """The facts of an upload; its size is read from the header and refused before any pixel is decoded."""
    max_pixels = pixel_limit(max_pixels)
    if not data:
        raise RejectedUpload(422, "empty-upload", "The uploaded file is empty.")
    if len(data) > max_bytes:
        raise RejectedUpload(413, "upload-too-large", f"The upload exceeds the limit of {max_bytes} bytes.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format
                width, height = probe.size
                if width * height > max_pixels:
                    raise RejectedUpload(
                        422, "image-too-large", f"{width}x{height} pixels exceeds the limit of {max_pixels}."
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                authorship = read_authorship(image)
    except RejectedUpload:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise RejectedUpload(422, "image-too-large", f"The image exceeds the limit of {max_pixels} pixels.") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise RejectedUpload(415, "unsupported-image", f"The file is not a readable image: {error}") from error
    if image_format not in ACCEPTED_FORMATS:
        raise RejectedUpload(415, "unsupported-image", f"Image format {image_format} is not accepted.")
    return PhotoFacts(
        sha256=hashlib.sha256(data).hexdigest(),
        content_type=ACCEPTED_FORMATS[image_format],
        byte_size=len(data),
        width=width,
        height=height,
        authorship=authorship,
    )


def _text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, (list, tuple)):
        return "; ".join(_text(item) for item in value if item)
    if isinstance(value, dict):
        if "text" in value:  # an XMP element with attributes (xml:lang) keeps its content under "text"
            return _text(value["text"])
        return _text(next(iter(value.values()), "")) if value else ""
    return str(value or "").strip().strip("\x00")


def read_authorship(image: Image.Image) -> Authorship:
    exif = image.getexif()
    exif_ifd = exif.get_ifd(ExifTags.IFD.Exif) if exif else {}
    found = {
        "creator": _text(exif.get(ExifTags.Base.Artist)),
        "copyright": _text(exif.get(ExifTags.Base.Copyright)),
        "captured_at": _text(exif_ifd.get(ExifTags.Base.DateTimeOriginal))[:CAPTURED_AT_FROM_FILE_MAX],
        "credit": "",
        "source": "",
    }
    iptc = IptcImagePlugin.getiptcinfo(image) or {}
    for field_name, record in (
        ("creator", (2, 80)),
        ("copyright", (2, 116)),
        ("credit", (2, 110)),
        ("source", (2, 115)),
    ):
        if not found[field_name] and record in iptc:
            found[field_name] = _text(iptc[record])
    try:
        xmp = image.getxmp() if hasattr(image, "getxmp") else {}
    except Exception:
        xmp = {}
    description = _find_key(xmp, "Description")
    if isinstance(description, (dict, list)):  # several rdf:Description elements come back as a list
        if not found["creator"]:
            found["creator"] = _text(_find_key(description, "creator"))
        if not found["copyright"]:
            found["copyright"] = _text(_find_key(description, "rights"))
    return Authorship(**found)


def _find_key(tree: object, key: str) -> object:
    if isinstance(tree, dict):
        if key in tree:
            return tree[key]
        for value in tree.values():
            found = _find_key(value, key)
            if found is not None:
                return found
    elif isinstance(tree, list):
        for value in tree:
            found = _find_key(value, key)
            if found is not None:
                return found
    return None


def photo_object_key(owner_id: str, facts: PhotoFacts) -> str:
    return f"ingest/photos/{owner_id}/{facts.sha256}.{facts.extension}"


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    if not EMAIL_PATTERN.match(cleaned):
        raise ValueError("not a valid email address")
    return cleaned


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    scheme, salt_hex, digest_hex = stored.split("$")
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), n=2**14, r=8, p=1)
    return hmac.compare_digest(candidate.hex(), digest_hex)


def changes(current: Mapping[str, Any], requested: Mapping[str, Any]) -> dict[str, Any]:
    """The requested values that differ from the current ones: an edit that changes nothing announces nothing."""
    return {name: value for name, value in requested.items() if current[name] != value}


class RenditionRefused(ValueError):
    def __init__(self, status: int, slug: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug


def rendition_object_key(owner_id: str, photo_id: str, size: str) -> str:
    return f"derived/{owner_id}/{photo_id}/{size}.jpg"


def rendition_etag(sha256: str, size: str) -> str:
    """A photo's bytes never change and a rendition is made once, so the original's hash names it."""
    return f'"{sha256}-{size}-v{RENDITION_VERSION}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 If-None-Match: weak comparison against each listed tag, or `*`."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def render_rendition(data: bytes, longest_side: int, *, max_pixels: int) -> bytes:
    """A JPEG of the photo, upright (EXIF orientation applied), its longest side at most `longest_side`."""
    max_pixels = pixel_limit(max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise RenditionRefused(
                        422, "image-too-large", f"{width}x{height} pixels exceeds the limit of {max_pixels}."
                    )
                icc_profile = image.info.get("icc_profile")
                image.draft("RGB", (longest_side, longest_side))
                picture = _flattened(ImageOps.exif_transpose(image))
        picture.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
        output = io.BytesIO()
        options: dict[str, Any] = {"quality": RENDITION_QUALITY, "optimize": True}
        if isinstance(icc_profile, bytes) and icc_profile[16:20] == b"RGB ":
            options["icc_profile"] = icc_profile
        picture.save(output, "JPEG", **options)
        return output.getvalue()
    except RenditionRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise RenditionRefused(
            422, "image-too-large", f"The image exceeds the limit of {max_pixels} pixels."
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise RenditionRefused(422, "unreadable-image", f"The stored photo cannot be read: {error}") from error


def _flattened(image: Image.Image) -> Image.Image:
    """RGB on a white background, 16-bit samples scaled down rather than clipped."""
    if image.mode.startswith("I;16"):
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, "white")
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image.convert("RGB")
