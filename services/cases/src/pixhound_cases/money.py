"""Exact money for recoveries: amounts, VAT, the fee waterfall, splits, a double-entry ledger and payout deadlines.

Photographers complained that fees took most of a payment without warning. This module computes, in integer
minor units and before anything is launched, exactly where every cent of an infringer's payment goes:
VAT, the partner agency's fee, the Pixhound commission and the photographer's share. No cent is created or
lost: every split is checked to add up to what was paid, and the ledger refuses unbalanced entries.

Rounding convention, everywhere: to the nearest minor unit, halves away from zero ("half-up" for the
non-negative amounts used here); the last part of any split is what remains, so parts always sum exactly.

The module is pure: no I/O, no clock; dates are passed in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import total_ordering

CURRENCY_EXPONENTS: dict[str, int] = {
    "AUD": 2,
    "BGN": 2,
    "CAD": 2,
    "CHF": 2,
    "CZK": 2,
    "DKK": 2,
    "EUR": 2,
    "GBP": 2,
    "HUF": 2,
    "ISK": 0,
    "JPY": 0,
    "NOK": 2,
    "PLN": 2,
    "RON": 2,
    "SEK": 2,
    "USD": 2,
}

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}

# Standard rates in percent (2025). Reduced rates and special regimes are out of scope; check before relying on them.
VAT_RATES: dict[str, Decimal] = {
    "AT": Decimal("20"),
    "BE": Decimal("21"),
    "BG": Decimal("20"),
    "CY": Decimal("19"),
    "CZ": Decimal("21"),
    "DE": Decimal("19"),
    "DK": Decimal("25"),
    "EE": Decimal("24"),
    "ES": Decimal("21"),
    "FI": Decimal("25.5"),
    "FR": Decimal("20"),
    "GR": Decimal("24"),
    "HR": Decimal("25"),
    "HU": Decimal("27"),
    "IE": Decimal("23"),
    "IT": Decimal("22"),
    "LT": Decimal("21"),
    "LU": Decimal("17"),
    "LV": Decimal("21"),
    "MT": Decimal("18"),
    "NL": Decimal("21"),
    "PL": Decimal("23"),
    "PT": Decimal("23"),
    "RO": Decimal("21"),
    "SE": Decimal("25"),
    "SI": Decimal("22"),
    "SK": Decimal("23"),
    "GB": Decimal("20"),
    "CH": Decimal("8.1"),
    "NO": Decimal("25"),
}


class CurrencyMismatch(ValueError):
    pass


class UnknownCountry(ValueError):
    pass


class UnbalancedEntry(ValueError):
    pass


def round_half_up(value: Fraction | Decimal | int) -> int:
    """Round an exact value to the nearest integer, halves away from zero."""
    exact = Fraction(value)
    magnitude = math.floor(abs(exact) + Fraction(1, 2))
    return magnitude if exact >= 0 else -magnitude


def _check_int(name: str, value: object, *, minimum: int | None = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int in minor units, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def _check_percent(name: str, value: object, *, maximum: Decimal | None = Decimal(100)) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal (floats are inexact), got {type(value).__name__}")
    percent = Decimal(value)
    if not percent.is_finite() or percent < 0 or (maximum is not None and percent > maximum):
        bound = f"between 0 and {maximum}" if maximum is not None else ">= 0"
        raise ValueError(f"{name} must be a finite percentage {bound}, got {value}")
    return percent


def percent_of(amount: int, percent: Decimal) -> int:
    """`percent` % of `amount` minor units, rounded half-up to the minor unit."""
    return round_half_up(Fraction(amount) * Fraction(percent) / 100)


@total_ordering
@dataclass(frozen=True)
class Money:
    """An integer amount of minor units (cents, or yen for JPY) in an ISO 4217 currency; negative for differences."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        _check_int("amount", self.amount, minimum=None)
        if not isinstance(self.currency, str) or self.currency not in CURRENCY_EXPONENTS:
            raise ValueError(
                f"unknown currency {self.currency!r}: expected an uppercase ISO 4217 code among "
                f"{', '.join(sorted(CURRENCY_EXPONENTS))}"
            )

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @property
    def exponent(self) -> int:
        return CURRENCY_EXPONENTS[self.currency]

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def to_decimal(self) -> Decimal:
        """The amount in major units (euros, not cents), exactly."""
        return Decimal(self.amount).scaleb(-self.exponent)

    def format(self, locale: str) -> str:
        """Display text: "1 234,56 €" for fr, "€1,234.56" for en; plain spaces, the ISO code when there is no symbol."""
        language = _language(locale)
        units, minor = divmod(abs(self.amount), 10**self.exponent)
        grouped = f"{units:,}"
        decimal_mark = "."
        if language == "fr":
            grouped, decimal_mark = grouped.replace(",", " "), ","
        number = grouped + (f"{decimal_mark}{minor:0{self.exponent}d}" if self.exponent else "")
        sign = "-" if self.amount < 0 else ""
        symbol = _SYMBOLS.get(self.currency)
        if language == "fr":
            return f"{sign}{number} {symbol or self.currency}"
        return f"{sign}{symbol}{number}" if symbol else f"{sign}{self.currency} {number}"


