"""Licence price suggestions, the claim and the floor, and the decision deadline."""

from __future__ import annotations

import inspect
import itertools
import json
import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pixhound_cases.money import CurrencyMismatch, Money
from pixhound_cases.pricing import (
    DEFAULT_GRID,
    DEFAULT_SURCHARGE_PERCENT,
    Duration,
    ImageSize,
    InvalidPricing,
    LicenceUse,
    OfferDecision,
    PriceGrid,
    RecoveryPricing,
    SiteCategory,
    decision_deadline,
    suggest_licence_price,
)

PROPERTIES = settings(max_examples=300, deadline=None)


def eur(amount: int) -> Money:
    return Money(amount, "EUR")


def grid_dict(**overrides: object) -> dict[str, object]:
    data = DEFAULT_GRID.to_dict()
    data.update(overrides)
    return data


# Price grid


def test_default_grid_prices_a_year_of_corporate_web_use_at_350_euros() -> None:
    price = suggest_licence_price(
        DEFAULT_GRID, use="commercial_web", duration="1_year", size="medium", category="corporate", currency="EUR"
    )
    assert price == eur(35000)


def test_multipliers_apply() -> None:
    price = suggest_licence_price(
        DEFAULT_GRID,
        use=LicenceUse.ADVERTISING,
        duration=Duration.THREE_YEARS,
        size=ImageSize.LARGE,
        category=SiteCategory.MEDIA,
        currency="EUR",
    )
    assert price == eur(80000 * 2 * 13 * 12 // 100)


def test_every_default_price_is_positive_and_in_whole_euros() -> None:
    for use, duration, size, category in itertools.product(LicenceUse, Duration, ImageSize, SiteCategory):
        price = suggest_licence_price(
            DEFAULT_GRID, use=use, duration=duration, size=size, category=category, currency="EUR"
        )
        assert price.amount > 0 and price.amount % 100 == 0


def test_prices_are_rounded_half_up_to_whole_units() -> None:
    grid = PriceGrid.from_dict(
        grid_dict(base_prices={"commercial_web": 12345, "print": 12350, "social": 1, "advertising": 0})
    )
    kwargs = {"duration": "1_year", "size": "medium", "category": "corporate", "currency": "EUR"}
    assert suggest_licence_price(grid, use="commercial_web", **kwargs) == eur(12300)
    assert suggest_licence_price(grid, use="print", **kwargs) == eur(12400)
    assert suggest_licence_price(grid, use="social", **kwargs) == eur(0)


def test_jpy_grid_rounds_to_whole_yen() -> None:
    grid = PriceGrid.from_dict(
        grid_dict(currency="JPY", base_prices={"commercial_web": 50000, "print": 1, "social": 1, "advertising": 1})
    )
    price = suggest_licence_price(
        grid, use="commercial_web", duration="1_month", size="small", category="blog", currency="JPY"
    )
    assert price == Money(8400, "JPY")


def test_the_grid_prices_only_its_own_currency() -> None:
    with pytest.raises(CurrencyMismatch):
        suggest_licence_price(
            DEFAULT_GRID, use="print", duration="1_year", size="small", category="blog", currency="USD"
        )


def test_unknown_use_is_refused() -> None:
    with pytest.raises(ValueError):
        suggest_licence_price(
            DEFAULT_GRID, use="billboard", duration="1_year", size="small", category="blog", currency="EUR"
        )


def test_grid_round_trips_through_json() -> None:
    data = json.loads(json.dumps(DEFAULT_GRID.to_dict()))
    assert PriceGrid.from_dict(data) == DEFAULT_GRID
    assert data["size_min_width_px"] == {"medium": 600, "large": 1200}


def test_grid_accepts_json_numbers_as_multipliers() -> None:
    grid = PriceGrid.from_dict(grid_dict(size_multipliers={"small": 0.7, "medium": 1, "large": 1.3}))
    assert grid.size_multipliers[ImageSize.SMALL] == Decimal("0.7")
    assert grid.size_multipliers[ImageSize.LARGE] == Decimal("1.3")


def test_grid_cannot_be_changed_after_it_is_built() -> None:
    with pytest.raises(TypeError):
        DEFAULT_GRID.base_prices[LicenceUse.PRINT] = 1  # type: ignore[index]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"base_prices": {"commercial_web": 1, "print": 1, "social": 1}}, "missing \\['advertising'\\]"),
        ({"size_multipliers": {"small": 1, "medium": 1, "large": 1, "huge": 2}}, "unknown \\['huge'\\]"),
        ({"base_prices": {"commercial_web": -1, "print": 1, "social": 1, "advertising": 1}}, "int >= 0"),
        ({"base_prices": {"commercial_web": 1.5, "print": 1, "social": 1, "advertising": 1}}, "int >= 0"),
        ({"duration_multipliers": {"1_month": "0", "1_year": 1, "3_years": 2, "unlimited": 3}}, "> 0"),
        ({"duration_multipliers": {"1_month": "abc", "1_year": 1, "3_years": 2, "unlimited": 3}}, "number"),
        ({"size_min_width_px": {"medium": 1200, "large": 600}}, "0 < medium < large"),
        ({"currency": "eur"}, "unknown currency"),
        ({"colour": "blue"}, "unknown price grid keys"),
    ],
)
def test_invalid_grids_are_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidPricing, match=message):
        PriceGrid.from_dict(grid_dict(**overrides))


