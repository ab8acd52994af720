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