def _language(locale: str) -> str:
    language = locale.replace("_", "-").split("-")[0].lower()
    if language not in ("fr", "en"):
        raise ValueError(f"unsupported locale {locale!r}: expected fr or en")
    return language


def _format_percent(percent: Decimal, language: str) -> str:
    text = format(percent.normalize(), "f")
    return f"{text.replace('.', ',')} %" if language == "fr" else f"{text}%"


def vat_rate(country: str) -> Decimal:
    """The standard VAT rate, in percent, of an ISO 3166 alpha-2 country code."""
    code = country.strip().upper()
    try:
        return VAT_RATES[code]
    except KeyError:
        raise UnknownCountry(
            f"no VAT rate known for country {country!r}; known: {', '.join(sorted(VAT_RATES))}"
        ) from None


def split_inclusive(gross_minor: int, rate: Decimal) -> tuple[int, int]:
    """Split a VAT-inclusive amount into (net, vat); net is rounded half-up, vat is the rest."""
    _check_int("gross_minor", gross_minor)
    percent = _check_percent("rate", rate, maximum=None)
    net = round_half_up(Fraction(gross_minor) * 100 / (100 + Fraction(percent)))
    return net, gross_minor - net


def add_vat(net_minor: int, rate: Decimal) -> tuple[int, int]:
    """Add VAT to a net amount: (gross, vat), vat rounded half-up."""
    _check_int("net_minor", net_minor)
    vat = percent_of(net_minor, _check_percent("rate", rate, maximum=None))
    return net_minor + vat, vat


@dataclass(frozen=True)
class AgencyContract:
    """A partner agency's fee: `fixed_fee` + `percent` % of the net (VAT-exclusive) recovered amount.

    The result is raised to `min_fee` and lowered to `max_fee` when set, and never exceeds the net amount.
    Amounts are in minor units of the waterfall's currency.
    """

    fixed_fee: int = 0
    percent: Decimal = Decimal(0)
    min_fee: int | None = None
    max_fee: int | None = None

    def __post_init__(self) -> None:
        _check_int("fixed_fee", self.fixed_fee)
        object.__setattr__(self, "percent", _check_percent("percent", self.percent))
        if self.min_fee is not None:
            _check_int("min_fee", self.min_fee)
        if self.max_fee is not None:
            _check_int("max_fee", self.max_fee)
        if self.min_fee is not None and self.max_fee is not None and self.min_fee > self.max_fee:
            raise ValueError(f"min_fee {self.min_fee} is above max_fee {self.max_fee}")

    def fee(self, net: int) -> int:
        _check_int("net", net)
        fee = self.fixed_fee + percent_of(net, self.percent)
        if self.min_fee is not None:
            fee = max(fee, self.min_fee)
        if self.max_fee is not None:
            fee = min(fee, self.max_fee)
        return min(fee, net)


@dataclass(frozen=True)
class PlatformTerms:
    """Pixhound's commission: `commission_percent` % of what remains of the net after the agency fee.

    Taking it after the agency fee means Pixhound never earns on VAT or on the agency's fee, only on
    what would otherwise reach the photographer. `max_commission` (minor units) caps it when set.
    """

    commission_percent: Decimal
    max_commission: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "commission_percent", _check_percent("commission_percent", self.commission_percent))
        if self.max_commission is not None:
            _check_int("max_commission", self.max_commission)

    def commission(self, base: int) -> int:
        _check_int("base", base)
        commission = percent_of(base, self.commission_percent)
        if self.max_commission is not None:
            commission = min(commission, self.max_commission)
        return commission


