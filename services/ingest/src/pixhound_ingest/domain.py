"""Pure rules for an uploaded photo: is it an image we accept, what are its facts, who made it.

Also what a photographer's edit changes, and how a photo is shown in the portal: JPEG
renditions of a fixed longest side, upright, never enlarged, stripped of metadata (no GPS
leaves through a thumbnail), identified by an ETag derived from the original's hash.

Passwords are hashed with argon2id at OWASP's parameters (m=19 MiB, t=2, p=1); the older
scrypt hashes (N=2^14) still verify and are replaced at the next successful sign-in. A
sign-in for an email without an account verifies against a fixed dummy hash, so both
answers cost the same. Repeated failures per email and per client address are slowed down
(`sign_in_wait`): a few are free, then each waits twice as long as the last, up to 15 min.

No I/O here: the API hands the bytes in and stores what comes back.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import secrets
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
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


PASSWORD_HASHER = PasswordHasher(
    time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)
LEGACY_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
SIGN_IN_MAX_WAIT_SECONDS = 15 * 60
SIGN_IN_STREAK_FORGOTTEN_AFTER = timedelta(hours=24)


def hash_password(password: str) -> str:
    """An argon2id hash at the current parameters (PHC string, about 100 characters)."""
    return PASSWORD_HASHER.hash(password)


def _legacy_scrypt_matches(password: str, stored: str) -> bool:
    scheme, salt_hex, digest_hex = stored.split("$")
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), **LEGACY_SCRYPT)
    return hmac.compare_digest(candidate.hex(), digest_hex)


def password_matches(password: str, stored: str) -> bool:
    """Whether the password fits the stored hash: argon2id, or the older `scrypt$salt$digest`."""
    if stored.startswith("scrypt$"):
        return _legacy_scrypt_matches(password, stored)
    try:
        return PASSWORD_HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(stored: str) -> bool:
    """An older scheme, or argon2 at parameters other than the current ones."""
    if not stored.startswith("$argon2id$"):
        return True
    try:
        return PASSWORD_HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


# Verified when the email has no account, so that answer costs what a wrong password costs.
DUMMY_PASSWORD_HASH = hash_password(secrets.token_urlsafe(24))


def sign_in_email(email: str) -> str:
    """The email as accounts store it, for looking up and for counting failures (no validation)."""
    return email.strip().lower()


def sign_in_wait(failures: int, last_failure_at: datetime | None, now: datetime, *, free: int) -> float:
    """Seconds before the next attempt is heard: none for the first `free` failures in a row,
    then 1, 2, 4... after the last failure, at most 15 min."""
    if last_failure_at is None or failures < free:
        return 0.0
    wait = min(2 ** min(failures - free, 16), SIGN_IN_MAX_WAIT_SECONDS)
    return max(0.0, (last_failure_at + timedelta(seconds=wait) - now).total_seconds())


def failures_after_attempt(failures: int, last_failure_at: datetime | None, now: datetime) -> int:
    """The streak an attempt is counted into: a streak left alone for a day starts over."""
    if last_failure_at is None or now - last_failure_at > SIGN_IN_STREAK_FORGOTTEN_AFTER:
        return 1
    return failures + 1


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
