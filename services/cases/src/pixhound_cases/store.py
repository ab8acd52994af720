"""The cases service's own tables: matches, cases and their history, agencies and keys, money."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from pixhound_platform.db import BigIntId, UtcDateTime, messaging_tables, new_metadata, utcnow

metadata = new_metadata()
messaging = messaging_tables(metadata)

photos = Table(
    "photos",
    metadata,
    Column("photo_id", String(36), primary_key=True),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("object_key", String(400), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("title", String(300), nullable=False, default=""),
    Column("filename", String(300), nullable=False, default=""),
    Column("width", Integer, nullable=False, default=0),
    Column("height", Integer, nullable=False, default=0),
    Column("creator", Text, nullable=False, default=""),
    Column("copyright", Text, nullable=False, default=""),
    Column("captured_at", String(40), nullable=False, default=""),
)

matches = Table(
    "matches",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("photo_id", String(36), nullable=False),
    Column("page_url", Text, nullable=False),
    Column("image_url", Text, nullable=False),
    Column("image_object_key", String(400), nullable=False, default=""),
    Column("evidence_key", String(400), nullable=False, default=""),
    Column("image_sha256", String(64), nullable=False, default=""),
    Column("page_sha256", String(64), nullable=False, default=""),
    Column("fetched_at", UtcDateTime, nullable=True),
    Column("site_host", String(300), nullable=False, default=""),
    Column("score", Float, nullable=False),
    Column("signals", JSON, nullable=False, default=list),
    Column("occurrences", Integer, nullable=False, default=1),
    Column("first_seen_at", UtcDateTime, nullable=False, default=utcnow),
    Column("last_seen_at", UtcDateTime, nullable=False, default=utcnow),
    UniqueConstraint("photo_id", "page_url", name="uq_matches_photo_page"),
)

sites = Table(
    "sites",
    metadata,
    Column("host", String(300), primary_key=True),
    Column("name", String(300), nullable=False, default=""),
    Column("country", String(2), nullable=False, default=""),
    Column("commercial", Boolean, nullable=True),
    Column("actionability", Float, nullable=True),
    Column("identity", JSON, nullable=False, default=dict),
    Column("identified_at", UtcDateTime, nullable=False, default=utcnow),
)

agencies = Table(
    "agencies",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("contact_email", String(320), nullable=False),
    Column("countries", JSON, nullable=False, default=list),
    Column("currency", String(3), nullable=False, default="EUR"),
    Column("fixed_fee", BigInteger, nullable=False, default=0),
    Column("fee_percent", Numeric(6, 3), nullable=False),
    Column("min_fee", BigInteger, nullable=True),
    Column("max_fee", BigInteger, nullable=True),
    Column("payout_days", Integer, nullable=False, default=14),
    Column("webhook_url", Text, nullable=False, default=""),
    Column("webhook_secret", String(100), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("agency_id", String(36), ForeignKey("agencies.id"), nullable=False, index=True),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("secret_hash", LargeBinary(32), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("label", String(100), nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("last_used_at", UtcDateTime, nullable=True),
)

creditors = Table(
    "creditor_profiles",
    metadata,
    Column("owner_id", String(36), primary_key=True),
    Column("legal_name", String(200), nullable=False),
    Column("address", JSON, nullable=False, default=list),
    Column("email", String(320), nullable=False),
    Column("company_id", String(40), nullable=False, default=""),
    Column("vat_exempt", Boolean, nullable=False, default=True),
    Column("iban", String(40), nullable=False, default=""),
    Column("locale", String(5), nullable=False, default="fr"),
)

whitelist = Table(
    "licensed_clients",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("domain", String(300), nullable=False),
    Column("photo_id", String(36), nullable=True),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
)

cases = Table(
    "cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("match_id", String(36), nullable=False, unique=True),
    Column("photo_id", String(36), nullable=False, index=True),
    Column("page_url", Text, nullable=False),
    Column("image_url", Text, nullable=False),
    Column("site_host", String(300), nullable=False, default=""),
    Column("site_country", String(2), nullable=False, default=""),
    Column("commercial", Boolean, nullable=True),
    Column("actionability", Float, nullable=True),
    Column("score", Float, nullable=False),
    Column("state", String(40), nullable=False),
    Column("mode", String(20), nullable=False, default="undecided"),
    Column("agency_id", String(36), ForeignKey("agencies.id"), nullable=True, index=True),
    Column("currency", String(3), nullable=False, default="EUR"),
    Column("licence_price", BigInteger, nullable=True),
    Column("surcharge_percent", Numeric(6, 2), nullable=True),
    Column("floor_price", BigInteger, nullable=True),
    Column("vat_country", String(2), nullable=False, default="FR"),
    Column("infringer", JSON, nullable=False, default=dict),
    Column("abandon_reason", String(40), nullable=False, default=""),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
    Column("updated_at", UtcDateTime, nullable=False, default=utcnow),
)

transitions = Table(
    "case_transitions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("from_state", String(40), nullable=True),
    Column("to_state", String(40), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    Column("before", JSON, nullable=False, default=dict),
    Column("after", JSON, nullable=False, default=dict),
    Column("at", UtcDateTime, nullable=False, default=utcnow),
)

offers = Table(
    "offers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("floor_price", BigInteger, nullable=False),
    Column("needs_photographer_decision", Boolean, nullable=False),
    Column("status", String(30), nullable=False),
    Column("decision_deadline", UtcDateTime, nullable=True),
    Column("received_at", UtcDateTime, nullable=False, default=utcnow),
    Column("decided_at", UtcDateTime, nullable=True),
    Column("decided_by", String(100), nullable=False, default=""),
)

payments = Table(
    "payments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("gross", BigInteger, nullable=False),
    Column("vat", BigInteger, nullable=False),
    Column("agency_fee", BigInteger, nullable=False),
    Column("platform_commission", BigInteger, nullable=False),
    Column("photographer", BigInteger, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
)

payouts = Table(
    "payouts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("payment_id", String(36), nullable=False, unique=True),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("agency_id", String(36), nullable=True),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("status", String(20), nullable=False, default="due"),
    Column("escalation_level", Integer, nullable=False, default=0),
    Column("last_escalated_at", UtcDateTime, nullable=True),
    Column("paid_at", UtcDateTime, nullable=True),
    Column("reference", String(200), nullable=False, default=""),
)

ledger = Table(
    "ledger_postings",
    metadata,
    Column("id", BigIntId, primary_key=True, autoincrement=True),
    Column("entry_id", String(36), nullable=False, index=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("account", String(40), nullable=False),
    Column("debit", BigInteger, nullable=False, default=0),
    Column("credit", BigInteger, nullable=False, default=0),
    Column("currency", String(3), nullable=False),
    Column("memo", Text, nullable=False, default=""),
    Column("at", UtcDateTime, nullable=False, default=utcnow),
)

idempotency = Table(
    "idempotency_keys",
    metadata,
    Column("principal", String(100), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("agency_id", String(36), nullable=False, index=True),
    Column("event", String(60), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(20), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=False, default=""),
    Column("next_attempt_at", UtcDateTime, nullable=False, default=utcnow),
    Column("delivered_at", UtcDateTime, nullable=True),
)