@dataclass(frozen=True)
class Waterfall:
    """Where an infringer's payment goes. Refuses to exist unless vat + fees + photographer == gross."""

    gross: Money
    vat_rate: Decimal
    vat: Money
    net: Money
    agency_fee: Money
    platform_commission: Money
    photographer: Money
    self_managed: bool

    def __post_init__(self) -> None:
        parts = (self.vat, self.net, self.agency_fee, self.platform_commission, self.photographer)
        for part in parts:
            self.gross._same(part)
        if any(part.amount < 0 for part in (self.gross, *parts)):
            raise ValueError("every part of a waterfall must be >= 0")
        if self.net + self.vat != self.gross:
            raise ValueError(f"net {self.net} + VAT {self.vat} != gross {self.gross}")
        if self.vat + self.agency_fee + self.platform_commission + self.photographer != self.gross:
            raise ValueError("VAT + agency fee + platform commission + photographer share != gross")
        if self.self_managed and self.agency_fee.amount:
            raise ValueError("a self-managed recovery has no agency fee")

    @property
    def photographer_share(self) -> Decimal:
        """The photographer's part as a fraction of the gross (0 when nothing was paid)."""
        if not self.gross.amount:
            return Decimal(0)
        return Decimal(self.photographer.amount) / Decimal(self.gross.amount)

    def lines(self) -> list[tuple[str, str, str, Money]]:
        """Display rows (key, French label, English label, amount), in waterfall order; amounts are positive.

        "net" is a subtotal (gross - VAT); the deductions and "photographer" rows after it add up to "gross"
        together with "vat". The agency row is absent on the self-managed path.
        """
        rows = [
            ("gross", "Payé par le contrefacteur (TTC)", "Paid by the infringer (incl. VAT)", self.gross),
            (
                "vat",
                f"TVA ({_format_percent(self.vat_rate, 'fr')})",
                f"VAT ({_format_percent(self.vat_rate, 'en')})",
                self.vat,
            ),
            ("net", "Montant recouvré hors TVA", "Recovered amount excl. VAT", self.net),
        ]
        if not self.self_managed:
            rows.append(("agency_fee", "Honoraires de l'agence partenaire", "Partner agency fee", self.agency_fee))
        rows += [
            ("platform_commission", "Commission Pixhound", "Pixhound commission", self.platform_commission),
            ("photographer", "Reversé au photographe", "Paid to the photographer", self.photographer),
        ]
        return rows


def compute_waterfall(
    gross: Money,
    *,
    vat_rate: Decimal,
    agency: AgencyContract | None,
    platform: PlatformTerms,
    vat_inclusive: bool = True,
) -> Waterfall:
    """The full split of a payment. With `vat_inclusive=False`, `gross` is the pre-VAT amount and VAT is added on top.

    `agency=None` is the self-managed path: the photographer recovers without an agency and pays no agency fee.
    """
    if gross.amount < 0:
        raise ValueError(f"a payment cannot be negative: {gross}")
    if vat_inclusive:
        total = gross.amount
        net, vat = split_inclusive(total, vat_rate)
    else:
        net = gross.amount
        total, vat = add_vat(net, vat_rate)
    agency_fee = agency.fee(net) if agency is not None else 0
    commission = platform.commission(net - agency_fee)
    currency = gross.currency
    return Waterfall(
        gross=Money(total, currency),
        vat_rate=Decimal(vat_rate),
        vat=Money(vat, currency),
        net=Money(net, currency),
        agency_fee=Money(agency_fee, currency),
        platform_commission=Money(commission, currency),
        photographer=Money(net - agency_fee - commission, currency),
        self_managed=agency is None,
    )


def _rate_of_split(gross: int, vat: int, country: str) -> Decimal:
    """The VAT rate that splits `gross` into this `vat`: the country's if it does, else the first standard rate that
    does, else the exact ratio to two decimals."""
    candidates = [VAT_RATES[country]] if country in VAT_RATES else []
    for rate in candidates + sorted(set(VAT_RATES.values())):
        if split_inclusive(gross, rate)[1] == vat:
            return rate
    net = gross - vat
    return (Decimal(vat) * 100 / Decimal(net)).quantize(Decimal("0.01")) if net > 0 else Decimal(0)


