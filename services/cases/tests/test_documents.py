"""The notice letter and invoice PDFs: content per locale, determinism and input validation."""

from __future__ import annotations

import hashlib
import io
import string
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pypdf import PdfReader

from pixhound_cases.documents import (
    TEXTS,
    Amounts,
    InfringementFacts,
    Party,
    PaymentInstructions,
    RecoveryDocument,
    format_date,
    format_money,
    render_invoice,
    render_notice_letter,
)

PAGE_SHA = hashlib.sha256(b"page").hexdigest()
IMAGE_SHA = hashlib.sha256(b"image").hexdigest()
PAGE_URL = "https://martin.example/blog/croissants?id=42&ref=home"

PHOTOGRAPHER = Party(
    name="Camille Durand",
    address_lines=("12 rue des Lilas", "75011 Paris", "France"),
    email="camille@example.fr",
    company_id="SIRET 812 345 678 00021",
)
INFRINGER = Party(
    name="Boulangerie Martin & Fils <SARL>",
    address_lines=("3 place du Marché", "69002 Lyon"),
    email="contact@martin.example",
)
FACTS = InfringementFacts(
    page_url=PAGE_URL,
    image_url="https://martin.example/img/croissant.jpg",
    photo_title="Croissants au lever du jour",
    discovered_on=date(2026, 10, 3),
    page_archive_key="evidence/2026/10/03/page.html",
    page_sha256=PAGE_SHA,
    image_archive_key="evidence/2026/10/03/image.jpg",
    image_sha256=IMAGE_SHA,
    fetched_at=datetime(2026, 10, 3, 16, 5, tzinfo=timezone(timedelta(hours=2))),
    photo_created_on=date(2024, 1, 1),
)
WITH_VAT = Amounts(licence_fee=102_880, surcharge=20_576, currency="EUR", vat_rate=Decimal(20))
EXEMPT = Amounts(licence_fee=102_880, surcharge=20_576, currency="EUR", vat_exempt=True)
PAYMENT = PaymentInstructions(
    account_holder="Camille Durand",
    iban="fr76 3000 6000 0112 3456 7890 189",
    bic="AGRIFRPP",
    other_instructions=("Card payment: https://pay.pixhound.example/PXH-2026-000123",),
)


def make_doc(locale: str = "fr", **changes: object) -> RecoveryDocument:
    doc = RecoveryDocument(
        creditor=PHOTOGRAPHER,
        debtor=INFRINGER,
        facts=FACTS,
        amounts=WITH_VAT,
        locale="fr",
        document_date=date(2026, 11, 14),
        payment_deadline=date(2026, 11, 28),
        reference="PXH-2026-000123",
        payment=PAYMENT,
    )
    return replace(doc, locale=locale, **changes)


def pdf_text(data: bytes) -> str:
    """All pages' text with every run of whitespace, no-break spaces included, turned into one space."""
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        (123_456, "EUR", "fr", "1\u00a0234,56\u00a0€"),
        (123_456, "EUR", "en", "€1,234.56"),
        (123_456_789, "EUR", "fr", "1\u00a0234\u00a0567,89\u00a0€"),
        (5, "EUR", "en", "€0.05"),
        (0, "GBP", "en", "£0.00"),
        (-1_200, "EUR", "en", "-€12.00"),
        (123_456, "USD", "en", "$1,234.56"),
        (123_456, "USD", "fr", "1\u00a0234,56\u00a0$"),
        (123_456, "CHF", "en", "CHF\u00a01,234.56"),
        (123_456, "CHF", "fr", "1\u00a0234,56\u00a0CHF"),
        (1_234, "JPY", "en", "¥1,234"),
    ],
)
def test_format_money(amount: int, currency: str, locale: str, expected: str) -> None:
    assert format_money(amount, currency, locale) == expected


@pytest.mark.parametrize(
    ("value", "locale", "expected"),
    [
        (date(2026, 11, 28), "fr", "28 novembre 2026"),
        (date(2026, 8, 1), "fr", "1er août 2026"),
        (date(2026, 11, 28), "en", "28 November 2026"),
        (date(2026, 2, 1), "en", "1 February 2026"),
    ],
)
def test_format_date(value: date, locale: str, expected: str) -> None:
    assert format_date(value, locale) == expected


