"""Pure rules for an uploaded photo: is it an image we accept, what are its facts, who made it.

No I/O here: the API hands the bytes in and stores what comes back.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import re
import warnings
from dataclasses import dataclass, field

from PIL import ExifTags, Image, IptcImagePlugin, UnidentifiedImageError

ACCEPTED_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "TIFF": "image/tiff",
    "GIF": "image/gif",
}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/tiff": "tif", "image/gif": "gif"}
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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


def examine_upload(data: bytes, *, max_bytes: int, max_pixels: int) -> PhotoFacts:
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
        raise RejectedUpload(422, "image-too-large", f"The image has too many pixels: {error}") from error
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
        "captured_at": _text(exif_ifd.get(ExifTags.Base.DateTimeOriginal)),
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
