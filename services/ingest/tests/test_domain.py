"""Upload rules: accepted images, refusals with their HTTP status, authorship metadata, accounts."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from PIL import ExifTags, Image

from pixhound_ingest.domain import (
    DUMMY_PASSWORD_HASH,
    Authorship,
    RejectedUpload,
    examine_upload,
    failures_after_attempt,
    hash_password,
    normalise_email,
    password_matches,
    password_needs_rehash,
    photo_object_key,
    sign_in_wait,
)
from pixhound_ingest.settings import IngestSettings

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000


def _encode(image: Image.Image, image_format: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **params)
    return buffer.getvalue()


def _picture(size: tuple[int, int] = (120, 80)) -> Image.Image:
    image = Image.new("RGB", size, (30, 120, 200))
    for x in range(0, size[0], 7):
        for y in range(0, size[1], 5):
            image.putpixel((x, y), ((x * 3) % 256, (y * 5) % 256, 90))
    return image


def _examine(data: bytes, **limits: int):
    return examine_upload(
        data, max_bytes=limits.get("max_bytes", MAX_BYTES), max_pixels=limits.get("max_pixels", MAX_PIXELS)
    )


def _png_claiming(width: int, height: int) -> bytes:
    """A small real PNG whose IHDR is patched (with a valid CRC) to claim other dimensions."""
    data = bytearray(_encode(Image.new("RGB", (8, 8)), "PNG"))
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return bytes(data)


def _with_app_segment(jpeg: bytes, marker: int, payload: bytes) -> bytes:
    """Insert an APPn segment right after the JPEG's start-of-image marker."""
    assert jpeg[:2] == b"\xff\xd8"
    segment = bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def _jpeg_with_iptc(fields: list[tuple[tuple[int, int], bytes]], jpeg: bytes | None = None) -> bytes:
    """A JPEG with an IPTC-IIM block inside a Photoshop APP13 resource, as photo tools write it."""
    iim = b"".join(b"\x1c" + bytes(record) + struct.pack(">H", len(value)) + value for record, value in fields)
    if len(iim) % 2:
        iim += b"\x00"
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iim)) + iim
    return _with_app_segment(jpeg or _encode(_picture(), "JPEG"), 0xED, b"Photoshop 3.0\x00" + resource)


def _jpeg_with_xmp(xmp: str) -> bytes:
    return _with_app_segment(_encode(_picture(), "JPEG"), 0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + xmp.encode())


XMP_TEMPLATE = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">{descriptions}</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""
DC_DESCRIPTION = """<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator>
<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">{rights}</rdf:li></rdf:Alt></dc:rights>
</rdf:Description>"""


# --- accepted uploads ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image_format", "content_type", "extension"),
    [("JPEG", "image/jpeg", "jpg"), ("PNG", "image/png", "png"), ("WEBP", "image/webp", "webp")],
)
def test_accepts_common_formats(image_format: str, content_type: str, extension: str) -> None:
    data = _encode(_picture((120, 80)), image_format)
    facts = _examine(data)
    assert facts.content_type == content_type
    assert facts.extension == extension
    assert (facts.width, facts.height) == (120, 80)
    assert facts.byte_size == len(data)
    assert facts.sha256 == hashlib.sha256(data).hexdigest()


def test_photo_without_metadata_has_empty_authorship() -> None:
    assert _examine(_encode(_picture(), "PNG")).authorship == Authorship()


def test_object_key_uses_owner_hash_and_extension() -> None:
    data = _encode(_picture(), "PNG")
    facts = _examine(data)
    assert photo_object_key("owner-1", facts) == f"ingest/photos/owner-1/{hashlib.sha256(data).hexdigest()}.png"


def test_limits_are_inclusive() -> None:
    data = _encode(_picture((100, 50)), "PNG")
    facts = _examine(data, max_bytes=len(data), max_pixels=100 * 50)
    assert (facts.width, facts.height) == (100, 50)


# --- refusals ------------------------------------------------------------------------------


def _refusal(data: bytes, **limits: int) -> RejectedUpload:
    with pytest.raises(RejectedUpload) as caught:
        _examine(data, **limits)
    return caught.value


def test_refuses_an_empty_upload() -> None:
    refusal = _refusal(b"")
    assert (refusal.status, refusal.slug) == (422, "empty-upload")


def test_refuses_an_upload_over_the_byte_limit() -> None:
    data = _encode(_picture(), "PNG")
    refusal = _refusal(data, max_bytes=len(data) - 1)
    assert refusal.status == 413
    assert refusal.slug == "upload-too-large"


