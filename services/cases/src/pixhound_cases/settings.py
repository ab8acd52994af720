"""Cases settings: money terms, deadlines, partner API limits and webhooks."""

from decimal import Decimal

from pydantic import Field, SecretStr

from pixhound_platform.settings import ServiceSettings


class CasesSettings(ServiceSettings):
    service_name: str = "cases"
    platform_commission_percent: Decimal = Field(
        default=Decimal("5"),
        ge=0,
        le=50,
        description="Pixhound's commission, percent of what remains after the agency fee",
    )
    default_currency: str = Field(default="EUR", description="Currency of new cases")
    default_vat_country: str = Field(default="FR", description="Country whose VAT applies when a case names none")
    offer_decision_hours: int = Field(
        default=120, gt=0, description="Time a photographer has to decide on an offer below the floor"
    )
    payout_check_seconds: float = Field(default=60.0, gt=0, description="How often overdue payouts are looked for")
    payout_escalation_hours: int = Field(
        default=72, gt=0, description="Interval between escalations of one overdue payout"
    )
    partner_rate_per_minute: int = Field(
        default=120, gt=0, description="Requests per minute allowed to one partner API key"
    )
    partner_key_rotation_grace_hours: int = Field(
        default=24, ge=0, description="How long a rotated partner key keeps working"
    )
    admin_token: SecretStr = Field(
        default=SecretStr(""), description="Bearer token of the operators' admin API (empty: disabled)"
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, description="Timeout of one webhook delivery")
    webhook_max_attempts: int = Field(default=10, ge=1, description="Webhook delivery attempts before giving up")
    webhook_allowed_networks: str = Field(
        default="",
        description="Comma-separated CIDRs webhooks may reach although private or loopback (tests, local stacks)",
    )
    worker_poll_seconds: float = Field(default=1.0, gt=0, description="Webhook sender and offer expiry poll interval")
