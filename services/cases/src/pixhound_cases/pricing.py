"""What to claim from an infringer, and which offers can be accepted without asking the photographer.

A configurable price grid suggests the licence fee the infringer should have paid; a recovery claims that
licence plus a surcharge for the unauthorised use, and never accepts on its own an offer below the
photographer's floor: `evaluate_offer` can only answer "acceptable" or "needs the photographer's decision".

The default grid and surcharge are configurable defaults, not legal advice. The module is pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from pixhound_cases.money import CURRENCY_EXPONENTS, CurrencyMismatch, Money, round_half_up


class LicenceUse(StrEnum):
    COMMERCIAL_WEB = "commercial_web"
    PRINT = "print"
    SOCIAL = "social"
    ADVERTISING = "advertising"


class Duration(StrEnum):
    ONE_MONTH = "1_month"
    ONE_YEAR = "1_year"
    THREE_YEARS = "3_years"
    UNLIMITED = "unlimited"


class ImageSize(StrEnum):
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class SiteCategory(StrEnum):
    REAL_ESTATE = "real_estate"
    E_COMMERCE = "e_commerce"
    MEDIA = "media"
    BLOG = "blog"
    CORPORATE = "corporate"
    OTHER = "other"


class InvalidPricing(ValueError):
    pass


def _multiplier(name: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise InvalidPricing(f"{name} must be a number, got {value!r}")
    try:
        multiplier = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except ArithmeticError:
        raise InvalidPricing(f"{name} must be a number, got {value!r}") from None
    if not multiplier.is_finite() or multiplier <= 0:
        raise InvalidPricing(f"{name} must be a finite number > 0, got {value!r}")
    return multiplier


def _table(
    name: str, keys: type[StrEnum], values: Mapping[Any, Any], convert: Callable[[str, Any], Any]
) -> Mapping[Any, Any]:
    given = {str(key) for key in values}
    expected = {key.value for key in keys}
    if given != expected:
        missing, unknown = sorted(expected - given), sorted(given - expected)
        raise InvalidPricing(f"{name}: missing {missing}, unknown {unknown}")
    return MappingProxyType({keys(str(key)): convert(f"{name}.{key}", value) for key, value in values.items()})


def _price(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidPricing(f"{name} must be an int >= 0 in minor units, got {value!r}")
    return value


@dataclass(frozen=True)
class PriceGrid:
    """Licence prices: a base price per use (minor units of `currency`) times duration, size and site multipliers.

    Image size comes from the displayed width: `large` from `large_min_width_px`, `medium` from
    `medium_min_width_px`, `small` below. Build one from settings or JSON with `from_dict`.
    """

    currency: str
    base_prices: Mapping[LicenceUse, int]
    duration_multipliers: Mapping[Duration, Decimal]
    size_multipliers: Mapping[ImageSize, Decimal]
    category_multipliers: Mapping[SiteCategory, Decimal]
    medium_min_width_px: int = 600
    large_min_width_px: int = 1200

    def __post_init__(self) -> None:
        Money.zero(self.currency)
        object.__setattr__(self, "base_prices", _table("base_prices", LicenceUse, self.base_prices, _price))
        for name, keys in (
            ("duration_multipliers", Duration),
            ("size_multipliers", ImageSize),
            ("category_multipliers", SiteCategory),
        ):
            object.__setattr__(self, name, _table(name, keys, getattr(self, name), _multiplier))
        widths = (self.medium_min_width_px, self.large_min_width_px)
        if any(isinstance(w, bool) or not isinstance(w, int) for w in widths) or not 0 < widths[0] < widths[1]:
            raise InvalidPricing(f"size thresholds must be ints with 0 < medium < large, got {widths}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PriceGrid:
        """Build from the plain-dict shape written by `to_dict` (multipliers as strings or numbers)."""
        thresholds = data.get("size_min_width_px", {})
        unknown = set(data) - {
            "currency",
            "base_prices",
            "duration_multipliers",
            "size_multipliers",
            "category_multipliers",
            "size_min_width_px",
        }
        if unknown or set(thresholds) - {"medium", "large"}:
            raise InvalidPricing(
                f"unknown price grid keys: {sorted(unknown | (set(thresholds) - {'medium', 'large'}))}"
            )
        try:
            return cls(
                currency=data["currency"],
                base_prices=data["base_prices"],
                duration_multipliers=data["duration_multipliers"],
                size_multipliers=data["size_multipliers"],
                category_multipliers=data["category_multipliers"],
                medium_min_width_px=thresholds.get("medium", 600),
                large_min_width_px=thresholds.get("large", 1200),
            )
        except KeyError as missing:
            raise InvalidPricing(f"price grid is missing {missing}") from None
        except ValueError as error:
            raise InvalidPricing(str(error)) from None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; multipliers are strings so no precision is lost."""
        return {
            "currency": self.currency,
            "base_prices": {key.value: value for key, value in self.base_prices.items()},
            "duration_multipliers": {key.value: str(value) for key, value in self.duration_multipliers.items()},
            "size_multipliers": {key.value: str(value) for key, value in self.size_multipliers.items()},
            "category_multipliers": {key.value: str(value) for key, value in self.category_multipliers.items()},
            "size_min_width_px": {"medium": self.medium_min_width_px, "large": self.large_min_width_px},
        }

    def size_for_width(self, width_px: int) -> ImageSize:
        if width_px >= self.large_min_width_px:
            return ImageSize.LARGE
        return ImageSize.MEDIUM if width_px >= self.medium_min_width_px else ImageSize.SMALL