@pytest.mark.parametrize(
    "data",
    [
        b"just some text, not a photo",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
        b"\x00" * 64,
    ],
)
def test_refuses_non_images(data: bytes) -> None:
    refusal = _refusal(data)
    assert (refusal.status, refusal.slug) == (415, "unsupported-image")


def test_refuses_an_image_format_that_is_not_accepted() -> None:
    refusal = _refusal(_encode(_picture(), "BMP"))
    assert (refusal.status, refusal.slug) == (415, "unsupported-image")


@pytest.mark.parametrize("image_format", ["JPEG", "PNG"])
@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_refuses_truncated_images(image_format: str, fraction: float) -> None:
    data = _encode(_picture((400, 300)), image_format)
    refusal = _refusal(data[: int(len(data) * fraction)])
    assert (refusal.status, refusal.slug) == (415, "unsupported-image")


def test_refuses_an_image_over_the_pixel_limit() -> None:
    refusal = _refusal(_encode(_picture((100, 50)), "PNG"), max_pixels=100 * 50 - 1)
    assert (refusal.status, refusal.slug) == (422, "image-too-large")


@pytest.mark.parametrize(
    ("width", "height", "max_pixels"),
    [
        (100_000, 100_000, MAX_PIXELS),  # far past Pillow's own bomb guard
        (10_000, 10_000, 10**12),  # past Pillow's warning level although under our limit
        (10_000, 10_000, MAX_PIXELS),  # over our limit
    ],
)
def test_refuses_decompression_bombs_as_too_large(width: int, height: int, max_pixels: int) -> None:
    refusal = _refusal(_png_claiming(width, height), max_pixels=max_pixels)
    assert (refusal.status, refusal.slug) == (422, "image-too-large")


def test_the_limit_in_force_is_the_lower_of_the_setting_and_pillows() -> None:
    assert IngestSettings(max_image_pixels=200_000_000).effective_max_image_pixels == Image.MAX_IMAGE_PIXELS
    assert IngestSettings(max_image_pixels=1_000).effective_max_image_pixels == 1_000
    refusal = _refusal(_png_claiming(9_500, 9_500), max_pixels=200_000_000)
    assert (refusal.status, refusal.slug) == (422, "image-too-large")
    assert str(refusal) == f"The image exceeds the limit of {Image.MAX_IMAGE_PIXELS} pixels."


def test_rejected_upload_is_a_value_error_with_its_message() -> None:
    refusal = _refusal(b"")
    assert isinstance(refusal, ValueError)
    assert str(refusal)


# --- authorship ----------------------------------------------------------------------------


def test_reads_exif_artist_copyright_and_capture_time() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Artist] = "Jeanne Photographe"
    exif[ExifTags.Base.Copyright] = "(c) 2024 Jeanne Photographe"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2024:05:01 10:30:00"
    authorship = _examine(_encode(_picture(), "JPEG", exif=exif)).authorship
    assert authorship.creator == "Jeanne Photographe"
    assert authorship.copyright == "(c) 2024 Jeanne Photographe"
    assert authorship.captured_at == "2024:05:01 10:30:00"


def test_reads_exif_from_png_and_webp() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Artist] = "Paul Png"
    for image_format in ("PNG", "WEBP"):
        assert _examine(_encode(_picture(), image_format, exif=exif)).authorship.creator == "Paul Png"


def test_reads_iptc_creator_copyright_credit_and_source() -> None:
    data = _jpeg_with_iptc(
        [
            ((2, 80), b"Ivan Iptc"),
            ((2, 116), b"(c) Ivan Iptc"),
            ((2, 110), b"Agence Exemple"),
            ((2, 115), b"Studio Sud"),
        ]
    )
    assert _examine(data).authorship == Authorship(
        creator="Ivan Iptc", copyright="(c) Ivan Iptc", credit="Agence Exemple", source="Studio Sud"
    )


def test_reads_several_iptc_bylines() -> None:
    data = _jpeg_with_iptc([((2, 80), b"Anne Un"), ((2, 80), b"Bruno Deux")])
    assert _examine(data).authorship.creator == "Anne Un; Bruno Deux"


def test_exif_takes_precedence_over_iptc() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Artist] = "Exif Name"
    both = _jpeg_with_iptc(
        [((2, 80), b"Iptc Name"), ((2, 116), b"Iptc Rights")], _encode(_picture(), "JPEG", exif=exif)
    )
    authorship = _examine(both).authorship
    assert authorship.creator == "Exif Name"
    assert authorship.copyright == "Iptc Rights"


def test_reads_xmp_creator_and_rights() -> None:
    xmp = XMP_TEMPLATE.format(descriptions=DC_DESCRIPTION.format(creator="Xavier Xmp", rights="CC BY 4.0 Xavier Xmp"))
    authorship = _examine(_jpeg_with_xmp(xmp)).authorship
    assert authorship.creator == "Xavier Xmp"
    assert authorship.copyright == "CC BY 4.0 Xavier Xmp"


