"""Pure rules behind the photographers' views: bands, match geometry, track records, image types and money lines."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from pixhound_cases.api.schemas import MoneyItem, MoneyOverview
from pixhound_cases.api.views import MONEY_CSV_COLUMNS, money_csv
from pixhound_cases.domain import (
    Band,
    band_of,
    image_media_type,
    region_box,
    track_record,
)
from pixhound_cases.money import (
    PaymentFacts,
    PayoutFacts,
    case_money,
    major_units,
    money_totals,
    recorded_waterfall,
)

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("score", "band"),
    [(None, Band.UNKNOWN), (0.0, Band.LOW), (0.4499, Band.LOW), (0.45, Band.MEDIUM), (0.75, Band.HIGH), (1.0, "high")],
)
def test_bands_use_the_crawlers_cut_offs(score, band) -> None:
    assert band_of(score) == band


def test_region_box_keeps_boxes_inside_the_image() -> None:
    assert region_box(0.1, 0.2, 0.5, 0.25) == [0.1, 0.2, 0.5, 0.25]
    assert region_box(-0.05, 0.9, 0.5, 0.2) == [0.0, 0.9, 0.45, 0.1], "clipped to the image"
    assert region_box(0.1, 0.1, 0.0, 0.5) is None
    assert region_box(float("nan"), 0.1, 0.5, 0.5) is None
    assert region_box(1.2, 0.1, 0.5, 0.5) is None, "entirely outside"


def test_track_record_measures_payment_and_payout_delay() -> None:
    received = datetime(2026, 11, 1, tzinfo=UTC)
    record = track_record(
        4,
        3,
        [(received, received + timedelta(days=d)) for d in (10, 2)] + [(received, received + timedelta(hours=132))],
    )
    assert (record.cases_taken, record.cases_paid, record.share_paid) == (4, 3, 0.75)
    assert record.median_days_to_payout == 5.5
    assert track_record(0, 0, []).share_paid is None and track_record(0, 0, []).median_days_to_payout is None


@pytest.mark.parametrize(
    ("head", "media_type"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x1cftypavif", "image/avif"),
        (b"<svg onload=alert(1)>", "application/octet-stream"),
        (b"", "application/octet-stream"),
    ],
)
def test_image_media_type_is_read_from_the_bytes(head, media_type) -> None:
    assert image_media_type(head) == media_type


def test_a_recorded_split_becomes_its_waterfall_again() -> None:
    fall = recorded_waterfall(
        gross=50000,
        vat=8333,
        agency_fee=14583,
        platform_commission=1354,
        photographer=25730,
        currency="EUR",
        self_managed=False,
        vat_country="FR",
    )
    assert fall.vat_rate == Decimal(20) and [key for key, *_ in fall.lines()][-1] == "photographer"
    german = recorded_waterfall(
        gross=11900,
        vat=1900,
        agency_fee=0,
        platform_commission=0,
        photographer=10000,
        currency="EUR",
        self_managed=True,
        vat_country="FR",
    )
    assert german.vat_rate == Decimal(19), "the rate that gives the recorded VAT, not the case's current country"
    assert "agency_fee" not in [key for key, *_ in german.lines()]
    with pytest.raises(ValueError, match="!= gross"):
        recorded_waterfall(
            gross=100,
            vat=10,
            agency_fee=0,
            platform_commission=0,
            photographer=80,
            currency="EUR",
            self_managed=True,
            vat_country="FR",
        )


def test_case_money_keeps_currencies_apart_and_splits_owed_from_overdue() -> None:
    lines = case_money(
        "EUR",
        70000,
        [PaymentFacts("EUR", 60000, 30000), PaymentFacts("GBP", 1000, 500)],
        [
            PayoutFacts("EUR", 20000, NOW - timedelta(days=2), None),
            PayoutFacts("EUR", 7000, NOW + timedelta(days=3), None),
            PayoutFacts("EUR", 3000, NOW - timedelta(days=9), NOW - timedelta(days=8)),
        ],
        NOW,
    )
    eur, gbp = lines
    assert (eur.currency, eur.claimed, eur.received, eur.photographer_share) == ("EUR", 70000, 60000, 30000)
    assert (eur.paid_out, eur.owed, eur.overdue, eur.next_due_at) == (3000, 27000, 20000, NOW - timedelta(days=2))
    assert (gbp.currency, gbp.claimed, gbp.received, gbp.owed, gbp.next_due_at) == ("GBP", 0, 1000, 0, None)
    totals = money_totals([*lines, *case_money("EUR", 5000, [], [], NOW)])
    assert [(t.currency, t.claimed, t.received) for t in totals] == [("EUR", 75000, 60000), ("GBP", 0, 1000)]


def test_money_csv_has_major_units_and_no_formulas() -> None:
    assert major_units(123456, "EUR") == "1234.56" and major_units(0, "EUR") == "0.00"
    assert major_units(5000, "JPY") == "5000.00"
    item = MoneyItem(
        case_id="c1",
        photo_id="p1",
        photo_title="=HYPERLINK(1)",
        site_host="agence.example",
        state="paid_by_infringer",
        currency="EUR",
        claimed=70000,
        received=60000,
        photographer_share=29995,
        paid_out=0,
        owed=29995,
        overdue=0,
        next_due_at=NOW,
    )
    text = money_csv(MoneyOverview(totals=[], items=[item]))
    header, row, end = text.split("\r\n")
    assert header.split(",") == list(MONEY_CSV_COLUMNS) and end == ""
    expected = "c1,p1,'=HYPERLINK(1),agence.example,paid_by_infringer,EUR,700.00,600.00,299.95,0.00,299.95,0.00,"
    assert row == expected + NOW.isoformat()


def test_a_cursor_beyond_any_real_list_is_refused_not_a_500():
    import base64

    import pytest

    from pixhound_cases.api.views import decode_cursor
    from pixhound_platform.problems import Problem

    huge = base64.urlsafe_b64encode(f"o:{2**63}".encode()).decode().rstrip("=")
    with pytest.raises(Problem) as refused:
        decode_cursor(huge)
    assert refused.value.status == 422
