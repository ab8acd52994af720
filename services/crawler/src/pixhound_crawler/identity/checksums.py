"""Check digits of company and VAT numbers, so a typo or an invented number is not taken as an identification."""

from __future__ import annotations

import re

_FR_VAT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LA_POSTE_SIREN = "356000000"
UK_COMPANY_PREFIXES = frozenset(
    {"SC", "NI", "OC", "SO", "NC", "LP", "SL", "NL", "FC", "SF", "NF", "GE", "IP", "SP", "RC", "SR", "NP", "NO", "R0",
     "SE", "CE", "CS", "ES", "SI", "SA", "NA", "AC", "ZC", "SZ", "NZ", "IC", "SG", "NR", "RS", "GS", "NV", "SY"}
)  # fmt: skip


def luhn_ok(digits: str) -> bool:
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def siren_ok(siren: str) -> bool:
    return len(siren) == 9 and luhn_ok(siren)


def siret_ok(siret: str) -> bool:
    if len(siret) != 14 or not siret.isdigit():
        return False
    if siret.startswith(LA_POSTE_SIREN) and siret != "35600000000048":
        return sum(int(char) for char in siret) % 5 == 0
    return siren_ok(siret[:9]) and luhn_ok(siret)


def _fr_vat_ok(body: str) -> bool:
    key, siren = body[:2], body[2:]
    if len(body) != 11 or not siren.isdigit() or any(char not in _FR_VAT_ALPHABET for char in key):
        return False
    if not siren.startswith("000") and not siren_ok(siren):
        return False
    if key.isdigit():
        return int(key) == (12 + 3 * (int(siren) % 97)) % 97
    if key[0].isdigit():
        check = _FR_VAT_ALPHABET.index(key[0]) * 24 + _FR_VAT_ALPHABET.index(key[1]) - 10
    else:
        check = _FR_VAT_ALPHABET.index(key[0]) * 34 + _FR_VAT_ALPHABET.index(key[1]) - 100
    return (int(siren) + 1 + check // 11) % 11 == check % 11


def _de_vat_ok(body: str) -> bool:
    if not re.fullmatch(r"[1-9]\d{8}", body):
        return False
    product = 10
    for char in body[:8]:
        total = (int(char) + product) % 10 or 10
        product = (2 * total) % 11
    return (11 - product) % 10 == int(body[8])


def _be_vat_ok(body: str) -> bool:
    if len(body) == 9:
        body = "0" + body
    if not re.fullmatch(r"[01]\d{9}", body) or int(body) == 0:
        return False
    return (int(body[:8]) + int(body[8:])) % 97 == 0


def _it_vat_ok(body: str) -> bool:
    if not re.fullmatch(r"\d{11}", body) or body[:7] == "0000000":
        return False
    office = body[7:10]
    return ("001" <= office <= "100" or office in ("120", "121", "888", "999")) and luhn_ok(body)


def _es_vat_ok(body: str) -> bool:
    body = body.upper()
    if re.fullmatch(r"\d{8}[A-Z]", body):
        return "TRWAGMYFPDXBNJZSQVHLCKE"[int(body[:8]) % 23] == body[8]
    if re.fullmatch(r"[XYZ]\d{7}[A-Z]", body):
        return "TRWAGMYFPDXBNJZSQVHLCKE"[int(str("XYZ".index(body[0])) + body[1:8]) % 23] == body[8]
    if re.fullmatch(r"[KLM]\d{7}[A-Z]", body):
        return "TRWAGMYFPDXBNJZSQVHLCKE"[int(body[1:8]) % 23] == body[8]
    if not re.fullmatch(r"[ABCDEFGHJNPQRSUVW]\d{7}[0-9A-J]", body):
        return False
    total = 0
    for index, char in enumerate(body[1:8]):
        value = int(char)
        if index % 2 == 0:
            value = sum(divmod(value * 2, 10))
        total += value
    check = (10 - total % 10) % 10
    return body[8] in (str(check), "JABCDEFGHI"[check])


IRISH_CHECK_LETTERS = "WABCDEFGHIJKLMNOPQRSTUV"


def _nl_vat_ok(body: str) -> bool:
    match = re.fullmatch(r"(\d{9})B(\d{2})", body)
    if not match or int(match.group(1)) == 0 or match.group(2) == "00":
        return False
    digits = match.group(1)
    if sum(int(char) * weight for char, weight in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True)) % 11 == 0:
        return True
    converted = "".join(str(ord(char) - 55) if char.isalpha() else char for char in "NL" + body)
    return int(converted) % 97 == 1