def test_every_text_has_both_locales_with_the_same_placeholders() -> None:
    def placeholders(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    for key, by_locale in TEXTS.items():
        assert set(by_locale) == {"fr", "en"}, key
        assert all(value.strip() for value in by_locale.values()), key
        assert placeholders(by_locale["fr"]) == placeholders(by_locale["en"]), key


def test_vat_is_rounded_half_up_on_the_subtotal() -> None:
    amounts = Amounts(licence_fee=1_000, surcharge=10, currency="EUR", vat_rate=Decimal(5))
    assert (amounts.subtotal, amounts.vat_amount, amounts.total) == (1_010, 51, 1_061)
    assert (EXEMPT.vat_amount, EXEMPT.total) == (0, 123_456)


def test_iban_is_stored_compact_and_upper_case() -> None:
    assert PAYMENT.iban == "FR7630006000011234567890189"


COMMON = [
    "Camille Durand",
    "Boulangerie Martin & Fils <SARL>",
    PAGE_URL,
    PAGE_SHA,
    IMAGE_SHA,
    "evidence/2026/10/03/page.html",
    "PXH-2026-000123",
    "FR76 3000 6000 0112 3456 7890 189",
    "https://pay.pixhound.example/PXH-2026-000123",
]
NOTICE_FR = [
    "Mise en demeure",
    "Le 14 novembre 2026",
    "Le 3 octobre 2026",
    "archivées le 3 octobre 2026 à 14:05 UTC",
    "réalisée le 1er janvier 2024",
    *("L.111-1", "L.122-4", "L.335-2", "L.335-3", "L.331-1-3", "L.121-1"),
    "au plus tard le 28 novembre 2026",
    "de retirer la photographie",
    "régulariser la situation en souscrivant une licence",
    "Licence 1 028,80 €",
    "Majoration pour utilisation non autorisée 205,76 €",
    "TVA 20 % 246,91 €",
    "Total TTC 1 481,47 €",
    "ne vaut renonciation à aucun",
    "Ne constitue pas un conseil juridique",
]
NOTICE_EN = [
    "Formal notice of copyright infringement",
    "14 November 2026",
    "On 3 October 2026",
    "archived on 3 October 2026 at 14:05 UTC",
    "taken on 1 January 2024",
    "Berne Convention",
    "communicating it to the public",
    "without a licence infringes my copyright",
    "no later than 28 November 2026",
    "remove the photograph",
    "regularise the use by taking a licence",
    "Licence fee €1,028.80",
    "Surcharge for unauthorised use €205.76",
    "VAT 20% €246.91",
    "Total due €1,481.47",
    "does not waive",
    "Not legal advice",
]


@pytest.mark.parametrize(("locale", "expected"), [("fr", NOTICE_FR), ("en", NOTICE_EN)])
def test_notice_letter_states_the_facts_the_law_and_the_demand(locale: str, expected: list[str]) -> None:
    content = pdf_text(render_notice_letter(make_doc(locale)))
    missing = [snippet for snippet in [*COMMON, *expected] if snippet not in content]
    assert not missing, content


def test_french_notice_cites_no_english_and_english_notice_no_french_law() -> None:
    assert "Berne" not in pdf_text(render_notice_letter(make_doc("fr")))
    assert "L.122-4" not in pdf_text(render_notice_letter(make_doc("en")))


def test_notice_without_a_known_capture_date_leaves_it_out() -> None:
    doc = make_doc("en", facts=replace(FACTS, photo_created_on=None))
    assert "taken on" not in pdf_text(render_notice_letter(doc))


INVOICE_FR = [
    "Facture n° F-2026-0042",
    "Échéance : 28 novembre 2026",
    "Licence rétroactive",
    "1 028,80 €",
    "205,76 €",
    "Total HT 1 234,56 €",
    "TVA 20 % 246,91 €",
    "Total TTC 1 481,47 €",
    "au plus tard le 28 novembre 2026",
]
INVOICE_EN = [
    "Invoice no. F-2026-0042",
    "Due date: 28 November 2026",
    "Retroactive licence",
    "€1,028.80",
    "€205.76",
    "Subtotal (excl. VAT) €1,234.56",
    "VAT 20% €246.91",
    "Total due €1,481.47",
    "no later than 28 November 2026",
]


@pytest.mark.parametrize(("locale", "expected"), [("fr", INVOICE_FR), ("en", INVOICE_EN)])
def test_invoice_with_vat(locale: str, expected: list[str]) -> None:
    content = pdf_text(render_invoice(make_doc(locale), "F-2026-0042"))
    missing = [snippet for snippet in [*COMMON[:3], *COMMON[6:], *expected] if snippet not in content]
    assert not missing, content
    assert "293 B" not in content


@pytest.mark.parametrize(
    ("locale", "mention", "total", "vat_line"),
    [
        ("fr", "TVA non applicable, art. 293 B du CGI", "Total dû 1 234,56 €", "TVA 20"),
        ("en", "VAT not applicable, art. 293 B", "Total due €1,234.56", "VAT 20"),
    ],
)
def test_vat_exempt_invoice_carries_the_293_b_mention(locale: str, mention: str, total: str, vat_line: str) -> None:
    content = pdf_text(render_invoice(make_doc(locale, amounts=EXEMPT), "F-2026-0043"))
    assert mention in content
    assert total in content
    assert vat_line not in content


@pytest.mark.parametrize(("locale", "expected"), [("fr", "TVA 5,5 % 67,90 €"), ("en", "VAT 5.5% €67.90")])
def test_a_decimal_vat_rate_is_formatted_per_locale(locale: str, expected: str) -> None:
    amounts = replace(WITH_VAT, vat_rate=Decimal("5.5"))
    assert expected in pdf_text(render_invoice(make_doc(locale, amounts=amounts), "F-2026-0044"))


def test_late_payment_terms_appear_only_for_a_business_buyer() -> None:
    professional = replace(INFRINGER, company_id="SIREN 552 100 554")
    assert "L.441-10" in pdf_text(render_invoice(make_doc("fr", debtor=professional), "F-1"))
    assert "L.441-10" not in pdf_text(render_invoice(make_doc("fr"), "F-1"))


@pytest.mark.parametrize("render", [render_notice_letter, lambda doc: render_invoice(doc, "F-2026-0042")])
@pytest.mark.parametrize("locale", ["fr", "en"])
def test_rendering_is_deterministic(render: Callable[[RecoveryDocument], bytes], locale: str) -> None:
    first = render(make_doc(locale))
    assert first.startswith(b"%PDF-")
    assert render(make_doc(locale)) == first
    assert render(make_doc(locale, reference="PXH-2026-000124")) != first


def test_pdf_metadata_names_the_document_and_author() -> None:
    metadata = PdfReader(io.BytesIO(render_invoice(make_doc("en"), "F-7"))).metadata
    assert metadata is not None
    assert (metadata.title, metadata.author, metadata.subject) == (
        "Invoice no. F-7",
        "Camille Durand",
        "PXH-2026-000123",
    )


INVALID: dict[str, Callable[[], object]] = {
    "negative licence fee": lambda: replace(WITH_VAT, licence_fee=-1),
    "negative surcharge": lambda: replace(WITH_VAT, surcharge=-1),
    "nothing claimed": lambda: replace(WITH_VAT, licence_fee=0, surcharge=0),
    "float amount": lambda: replace(WITH_VAT, licence_fee=10.5),
    "lower-case currency": lambda: replace(WITH_VAT, currency="eur"),
    "VAT rate over 100": lambda: replace(WITH_VAT, vat_rate=Decimal(120)),
    "exempt seller charging VAT": lambda: replace(WITH_VAT, vat_exempt=True),
    "unknown locale": lambda: make_doc("de"),
    "deadline before the document date": lambda: make_doc(payment_deadline=date(2026, 11, 13)),
    "deadline on the document date": lambda: make_doc(payment_deadline=date(2026, 11, 14)),
    "discovered after the document date": lambda: make_doc(document_date=date(2026, 10, 1)),
    "empty reference": lambda: make_doc(reference=" "),
    "bad page hash": lambda: replace(FACTS, page_sha256="abc"),
    "naive fetch time": lambda: replace(FACTS, fetched_at=datetime(2026, 10, 3, 14, 5)),
    "created after discovery": lambda: replace(FACTS, photo_created_on=date(2026, 10, 4)),
    "bad IBAN checksum": lambda: replace(PAYMENT, iban="FR7630006000011234567890188"),
    "no way to pay": lambda: replace(PAYMENT, iban=None, other_instructions=()),
    "empty party name": lambda: replace(PHOTOGRAPHER, name=""),
    "empty invoice number": lambda: render_invoice(make_doc(), ""),
    "money in an unknown locale": lambda: format_money(100, "EUR", "de"),
}


@pytest.mark.parametrize("build", INVALID.values(), ids=INVALID.keys())
def test_invalid_input_is_rejected(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        build()