def test_missing_section_is_refused() -> None:
    data = grid_dict()
    del data["category_multipliers"]
    with pytest.raises(InvalidPricing, match="category_multipliers"):
        PriceGrid.from_dict(data)


def test_size_from_displayed_width() -> None:
    assert [DEFAULT_GRID.size_for_width(w) for w in (0, 599, 600, 1199, 1200, 4000)] == [
        ImageSize.SMALL,
        ImageSize.SMALL,
        ImageSize.MEDIUM,
        ImageSize.MEDIUM,
        ImageSize.LARGE,
        ImageSize.LARGE,
    ]


# Claim and floor


def test_claim_is_licence_plus_surcharge() -> None:
    assert DEFAULT_SURCHARGE_PERCENT == Decimal(100)
    assert RecoveryPricing(licence_price=eur(35000), floor=eur(35000)).claim_amount() == eur(70000)
    pricing = RecoveryPricing(licence_price=eur(35001), floor=eur(0), surcharge_percent=Decimal(50))
    assert pricing.claim_amount() == eur(52502)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"licence_price": eur(35000), "floor": eur(70001)},
        {"licence_price": eur(-1), "floor": eur(0)},
        {"licence_price": eur(35000), "floor": eur(-1)},
        {"licence_price": eur(35000), "floor": Money(100, "USD")},
        {"licence_price": eur(35000), "floor": eur(100), "surcharge_percent": Decimal(-10)},
        {"licence_price": eur(35000), "floor": eur(100), "surcharge_percent": 10.0},
    ],
)
def test_invalid_pricing_cannot_be_built(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidPricing):
        RecoveryPricing(**kwargs)  # type: ignore[arg-type]


def test_offers_at_or_above_the_floor_are_acceptable() -> None:
    pricing = RecoveryPricing(licence_price=eur(35000), floor=eur(30000))
    assert pricing.evaluate_offer(eur(30000)) == OfferDecision.ACCEPTABLE
    assert pricing.evaluate_offer(eur(90000)) == OfferDecision.ACCEPTABLE
    assert pricing.evaluate_offer(eur(29999)) == OfferDecision.NEEDS_PHOTOGRAPHER_DECISION
    assert pricing.evaluate_offer(eur(0)) == OfferDecision.NEEDS_PHOTOGRAPHER_DECISION


def test_offers_in_another_currency_or_negative_are_refused() -> None:
    pricing = RecoveryPricing(licence_price=eur(35000), floor=eur(30000))
    with pytest.raises(CurrencyMismatch):
        pricing.evaluate_offer(Money(40000, "USD"))
    with pytest.raises(ValueError):
        pricing.evaluate_offer(eur(-1))


def test_the_api_has_no_way_to_accept_below_the_floor() -> None:
    assert {decision.value for decision in OfferDecision} == {"acceptable", "needs_photographer_decision"}
    assert list(inspect.signature(RecoveryPricing.evaluate_offer).parameters) == ["self", "offer"]
    pricing = RecoveryPricing(licence_price=eur(35000), floor=eur(30000))
    with pytest.raises(AttributeError):
        pricing.floor = eur(0)  # type: ignore[misc]


@PROPERTIES
@given(
    licence=st.integers(0, 10**8),
    surcharge=st.integers(0, 30000).map(lambda n: Decimal(n) / 100),
    floor_fraction=st.fractions(0, 1),
    offer=st.integers(0, 10**9),
)
def test_below_the_floor_always_goes_to_the_photographer(
    licence: int, surcharge: Decimal, floor_fraction: Fraction, offer: int
) -> None:
    claim = RecoveryPricing(licence_price=eur(licence), floor=eur(0), surcharge_percent=surcharge).claim_amount()
    floor = math.floor(claim.amount * floor_fraction)
    pricing = RecoveryPricing(licence_price=eur(licence), floor=eur(floor), surcharge_percent=surcharge)
    assert claim.amount >= licence
    decision = pricing.evaluate_offer(eur(offer))
    assert (decision == OfferDecision.ACCEPTABLE) == (offer >= floor)


# Decision deadline


def test_decision_deadline_adds_hours() -> None:
    received = datetime(2026, 1, 10, 9, 30, tzinfo=UTC)
    assert decision_deadline(received, 48) == datetime(2026, 1, 12, 9, 30, tzinfo=UTC)


def test_decision_deadline_counts_elapsed_hours_across_daylight_saving() -> None:
    paris = ZoneInfo("Europe/Paris")
    received = datetime(2025, 3, 29, 12, 0, tzinfo=paris)
    deadline = decision_deadline(received, 24)
    assert deadline.astimezone(UTC) - received.astimezone(UTC) == timedelta(hours=24)
    assert (deadline.hour, deadline.tzinfo) == (13, paris)


def test_decision_deadline_refuses_naive_times_and_non_positive_hours() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        decision_deadline(datetime(2026, 1, 10, 9, 30), 48)
    with pytest.raises(ValueError):
        decision_deadline(datetime(2026, 1, 10, tzinfo=UTC), 0)
