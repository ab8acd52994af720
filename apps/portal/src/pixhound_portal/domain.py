"""The portal's own rules, with no I/O: what a state is called, which buttons a case shows,
how a form becomes an API body, what an upload refusal means in plain words.

Labels are English message ids marked with `N_` and translated when a page is rendered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit


def N_(message: str) -> str:
    return message


STATE_LABELS = {
    "detected": N_("To review"),
    "confirmed": N_("Confirmed"),
    "recovery_requested": N_("Sent to agency"),
    "accepted_by_agency": N_("Accepted by agency"),
    "infringer_identified": N_("Infringer identified"),
    "notice_sent": N_("Formal notice sent"),
    "negotiating": N_("Negotiating"),
    "settled": N_("Settled"),
    "paid_by_infringer": N_("Paid by infringer"),
    "paid_out": N_("Paid out to you"),
    "closed": N_("Closed"),
    "dismissed": N_("Dismissed"),
    "licensed": N_("Licensed client"),
    "abandoned": N_("Abandoned"),
}
BAND_LABELS = {
    "high": N_("Highly actionable"),
    "medium": N_("Possibly actionable"),
    "low": N_("Hard to act on"),
    "unknown": N_("Not yet assessed"),
}
ABANDON_REASONS = {
    "infringer_unidentifiable": N_("The infringer cannot be identified"),
    "infringer_abroad": N_("The infringer is abroad"),
    "infringer_insolvent": N_("The infringer cannot pay"),
    "licence_proven": N_("They proved they had a licence"),
    "no_response": N_("No response"),
    "disproportionate_cost": N_("Costs more than it would recover"),
    "photographer_request": N_("I no longer want to pursue it"),
    "other": N_("Other reason"),
}
HISTORY_REASONS = {
    "match": N_("Found by Pixhound"),
    "licensed client": N_("On a licensed client's site"),
    "licensed": N_("Marked as a licensed client"),
    "confirmed": N_("You confirmed the copy"),
    "confirm": N_("You confirmed the copy"),
    "dismissed": N_("Dismissed"),
    "dismiss": N_("Dismissed"),
    "license": N_("Marked as a licensed client"),
    "pricing set": N_("Price set"),
    "self-managed": N_("You chose to recover on your own"),
    "infringer recorded": N_("Recipient of the letter recorded"),
    "recovery requested from": N_("Sent to a partner agency"),
    "agency accepted": N_("The agency took the case"),
    "infringer identified": N_("The agency identified the infringer"),
    "notice sent": N_("Formal notice sent"),
    "notice_sent": N_("Formal notice sent"),
    "negotiating": N_("Negotiation under way"),
    "settled": N_("Amount agreed"),
    "offer received": N_("Offer received"),
    "settled on offer": N_("Amount agreed"),
    "payment received": N_("The infringer paid"),
    "payout": N_("Paid out to you"),
    "closed": N_("Closed"),
    "reopened": N_("Reopened"),
}
TRANSFORM_LABELS = {
    "reencode": N_("re-encoded"),
    "resize": N_("resized"),
    "crop": N_("cropped"),
    "mirror": N_("mirrored"),
    "rotate": N_("rotated"),
    "aspect": N_("stretched"),
    "screenshot": N_("shown inside a page capture"),
    "letterbox": N_("with added borders"),
}
OFFER_STATUSES = {
    "awaiting_photographer": N_("Waiting for your decision"),
    "acceptable": N_("At or above your floor"),
    "accepted": N_("Accepted"),
    "rejected": N_("Rejected"),
    "expired": N_("Rejected: no decision before the deadline"),
}
NOT_FETCHED_OUTCOMES = {
    "refused-or-failed": N_("Refused or failed"),
    "disallowed-by-robots": N_("The site asks robots not to read it"),
    "not-a-page": N_("Not a web page"),
}
PREFERENCE_CHANNELS = {
    "instant": N_("Email at once"),
    "digest": N_("Daily digest email"),
    "in_app": N_("In the portal only"),
}
NOTIFICATION_KINDS = {
    "case_opened": N_("A copy of one of my photos is found"),
    "offer_needs_decision": N_("An offer needs my decision"),
    "payment_received": N_("The infringer paid"),
    "payout_overdue": N_("A payout to me is late"),
    "paid_out": N_("I was paid"),
}
UPLOAD_REASONS = {
    "empty-upload": N_("The file is empty."),
    "upload-too-large": N_("The file is too large."),
    "image-too-large": N_("The image has too many pixels."),
    "unsupported-image": N_("This is not a photo we can read (JPEG, PNG, WebP, TIFF or GIF)."),
    "duplicate": N_("Already in your portfolio."),
    "request-too-large": N_("The file is too large."),
}
SUGGESTION_CHOICES = {
    "use": {
        "commercial_web": N_("Commercial website"),
        "print": N_("Print"),
        "social": N_("Social media"),
        "advertising": N_("Advertising"),
    },
    "duration": {
        "1_month": N_("One month"),
        "1_year": N_("One year"),
        "3_years": N_("Three years"),
        "unlimited": N_("Unlimited"),
    },
    "size": {"small": N_("Small"), "medium": N_("Medium"), "large": N_("Large")},
    "category": {
        "real_estate": N_("Real estate"),
        "e_commerce": N_("Online shop"),
        "media": N_("News and media"),
        "blog": N_("Blog"),
        "corporate": N_("Company website"),
        "other": N_("Other"),
    },
}
REVIEW_STATES = ("detected",)
RECOVERY_STATES = (
    "confirmed",
    "recovery_requested",
    "accepted_by_agency",
    "infringer_identified",
    "notice_sent",
    "negotiating",
    "settled",
    "paid_by_infringer",
    "paid_out",
)
BULK_ACTIONS = ("confirm", "dismiss", "license")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Action:
    """A button on the case page: the words it shows, where it posts, how it looks."""

    key: str
    label: str
    style: str = "secondary"
    hint: str = ""


SIMPLE_ACTIONS = {
    "confirmed": Action("confirm", N_("Yes, this is my photo used without licence"), "primary"),
    "dismissed": Action("dismiss", N_("Not my photo, or not worth pursuing"), "secondary"),
    "licensed": Action("license", N_("This site is my licensed client"), "secondary"),
    "closed": Action("close", N_("Close the case"), "secondary"),
}
SELF_STEPS = {
    "notice_sent": Action("notice_sent", N_("I sent the formal notice"), "primary"),
    "negotiating": Action("negotiating", N_("We are negotiating"), "secondary"),
    "settled": Action("settled", N_("We agreed on an amount"), "secondary"),
}


def portal_path(link: str) -> str:
    """The notifier links to the portal's public address; keep only the path, so a click stays here."""
    parts = urlsplit(link or "")
    path = parts.path or "/notifications"
    if not path.startswith("/") or path.startswith("//"):
        return "/notifications"
    return path + (f"#{parts.fragment}" if parts.fragment else "")


