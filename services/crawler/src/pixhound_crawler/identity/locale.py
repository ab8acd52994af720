"""Where the operator is and what language the site speaks, each with the evidence that decided it."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import phonenumbers

from pixhound_crawler.identity.address import COUNTRY_WORDS
from pixhound_crawler.identity.document import Document, fold
from pixhound_crawler.identity.model import Address, CompanyId

PRACTICAL_JURISDICTIONS = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO GB CH MC".split()
)
CCTLDS = {
    "fr": "FR", "de": "DE", "be": "BE", "it": "IT", "es": "ES", "nl": "NL", "uk": "GB", "ch": "CH", "at": "AT",
    "lu": "LU", "pt": "PT", "ie": "IE", "dk": "DK", "se": "SE", "no": "NO", "fi": "FI", "pl": "PL", "cz": "CZ",
    "gr": "GR", "mc": "MC", "ca": "CA", "au": "AU", "nz": "NZ", "us": "US", "jp": "JP", "br": "BR", "in": "IN",
    "ru": "RU", "cn": "CN", "za": "ZA", "mx": "MX", "ar": "AR", "bzh": "FR", "paris": "FR", "alsace": "FR",
    "corsica": "FR", "bayern": "DE", "berlin": "DE", "hamburg": "DE", "london": "GB", "scot": "GB", "wales": "GB",
    "brussels": "BE", "vlaanderen": "BE", "swiss": "CH", "wien": "AT", "cat": "ES", "eus": "ES", "gal": "ES",
}  # fmt: skip
LANGUAGE_COUNTRY = {"fr": "FR", "de": "DE", "it": "IT", "es": "ES", "nl": "NL"}
STOPWORDS = {
    "fr": "le la les des du et est un une pour dans sur avec nous vous qui que pas par au aux ce cette son sa ses "
    "notre nos votre vos sont été être ou mais très plus tout",
    "en": "the and of to is for with on that this you our are be by from at as it your we an or was have has not "
    "all can will",
    "de": "der die das und ist nicht mit von zu den dem ein eine für auf sich des im wir sie ihr unsere oder auch bei "
    "werden sind",
    "it": "il lo gli di che per con del della un una non sono è nel alla dei delle al anche come più questo",
    "es": "el los las que y en por con para del es se su al lo como más pero sus una este",
    "nl": "het een en van is dat op te voor met zijn niet aan ook bij wij er als maar uw",
}
STOPWORD_SETS = {language: frozenset(words.split()) for language, words in STOPWORDS.items()}
BASED_IN = re.compile(
    r"\b(?:based|located|living|headquartered|bas[ée]e?s?|situ[ée]e?s?|install[ée]e?s?|ans[äa]ssig|sitz)\s+"
    r"(?:in|en|à|au|aux|a|im)\s+([^.\n]{2,60})",
    re.IGNORECASE,
)
WORD = re.compile(r"[a-zàâäçéèêëîïôöùûüßñìòó']+")


def detect_text_language(text: str) -> tuple[str | None, int]:
    words = WORD.findall(text.lower()[:60_000])
    counts = Counter({language: sum(1 for word in words if word in stop) for language, stop in STOPWORD_SETS.items()})
    ranked = counts.most_common(2)
    if not ranked or ranked[0][1] < 8 or (len(ranked) > 1 and ranked[0][1] < 1.5 * ranked[1][1]):
        return None, 0
    return ranked[0][0], ranked[0][1]


def infer_language(documents: list[Document]) -> tuple[str | None, list[str]]:
    home = documents[0]
    declared = None
    evidence: list[str] = []
    for source, value in (
        ("html lang attribute", home.lang),
        ("content-language", home.meta.get("content-language")),
        ("og:locale", home.meta.get("og:locale")),
    ):
        if value and re.match(r"[A-Za-z]{2,3}(?:[-_]|$)", value.strip()):
            declared = value.strip()[:2].lower()
            evidence.append(f"{source} {value.strip()}")
            break
    detected, hits = detect_text_language(" ".join(line for document in documents for line in document.lines))
    if detected and declared and detected != declared and hits >= 20:
        return detected, [f"text reads as {detected} ({hits} common words)", f"overrides the declared {declared}"]
    if declared:
        if detected == declared:
            evidence.append(f"text reads as {detected}")
        return declared, evidence
    if detected:
        return detected, [f"text reads as {detected} ({hits} common words)"]
    return None, []


def infer_country(
    documents: list[Document],
    company_ids: list[CompanyId],
    address: Address | None,
    phones: list[str],
    language: str | None,
    address_source: str | None = None,
) -> tuple[str | None, list[str]]:
    """Add weighted signals per country; the leader needs 2 points and a lead, otherwise the country is unknown."""
    scores: dict[str, float] = defaultdict(float)
    evidence: dict[str, list[str]] = defaultdict(list)

    def add(country: str | None, weight: float, why: str) -> None:
        if country:
            scores[country] += weight
            evidence[country].append(why)

    home = documents[0]
    for company in company_ids:
        if not company.valid:
            continue
        if company.type == "vat":
            add(
                "CH" if company.value.startswith("CHE") else company.value[:2].replace("XI", "GB"),
                3,
                f"VAT prefix {company.value[:2]}",
            )
        elif company.type in ("siren", "siret"):
            add("FR", 3, f"French {company.type.upper()}")
        elif company.type == "uk_company":
            add("GB", 3, "UK company number")
        elif company.type == "de_register":
            add("DE", 2, "German commercial register")
        elif company.type == "be_enterprise":
            add("BE", 3, "Belgian enterprise number")
    if address and address.country:
        add(address.country, 3 if address_source == "json-ld" else 2, f"postal address in {address.country}")
    for country in dict.fromkeys(_phone_country(phone) for phone in phones):
        add(country, 1.5, f"phone prefix of {country}")
    tld = home.host.rsplit(".", 1)[-1] if "." in home.host else ""
    add(CCTLDS.get(tld), 2, f"ccTLD .{tld}")
    for source, value in (("html lang", home.lang), ("og:locale", home.meta.get("og:locale"))):
        match = re.match(r"([A-Za-z]{2})[-_]([A-Za-z]{2})$", (value or "").strip())
        if match and match.group(1).lower() == language:
            add(match.group(2).upper().replace("UK", "GB"), 1, f"{source} {value}")
    add(LANGUAGE_COUNTRY.get(language or ""), 0.5, f"language {language}")
    for document in documents:
        for match in BASED_IN.finditer(document.kept_text[:100_000]):
            place = fold(match.group(1))
            named = next((code for word, code in COUNTRY_WORDS.items() if re.search(rf"\b{word}\b", place)), None)
            if named:
                add(named, 1.5, f"text says {match.group(0).strip()[:60]}")
                break
    text = " ".join(" ".join(document.kept) for document in documents)[:200_000]
    if text.count("£") >= 1:
        add("GB", 1, "prices in £")
    if re.search(r"\bCHF\b", text):
        add("CH", 1, "prices in CHF")
    if re.search(r"\$\s?\d", text) and language == "en" and not re.search(r"(?:CA|AU|NZ|HK|S)\$", text):
        add("US", 0.5, "prices in $")
    if not scores:
        return None, []
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    country, score = ranked[0]
    if score < 2 or (len(ranked) > 1 and ranked[1][1] >= score * 0.8):
        return None, [f"weak hints only: {', '.join(evidence[country])}"] if score else []
    return country, evidence[country]


def _phone_country(phone: str) -> str | None:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(phone, None))
    except phonenumbers.NumberParseException:
        return None


def default_region(documents: list[Document], company_ids: list[CompanyId], language: str | None) -> str | None:
    """The country used to read national phone numbers, before the phones themselves are known."""
    country, _ = infer_country(documents, company_ids, None, [], language)
    if country:
        return country
    lang = (documents[0].lang or "").replace("_", "-")
    match = re.match(r"[a-z]{2}-([A-Za-z]{2})$", lang)
    if match:
        return match.group(1).upper().replace("UK", "GB")
    return LANGUAGE_COUNTRY.get(language or "")