# Configurable defaults, not legal advice: one photo used on a corporate website, medium size, for a year ≈ 350 €.
DEFAULT_GRID = PriceGrid.from_dict(
    {
        "currency": "EUR",
        "base_prices": {"commercial_web": 35000, "print": 45000, "social": 20000, "advertising": 80000},
        "duration_multipliers": {"1_month": "0.4", "1_year": "1", "3_years": "2", "unlimited": "3"},
        "size_multipliers": {"small": "0.7", "medium": "1", "large": "1.3"},
        "category_multipliers": {
            "real_estate": "1",
            "e_commerce": "1.1",
            "media": "1.2",
            "blog": "0.6",
            "corporate": "1",
            "other": "1",
        },
        "size_min_width_px": {"medium": 600, "large": 1200},
    }
)


def suggest_licence_price(
    grid: PriceGrid,
    *,
    use: LicenceUse | str,
    duration: Duration | str,
    size: ImageSize | str,
    category: SiteCategory | str,
    currency: str,
) -> Money:
    """The grid's licence price, rounded half-up to whole currency units. `currency` must be the grid's (no FX here)."""
    if currency != grid.currency:
        raise CurrencyMismatch(f"the grid prices {grid.currency}, not {currency}")
    exact = (
        Fraction(grid.base_prices[LicenceUse(use)])
        * Fraction(grid.duration_multipliers[Duration(duration)])
        * Fraction(grid.size_multipliers[ImageSize(size)])
        * Fraction(grid.category_multipliers[SiteCategory(category)])
    )
    unit = 10 ** CURRENCY_EXPONENTS[currency]
    return Money(round_half_up(exact / unit) * unit, currency)


# Claiming the licence fee plus 100 % is a common practice in France, where a court may award a lump sum above the
# licence fee that would have been due (CPI art. L331-1-3). Configurable, not legal advice.
DEFAULT_SURCHARGE_PERCENT = Decimal(100)


class OfferDecision(StrEnum):
    ACCEPTABLE = "acceptable"
    NEEDS_PHOTOGRAPHER_DECISION = "needs_photographer_decision"


@dataclass(frozen=True, kw_only=True)
class RecoveryPricing:
    """What a recovery claims (licence + surcharge) and the photographer's floor. Invalid pricing cannot be built."""

    licence_price: Money
    floor: Money
    surcharge_percent: Decimal = DEFAULT_SURCHARGE_PERCENT

    def __post_init__(self) -> None:
        self.validate()

    def claim_amount(self) -> Money:
        surcharge = round_half_up(Fraction(self.licence_price.amount) * Fraction(self.surcharge_percent) / 100)
        return self.licence_price + Money(surcharge, self.licence_price.currency)

    def validate(self) -> None:
        """Raise InvalidPricing unless amounts share a currency, everything is >= 0 and floor <= claim."""
        if not isinstance(self.licence_price, Money) or not isinstance(self.floor, Money):
            raise InvalidPricing("licence_price and floor must be Money")
        if self.floor.currency != self.licence_price.currency:
            raise InvalidPricing(f"floor in {self.floor.currency} but licence in {self.licence_price.currency}")
        percent = self.surcharge_percent
        if isinstance(percent, bool) or not isinstance(percent, Decimal | int):
            raise InvalidPricing(f"surcharge_percent must be a Decimal, got {percent!r}")
        if not Decimal(percent).is_finite() or percent < 0:
            raise InvalidPricing(f"surcharge_percent must be finite and >= 0, got {percent}")
        if self.licence_price.amount < 0 or self.floor.amount < 0:
            raise InvalidPricing("licence price and floor must be >= 0")
        if self.floor > self.claim_amount():
            raise InvalidPricing(f"floor {self.floor} is above the claim {self.claim_amount()}")

    def evaluate_offer(self, offer: Money) -> OfferDecision:
        """An offer at or above the floor is acceptable; anything below goes to the photographer, always."""
        if offer.currency != self.floor.currency:
            raise CurrencyMismatch(f"offer in {offer.currency}, pricing in {self.floor.currency}")
        if offer.amount < 0:
            raise ValueError(f"an offer cannot be negative: {offer}")
        return OfferDecision.ACCEPTABLE if offer >= self.floor else OfferDecision.NEEDS_PHOTOGRAPHER_DECISION


def decision_deadline(received_at: datetime, hours: int) -> datetime:
    """`hours` elapsed hours after `received_at` (timezone-aware), in the same timezone, across DST changes."""
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise ValueError("received_at must be timezone-aware")
    if isinstance(hours, bool) or not isinstance(hours, int) or hours <= 0:
        raise ValueError(f"hours must be a positive int, got {hours!r}")
    return (received_at.astimezone(UTC) + timedelta(hours=hours)).astimezone(received_at.tzinfo)
