"""Email addresses (plain, mailto, Cloudflare-protected and lightly obfuscated) and telephone numbers in E.164."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

import phonenumbers

TLDS = frozenset(
    "fr com net org eu de be it es nl uk ch at lu pt ie dk se no fi pl cz sk hu ro bg gr hr si ee lv lt mt cy is li "
    "us ca au nz io co info biz pro shop store immo paris bzh alsace corsica photo photography studio art gallery "
    "agency online site website blog email me tv fm app dev xyz club travel restaurant cafe bar hotel house "
    "cat gal eus brussels vlaanderen bayern berlin hamburg koeln wien swiss london scot wales".split()
)
NOT_EMAIL_TLDS = frozenset("png jpg jpeg gif webp svg css js avif ico bmp tif tiff".split())
PLACEHOLDER_EMAIL = re.compile(
    r"@(?:example|exemple|domain|domaine|votresite|yoursite|yourdomain|votredomaine|sentry[\w.-]*|wixpress)\."
    r"|^(?:e?mail|nom|name|prenom|your|votre|you|user|username|vous|adresse)@",
)
EMAIL = re.compile(
    r"(?<![\w.+-])([a-z0-9][a-z0-9._%+-]{0,63})@((?:[a-z0-9-]{1,63}\.){1,6}[a-z]{2,24})(?![\w-])", re.IGNORECASE
)
AT_WORDS = r"at|arobase|chez|ät|@"
DOT_WORDS = r"dot|point|punkt|punto|\."
BRACKETED = re.compile(
    rf"(?<![\w.+-])([\w.+-]{{1,64}})\s*[\[({{<]\s*(?:{AT_WORDS})\s*[\])}}>]\s*"
    rf"((?:[\w-]{{1,63}}\s*(?:[\[({{<]\s*(?:{DOT_WORDS})\s*[\])}}>]|\.)\s*){{1,6}}[a-z]{{2,24}})(?![\w-])",
    re.IGNORECASE,
)
SPACED = re.compile(
    r"(?<![\w.+-])([\w.+-]{1,64})(?:\s+@\s*|\s*@\s+)((?:[\w-]{1,63}\s*\.\s*){1,6}[a-z]{2,24})(?![\w-])",
    re.IGNORECASE,
)
WORDED = re.compile(
    r"(?<![\w.+-])([\w.+-]{1,64})\s+(?:at|AT|arobase|AROBASE)\s+((?:[\w-]{1,63}\s+(?:dot|DOT|point|POINT)\s+){1,6}"
    r"[a-z]{2,24})\b",
)
MAIL_LABEL = re.compile(r"e-?mail|courriel|mail\b|[ée]cri(?:re|vez)|write|contact|kontakt|:\s*$", re.IGNORECASE)
DOT_TOKEN = re.compile(rf"\s*(?:[\[({{<]\s*(?:{DOT_WORDS})\s*[\])}}>]|\s(?:dot|point)\s|\.)\s*", re.IGNORECASE)

PHONE_KEYWORDS = re.compile(
    r"(?:t[ée]l[ée]?(?:phone)?|tel|phone|call|appel|mobile|portable|cell|telefon|tlf|fon|ruf|numero|☎|📞|\bt\b)\s*"
    r"[.:]?\s*(?:\([^)]{0,20}\))?\s*[:.]?\s*$",
    re.IGNORECASE,
)
FAX = re.compile(r"fax|t[ée]l[ée]copie", re.IGNORECASE)
NOT_PHONE_CONTEXT = re.compile(
    r"(?:siren|siret|rcs|r\.c\.s|tva|vat|iva|ust|iban|bic|capital|n°|nº|no\.|number|nummer|cpi|carte|hr[ab]|"
    r"registre|immatricul|company|registered|ident|steuer|ape|naf|€|eur|\$|£)\W{0,6}$",
    re.IGNORECASE,
)


def _clean_domain(raw_domain: str) -> str | None:
    labels = [label for label in DOT_TOKEN.split(raw_domain.strip().lower()) if label]
    while labels and labels[-1] not in TLDS:
        labels.pop()
    if len(labels) < 2 or not all(re.fullmatch(r"[a-z0-9-]+", label) for label in labels):
        return None
    return ".".join(labels)


def _accept(local: str, domain: str | None, strict_tld: bool) -> str | None:
    if domain is None:
        return None
    local = local.strip(".").lower()
    tld = domain.rsplit(".", 1)[-1]
    if not local or tld in NOT_EMAIL_TLDS or (strict_tld and tld not in TLDS):
        return None
    email = f"{local}@{domain}"
    if PLACEHOLDER_EMAIL.search(email) or len(email) > 100:
        return None
    return email


def _worded_is_email(text: str, match: re.Match[str]) -> bool:
    """'name at site dot fr' is an address when written in capitals, looks like one, or follows a mail label."""
    if " AT " in match.group(0) or " AROBASE " in match.group(0):
        return True
    return bool(
        re.search(r"[._\d-]", match.group(1)) or MAIL_LABEL.search(text[max(0, match.start() - 40) : match.start()])
    )


def find_emails(texts: Iterable[str], mailto: Iterable[str]) -> list[str]:
    found: list[str] = []
    for raw in mailto:
        match = EMAIL.search(unquote(raw).strip())
        if match:
            found.append(_accept(match.group(1), match.group(2).lower(), strict_tld=False) or "")
    for text in texts:
        for match in EMAIL.finditer(text):
            domain = match.group(2).lower()
            found.append(_accept(match.group(1), domain, strict_tld=False) or "")
        for pattern in (BRACKETED, SPACED, WORDED):
            for match in pattern.finditer(text):
                if pattern is WORDED and not _worded_is_email(text, match):
                    continue
                found.append(_accept(match.group(1), _clean_domain(match.group(2)), strict_tld=True) or "")
    unique: list[str] = []
    for email in found:
        if email and email not in unique:
            unique.append(email)
    return unique


def normalise_phone(raw: str, region: str | None) -> str | None:
    """E.164 for a valid number, or None; `region` reads national formats (FR for '01 42 68 53 00')."""
    raw = raw.strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    raw = re.sub(r"\(0\)", "", raw) if raw.startswith("+") else raw
    try:
        number = phonenumbers.parse(raw, None if raw.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def find_phones(texts: Iterable[str], tel: Iterable[str], region: str | None) -> list[str]:
    found: list[str] = []
    for raw in tel:
        phone = normalise_phone(raw, region)
        if phone:
            found.append(phone)
    for text in texts:
        for line in text.splitlines():
            if not re.search(r"\d{2}", line):
                continue
            try:
                matches = list(
                    phonenumbers.PhoneNumberMatcher(line, region or "ZZ", leniency=phonenumbers.Leniency.VALID)
                )
            except Exception:  # noqa: BLE001 - the matcher must not stop the extraction on odd input
                continue
            for match in matches:
                before = line[max(0, match.start - 30) : match.start]
                keyword = PHONE_KEYWORDS.search(before)
                fax = FAX.search(before[-16:])
                if fax and not (keyword and keyword.start() > before.rfind(fax.group(0))):
                    continue
                if NOT_PHONE_CONTEXT.search(before) and not keyword:
                    continue
                raw = match.raw_string.strip()
                if not (keyword or raw.startswith(("+", "00", "(", "0"))):
                    continue
                found.append(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164))
    unique: list[str] = []
    for phone in found:
        if phone not in unique:
            unique.append(phone)
    return unique
