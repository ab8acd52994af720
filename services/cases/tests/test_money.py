"""Money, VAT, the fee waterfall, allocation, the ledger and payout deadlines: worked examples and properties
showing that no cent is created or lost."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pixhound_cases.money import (
    CURRENCY_EXPONENTS,
    VAT_RATES,
    Account,
    AgencyContract,
    CurrencyMismatch,
    JournalEntry,
    Money,
    PayoutStatus,
    PlatformTerms,
    Posting,
    UnbalancedEntry,
    UnknownCountry,
    Waterfall,
    add_vat,
    allocate,
    balances,
    compute_waterfall,
    payout_due_date,
    payout_entry,
    payout_status,
    round_half_up,
    settlement_entries,
    split_inclusive,
    vat_rate,
)

PROPERTIES = settings(max_examples=300, deadline=None)
EUR = "EUR"
FR_AGENCY = AgencyContract(fixed_fee=0, percent=Decimal(35))
FIVE_PERCENT = PlatformTerms(commission_percent=Decimal(5))


def eur(amount: int) -> Money:
    return Money(amount, EUR)


def amounts(waterfall: Waterfall) -> tuple[int, ...]:
    w = waterfall
    return (
        w.gross.amount,
        w.vat.amount,
        w.net.amount,
        w.agency_fee.amount,
        w.platform_commission.amount,
        w.photographer.amount,
    )


# Money


def test_money_rejects_unknown_or_badly_written_currencies() -> None:
    for currency in ("eur", "EURO", "XYZ", ""):
        with pytest.raises(ValueError, match="unknown currency"):
            Money(100, currency)


def test_money_amount_is_an_int_of_minor_units() -> None:
    for amount in (1.5, Decimal("1.00"), True):
        with pytest.raises(TypeError):
            Money(amount, EUR)  # type: ignore[arg-type]


def test_money_arithmetic_and_ordering() -> None:
    assert eur(150) + eur(50) == eur(200)
    assert eur(150) - eur(200) == eur(-50)
    assert -eur(5) == eur(-5)
    assert eur(1) < eur(2) <= eur(2)
    assert max(eur(3), eur(7)) == eur(7)


@pytest.mark.parametrize(
    "operation",
    [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a < b, lambda a, b: a >= b],
)
def test_money_refuses_mixed_currencies(operation: Callable[[Money, Money], object]) -> None:
    with pytest.raises(CurrencyMismatch):
        operation(eur(100), Money(100, "USD"))


@pytest.mark.parametrize(
    ("money", "fr", "en"),
    [
        (eur(50000), "500,00 €", "€500.00"),
        (eur(123456789), "1 234 567,89 €", "€1,234,567.89"),
        (eur(5), "0,05 €", "€0.05"),
        (eur(-250), "-2,50 €", "-€2.50"),
        (Money(50000, "JPY"), "50 000 ¥", "¥50,000"),
        (Money(810, "CHF"), "8,10 CHF", "CHF 8.10"),
        (Money(199, "GBP"), "1,99 £", "£1.99"),
    ],
)
def test_money_format(money: Money, fr: str, en: str) -> None:
    assert money.format("fr") == fr
    assert money.format("fr-FR") == fr
    assert money.format("en") == en
    assert money.format("en_GB") == en


def test_money_format_refuses_unsupported_locales() -> None:
    with pytest.raises(ValueError, match="unsupported locale"):
        eur(1).format("de")


def test_minor_unit_exponents() -> None:
    assert Money(1, "JPY").exponent == 0
    assert Money(1, EUR).exponent == 2
    assert Money(12345, EUR).to_decimal() == Decimal("123.45")
    assert Money(12345, "JPY").to_decimal() == Decimal(12345)
    for currency in ("EUR", "USD", "GBP", "CHF", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN", "CZK"):
        assert CURRENCY_EXPONENTS[currency] == 2


def test_round_half_up_rounds_halves_away_from_zero() -> None:
    assert [round_half_up(Fraction(n, 2)) for n in (-3, -1, 1, 3, 5)] == [-2, -1, 1, 2, 3]
    assert round_half_up(Decimal("2.4999")) == 2


# VAT


def test_vat_rates() -> None:
    expected = {"FR": "20", "DE": "19", "BE": "21", "LU": "17", "HU": "27", "CH": "8.1", "GB": "20", "NO": "25"}
    assert {country: vat_rate(country) for country in expected} == {k: Decimal(v) for k, v in expected.items()}
    assert vat_rate(" fr ") == Decimal(20)
    eu27 = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
    assert set(eu27) | {"GB", "CH", "NO"} <= set(VAT_RATES)
    assert all(isinstance(rate, Decimal) and 0 < rate < 30 for rate in VAT_RATES.values())


def test_unknown_country_is_a_clear_error() -> None:
    with pytest.raises(UnknownCountry, match="no VAT rate known for country 'US'"):
        vat_rate("US")


def test_vat_examples() -> None:
    assert split_inclusive(50000, Decimal(20)) == (41667, 8333)
    assert add_vat(41667, Decimal(20)) == (50000, 8333)
    assert split_inclusive(0, Decimal(20)) == (0, 0)
    assert split_inclusive(1000, Decimal(0)) == (1000, 0)


def test_vat_rounds_exact_halves_up() -> None:
    assert add_vat(25, Decimal(2)) == (26, 1)
    assert add_vat(5, Decimal(10)) == (6, 1)
    assert split_inclusive(1, Decimal(100)) == (1, 0)


def test_vat_refuses_negative_amounts_and_rates() -> None:
    with pytest.raises(ValueError):
        split_inclusive(-1, Decimal(20))
    with pytest.raises(ValueError):
        add_vat(100, Decimal(-1))
    with pytest.raises(TypeError, match="floats are inexact"):
        add_vat(100, 20.0)  # type: ignore[arg-type]


vat_rates = st.sampled_from(sorted(set(VAT_RATES.values())) + [Decimal(0)])


@PROPERTIES
@given(gross=st.integers(0, 10**9), rate=vat_rates)
def test_split_inclusive_is_exact_and_closest(gross: int, rate: Decimal) -> None:
    net, vat = split_inclusive(gross, rate)
    assert net + vat == gross
    assert net >= 0 and vat >= 0
    assert abs(Fraction(net) - Fraction(gross) * 100 / (100 + Fraction(rate))) <= Fraction(1, 2)


@PROPERTIES
@given(net=st.integers(0, 10**9), rate=vat_rates)
def test_add_vat_then_split_gives_back_the_same_net_and_vat(net: int, rate: Decimal) -> None:
    gross, vat = add_vat(net, rate)
    assert gross == net + vat
    assert split_inclusive(gross, rate) == (net, vat)


@PROPERTIES
@given(gross=st.integers(0, 10**9), rate=vat_rates)
def test_split_then_add_vat_is_within_one_cent(gross: int, rate: Decimal) -> None:
    net, _ = split_inclusive(gross, rate)
    regross, _ = add_vat(net, rate)
    assert abs(regross - gross) <= 1


# Fees


def test_agency_percent_fee() -> None:
    assert FR_AGENCY.fee(41667) == 14583
    assert AgencyContract(fixed_fee=2500, percent=Decimal(10)).fee(10000) == 3500


def test_agency_fee_minimum_and_maximum() -> None:
    contract = AgencyContract(fixed_fee=1000, percent=Decimal(20), min_fee=5000, max_fee=20000)
    assert contract.fee(10000) == 5000
    assert contract.fee(50000) == 11000
    assert contract.fee(1_000_000) == 20000


def test_agency_fee_never_exceeds_the_net() -> None:
    assert AgencyContract(fixed_fee=5000).fee(3000) == 3000
    assert AgencyContract(min_fee=5000).fee(3000) == 3000
    assert AgencyContract(fixed_fee=5000).fee(0) == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"percent": Decimal(101)},
        {"percent": Decimal(-1)},
        {"percent": Decimal("NaN")},
        {"fixed_fee": -1},
        {"min_fee": 300, "max_fee": 200},
        {"max_fee": -5},
    ],
)
def test_agency_contract_validation(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        AgencyContract(**kwargs)  # type: ignore[arg-type]


def test_agency_contract_refuses_float_percent() -> None:
    with pytest.raises(TypeError):
        AgencyContract(percent=35.0)  # type: ignore[arg-type]


def test_platform_commission_and_cap() -> None:
    assert FIVE_PERCENT.commission(27084) == 1354
    assert PlatformTerms(Decimal(5), max_commission=1000).commission(27084) == 1000
    assert PlatformTerms(Decimal(100)).commission(27084) == 27084
    with pytest.raises(ValueError):
        PlatformTerms(Decimal(120))


# Waterfall


def test_worked_example_500_euros_including_french_vat() -> None:
    waterfall = compute_waterfall(eur(50000), vat_rate=vat_rate("FR"), agency=FR_AGENCY, platform=FIVE_PERCENT)
    assert amounts(waterfall) == (50000, 8333, 41667, 14583, 1354, 25730)
    assert waterfall.photographer_share == Decimal("0.5146")
    assert [(key, money.format("fr")) for key, _, _, money in waterfall.lines()] == [
        ("gross", "500,00 €"),
        ("vat", "83,33 €"),
        ("net", "416,67 €"),
        ("agency_fee", "145,83 €"),
        ("platform_commission", "13,54 €"),
        ("photographer", "257,30 €"),
    ]


def test_lines_have_french_and_english_labels_with_the_vat_rate() -> None:
    waterfall = compute_waterfall(eur(10000), vat_rate=vat_rate("CH"), agency=FR_AGENCY, platform=FIVE_PERCENT)
    labels = {key: (fr, en) for key, fr, en, _ in waterfall.lines()}
    assert labels["vat"] == ("TVA (8,1 %)", "VAT (8.1%)")
    assert labels["gross"] == ("Payé par le contrefacteur (TTC)", "Paid by the infringer (incl. VAT)")
    assert labels["photographer"] == ("Reversé au photographe", "Paid to the photographer")


def test_self_managed_path_has_no_agency_fee() -> None:
    waterfall = compute_waterfall(eur(50000), vat_rate=Decimal(20), agency=None, platform=FIVE_PERCENT)
    assert amounts(waterfall) == (50000, 8333, 41667, 0, 2083, 39584)
    assert waterfall.self_managed
    assert "agency_fee" not in [key for key, *_ in waterfall.lines()]


def test_fixed_fee_with_minimum_hit() -> None:
    contract = AgencyContract(fixed_fee=3000, percent=Decimal(10), min_fee=8000, max_fee=40000)
    waterfall = compute_waterfall(eur(24000), vat_rate=Decimal(20), agency=contract, platform=FIVE_PERCENT)
    assert amounts(waterfall) == (24000, 4000, 20000, 8000, 600, 11400)


def test_fixed_fee_with_maximum_hit() -> None:
    contract = AgencyContract(fixed_fee=3000, percent=Decimal(10), min_fee=8000, max_fee=40000)
    waterfall = compute_waterfall(eur(1_200_000), vat_rate=Decimal(20), agency=contract, platform=FIVE_PERCENT)
    assert amounts(waterfall) == (1_200_000, 200_000, 1_000_000, 40000, 48000, 912_000)


def test_minimum_fee_above_the_net_leaves_nothing_but_never_goes_negative() -> None:
    contract = AgencyContract(min_fee=8000)
    waterfall = compute_waterfall(eur(6000), vat_rate=Decimal(20), agency=contract, platform=FIVE_PERCENT)
    assert amounts(waterfall) == (6000, 1000, 5000, 5000, 0, 0)
    assert waterfall.photographer_share == 0


def test_zero_gross() -> None:
    contract = AgencyContract(fixed_fee=3000, min_fee=1000)
    waterfall = compute_waterfall(eur(0), vat_rate=Decimal(20), agency=contract, platform=FIVE_PERCENT)
    assert amounts(waterfall) == (0, 0, 0, 0, 0, 0)
    assert waterfall.photographer_share == 0
    assert settlement_entries(waterfall) == []


def test_jpy_has_no_minor_unit() -> None:
    waterfall = compute_waterfall(Money(50000, "JPY"), vat_rate=Decimal(10), agency=FR_AGENCY, platform=FIVE_PERCENT)
    assert amounts(waterfall) == (50000, 4545, 45455, 15909, 1477, 28069)
    assert waterfall.photographer.format("en") == "¥28,069"


def test_vat_exclusive_amount_gets_vat_added() -> None:
    waterfall = compute_waterfall(
        eur(41667), vat_rate=Decimal(20), agency=FR_AGENCY, platform=FIVE_PERCENT, vat_inclusive=False
    )
    assert amounts(waterfall) == (50000, 8333, 41667, 14583, 1354, 25730)


def test_negative_payment_is_refused() -> None:
    with pytest.raises(ValueError):
        compute_waterfall(eur(-1), vat_rate=Decimal(20), agency=None, platform=FIVE_PERCENT)


def test_a_waterfall_that_does_not_add_up_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="!= gross"):
        Waterfall(
            gross=eur(100),
            vat_rate=Decimal(0),
            vat=eur(0),
            net=eur(100),
            agency_fee=eur(10),
            platform_commission=eur(0),
            photographer=eur(91),
            self_managed=False,
        )
    with pytest.raises(CurrencyMismatch):
        Waterfall(
            gross=eur(100),
            vat_rate=Decimal(0),
            vat=eur(0),
            net=eur(100),
            agency_fee=eur(0),
            platform_commission=eur(0),
            photographer=Money(100, "USD"),
            self_managed=True,
        )


percents = st.integers(0, 10000).map(lambda hundredths: Decimal(hundredths) / 100)
optional_caps = st.none() | st.integers(0, 10**7)


@st.composite
def agency_contracts(draw: st.DrawFn) -> AgencyContract | None:
    if draw(st.booleans()):
        return None
    caps = sorted([draw(st.integers(0, 10**7)), draw(st.integers(0, 10**7))])
    return AgencyContract(
        fixed_fee=draw(st.integers(0, 10**6)),
        percent=draw(percents),
        min_fee=draw(st.sampled_from([None, caps[0]])),
        max_fee=draw(st.sampled_from([None, caps[1]])),
    )


platform_terms = st.builds(PlatformTerms, commission_percent=percents, max_commission=optional_caps)
currencies = st.sampled_from(sorted(CURRENCY_EXPONENTS))


@PROPERTIES
@given(
    gross=st.integers(0, 10**9),
    currency=currencies,
    rate=vat_rates,
    agency=agency_contracts(),
    platform=platform_terms,
    vat_inclusive=st.booleans(),
)
def test_no_cent_is_created_or_lost(
    gross: int,
    currency: str,
    rate: Decimal,
    agency: AgencyContract | None,
    platform: PlatformTerms,
    vat_inclusive: bool,
) -> None:
    w = compute_waterfall(
        Money(gross, currency), vat_rate=rate, agency=agency, platform=platform, vat_inclusive=vat_inclusive
    )
    parts = [w.vat.amount, w.agency_fee.amount, w.platform_commission.amount, w.photographer.amount]
    assert sum(parts) == w.gross.amount
    assert all(part >= 0 for part in parts)
    assert w.net.amount + w.vat.amount == w.gross.amount
    assert w.gross.amount == gross if vat_inclusive else w.net.amount == gross
    assert 0 <= w.photographer_share <= 1
    assert {m.currency for *_, m in w.lines()} == {currency}
    expected_fee = agency.fee(w.net.amount) if agency else 0
    assert w.agency_fee.amount == expected_fee
    assert w.platform_commission.amount == platform.commission(w.net.amount - expected_fee)


# Allocation


def test_allocate_examples() -> None:
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(1000, [Decimal("0.5"), Decimal("0.25"), Decimal("0.25")]) == [500, 250, 250]
    assert allocate(5, [1, 0, 2]) == [2, 0, 3]
    assert allocate(0, [1, 2]) == [0, 0]
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]
    assert allocate(7, [3]) == [7]


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1], [Decimal("Infinity")]])
def test_allocate_refuses_bad_weights(weights: list[int | Decimal]) -> None:
    with pytest.raises(ValueError):
        allocate(100, weights)


@PROPERTIES
@given(
    total=st.integers(-(10**9), 10**9),
    weights=st.lists(
        st.integers(0, 10**6) | st.integers(0, 10**6).map(lambda n: Decimal(n) / 1000), min_size=1, max_size=20
    ).filter(lambda ws: sum(ws) > 0),
)
def test_allocate_sums_exactly_and_stays_within_one_unit(total: int, weights: list[int | Decimal]) -> None:
    parts = allocate(total, weights)
    assert sum(parts) == total
    weight_sum = sum(Fraction(w) for w in weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - Fraction(total) * Fraction(weight) / weight_sum) < 1
        if weight == 0:
            assert part == 0


# Ledger


def test_posting_needs_exactly_one_positive_side() -> None:
    for debit, credit in ((0, 0), (10, 10), (-5, 0), (0, -5)):
        with pytest.raises(ValueError):
            Posting(Account.COLLECTION_CASH, debit=debit, credit=credit)


def test_unbalanced_or_empty_entries_are_refused() -> None:
    with pytest.raises(UnbalancedEntry, match="debits 100 != credits 99"):
        JournalEntry("x", (Posting(Account.COLLECTION_CASH, debit=100), Posting(Account.VAT_PAYABLE, credit=99)), EUR)
    with pytest.raises(UnbalancedEntry):
        JournalEntry("x", (), EUR)


def test_settlement_and_payout_of_the_worked_example() -> None:
    waterfall = compute_waterfall(eur(50000), vat_rate=Decimal(20), agency=FR_AGENCY, platform=FIVE_PERCENT)
    entries = settlement_entries(waterfall)
    assert balances(entries) == {
        Account.INFRINGER_RECEIVABLE: 0,
        Account.COLLECTION_CASH: 50000,
        Account.VAT_PAYABLE: -8333,
        Account.AGENCY_REVENUE: -14583,
        Account.PLATFORM_REVENUE: -1354,
        Account.PHOTOGRAPHER_PAYABLE: -25730,
    }
    after_payout = balances([*entries, payout_entry(waterfall.photographer)])
    assert after_payout[Account.PHOTOGRAPHER_PAYABLE] == 0
    assert after_payout[Account.COLLECTION_CASH] == 50000 - 25730


def test_self_managed_settlement_has_no_agency_posting() -> None:
    waterfall = compute_waterfall(eur(50000), vat_rate=Decimal(20), agency=None, platform=FIVE_PERCENT)
    accounts = {posting.account for entry in settlement_entries(waterfall) for posting in entry.postings}
    assert Account.AGENCY_REVENUE not in accounts


def test_payout_must_be_positive_and_balances_refuse_mixed_currencies() -> None:
    with pytest.raises(ValueError):
        payout_entry(eur(0))
    with pytest.raises(CurrencyMismatch):
        balances([payout_entry(eur(100)), payout_entry(Money(100, "USD"))])


@PROPERTIES
@given(
    gross=st.integers(0, 10**9),
    currency=currencies,
    rate=vat_rates,
    agency=agency_contracts(),
    platform=platform_terms,
)
def test_settlement_is_balanced_and_payout_clears_the_photographer(
    gross: int, currency: str, rate: Decimal, agency: AgencyContract | None, platform: PlatformTerms
) -> None:
    w = compute_waterfall(Money(gross, currency), vat_rate=rate, agency=agency, platform=platform)
    entries = settlement_entries(w)
    for entry in entries:
        assert sum(p.debit for p in entry.postings) == sum(p.credit for p in entry.postings)
        assert entry.currency == currency
    before = balances(entries)
    assert sum(before.values()) == 0
    assert before[Account.INFRINGER_RECEIVABLE] == 0
    assert before[Account.COLLECTION_CASH] == w.gross.amount
    assert before[Account.PHOTOGRAPHER_PAYABLE] == -w.photographer.amount
    assert before[Account.VAT_PAYABLE] == -w.vat.amount
    if w.photographer.amount:
        entries.append(payout_entry(w.photographer))
    after = balances(entries)
    assert after[Account.PHOTOGRAPHER_PAYABLE] == 0
    assert before[Account.COLLECTION_CASH] - after[Account.COLLECTION_CASH] == w.photographer.amount
    assert after[Account.COLLECTION_CASH] == w.vat.amount + w.agency_fee.amount + w.platform_commission.amount


# Payout deadlines


def test_payout_due_date_counts_calendar_days() -> None:
    assert payout_due_date(date(2025, 12, 20), 30) == date(2026, 1, 19)
    assert payout_due_date(date(2024, 2, 28), 1) == date(2024, 2, 29)
    with pytest.raises(ValueError):
        payout_due_date(date(2025, 1, 1), -1)


def test_payout_status() -> None:
    due = date(2026, 1, 19)
    assert payout_status(due, date(2026, 1, 19), paid=False) == "due"
    assert payout_status(due, date(2026, 1, 20), paid=False) == PayoutStatus.OVERDUE == "overdue"
    assert payout_status(due, date(2026, 3, 1), paid=True) == "paid"
    assert payout_status(due, date(2026, 1, 1), paid=False) == "due"