def recorded_waterfall(
    *,
    gross: int,
    vat: int,
    agency_fee: int,
    platform_commission: int,
    photographer: int,
    currency: str,
    self_managed: bool,
    vat_country: str,
) -> Waterfall:
    """A recorded payment's split as a Waterfall, checked again so a stored split that does not add up is refused."""
    return Waterfall(
        gross=Money(gross, currency),
        vat_rate=_rate_of_split(gross, vat, vat_country.strip().upper()),
        vat=Money(vat, currency),
        net=Money(gross - vat, currency),
        agency_fee=Money(agency_fee, currency),
        platform_commission=Money(platform_commission, currency),
        photographer=Money(photographer, currency),
        self_managed=self_managed,
    )


def allocate(total: int, weights: Sequence[Decimal | int]) -> list[int]:
    """Split `total` minor units in proportion to `weights` so the parts sum exactly to `total`.

    Largest remainder: each part gets the floor of its exact share, then the units left over go one each to
    the largest remainders, ties to the earliest weight. Every part is within 1 of its exact share.
    """
    _check_int("total", total, minimum=None)
    if not weights:
        raise ValueError("allocate needs at least one weight")
    exact_weights = []
    for weight in weights:
        if isinstance(weight, bool) or not isinstance(weight, Decimal | int):
            raise TypeError(f"weights must be Decimal or int, got {type(weight).__name__}")
        if not Decimal(weight).is_finite() or weight < 0:
            raise ValueError(f"weights must be finite and >= 0, got {weight}")
        exact_weights.append(Fraction(weight))
    weight_sum = sum(exact_weights)
    if weight_sum == 0:
        raise ValueError("at least one weight must be positive")
    if total < 0:
        return [-part for part in allocate(-total, weights)]
    shares = [total * weight / weight_sum for weight in exact_weights]
    parts = [math.floor(share) for share in shares]
    left = total - sum(parts)
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(shares[i] - parts[i]), i))
    for index in by_remainder[:left]:
        parts[index] += 1
    return parts


class Account(StrEnum):
    """Accounts of a recovery. `collection_cash` is the client account of whoever collects the payment
    (the partner agency, or the platform on the self-managed path)."""

    INFRINGER_RECEIVABLE = "infringer_receivable"
    COLLECTION_CASH = "collection_cash"
    VAT_PAYABLE = "vat_payable"
    AGENCY_REVENUE = "agency_revenue"
    PLATFORM_REVENUE = "platform_revenue"
    PHOTOGRAPHER_PAYABLE = "photographer_payable"


@dataclass(frozen=True)
class Posting:
    """One line of a journal entry, in minor units: exactly one of debit and credit is positive."""

    account: Account
    debit: int = 0
    credit: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "account", Account(self.account))
        _check_int("debit", self.debit)
        _check_int("credit", self.credit)
        if (self.debit > 0) == (self.credit > 0):
            raise ValueError(f"a posting needs exactly one of debit and credit > 0, got {self.debit}/{self.credit}")


@dataclass(frozen=True)
class JournalEntry:
    """A balanced set of postings in one currency."""

    memo: str
    postings: tuple[Posting, ...]
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "postings", tuple(self.postings))
        Money.zero(self.currency)
        if not self.postings:
            raise UnbalancedEntry(f"{self.memo!r}: a journal entry needs postings")
        debits = sum(posting.debit for posting in self.postings)
        credits = sum(posting.credit for posting in self.postings)
        if debits != credits:
            raise UnbalancedEntry(f"{self.memo!r}: debits {debits} != credits {credits}")


def settlement_entries(waterfall: Waterfall) -> list[JournalEntry]:
    """The settlement owed by the infringer split into its parts, then its payment received.

    Parts of zero are left out; a zero payment gives no entries.
    """
    if not waterfall.gross.amount:
        return []
    currency = waterfall.gross.currency
    credits = [
        (Account.VAT_PAYABLE, waterfall.vat),
        (Account.AGENCY_REVENUE, waterfall.agency_fee),
        (Account.PLATFORM_REVENUE, waterfall.platform_commission),
        (Account.PHOTOGRAPHER_PAYABLE, waterfall.photographer),
    ]
    gross = waterfall.gross.amount
    owed = JournalEntry(
        "Settlement owed by the infringer",
        (
            Posting(Account.INFRINGER_RECEIVABLE, debit=gross),
            *(Posting(account, credit=part.amount) for account, part in credits if part.amount),
        ),
        currency,
    )
    received = JournalEntry(
        "Payment received from the infringer",
        (Posting(Account.COLLECTION_CASH, debit=gross), Posting(Account.INFRINGER_RECEIVABLE, credit=gross)),
        currency,
    )
    return [owed, received]


