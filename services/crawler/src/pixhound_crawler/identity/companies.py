"""Company registration and VAT numbers found in legal text, each checked against its check digits."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pixhound_crawler.identity.checksums import (
    be_enterprise_ok,
    siren_ok,
    siret_ok,
    uk_company_number_ok,
    vat_ok,
)
from pixhound_crawler.identity.model import CompanyId

S = r"[\s.\-]?"
NUMBER_SIGN = r"(?:\s*(?:n°|nº|no\.?|num[ée]ro|number|nr\.?|#|:)\s*)*"
CITY = r"(?:\s+(?:de\s+|d'|du\s+)?[A-ZÀ-Ý][\w'’À-ÿ-]*(?:[ -][A-ZÀ-Ý][\w'’À-ÿ-]*){0,3})?"
SIREN_RE = re.compile(
    rf"(?:\bSIREN|\bR\.?\s?C\.?\s?S\.?(?=[\s:])|\bRM\b|\bRSAC\b|registre\s+du\s+commerce(?:\s+et\s+des\s+soci[ée]t[ée]s)?)"
    rf"{CITY}(?:\s+sous\s+le)?{NUMBER_SIGN}\s*(?:[AB]\s+)?(\d{{3}}{S}\d{{3}}{S}\d{{3}})(?:{S}(\d{{5}}))?(?![\d])",
    re.IGNORECASE,
)
SIRET_RE = re.compile(rf"\bSIRET{NUMBER_SIGN}\s*(\d{{3}}{S}\d{{3}}{S}\d{{3}}{S}\d{{5}})(?!\d)", re.IGNORECASE)
VAT_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("FR", re.compile(rf"(?<![A-Za-z0-9])FR{S}([0-9A-HJ-NP-Z]{{2}}){S}(\d{{3}}){S}(\d{{3}}){S}(\d{{3}})(?!\d)")),
    ("DE", re.compile(rf"(?<![A-Za-z0-9])DE{S}(\d{{3}}){S}(\d{{3}}){S}(\d{{3}})(?!\d)")),
    ("BE", re.compile(rf"(?<![A-Za-z0-9])BE{S}([01]?){S}(\d{{3}}){S}(\d{{3}}){S}(\d{{3}})(?!\d)")),
    ("IT", re.compile(rf"(?<![A-Za-z0-9])IT{S}(\d{{11}})(?!\d)")),
    ("ES", re.compile(rf"(?<![A-Za-z0-9])ES{S}([A-Z0-9]\d{{7}}[A-Z0-9])(?![A-Za-z0-9])")),
    ("NL", re.compile(rf"(?<![A-Za-z0-9])NL{S}(\d{{9}}){S}(B){S}(\d{{2}})(?!\d)")),
    ("GB", re.compile(rf"(?<![A-Za-z0-9])GB{S}(\d{{3}}){S}(\d{{4}}){S}(\d{{2}})(?:{S}(\d{{3}}))?(?!\d)")),
    ("XI", re.compile(rf"(?<![A-Za-z0-9])XI{S}(\d{{3}}){S}(\d{{4}}){S}(\d{{2}})(?!\d)")),
    ("AT", re.compile(rf"(?<![A-Za-z0-9])AT{S}(U){S}(\d{{8}})(?!\d)")),
    ("IE", re.compile(r"(?<![A-Za-z0-9])IE\s?(\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W])(?![A-Za-z0-9])")),
    ("CHE", re.compile(rf"(?<![A-Za-z0-9])CHE{S}(\d{{3}}){S}(\d{{3}}){S}(\d{{3}})(?!\d)")),
)
VAT_BY_KEYWORD: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("IT", re.compile(r"(?:P\.?\s?IVA|partita\s+iva)\s*[:.]?\s*(?:IT)?\s?(\d{11})(?!\d)", re.IGNORECASE)),
    ("ES", re.compile(r"\b(?:C\.?I\.?F|N\.?I\.?F)\.?\s*[:.]?\s*(?:ES)?[\s-]?([A-Z]\d{7}[A-Z0-9]|\d{8}[A-Z])(?!\w)")),
    (
        "GB",
        re.compile(
            r"\bVAT\s+(?:reg(?:istration|istered)?\.?\s*)?(?:no\.?|number|n[oº°])?\s*[:.]?\s*(\d{3})\s?(\d{4})\s?(\d{2})(?!\d)",
            re.IGNORECASE,
        ),
    ),
)
UK_COMPANY_RE = re.compile(
    r"(?:company\s+(?:registration\s+)?(?:number|no\.?|n[oº°]|reg(?:istration)?\.?\s+no\.?)|registered\s+(?:company\s+)?"
    r"(?:number|no\.?)|registration\s+(?:number|no\.?)|companies\s+house\s+(?:number|no\.?)?|\bCRN"
    r"|registered\s+in\s+(?:england(?:\s*(?:and|&)\s*wales)?|wales|scotland|northern\s+ireland)[\s,(]*"
    r"(?:under\s+|with\s+)?(?:company\s+|registered\s+)?(?:number|no\.?|n[oº°]))\s*[:.#]?\s*([A-Z]{2}\d{6}|\d{6,8})\b",
    re.IGNORECASE,
)
DE_REGISTER_RE = re.compile(r"\b(HR[AB])\s*(?:Nr\.?\s*)?:?\s*(\d{2,6}(?:\s?[A-Z]{1,2}\b)?)")
BE_ENTERPRISE_RE = re.compile(
    r"(?:num[ée]ro\s+d.entreprise|n°\s*d.entreprise|\bBCE|\bKBO|ondernemingsnummer|enterprise\s+number)"
    r"\s*[:.]?\s*(?:n°\s*)?([01]?\d{3}[.\s]?\d{3}[.\s]?\d{3})(?!\d)",
    re.IGNORECASE,
)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _vat(country: str, body: str) -> CompanyId:
    if country == "BE" and len(body) == 9:
        body = "0" + body
    value = f"{country}{body}".upper()
    return CompanyId("vat", value, vat_ok(value))


def _ids_in(text: str) -> list[tuple[int, CompanyId]]:
    found: list[tuple[int, CompanyId]] = []
    for match in SIRET_RE.finditer(text):
        siret = _digits(match.group(1))
        found.append((match.start(), CompanyId("siret", siret, siret_ok(siret))))
    for match in SIREN_RE.finditer(text):
        if match.group(2):
            siret = _digits(match.group(1)) + match.group(2)
            found.append((match.start(), CompanyId("siret", siret, siret_ok(siret))))
        else:
            siren = _digits(match.group(1))
            found.append((match.start(), CompanyId("siren", siren, siren_ok(siren))))
    for country, pattern in VAT_RES:
        for match in pattern.finditer(text):
            found.append((match.start(), _vat(country, "".join(group or "" for group in match.groups()))))
    for country, pattern in VAT_BY_KEYWORD:
        for match in pattern.finditer(text):
            found.append((match.start(), _vat(country, "".join(match.groups()).upper())))
    for match in UK_COMPANY_RE.finditer(text):
        number = match.group(1).upper()
        number = number.zfill(8) if number.isdigit() else number
        found.append((match.start(), CompanyId("uk_company", number, uk_company_number_ok(number))))
    for match in DE_REGISTER_RE.finditer(text):
        register = f"{match.group(1)} {match.group(2).replace(' ', '')}"
        found.append((match.start(), CompanyId("de_register", register, True)))
    for match in BE_ENTERPRISE_RE.finditer(text):
        number = _digits(match.group(1)).zfill(10)
        found.append((match.start(), CompanyId("be_enterprise", number, be_enterprise_ok(number))))
    return sorted(found, key=lambda item: item[0])


def find_company_ids(texts: Iterable[str]) -> list[CompanyId]:
    """Every registration or VAT number in `texts`, in reading order, each flagged valid or not by its check digits."""
    unique: dict[tuple[str, str], CompanyId] = {}
    for text in texts:
        for _, company in _ids_in(text):
            unique.setdefault((company.type, company.value), company)
    vat_bodies = {company.value[2:] for company in unique.values() if company.type == "vat"}
    return [
        company for company in unique.values() if not (company.type == "be_enterprise" and company.value in vat_bodies)
    ]


def jsonld_id_texts(node: dict[str, Any]) -> list[str]:
    """Turn vatID, taxID and identifier values into text the patterns above can read."""
    texts: list[str] = []
    for key, label in (("vatID", ""), ("taxID", "SIREN "), ("duns", ""), ("leiCode", "")):
        value = node.get(key)
        if isinstance(value, str | int) and str(value).strip():
            raw = str(value).strip()
            digits = _digits(raw)
            if label and raw == digits and len(digits) == 14:
                texts.append(f"SIRET {digits}")
            elif label and raw == digits:
                texts.append(f"{label}{digits}")
            else:
                texts.append(raw if key != "vatID" or not raw.replace(" ", "").isdigit() else f"VAT {raw}")
    identifiers = node.get("identifier")
    for identifier in identifiers if isinstance(identifiers, list) else [identifiers]:
        if isinstance(identifier, dict):
            name = str(identifier.get("propertyID") or identifier.get("name") or "")
            value = identifier.get("value")
            if isinstance(value, str | int):
                texts.append(f"{name} {value}")
    return texts
