"""What the identity extraction returns: plain frozen values that serialise to JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CompanyId:
    type: str  # siren, siret, vat, uk_company, be_enterprise, de_register
    value: str  # compact: "812345678", "FR40123456824", "SC123456", "HRB 12345"
    valid: bool

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "value": self.value, "valid": self.valid}


@dataclass(frozen=True)
class Address:
    street: str | None = None
    postcode: str | None = None
    locality: str | None = None
    country: str | None = None

    @property
    def text(self) -> str:
        town = " ".join(part for part in (self.postcode, self.locality) if part)
        return ", ".join(part for part in (self.street, town, self.country) if part)

    def to_dict(self) -> dict[str, Any]:
        return {
            "street": self.street,
            "postcode": self.postcode,
            "locality": self.locality,
            "country": self.country,
            "text": self.text,
        }


@dataclass(frozen=True)
class SiteIdentity:
    url: str
    name: str | None = None
    name_source: str | None = None
    legal_form: str | None = None
    address: Address | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    company_ids: tuple[CompanyId, ...] = ()
    country: str | None = None
    country_evidence: tuple[str, ...] = ()
    language: str | None = None
    language_evidence: tuple[str, ...] = ()
    commercial: bool = False
    commercial_signals: tuple[str, ...] = ()
    actionability: float = 0.0
    reasons: tuple[str, ...] = field(default=())

    @property
    def identified(self) -> bool:
        """A legal entity the recovery can address: a valid company number, or a named organisation with an address."""
        strong_name = self.name is not None and self.name_source not in (None, "title", "og:site_name")
        return any(company.valid for company in self.company_ids) or (strong_name and self.address is not None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "name": self.name,
            "name_source": self.name_source,
            "legal_form": self.legal_form,
            "address": self.address.to_dict() if self.address else None,
            "emails": list(self.emails),
            "phones": list(self.phones),
            "company_ids": [company.to_dict() for company in self.company_ids],
            "country": self.country,
            "country_evidence": list(self.country_evidence),
            "language": self.language,
            "language_evidence": list(self.language_evidence),
            "commercial": self.commercial,
            "commercial_signals": list(self.commercial_signals),
            "actionability": self.actionability,
            "reasons": list(self.reasons),
            "identified": self.identified,
        }
