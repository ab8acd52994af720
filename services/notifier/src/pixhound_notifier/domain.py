"""Pure notification rules: what to tell a photographer, in French or English, and how.

Plain words, no jargon; every message says what happened and what the photographer can
do next, and links to the portal page where they can do it: a case's page, its offers
section, or the money page.

Each kind of notification reaches the photographer through the channel they chose:
`instant` (in the app and by email at once), `digest` (in the app at once, by email in
one summary a day) or `in_app` (no email). The defaults follow one question: does it
need the photographer, or does waiting a day cost them anything?

- `case_opened` (we found a copy of your photo): instant. It is the alert photographers
  sign up for, and it asks them to review the match while the page is still up.
- `offer_needs_decision`: instant. An offer below the floor is never accepted without
  them, and it has a decision deadline.
- `payout_overdue`: instant. Their money is late; they should hear it from us first.
- `payment_received` and `paid_out`: digest. Good news with nothing to do (the payout
  has its own deadline, which we watch); the morning summary is enough and keeps the
  inbox for what needs them.

The channel is decided when a notification is created, so changing a preference never
re-sends or withdraws what was already notified. A digest lists, once a day at the
photographer's hour (UTC), the digest notifications they have not read in the app yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Literal, get_args

Kind = Literal["case_opened", "offer_needs_decision", "payment_received", "payout_overdue", "paid_out"]
Channel = Literal["instant", "digest", "in_app"]
KINDS: tuple[str, ...] = get_args(Kind)
CHANNELS: tuple[str, ...] = get_args(Channel)
DEFAULT_CHANNELS: dict[str, str] = {
    "case_opened": "instant",
    "offer_needs_decision": "instant",
    "payment_received": "digest",
    "payout_overdue": "instant",
    "paid_out": "digest",
}
DIGEST_KIND = "digest"


def channels_with_defaults(chosen: Mapping[str, str]) -> dict[str, str]:
    """Every kind's channel: the photographer's choice where valid, the default otherwise."""
    return {kind: chosen[kind] if chosen.get(kind) in CHANNELS else DEFAULT_CHANNELS[kind] for kind in KINDS}


def channel_for(kind: str, chosen: Mapping[str, str]) -> str:
    if kind not in DEFAULT_CHANNELS:
        return "instant"
    return channels_with_defaults(chosen)[kind]


def digest_slot(now: datetime, hour_utc: int) -> datetime:
    """The latest digest time at or before `now`: `hour_utc`:00 UTC today, or yesterday if not reached yet."""
    slot = now.replace(hour=hour_utc, minute=0, second=0, microsecond=0)
    return slot if slot <= now else slot - timedelta(days=1)


def case_link(portal_url: str, case_id: str) -> str:
    return f"{portal_url.rstrip('/')}/cases/{case_id}"


def offers_link(portal_url: str, case_id: str) -> str:
    return f"{case_link(portal_url, case_id)}#offers"


def money_link(portal_url: str) -> str:
    return f"{portal_url.rstrip('/')}/money"


def account_link(portal_url: str) -> str:
    return f"{portal_url.rstrip('/')}/account"


@dataclass(frozen=True)
class Notice:
    kind: str
    title: str
    body: str
    link: str


TEXTS = {
    "fr": {
        "title": "Nous avons trouvé votre photo sur {host}",
        "body": (
            "Bonjour {name},\n\n"
            "Pixhound a trouvé une copie de votre photo sur cette page :\n{page_url}\n\n"
            "Ressemblance : {score:.0%}.\n\n"
            "Que faire ? Vérifiez la correspondance dans votre espace, puis confirmez-la, "
            "écartez-la ou indiquez que ce site a une licence.\n{link}\n\n"
            "— Pixhound"
        ),
    },
    "en": {
        "title": "We found your photo on {host}",
        "body": (
            "Hello {name},\n\n"
            "Pixhound found a copy of your photo on this page:\n{page_url}\n\n"
            "Similarity: {score:.0%}.\n\n"
            "What next? Review the match in your portal, then confirm it, dismiss it, "
            "or mark the site as licensed.\n{link}\n\n"
            "— Pixhound"
        ),
    },
}


def case_opened_notice(
    *, locale: str, name: str, page_url: str, host: str, score: float, portal_url: str, case_id: str
) -> Notice:
    texts = TEXTS.get(locale, TEXTS["en"])
    link = case_link(portal_url, case_id)
    values = {"name": name or "", "page_url": page_url, "host": host or page_url, "score": score, "link": link}
    return Notice(
        kind="case_opened", title=texts["title"].format(**values), body=texts["body"].format(**values), link=link
    )


MONEY_TEXTS = {
    "offer_needs_decision": {
        "fr": (
            "Une offre sous votre prix plancher attend votre décision",
            "Bonjour {name},\n\nUne offre de {amount} a été reçue pour votre photo, en dessous de votre prix plancher "
            "({floor}).\nElle ne sera jamais acceptée sans vous. "
            "Acceptez-la ou refusez-la avant le {deadline}.\n{link}\n\n"
            "— Pixhound",
        ),
        "en": (
            "An offer below your floor price needs your decision",
            "Hello {name},\n\nAn offer of {amount} was received for your photo, below your floor price ({floor}).\n"
            "It will never be accepted without you. Accept or reject it before {deadline}.\n{link}\n\n— Pixhound",
        ),
    },
    "payment_received": {
        "fr": (
            "Paiement reçu : {photographer} vous reviennent",
            "Bonjour {name},\n\nLe contrefacteur a payé {gross}.\nTVA : {vat}\nHonoraires de l'agence : {agency_fee}\n"
            "Commission Pixhound : {platform_commission}\nVotre part : {photographer}\n\n"
            "Votre paiement est dû au plus tard le {due}.\n{link}\n\n— Pixhound",
        ),
        "en": (
            "Payment received: {photographer} is yours",
            "Hello {name},\n\nThe infringer paid {gross}.\nVAT: {vat}\nAgency fee: {agency_fee}\n"
            "Pixhound commission: {platform_commission}\nYour share: {photographer}\n\n"
            "You must be paid by {due}.\n{link}\n\n— Pixhound",
        ),
    },
    "payout_overdue": {
        "fr": (
            "Votre paiement de {amount} est en retard",
            "Bonjour {name},\n\nL'agence devait vous verser {amount} au plus tard le {due} ({days} jours de retard).\n"
            "Nous avons relancé l'agence (niveau de relance {level}) et suivons le dossier.\n{link}\n\n— Pixhound",
        ),
        "en": (
            "Your payment of {amount} is late",
            "Hello {name},\n\nThe agency had to pay you {amount} by {due} ({days} days late).\n"
            "We have chased the agency (escalation level {level}) and are following up.\n{link}\n\n— Pixhound",
        ),
    },
    "paid_out": {
        "fr": (
            "Vous avez été payé : {amount}",
            "Bonjour {name},\n\n{amount} vous ont été versés.\n{link}\n\n— Pixhound",
        ),
        "en": ("You have been paid: {amount}", "Hello {name},\n\n{amount} has been paid to you.\n{link}\n\n— Pixhound"),
    },
}


def format_amount(minor: int, currency: str, locale: str) -> str:
    exponent = 0 if currency in {"JPY", "ISK"} else 2
    value = f"{abs(minor) / 10**exponent:,.{exponent}f}"
    sign = "-" if minor < 0 else ""
    if locale == "fr":
        symbol = {"EUR": "€", "GBP": "£", "USD": "$"}.get(currency, currency)
        return f"{sign}{value.replace(',', ' ').replace('.', ',')} {symbol}"
    symbol = {"EUR": "€", "GBP": "£", "USD": "$"}.get(currency)
    return f"{sign}{symbol}{value}" if symbol else f"{sign}{value} {currency}"


def money_notice(kind: str, *, locale: str, name: str, portal_url: str, case_id: str, **values: str) -> Notice:
    """A notice about money on a case; `values` are already formatted for the locale."""
    texts = MONEY_TEXTS[kind]
    title, body = texts.get(locale, texts["en"])
    link = offers_link(portal_url, case_id) if kind == "offer_needs_decision" else money_link(portal_url)
    fields = {"name": name or "", "link": link, **values}
    return Notice(kind=kind, title=title.format(**fields), body=body.format(**fields), link=link)


DIGEST_TEXTS = {
    "fr": (
        "Votre résumé Pixhound du {day} : {count} notification{plural}",
        "Bonjour {name},\n\nVoici ce qui s'est passé pour vos photos :\n\n{items}\n\n"
        "Vous recevez ce résumé une fois par jour. Choisissez ce que vous recevez, et quand, "
        "dans votre espace :\n{link}\n\n— Pixhound",
    ),
    "en": (
        "Your Pixhound digest for {day}: {count} notification{plural}",
        "Hello {name},\n\nHere is what happened with your photos:\n\n{items}\n\n"
        "You get this summary once a day. Choose what you receive, and when, in your portal:\n{link}\n\n— Pixhound",
    ),
}


def format_day(day: date, locale: str) -> str:
    return day.strftime("%d/%m/%Y") if locale == "fr" else f"{day.day} {day:%B %Y}"


def digest_notice(*, locale: str, name: str, day: date, items: Sequence[tuple[str, str]], portal_url: str) -> Notice:
    """One email listing `items` (title, link), oldest first."""
    title, body = DIGEST_TEXTS.get(locale, DIGEST_TEXTS["en"])
    link = account_link(portal_url)
    values = {
        "name": name or "",
        "day": format_day(day, locale if locale in DIGEST_TEXTS else "en"),
        "count": len(items),
        "plural": "" if len(items) == 1 else "s",
        "items": "\n\n".join(f"• {item_title}\n  {item_link}" for item_title, item_link in items),
        "link": link,
    }
    return Notice(kind=DIGEST_KIND, title=title.format(**values), body=body.format(**values), link=link)


def digest_message_id(digest_id: str, domain: str = "pixhound.local") -> str:
    """Stable across retries, so a digest sent twice after a crash is one message to mail clients."""
    return f"<digest.{digest_id}@{domain}>"


def email_for(
    notice: Notice,
    *,
    sender: str,
    recipient: str,
    message_id_domain: str = "pixhound.local",
    message_id: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = notice.title
    message["X-Pixhound-Kind"] = notice.kind
    message["Message-ID"] = message_id or make_msgid(domain=message_id_domain)
    message.set_content(notice.body)
    return message