def payout_entry(amount: Money) -> JournalEntry:
    """The photographer's share paid out from the collection account."""
    if amount.amount <= 0:
        raise ValueError(f"a payout must be positive, got {amount}")
    return JournalEntry(
        "Payout to the photographer",
        (
            Posting(Account.PHOTOGRAPHER_PAYABLE, debit=amount.amount),
            Posting(Account.COLLECTION_CASH, credit=amount.amount),
        ),
        amount.currency,
    )


def balances(entries: Iterable[JournalEntry]) -> dict[Account, int]:
    """Every account's balance, debit-positive (a credit balance is negative). Entries must share one currency."""
    totals = dict.fromkeys(Account, 0)
    currency: str | None = None
    for entry in entries:
        if currency is not None and entry.currency != currency:
            raise CurrencyMismatch(f"cannot sum {currency} and {entry.currency} entries")
        currency = entry.currency
        for posting in entry.postings:
            totals[posting.account] += posting.debit - posting.credit
    return totals


class PayoutStatus(StrEnum):
    PAID = "paid"
    DUE = "due"
    OVERDUE = "overdue"


def payout_due_date(received_on: date, days: int) -> date:
    """The day by which the photographer must be paid: `days` calendar days after the payment was received."""
    _check_int("days", days)
    return received_on + timedelta(days=days)


def payout_status(due: date, today: date, paid: bool) -> PayoutStatus:
    if paid:
        return PayoutStatus.PAID
    return PayoutStatus.OVERDUE if today > due else PayoutStatus.DUE


@dataclass
class MoneyLine:
    """A case's money in one currency, in minor units: what is claimed, what the infringer paid, the photographer's
    part of it, what was paid out to them, what is still owed, the part of that past its deadline, and the next
    deadline."""

    currency: str
    claimed: int = 0
    received: int = 0
    photographer_share: int = 0
    paid_out: int = 0
    owed: int = 0
    overdue: int = 0
    next_due_at: datetime | None = None


@dataclass(frozen=True)
class PaymentFacts:
    currency: str
    gross: int
    photographer: int


@dataclass(frozen=True)
class PayoutFacts:
    currency: str
    amount: int
    due_at: datetime
    paid_at: datetime | None


def case_money(
    currency: str, claimed: int, payments: Iterable[PaymentFacts], payouts: Iterable[PayoutFacts], now: datetime
) -> list[MoneyLine]:
    """One line per currency the case's money is in, the case's own currency first; currencies are never mixed."""
    lines: dict[str, MoneyLine] = {currency: MoneyLine(currency, claimed=claimed)}
    for payment in payments:
        line = lines.setdefault(payment.currency, MoneyLine(payment.currency))
        line.received += payment.gross
        line.photographer_share += payment.photographer
    for payout in payouts:
        line = lines.setdefault(payout.currency, MoneyLine(payout.currency))
        if payout.paid_at is not None:
            line.paid_out += payout.amount
            continue
        line.owed += payout.amount
        if payout.due_at < now:
            line.overdue += payout.amount
        if line.next_due_at is None or payout.due_at < line.next_due_at:
            line.next_due_at = payout.due_at
    return list(lines.values())


def money_totals(lines: Iterable[MoneyLine]) -> list[MoneyLine]:
    """The lines summed per currency, in currency order (next_due_at is the earliest)."""
    totals: dict[str, MoneyLine] = {}
    amounts = [field.name for field in fields(MoneyLine) if field.name not in ("currency", "next_due_at")]
    for line in lines:
        total = totals.setdefault(line.currency, MoneyLine(line.currency))
        for name in amounts:
            setattr(total, name, getattr(total, name) + getattr(line, name))
        if line.next_due_at is not None and (total.next_due_at is None or line.next_due_at < total.next_due_at):
            total.next_due_at = line.next_due_at
    return [totals[currency] for currency in sorted(totals)]


def major_units(amount: int, currency: str) -> str:
    """An amount in major units with two decimals ("1234.50"), for exports."""
    exponent = CURRENCY_EXPONENTS.get(currency, 2)
    return str(Decimal(amount).scaleb(-exponent).quantize(Decimal("0.01")))
