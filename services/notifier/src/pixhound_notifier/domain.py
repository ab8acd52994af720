"""Pure notification content: what to tell a photographer, in French or English.

Plain words, no jargon; every message says what happened and what the photographer can
do next.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid


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
    link = f"{portal_url.rstrip('/')}/cases/{case_id}"
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
    link = f"{portal_url.rstrip('/')}/cases/{case_id}"
    fields = {"name": name or "", "link": link, **values}
    return Notice(kind=kind, title=title.format(**fields), body=body.format(**fields), link=link)


def email_for(
    notice: Notice, *, sender: str, recipient: str, message_id_domain: str = "pixhound.local"
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = notice.title
    message["X-Pixhound-Kind"] = notice.kind
    message["Message-ID"] = make_msgid(domain=message_id_domain)
    message.set_content(notice.body)
    return message