def history_reason(reason: str) -> str:
    """The plain-words label of a history step's reason, or an abandon reason; "" when unknown."""
    if reason in ABANDON_REASONS:
        return ABANDON_REASONS[reason]
    for prefix in sorted(HISTORY_REASONS, key=len, reverse=True):
        if reason == prefix or reason.startswith(prefix + " ") or reason.startswith(prefix + " ("):
            return HISTORY_REASONS[prefix]
    return ""


def band(actionability: float | None) -> str:
    """The crawler's and the cases service's bands of actionability."""
    if actionability is None:
        return "unknown"
    if actionability >= 0.75:
        return "high"
    if actionability >= 0.45:
        return "medium"
    return "low"


def case_actions(case: Mapping[str, Any]) -> list[Action]:
    """The photographer's next moves for a case, from the states the cases API allows."""
    allowed = list(case.get("next_actions") or [])
    mode = case.get("mode", "undecided")
    actions = [SIMPLE_ACTIONS[state] for state in allowed if state in SIMPLE_ACTIONS]
    if mode == "self":
        actions += [SELF_STEPS[state] for state in allowed if state in SELF_STEPS]
        if "paid_by_infringer" in allowed:
            actions.append(Action("payment", N_("Record a payment I received"), "secondary"))
    return actions


