"""The operator's postal address: JSON-LD or microdata PostalAddress, else the address lines of the legal text."""

from __future__ import annotations

import re
from typing import Any

from pixhound_crawler.identity.document import Document, clean_spaces, fold
from pixhound_crawler.identity.model import Address
from pixhound_crawler.identity.names import org_nodes

TOWN_END = (
    r"(?=\s*(?:$|[,.;|–—(•·]|\s-\s|\s+(?:France|Deutschland|Germany|Italia|Italy|Belgi|Suisse|Schweiz|Luxembourg"
    r"|Österreich|Tél|Tel|T[ée]l|Phone|SIRE|RCS)))"
)
POSTCODE_LINE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("GB", re.compile(r"(?:([A-Z][A-Za-z' .-]{1,30}?),?\s+)?\b([A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b")),
    ("US", re.compile(r"([A-Z][A-Za-z .'-]{1,30}),\s*[A-Z]{2}\s+(\d{5}(?:-\d{4})?)\b")),
    (
        "CA",
        re.compile(
            r"(?:([A-Z][A-Za-z .'-]{1,30}),?\s*(?:[A-Z]{2}\s+)?)?"
            r"\b([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s?\d[ABCEGHJ-NPRSTV-Z]\d)\b"
        ),
    ),
    (
        "IE",
        re.compile(r"(?:([A-Z][A-Za-z' .-]{1,30}?),?\s+)?\b((?:[AC-FHKNPRTV-Y]\d{2}|D6W)\s?[0-9AC-FHKNPRTV-Y]{4})\b"),
    ),
    ("NL", re.compile(r"\b(\d{4}\s?[A-Z]{2})\s+([A-Z][A-Za-z' -]{1,30})")),
    ("IT", re.compile(r"\b(\d{5})\s+([A-Z][A-Za-zà-ÿ' -]{1,30}?)\s*\(([A-Z]{2})\)")),
    (
        "FR",
        re.compile(
            r"\b(?:F-|D-|I-)?(\d{5})\s+([A-ZÀ-ÝÄÖÜ][A-Za-zÀ-ÿäöüß'’ -]{1,34}?(?:\s+CEDEX(?:\s+\d{1,2})?)?)" + TOWN_END
        ),
    ),
    ("BE", re.compile(r"\b(?:B-|CH-|L-|A-)?([1-9]\d{3})\s+([A-ZÀ-Ý][A-Za-zÀ-ÿ'’ -]{1,30}?)" + TOWN_END)),
)
STREET = re.compile(
    r"(\d{1,4}\s?(?:bis|ter|[a-c])?,?\s+(?:rue|avenue|av\.|boulevard|bd|place|chemin|all[ée]e|impasse|quai|route|cours|"
    r"square|passage|faubourg|rond-point|esplanade|parvis|promenade|zone|za|zi|lieu-dit|hameau|r[ée]sidence|voie|"
    r"chauss[ée]e)\b[^,\n|–]{2,60}"
    r"|(?<!\d)\d{1,5}[A-Za-z]?,?\s+(?:[A-Z][\w'’.-]{0,30}\s){1,4}(?:Street|St\.?|Road|Rd\.?|Lane|Avenue|Ave\.?|Way|"
    r"Place|Square|Drive|Close|Court|Terrace|Row|Yard|Mews|Crescent|Gardens|Park|Hill|Walk|Parade|Boulevard|Blvd\.?|Wharf|Quay)\b"
    r"|(?<![\w.-])(?:[A-ZÄÖÜ][\wäöüß.-]{0,30}?(?:straße|strasse|str\.|weg|platz|allee|gasse|ring|damm|ufer|markt)|"
    r"[A-ZÄÖÜ][\wäöüß-]{0,30}\s"
    r"(?:Straße|Strasse|Weg|Platz|Allee))\s+\d{1,4}\s?[a-z]?\b"
    r"|(?:Via|Viale|Piazza|Piazzale|Corso|Largo|Vicolo|Calle|Avenida|Avda\.|Plaza|Paseo|Rue|Avenue|Chaussée|Boulevard)\s+"
    r"[^,\n|–]{2,50}?,?\s*\d{1,4}[a-z]?\b"
    r"|(?<![\w-])(?:[A-Z]\w{0,30}?(?:straat|laan|weg|plein|gracht|kade|steenweg))\s+\d{1,4}\b)",
)
ADDRESS_KEYWORDS = re.compile(
    r"si[èe]ge|adresse|address|registered\s+office|anschrift|sitz|domicili|sede|situ[ée]|located|postal|bureau|office",
    re.IGNORECASE,
)
COUNTRY_WORDS = {
    "france": "FR", "deutschland": "DE", "germany": "DE", "allemagne": "DE", "belgique": "BE", "belgium": "BE",
    "belgie": "BE", "italia": "IT", "italy": "IT", "italie": "IT", "espana": "ES", "spain": "ES", "espagne": "ES",
    "nederland": "NL", "netherlands": "NL", "pays-bas": "NL", "united kingdom": "GB", "royaume-uni": "GB", "uk": "GB",
    "england": "GB", "scotland": "GB", "suisse": "CH", "schweiz": "CH", "switzerland": "CH", "luxembourg": "LU",
    "osterreich": "AT", "austria": "AT", "usa": "US", "united states": "US", "etats-unis": "US", "canada": "CA",
}  # fmt: skip