def test_reads_xmp_spread_over_several_descriptions() -> None:
    tool = (
        '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
        "<xmp:CreatorTool>Editor 1.0</xmp:CreatorTool></rdf:Description>"
    )
    xmp = XMP_TEMPLATE.format(
        descriptions=tool + DC_DESCRIPTION.format(creator="Zoé Xmp", rights="Tous droits réservés")
    )
    authorship = _examine(_jpeg_with_xmp(xmp)).authorship
    assert authorship.creator == "Zoé Xmp"
    assert authorship.copyright == "Tous droits réservés"


def test_exif_takes_precedence_over_xmp() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Artist] = "Exif Name"
    xmp = XMP_TEMPLATE.format(descriptions=DC_DESCRIPTION.format(creator="Xmp Name", rights="Xmp Rights"))
    data = _with_app_segment(
        _encode(_picture(), "JPEG", exif=exif), 0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + xmp.encode()
    )
    authorship = _examine(data).authorship
    assert authorship.creator == "Exif Name"
    assert authorship.copyright == "Xmp Rights"


def test_malformed_xmp_is_ignored() -> None:
    data = _jpeg_with_xmp("<x:xmpmeta><rdf:RDF><unclosed")
    facts = _examine(data)
    assert facts.content_type == "image/jpeg"
    assert facts.authorship.creator == ""


# --- accounts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jeanne@Example.FR", "jeanne@example.fr"),
        ("  jeanne.photo+pixhound@example.co.uk \n", "jeanne.photo+pixhound@example.co.uk"),
    ],
)
def test_normalise_email(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "jeanne", "jeanne@", "@example.com", "jeanne@example", "jeanne @example.com", "a@b@c.com"]
)
def test_normalise_email_refuses_invalid_addresses(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_email(raw)


def test_password_hash_round_trip() -> None:
    stored = hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$"), "OWASP's argon2id parameters"
    assert not password_needs_rehash(stored)
    assert "correct horse" not in stored
    assert password_matches("correct horse battery staple", stored)
    assert not password_matches("correct horse battery stapler", stored)
    assert not password_matches("", stored)


def test_password_hash_is_salted() -> None:
    first, second = hash_password("same password"), hash_password("same password")
    assert first != second
    assert password_matches("same password", first) and password_matches("same password", second)


def _legacy_scrypt_hash(password: str, *, n: int = 2**14) -> str:
    salt = bytes(range(16))
    return f"scrypt${salt.hex()}${hashlib.scrypt(password.encode(), salt=salt, n=n, r=8, p=1).hex()}"


def test_older_scrypt_hashes_still_verify_and_ask_to_be_replaced() -> None:
    stored = _legacy_scrypt_hash("an old password")
    assert password_matches("an old password", stored)
    assert not password_matches("an old passwort", stored)
    assert password_needs_rehash(stored)
    weaker = "$argon2id$v=19$m=8192,t=1,p=1$" + hash_password("pw").rsplit("$", 2)[1] + "$" + "A" * 43
    assert password_needs_rehash(weaker) and password_needs_rehash("garbage")


def test_the_dummy_hash_has_the_current_parameters() -> None:
    assert not password_needs_rehash(DUMMY_PASSWORD_HASH)


def test_sign_in_waits_double_after_the_free_failures_up_to_15_minutes() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert [sign_in_wait(n, now, now, free=5) for n in range(4, 9)] == [0, 1, 2, 4, 8]
    assert sign_in_wait(60, now, now, free=5) == sign_in_wait(10**9, now, now, free=5) == 900
    assert sign_in_wait(6, now, now + timedelta(seconds=1.5), free=5) == 0.5
    assert sign_in_wait(6, now, now + timedelta(seconds=3), free=5) == 0
    assert sign_in_wait(3, None, now, free=0) == 0


def test_a_failure_streak_left_alone_for_a_day_starts_over() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert failures_after_attempt(0, None, now) == 1
    assert failures_after_attempt(7, now - timedelta(hours=1), now) == 8
    assert failures_after_attempt(7, now - timedelta(hours=25), now) == 1


def test_password_with_unknown_scheme_does_not_match() -> None:
    stored = hash_password("secret")
    assert not password_matches("secret", "bcrypt$" + stored.split("$", 1)[1])


def test_non_ascii_password_round_trip() -> None:
    stored = hash_password("mot de passe été ☀")
    assert password_matches("mot de passe été ☀", stored)
    assert not password_matches("mot de passe ete ☀", stored)