def _gb_vat_ok(body: str) -> bool:
    if re.fullmatch(r"(GD[0-4]|HA[5-9])\d\d", body):
        return True
    if not re.fullmatch(r"\d{9}(\d{3})?", body):
        return False
    total = sum(int(char) * weight for char, weight in zip(body[:9], (8, 7, 6, 5, 4, 3, 2, 10, 1), strict=True))
    return total % 97 in ((0, 42, 55) if int(body[:3]) >= 100 else (0,))


def _at_vat_ok(body: str) -> bool:
    if not re.fullmatch(r"U\d{8}", body):
        return False
    total = 0
    for index, char in enumerate(body[1:8]):
        value = int(char)
        if index % 2:
            value = sum(divmod(value * 2, 10))
        total += value
    return (6 - total) % 10 == int(body[8])


def _ch_uid_ok(body: str) -> bool:
    if not re.fullmatch(r"\d{9}", body):
        return False
    remainder = sum(int(char) * weight for char, weight in zip(body[:8], (5, 4, 3, 2, 7, 6, 5, 4), strict=True)) % 11
    check = (11 - remainder) % 11
    return check != 10 and check == int(body[8])


def _ie_vat_ok(body: str) -> bool:
    """Irish VAT: seven digits, a check letter and an optional second letter (A-I or W), or the old
    form digit, letter or + or *, five digits, check letter (read as 0, the five digits, the first digit)."""
    old = re.fullmatch(r"(\d)([A-Z+*])(\d{5})([A-W])", body)
    if old:
        body = "0" + old.group(3) + old.group(1) + old.group(4)
    match = re.fullmatch(r"(\d{7})([A-W])([A-IW]?)", body)
    if not match:
        return False
    digits, check, extra = match.groups()
    total = sum(int(char) * weight for char, weight in zip(digits, range(8, 1, -1), strict=True))
    if extra:
        total += 9 * (0 if extra == "W" else ord(extra) - ord("A") + 1)
    return IRISH_CHECK_LETTERS[total % 23] == check


VAT_CHECKERS = {
    "FR": _fr_vat_ok,
    "DE": _de_vat_ok,
    "BE": _be_vat_ok,
    "IT": _it_vat_ok,
    "ES": _es_vat_ok,
    "NL": _nl_vat_ok,
    "GB": _gb_vat_ok,
    "XI": _gb_vat_ok,
    "AT": _at_vat_ok,
    "IE": _ie_vat_ok,
    "CHE": _ch_uid_ok,
}


def vat_ok(vat: str) -> bool:
    """`vat` is compact with its prefix: FR40123456824, DE136695976, CHE123456788."""
    vat = vat.upper()
    prefix = "CHE" if vat.startswith("CHE") else vat[:2]
    checker = VAT_CHECKERS.get(prefix)
    return bool(checker and checker(vat[len(prefix) :]))


def be_enterprise_ok(number: str) -> bool:
    return _be_vat_ok(number)


def uk_company_number_ok(number: str) -> bool:
    """Companies House numbers carry no check digit: eight digits, or a known two-letter prefix and six digits."""
    number = number.upper()
    if re.fullmatch(r"\d{8}", number):
        return number != "00000000"
    return number[:2] in UK_COMPANY_PREFIXES and bool(re.fullmatch(r"\d{6}", number[2:]))