def _jsonld_address(node: dict[str, Any]) -> Address | None:
    address = node.get("address")
    if isinstance(address, list):
        address = next((item for item in address if isinstance(item, dict)), None)
    if isinstance(address, str):
        return text_address([address], span=1) or Address(street=clean_spaces(address))
    if not isinstance(address, dict):
        return None
    country = address.get("addressCountry")
    if isinstance(country, dict):
        country = country.get("name") or country.get("identifier")

    def text(key: str) -> str | None:
        value = address.get(key)
        return clean_spaces(str(value)) if isinstance(value, str | int) and str(value).strip() else None

    if not (text("streetAddress") or text("postalCode") or text("addressLocality")):
        return None
    return Address(text("streetAddress"), text("postalCode"), text("addressLocality"), country_code(country))


def country_code(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if re.fullmatch(r"[A-Za-z]{2}", value):
        return value.upper().replace("UK", "GB")
    return COUNTRY_WORDS.get(fold(value))


def text_address(lines: list[str], start: int = 0, span: int = 4, need_context: bool = False) -> Address | None:
    for index in range(start, min(len(lines), start + span)):
        line = lines[index]
        for country, pattern in POSTCODE_LINE:
            match = pattern.search(line)
            if not match:
                continue
            if country in ("GB", "US", "CA", "IE"):
                postcode, locality = match.group(2), match.group(1)
            elif country == "IT":
                postcode, locality = match.group(1), f"{match.group(2).strip()} ({match.group(3)})"
            else:
                postcode, locality = match.group(1), match.group(2)
            street_match = STREET.search(line[: match.start()]) or (STREET.search(lines[index - 1]) if index else None)
            street = clean_spaces(street_match.group(0)).strip(" ,") if street_match else None
            tail = fold(line[match.end() : match.end() + 40] + " " + " ".join(lines[index + 1 : index + 2])[:30])
            named = next((code for word, code in COUNTRY_WORDS.items() if re.search(rf"\b{word}\b", tail)), None)
            if country == "FR" and named in ("DE", "IT", "ES"):
                country = named
            if country == "BE" and named in ("CH", "LU", "AT"):
                country = named
            if (need_context or country in ("BE", "NL")) and not street and not named:
                continue
            return Address(street, postcode.strip(), clean_spaces(locality or "").strip(" ,") or None, named or country)
    return None


def choose_address(
    documents: list[Document], publisher_texts: list[str] | None = None
) -> tuple[Address | None, str | None]:
    """The best postal address; with `publisher_texts` (one per document), only from what concerns the publisher."""
    best: tuple[float, Address, str] | None = None
    for node in org_nodes(documents):
        address = _jsonld_address(node)
        if address and address.postcode:
            score = 6.0 + (1 if address.street else 0)
            if best is None or score > best[0]:
                best = (score, address, "json-ld")
    for position, document in enumerate(documents):
        lines = publisher_texts[position].splitlines() if publisher_texts is not None else document.kept
        for index, line in enumerate(lines):
            keyword = ADDRESS_KEYWORDS.search(line)
            address = text_address(lines, index, 4 if keyword else 1, need_context=not keyword)
            if not address:
                continue
            score = (4.0 if keyword else 2.0) + (2 if address.street else 0) + (1 if document.is_legal else 0)
            if best is None or score > best[0]:
                best = (score, address, "legal-notice" if document.is_legal else "page text")
    return (best[1], best[2]) if best else (None, None)
