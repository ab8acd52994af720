"""How worth pursuing a site is: a simple additive score over what the extraction found.

Every weight is in ACTIONABILITY_WEIGHTS. The score starts at `baseline`, adds each weight whose condition
holds, is capped at medium without commercial use and is clipped to 0..1.
Bands: high from 0.75, medium from 0.45, low below.
"""

from __future__ import annotations

from pixhound_crawler.identity.locale import PRACTICAL_JURISDICTIONS
from pixhound_crawler.identity.model import SiteIdentity

ACTIONABILITY_WEIGHTS: dict[str, float] = {
    "baseline": 0.30,  # nothing known either way
    "valid_company_id": 0.30,  # a registered legal entity the claim can be addressed to
    "name_and_address": 0.20,  # a named organisation with a postal address (a formal notice can be posted)
    "email": 0.10,
    "phone": 0.05,
    "commercial": 0.20,  # commercial use: licence fees and damages are owed and usually paid
    "practical_jurisdiction": 0.10,  # EU/EEA, UK, Switzerland
    "other_jurisdiction": -0.20,  # known to be elsewhere
    "personal_blog": -0.15,  # non-commercial personal blog: damages are small and the author hard to reach
}
NON_COMMERCIAL_CAP = 0.70  # without commercial use a claim is worth little, however well the site is identified
HIGH = 0.75
MEDIUM = 0.45


def band(score: float) -> str:
    return "high" if score >= HIGH else "medium" if score >= MEDIUM else "low"


def actionability(identity: SiteIdentity, personal_blog: bool) -> tuple[float, list[str]]:
    weights = ACTIONABILITY_WEIGHTS
    score = weights["baseline"]
    reasons: list[str] = []
    valid = [company for company in identity.company_ids if company.valid]
    invalid = [company for company in identity.company_ids if not company.valid]
    if valid:
        score += weights["valid_company_id"]
        reasons.append(f"Registered company identified ({valid[0].type} {valid[0].value}, check digits valid).")
    for company in invalid:
        reasons.append(f"The {company.type} {company.value} fails its check digits, so it is not counted.")
    strong_name = identity.name is not None and identity.name_source not in ("title", "og:site_name")
    if strong_name and identity.address is not None:
        score += weights["name_and_address"]
        reasons.append(f"Named operator with a postal address: {identity.name}, {identity.address.text}.")
    elif identity.name is None:
        reasons.append("No operator name found.")
    if identity.emails:
        score += weights["email"]
        reasons.append(f"Contact email found: {identity.emails[0]}.")
    if identity.phones:
        score += weights["phone"]
        reasons.append(f"Phone number found: {identity.phones[0]}.")
    if identity.commercial:
        score += weights["commercial"]
        reasons.append(f"Commercial use: {', '.join(identity.commercial_signals[:3])}.")
    if identity.country in PRACTICAL_JURISDICTIONS:
        score += weights["practical_jurisdiction"]
        reasons.append(f"Operator located in {identity.country}, where recovery is practical.")
    elif identity.country:
        score += weights["other_jurisdiction"]
        reasons.append(f"Operator located in {identity.country}, outside the EU/EEA, UK and Switzerland.")
    else:
        reasons.append("Country unknown.")
    if personal_blog and not identity.commercial:
        score += weights["personal_blog"]
        reasons.append("Looks like a personal, non-commercial blog.")
    if not identity.commercial and score > NON_COMMERCIAL_CAP:
        score = NON_COMMERCIAL_CAP
        reasons.append("No commercial use found, so at most a medium priority.")
    return round(min(1.0, max(0.0, score)), 2), reasons
