"""The letters a recovery case sends: a formal notice and an invoice, as PDF bytes.

Once an infringer is identified, the photographer (or the agency acting for them) sends a formal
notice demanding removal and payment, and an invoice for the retroactive licence. Both must state
the same facts, evidence and amounts, in French or English, and be reproducible byte for byte from
the case data, so this module is pure: it takes frozen inputs, including every date, and returns
bytes. Storage, sending and the clock belong to the callers.

Texts for both languages live side by side in `TEXTS`. The PDFs use the standard Type 1 fonts
shipped with reportlab (WinAnsi encoding covers "€", "£" and French accents), so rendering needs
no font files from the host.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, get_args
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

Locale = Literal["fr", "en"]
LOCALES: tuple[str, ...] = get_args(Locale)

_NBSP = "\u00a0"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
_MINOR_DIGITS = {"BHD": 3, "CLP": 0, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3, "OMR": 3, "TND": 3, "VND": 0}
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}
_MONTHS = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

# Every text, keyed by message id, with the locales side by side. Values may hold reportlab
# paragraph markup (<b>, <i>); placeholders are filled with escaped values.
TEXTS: dict[str, dict[str, str]] = {
    "notice.title": {
        "fr": "Mise en demeure",
        "en": "Formal notice of copyright infringement",
    },
    "notice.subject": {
        "fr": "<b>Objet :</b> mise en demeure – utilisation non autorisée de ma photographie « {title} »",
        "en": "<b>Subject:</b> formal notice – unauthorised use of my photograph “{title}”",
    },
    "notice.dateline": {"fr": "Le {date}", "en": "{date}"},
    "reference": {"fr": "<b>Référence :</b> {reference}", "en": "<b>Reference:</b> {reference}"},
    "notice.salutation": {"fr": "Madame, Monsieur,", "en": "Dear Sir or Madam,"},
    "notice.authorship": {
        "fr": "Je suis l’auteur de la photographie intitulée « {title} »{created} et je détiens l’ensemble des "
        "droits d’auteur sur cette œuvre. Aux termes de l’article L.111-1 du Code de la propriété intellectuelle "
        "(CPI), l’auteur d’une œuvre de l’esprit jouit sur cette œuvre, du seul fait de sa création, d’un droit de "
        "propriété incorporelle exclusif et opposable à tous.",
        "en": "I am the author and copyright owner of the photograph titled “{title}”{created}. Under the Berne "
        "Convention for the Protection of Literary and Artistic Works, this photograph is protected by copyright "
        "in every country party to the Convention, without registration or any other formality.",
    },
    "notice.created": {"fr": ", réalisée le {date},", "en": ", taken on {date}"},
    "notice.facts": {
        "fr": "Le {discovered}, j’ai constaté que cette photographie est reproduite et communiquée au public, sans "
        "mon autorisation, sur la page suivante : {page_url} (fichier image : {image_url}).",
        "en": "On {discovered}, I found that this photograph is reproduced and communicated to the public, without "
        "my permission, on the following page: {page_url} (image file: {image_url}).",
    },
    "notice.evidence": {
        "fr": "La page et l’image ont été archivées le {fetched_at}. Empreintes SHA-256 des copies conservées :",
        "en": "The page and the image were archived on {fetched_at}. SHA-256 fingerprints of the preserved copies:",
    },
    "evidence.page": {"fr": "Page", "en": "Page"},
    "evidence.image": {"fr": "Image", "en": "Image"},
    "evidence.key": {"fr": "Archive", "en": "Archive"},
    "evidence.sha256": {"fr": "SHA-256", "en": "SHA-256"},
    "notice.law": {
        "fr": "Aux termes de l’article L.122-4 du CPI, toute représentation ou reproduction intégrale ou partielle "
        "faite sans le consentement de l’auteur est illicite. Cette exploitation constitue un acte de contrefaçon "
        "au sens des articles L.335-2 et L.335-3 du CPI. L’article L.121-1 du CPI me reconnaît en outre le droit "
        "au respect de mon nom et de ma qualité d’auteur.",
        "en": "Reproducing a protected work and communicating it to the public are acts that applicable copyright "
        "law reserves to the copyright owner (see also article 9 of the Berne Convention). Doing so without a "
        "licence infringes my copyright. I also have the right to be identified as the author of the photograph "
        "(article 6bis of the Berne Convention).",
    },
    "notice.damages": {
        "fr": "Selon l’article L.331-1-3 du CPI, les dommages et intérêts tiennent compte des conséquences "
        "économiques négatives de l’atteinte, du préjudice moral et des bénéfices réalisés par son auteur, ou "
        "peuvent être fixés à une somme forfaitaire qui ne peut être inférieure au montant des redevances qui "
        "auraient été dues si l’autorisation avait été demandée.",
        "en": "Where copyright is infringed, the owner may claim compensation, commonly assessed as no less than the "
        "licence fee that would have been due had permission been requested.",
    },
    "notice.demand": {
        "fr": "En conséquence, je vous mets en demeure, au plus tard le <b>{deadline}</b> :",
        "en": "I therefore require you, no later than <b>{deadline}</b>, to:",
    },
    "notice.demand.remove": {
        "fr": "1. de retirer la photographie de la page indiquée ci-dessus et de tout autre support où vous "
        "l’utilisez ;",
        "en": "1. remove the photograph from the page above and from any other place where you use it; and",
    },
    "notice.demand.pay": {
        "fr": "2. de me régler la somme de <b>{total}</b>, détaillée ci-dessous, au titre de la licence pour "
        "l’utilisation passée et de l’indemnisation de l’utilisation non autorisée.",
        "en": "2. pay <b>{total}</b>, itemised below, as a retroactive licence fee and compensation for the "
        "unauthorised use.",
    },
    "notice.regularise": {
        "fr": "Si vous souhaitez continuer à utiliser la photographie, vous pouvez régulariser la situation en "
        "souscrivant une licence : contactez-moi avant cette date pour en convenir.",
        "en": "If you wish to keep using the photograph, you may instead regularise the use by taking a licence: "
        "please contact me before that date to arrange it.",
    },
    "notice.amounts": {"fr": "Détail des sommes dues", "en": "Amounts due"},
    "notice.payment": {"fr": "Modalités de paiement", "en": "Payment instructions"},
    "notice.consequence": {
        "fr": "À défaut de paiement ou de réponse dans ce délai, je me réserve le droit d’engager sans autre avis "
        "toute action judiciaire utile afin de faire cesser l’atteinte et d’obtenir réparation de l’intégralité de "
        "mon préjudice. La présente lettre vaut mise en demeure au sens de l’article 1344 du Code civil.",
        "en": "If I receive neither payment nor a response by that date, I may take legal action without further "
        "notice to stop the infringement and to recover damages, interest and costs.",
    },
    "notice.no_waiver": {
        "fr": "La présente lettre est adressée sous réserve de tous mes droits et ne vaut renonciation à aucun "
        "d’entre eux.",
        "en": "This letter is sent without prejudice to, and does not waive, any of my rights or remedies.",
    },
    "notice.closing": {
        "fr": "Je vous prie d’agréer, Madame, Monsieur, l’expression de mes salutations distinguées.",
        "en": "Yours faithfully,",
    },
    "notice.footer": {
        "fr": "Modèle généré par Pixhound, à faire relire avant envoi. Ne constitue pas un conseil juridique.",
        "en": "Template generated by Pixhound, to be reviewed before sending. Not legal advice.",
    },
    "invoice.title": {"fr": "Facture n° {number}", "en": "Invoice no. {number}"},
    "invoice.date": {"fr": "Date : {date}", "en": "Date: {date}"},
    "invoice.due": {"fr": "Échéance : {date}", "en": "Due date: {date}"},
    "invoice.seller": {"fr": "Émetteur", "en": "From"},
    "invoice.buyer": {"fr": "Client", "en": "Bill to"},
    "invoice.description": {"fr": "Désignation", "en": "Description"},
    "invoice.quantity": {"fr": "Qté", "en": "Qty"},
    "invoice.amount": {"fr": "Montant HT", "en": "Amount (excl. VAT)"},
    "invoice.line.licence": {
        "fr": "Licence rétroactive de reproduction et de représentation de la photographie « {title} » sur "
        "{page_url} (utilisation constatée le {discovered})",
        "en": "Retroactive licence to reproduce and communicate to the public the photograph “{title}” on "
        "{page_url} (use found on {discovered})",
    },
    "invoice.line.surcharge": {
        "fr": "Majoration pour utilisation sans autorisation préalable",
        "en": "Surcharge for use without prior permission",
    },
    "invoice.terms": {
        "fr": "Paiement à effectuer au plus tard le {deadline}. Pas d’escompte pour paiement anticipé.",
        "en": "Payment is due no later than {deadline}.",
    },
    "invoice.late_b2b": {
        "fr": "En cas de retard de paiement : pénalités au taux de trois fois le taux d’intérêt légal et indemnité "
        "forfaitaire de 40 € pour frais de recouvrement (art. L.441-10 et D.441-5 du Code de commerce).",
        "en": "Late payment may incur interest and recovery costs as permitted by law.",
    },
    "invoice.footer": {
        "fr": "Document généré par Pixhound, à vérifier avant envoi. Ne constitue pas un conseil juridique ou fiscal.",
        "en": "Generated by Pixhound, to be checked before sending. Not legal or tax advice.",
    },
    "amounts.licence": {"fr": "Licence", "en": "Licence fee"},
    "amounts.surcharge": {
        "fr": "Majoration pour utilisation non autorisée",
        "en": "Surcharge for unauthorised use",
    },
    "amounts.subtotal": {"fr": "Total HT", "en": "Subtotal (excl. VAT)"},
    "amounts.vat": {"fr": "TVA {rate}", "en": "VAT {rate}"},
    "amounts.total": {"fr": "Total TTC", "en": "Total due"},
    "amounts.total_untaxed": {"fr": "Total dû", "en": "Total due"},
    "amounts.vat_exempt": {
        "fr": "TVA non applicable, art. 293 B du CGI",
        "en": "VAT not applicable, art. 293 B of the French tax code (CGI)",
    },
    "payment.holder": {"fr": "Titulaire du compte", "en": "Account holder"},
    "payment.iban": {"fr": "IBAN", "en": "IBAN"},
    "payment.bic": {"fr": "BIC", "en": "BIC"},
    "payment.bank": {"fr": "Banque", "en": "Bank"},
    "payment.reference": {"fr": "Référence à indiquer", "en": "Payment reference"},
    "party.company_id": {"fr": "Identifiant : {value}", "en": "Company ID: {value}"},
    "page": {"fr": "Réf. {reference} – page {page}", "en": "Ref. {reference} – page {page}"},
    "at_utc": {"fr": "{date} à {time} UTC", "en": "{date} at {time} UTC"},
}


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _require_text(value: str, what: str) -> None:
    _require(isinstance(value, str) and value.strip() != "", f"{what} must not be empty")


def _check_locale(locale: str) -> None:
    _require(locale in LOCALES, f"unknown locale {locale!r}; expected one of {', '.join(LOCALES)}")


def _check_currency(currency: str) -> None:
    _require(isinstance(currency, str) and _CURRENCY.fullmatch(currency) is not None, f"bad currency {currency!r}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _group(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    return separator.join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


def format_money(amount: int, currency: str, locale: str) -> str:
    """Format minor units: `123456, "EUR"` is "1 234,56 €" in fr, "€1,234.56" in en.

    The French spaces are no-break spaces (U+00A0) so that a line never splits an amount.
    """
    _require(_is_int(amount), f"amount must be an integer number of minor units, not {amount!r}")
    _check_currency(currency)
    _check_locale(locale)
    exponent = _MINOR_DIGITS.get(currency, 2)
    units, minor = divmod(abs(amount), 10**exponent)
    group, decimal_mark = (_NBSP, ",") if locale == "fr" else (",", ".")
    number = _group(str(units), group) + (f"{decimal_mark}{minor:0{exponent}d}" if exponent else "")
    sign = "-" if amount < 0 else ""
    symbol = _SYMBOLS.get(currency)
    if locale == "fr":
        return f"{sign}{number}{_NBSP}{symbol or currency}"
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{currency}{_NBSP}{number}"


def format_date(value: date, locale: str) -> str:
    """28 November 2026 in en, 28 novembre 2026 in fr (1er novembre for the first day)."""
    _check_locale(locale)
    day = "1er" if locale == "fr" and value.day == 1 else str(value.day)
    return f"{day} {_MONTHS[locale][value.month - 1]} {value.year}"


def _format_rate(rate: Decimal, locale: str) -> str:
    text = format(rate.normalize(), "f")
    return f"{text.replace('.', ',')}{_NBSP}%" if locale == "fr" else f"{text}%"


def _format_instant(value: datetime, locale: str) -> str:
    utc = value.astimezone(UTC)
    return text(locale, "at_utc", date=format_date(utc.date(), locale), time=utc.strftime("%H:%M"))


def _iban_is_valid(iban: str) -> bool:
    if _IBAN.fullmatch(iban) is None:
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def _french_spacing(template: str) -> str:
    for before, after in (("« ", "«\u00a0"), (" »", "\u00a0»"), (" :", "\u00a0:"), (" ;", "\u00a0;")):
        template = template.replace(before, after)
    return template


def text(locale: str, key: str, **values: str) -> str:
    """The text `key` in `locale`, with values escaped for reportlab paragraph markup."""
    _check_locale(locale)
    template = TEXTS[key][locale]
    if locale == "fr":
        template = _french_spacing(template)
    return template.format(**{name: escape(value) for name, value in values.items()})


@dataclass(frozen=True)
class Party:
    """A photographer (creditor, seller) or an infringer (debtor, buyer)."""

    name: str
    address_lines: tuple[str, ...]
    email: str
    company_id: str | None = None

    def __post_init__(self) -> None:
        _require_text(self.name, "party name")
        _require(isinstance(self.address_lines, tuple), "address_lines must be a tuple")
        _require_text(self.email, "party email")
        _require("@" in self.email, f"bad email {self.email!r}")


@dataclass(frozen=True)
class InfringementFacts:
    """Where the photo was found, when, and the archived evidence of it."""

    page_url: str
    image_url: str
    photo_title: str
    discovered_on: date
    page_archive_key: str
    page_sha256: str
    image_archive_key: str
    image_sha256: str
    fetched_at: datetime
    photo_created_on: date | None = None

    def __post_init__(self) -> None:
        for name in ("page_url", "image_url", "photo_title", "page_archive_key", "image_archive_key"):
            _require_text(getattr(self, name), name)
        for name in ("page_sha256", "image_sha256"):
            value = getattr(self, name)
            _require(_SHA256.fullmatch(value) is not None, f"{name} must be 64 lowercase hex digits, not {value!r}")
        _require(self.fetched_at.tzinfo is not None, "fetched_at must be timezone-aware")
        if self.photo_created_on is not None:
            _require(self.photo_created_on <= self.discovered_on, "the photo cannot be created after its discovery")


@dataclass(frozen=True)
class Amounts:
    """What is claimed, in integer minor units of `currency`; VAT is computed on the subtotal."""

    licence_fee: int
    surcharge: int
    currency: str
    vat_rate: Decimal = Decimal(0)
    vat_exempt: bool = False

    def __post_init__(self) -> None:
        for name in ("licence_fee", "surcharge"):
            value = getattr(self, name)
            _require(_is_int(value), f"{name} must be an integer number of minor units")
            _require(value >= 0, f"{name} must not be negative")
        _require(self.subtotal > 0, "the amount claimed must be positive")
        _check_currency(self.currency)
        _require(isinstance(self.vat_rate, Decimal) and self.vat_rate.is_finite(), "vat_rate must be a Decimal")
        _require(Decimal(0) <= self.vat_rate < Decimal(100), "vat_rate is a percentage from 0 to 100")
        _require(not (self.vat_exempt and self.vat_rate), "a VAT-exempt seller cannot charge VAT")

    @property
    def subtotal(self) -> int:
        return self.licence_fee + self.surcharge

    @property
    def vat_amount(self) -> int:
        return int((self.subtotal * self.vat_rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def total(self) -> int:
        return self.subtotal + self.vat_amount


@dataclass(frozen=True)
class PaymentInstructions:
    """Where to pay: a bank transfer (IBAN optional) and/or free-text instructions such as a payment link."""

    account_holder: str
    iban: str | None = None
    bic: str | None = None
    bank_name: str | None = None
    other_instructions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _require_text(self.account_holder, "account_holder")
        if self.iban is not None:
            compact = self.iban.replace(" ", "").upper()
            _require(_iban_is_valid(compact), f"invalid IBAN {self.iban!r}")
            object.__setattr__(self, "iban", compact)
        _require(self.iban is not None or bool(self.other_instructions), "give an IBAN or other payment instructions")


@dataclass(frozen=True)
class RecoveryDocument:
    """Everything both documents need for one case."""

    creditor: Party
    debtor: Party
    facts: InfringementFacts
    amounts: Amounts
    locale: Locale
    document_date: date
    payment_deadline: date
    reference: str
    payment: PaymentInstructions

    def __post_init__(self) -> None:
        _check_locale(self.locale)
        _require_text(self.reference, "reference")
        _require(
            self.payment_deadline > self.document_date,
            f"the payment deadline {self.payment_deadline} must be after the document date {self.document_date}",
        )
        _require(self.facts.discovered_on <= self.document_date, "the infringement cannot be discovered after the date")


_INK = colors.HexColor("#1f2933")
_RULE = colors.HexColor("#9aa5b1")
_BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13.5, textColor=_INK, spaceAfter=7)
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=8.5, leading=11, spaceAfter=0)
_MONO = ParagraphStyle("mono", parent=_SMALL, fontName="Courier", fontSize=7.5, leading=9.5)
_TITLE = ParagraphStyle("title", parent=_BODY, fontName="Helvetica-Bold", fontSize=15, leading=19, spaceAfter=10)
_HEADING = ParagraphStyle("heading", parent=_BODY, fontName="Helvetica-Bold", fontSize=11, spaceBefore=6)
_RIGHT = ParagraphStyle("right", parent=_BODY, alignment=TA_RIGHT, spaceAfter=0)
_CELL = ParagraphStyle("cell", parent=_BODY, spaceAfter=0)
_GRID = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, _RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
    ]
)
_WIDTH = A4[0] - 40 * mm - 12  # the frame keeps 6 pt of padding on each side


def _p(markup: str, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(markup, style)


def _party_block(party: Party, locale: str, heading: str | None = None) -> list[Flowable]:
    lines = [f"<b>{escape(party.name)}</b>", *(escape(line) for line in party.address_lines), escape(party.email)]
    if party.company_id:
        lines.append(text(locale, "party.company_id", value=party.company_id))
    if heading:
        lines.insert(0, f"<i>{escape(heading)}</i>")
    return [_p("<br/>".join(lines), _CELL)]


def _parties(doc: RecoveryDocument, headings: tuple[str, str] | None = None) -> Table:
    left, right = headings or (None, None)
    table = Table(
        [[_party_block(doc.creditor, doc.locale, left), _party_block(doc.debtor, doc.locale, right)]],
        colWidths=[_WIDTH / 2, _WIDTH / 2],
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _amount_rows(doc: RecoveryDocument, *, with_items: bool) -> list[tuple[str, int]]:
    amounts = doc.amounts
    rows = [("amounts.licence", amounts.licence_fee), ("amounts.surcharge", amounts.surcharge)] if with_items else []
    if amounts.vat_rate:
        return [*rows, ("amounts.subtotal", amounts.subtotal), ("amounts.vat", amounts.vat_amount)]
    return rows


def _amounts_table(doc: RecoveryDocument, *, with_items: bool) -> Table:
    amounts, locale = doc.amounts, doc.locale
    rate = _format_rate(amounts.vat_rate, locale)
    data = [
        [_p(text(locale, key, rate=rate), _CELL), _p(format_money(value, amounts.currency, locale), _RIGHT)]
        for key, value in _amount_rows(doc, with_items=with_items)
    ]
    total_key = "amounts.total" if amounts.vat_rate else "amounts.total_untaxed"
    data.append(
        [
            _p(f"<b>{text(locale, total_key)}</b>", _CELL),
            _p(f"<b>{escape(format_money(amounts.total, amounts.currency, locale))}</b>", _RIGHT),
        ]
    )
    if amounts.vat_exempt:
        data.append([_p(f"<i>{text(locale, 'amounts.vat_exempt')}</i>", _CELL), ""])
    table = Table(data, colWidths=[_WIDTH * 0.7, _WIDTH * 0.3])
    table.setStyle(_GRID)
    return table


def _payment_table(doc: RecoveryDocument) -> Table:
    payment, locale = doc.payment, doc.locale
    rows = [("payment.holder", payment.account_holder)]
    if payment.iban:
        rows.append(("payment.iban", " ".join(payment.iban[i : i + 4] for i in range(0, len(payment.iban), 4))))
    if payment.bic:
        rows.append(("payment.bic", payment.bic))
    if payment.bank_name:
        rows.append(("payment.bank", payment.bank_name))
    rows.append(("payment.reference", doc.reference))
    data = [[_p(text(locale, key), _CELL), _p(escape(value), _CELL)] for key, value in rows]
    data += [[_p(escape(line), _CELL), ""] for line in payment.other_instructions]
    table = Table(data, colWidths=[_WIDTH * 0.3, _WIDTH * 0.7])
    table.setStyle(TableStyle([*_GRID.getCommands(), *(("SPAN", (0, i), (1, i)) for i in range(len(rows), len(data)))]))
    return table


def _evidence_table(doc: RecoveryDocument) -> Table:
    facts, locale = doc.facts, doc.locale
    data = [
        [_p(f"<b>{text(locale, label)}</b>", _SMALL), _p(text(locale, "evidence.key"), _SMALL), _p(escape(key), _MONO)]
        for label, key in (("evidence.page", facts.page_archive_key), ("evidence.image", facts.image_archive_key))
    ]
    data.insert(1, ["", _p(text(locale, "evidence.sha256"), _SMALL), _p(facts.page_sha256, _MONO)])
    data.append(["", _p(text(locale, "evidence.sha256"), _SMALL), _p(facts.image_sha256, _MONO)])
    table = Table(data, colWidths=[_WIDTH * 0.12, _WIDTH * 0.14, _WIDTH * 0.74])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 1), (-1, 1), 0.4, _RULE),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
            ]
        )
    )
    return table


def _footer(doc: RecoveryDocument, footer_key: str) -> Callable[[Canvas, SimpleDocTemplate], None]:
    def draw(canvas: Canvas, template: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(_RULE)
        canvas.drawString(20 * mm, 12 * mm, TEXTS[footer_key][doc.locale])
        page = TEXTS["page"][doc.locale].format(reference=doc.reference, page=canvas.getPageNumber())
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, page)
        canvas.restoreState()

    return draw


def _build(doc: RecoveryDocument, title: str, footer_key: str, story: Sequence[Flowable]) -> bytes:
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=22 * mm,
        title=title,
        author=doc.creditor.name,
        subject=doc.reference,
        creator="Pixhound",
        producer="Pixhound",
        lang=doc.locale,
        invariant=True,
    )
    footer = _footer(doc, footer_key)
    template.build(list(story), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def render_notice_letter(doc: RecoveryDocument) -> bytes:
    """The formal notice (French "mise en demeure") demanding removal and payment, as PDF bytes."""
    locale, facts = doc.locale, doc.facts
    created = (
        text(locale, "notice.created", date=format_date(facts.photo_created_on, locale))
        if facts.photo_created_on
        else ""
    )
    deadline = format_date(doc.payment_deadline, locale)
    story: list[Flowable] = [
        _parties(doc),
        Spacer(1, 8 * mm),
        _p(text(locale, "notice.dateline", date=format_date(doc.document_date, locale)), _RIGHT),
        Spacer(1, 4 * mm),
        _p(text(locale, "notice.title"), _TITLE),
        _p(text(locale, "notice.subject", title=facts.photo_title)),
        _p(text(locale, "reference", reference=doc.reference)),
        _p(text(locale, "notice.salutation")),
        _p(text(locale, "notice.authorship", title=facts.photo_title, created=created)),
        _p(
            text(
                locale,
                "notice.facts",
                discovered=format_date(facts.discovered_on, locale),
                page_url=facts.page_url,
                image_url=facts.image_url,
            )
        ),
        _p(text(locale, "notice.evidence", fetched_at=_format_instant(facts.fetched_at, locale))),
        _evidence_table(doc),
        Spacer(1, 4 * mm),
        _p(text(locale, "notice.law")),
        _p(text(locale, "notice.damages")),
        _p(text(locale, "notice.demand", deadline=deadline)),
        _p(text(locale, "notice.demand.remove")),
        _p(text(locale, "notice.demand.pay", total=format_money(doc.amounts.total, doc.amounts.currency, locale))),
        _p(text(locale, "notice.regularise")),
        KeepTogether([_p(text(locale, "notice.amounts"), _HEADING), _amounts_table(doc, with_items=True)]),
        KeepTogether([_p(text(locale, "notice.payment"), _HEADING), _payment_table(doc)]),
        Spacer(1, 4 * mm),
        _p(text(locale, "notice.consequence")),
        _p(text(locale, "notice.no_waiver")),
        KeepTogether([_p(text(locale, "notice.closing")), Spacer(1, 10 * mm), _p(escape(doc.creditor.name))]),
    ]
    return _build(doc, TEXTS["notice.title"][locale], "notice.footer", story)


def render_invoice(doc: RecoveryDocument, invoice_number: str) -> bytes:
    """The invoice for the retroactive licence and the surcharge, as PDF bytes."""
    _require_text(invoice_number, "invoice_number")
    locale, facts, amounts = doc.locale, doc.facts, doc.amounts
    title = text(locale, "invoice.title", number=invoice_number)
    deadline = format_date(doc.payment_deadline, locale)
    header = [
        text(locale, "invoice.date", date=format_date(doc.document_date, locale)),
        text(locale, "invoice.due", date=deadline),
        text(locale, "reference", reference=doc.reference),
    ]
    licence_line = text(
        locale,
        "invoice.line.licence",
        title=facts.photo_title,
        page_url=facts.page_url,
        discovered=format_date(facts.discovered_on, locale),
    )
    lines = [(licence_line, amounts.licence_fee), (text(locale, "invoice.line.surcharge"), amounts.surcharge)]
    items = Table(
        [
            [
                _p(f"<b>{text(locale, key)}</b>", style)
                for key, style in (
                    ("invoice.description", _CELL),
                    ("invoice.quantity", _RIGHT),
                    ("invoice.amount", _RIGHT),
                )
            ],
            *(
                [_p(line, _CELL), _p("1", _RIGHT), _p(format_money(value, amounts.currency, locale), _RIGHT)]
                for line, value in lines
            ),
        ],
        colWidths=[_WIDTH * 0.62, _WIDTH * 0.08, _WIDTH * 0.3],
        repeatRows=1,
    )
    items.setStyle(_GRID)
    terms = [_p(text(locale, "invoice.terms", deadline=deadline))]
    if doc.debtor.company_id:
        terms.append(_p(text(locale, "invoice.late_b2b")))
    story: list[Flowable] = [
        _p(title, _TITLE),
        _p("<br/>".join(header)),
        Spacer(1, 4 * mm),
        _parties(doc, (TEXTS["invoice.seller"][locale], TEXTS["invoice.buyer"][locale])),
        Spacer(1, 8 * mm),
        items,
        Spacer(1, 4 * mm),
        _amounts_table(doc, with_items=False),
        Spacer(1, 6 * mm),
        *terms,
        KeepTogether([_p(text(locale, "notice.payment"), _HEADING), _payment_table(doc)]),
    ]
    return _build(doc, title, "invoice.footer", story)
