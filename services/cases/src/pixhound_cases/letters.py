"""Assemble a formal notice or invoice from a case, its match, the photo and the photographer's profile.

`documents` renders; this module only maps the cases service's records onto its inputs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.engine import Row

from pixhound_cases import documents, pricing

PAYMENT_DAYS = 15
UNKNOWN_SHA256 = "0" * 64


def build_document(
    *,
    case: Row,
    match: Row,
    photo: Row | None,
    profile: Row,
    terms: pricing.RecoveryPricing,
    locale: str,
    today: date,
    vat_rate: Decimal,
) -> documents.RecoveryDocument:
    infringer = case.infringer or {}
    licence = terms.licence_price.amount
    surcharge = terms.claim_amount().amount - licence
    fetched_at = match.fetched_at or match.first_seen_at or datetime.now(UTC)
    return documents.RecoveryDocument(
        creditor=documents.Party(
            name=profile.legal_name,
            address_lines=tuple(profile.address),
            email=profile.email,
            company_id=profile.company_id or None,
        ),
        debtor=documents.Party(
            name=infringer.get("name", ""),
            address_lines=tuple(infringer.get("address", [])),
            email=infringer.get("email") or "unknown@invalid",
            company_id=infringer.get("company_id") or None,
        ),
        facts=documents.InfringementFacts(
            page_url=case.page_url,
            image_url=case.image_url,
            photo_title=(photo.title if photo and photo.title else case.photo_id),
            discovered_on=match.first_seen_at.date(),
            page_archive_key=match.evidence_key or "not-archived",
            page_sha256=match.page_sha256 or UNKNOWN_SHA256,
            image_archive_key=match.image_object_key or "not-archived",
            image_sha256=match.image_sha256 or UNKNOWN_SHA256,
            fetched_at=fetched_at,
        ),
        amounts=documents.Amounts(
            licence_fee=licence,
            surcharge=surcharge,
            currency=case.currency,
            vat_rate=Decimal(0) if profile.vat_exempt else vat_rate,
            vat_exempt=profile.vat_exempt,
        ),
        locale=locale,
        document_date=today,
        payment_deadline=today + timedelta(days=PAYMENT_DAYS),
        reference=case.id,
        payment=documents.PaymentInstructions(
            account_holder=profile.legal_name,
            iban=profile.iban or None,
            other_instructions=() if profile.iban else (f"Reference / référence : {case.id}",),
        ),
    )