def can_launch(case: Mapping[str, Any]) -> bool:
    return case.get("state") == "confirmed" and case.get("mode") in {"undecided", None}


def can_abandon(case: Mapping[str, Any]) -> bool:
    return "abandoned" in (case.get("next_actions") or [])


def can_reopen(case: Mapping[str, Any]) -> bool:
    return case.get("state") in {"abandoned", "dismissed"}


def sign_up_errors(email: str, display_name: str, password: str, confirm: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not EMAIL.match(email) or len(email) > 320:
        errors["email"] = "invalid"
    if not display_name.strip():
        errors["display_name"] = "missing"
    problem = password_problem(password, confirm)
    if problem:
        errors["password"] = problem
    return errors


def password_problem(password: str, confirm: str) -> str:
    if len(password) < 10:
        return "too-short"
    if len(password) > 200:
        return "too-long"
    if password != confirm:
        return "mismatch"
    return ""


def profile_from_form(form: Mapping[str, Any], *, default_email: str, locale: str) -> dict[str, Any]:
    address = [line.strip() for line in str(form.get("address", "")).splitlines() if line.strip()][:8]
    return {
        "legal_name": str(form.get("legal_name", "")).strip()[:200],
        "address": address,
        "email": str(form.get("email", "")).strip()[:320] or default_email,
        "company_id": str(form.get("company_id", "")).strip()[:40],
        "vat_exempt": form.get("vat_exempt") == "on",
        "iban": re.sub(r"\s+", "", str(form.get("iban", "")))[:40].upper(),
        "locale": locale if locale in {"fr", "en"} else "fr",
    }


def preferences_from_form(current: Mapping[str, Any], form: Mapping[str, Any]) -> dict[str, Any]:
    items = []
    for item in current.get("items", []):
        chosen = str(form.get(f"channel_{item['kind']}", item["channel"]))
        items.append({"kind": item["kind"], "channel": chosen if chosen in PREFERENCE_CHANNELS else item["channel"]})
    body: dict[str, Any] = {"items": items}
    if "digest_hour_utc" in current:
        try:
            hour = int(str(form.get("digest_hour_utc", current["digest_hour_utc"])))
        except ValueError:
            hour = int(current["digest_hour_utc"])
        body["digest_hour_utc"] = min(max(hour, 0), 23)
    return body


def money_to_minor(text: str) -> int | None:
    """'1 234,50' or '1234.5' (euros) to 123450 (cents); None when it is not an amount."""
    cleaned = re.sub(r"[\s\u00a0\u202f€$£]", "", text or "")
    if not cleaned:
        return None
    if "," in cleaned and "." in cleaned:
        cleaned = (
            cleaned.replace(".", "").replace(",", ".")
            if cleaned.rfind(",") > cleaned.rfind(".")
            else (cleaned.replace(",", ""))
        )
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    if amount < 0 or amount.as_tuple().exponent < -2 or amount > Decimal(10**9):
        return None
    return int(amount * 100)


def minor_to_input(amount: int | None) -> str:
    return "" if amount is None else f"{Decimal(amount) / 100:.2f}"


def upload_outcome(status: int, problem_slug: str = "") -> tuple[str, str]:
    """(outcome, reason key) for one file: created, duplicate or refused with a plain reason."""
    if status == 201:
        return "created", ""
    if status == 200:
        return "duplicate", "duplicate"
    return "refused", problem_slug if problem_slug in UPLOAD_REASONS else "unsupported-image"
