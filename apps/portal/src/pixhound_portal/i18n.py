"""French and English for every word the portal shows, through Babel and gettext.

Message ids are English; `locale/fr/LC_MESSAGES/messages.po` holds the French. Catalogues are
compiled in memory at start-up, so the repository keeps only the reviewable `.po` files.
The language is the one the photographer chose (a remembered cookie), else their account's,
else the browser's `Accept-Language`, else French.
"""

from __future__ import annotations

import gettext
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import Translations

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"
LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def translations(locale: str) -> gettext.NullTranslations:
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def negotiate(accept_language: str) -> str:
    wanted = []
    for part in accept_language.split(","):
        tag, _, quality = part.strip().partition(";q=")
        if not tag:
            continue
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            weight = 0.0
        wanted.append((weight, tag.strip().replace("-", "_")))
    preferred = [tag for _weight, tag in sorted(wanted, key=lambda pair: -pair[0])]
    chosen = Locale.negotiate(preferred, list(LOCALES), sep="_")
    return chosen.language if chosen is not None else DEFAULT_LOCALE


def supported(locale: str | None) -> str | None:
    return locale if locale in LOCALES else None


@cache
def _territories(locale: str) -> dict[str, str]:
    return dict(Locale.parse(locale).territories)


def country_name(code: str, locale: str) -> str:
    return _territories(locale).get((code or "").upper(), code or "")


class Formatter:
    """Numbers, money and dates as a reader of `locale` writes them."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def money(self, minor_units: int | None, currency: str = "EUR") -> str:
        if minor_units is None:
            return "—"
        return format_currency(Decimal(minor_units) / 100, currency, locale=self.locale)

    def number(self, value: float | int | None, digits: int = 0) -> str:
        if value is None:
            return "—"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, value: float | None) -> str:
        return "—" if value is None else format_percent(value, locale=self.locale)

    def date(self, value: str | datetime | date | None) -> str:
        parsed = _parse(value)
        return "—" if parsed is None else format_date(parsed, format="medium", locale=self.locale)

    def datetime(self, value: str | datetime | None) -> str:
        parsed = _parse(value)
        if parsed is None:
            return "—"
        if not isinstance(parsed, datetime):
            return format_date(parsed, format="medium", locale=self.locale)
        return format_datetime(parsed, format="medium", tzinfo=UTC, locale=self.locale) + " UTC"


def _parse(value: str | datetime | date | None) -> datetime | date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
