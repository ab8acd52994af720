"""Notification content in French and English, and the email built from it."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from pixhound_notifier.domain import Notice, case_opened_notice, email_for

PAGE_URL = "https://agence-du-port.example.fr/biens/t3-vue-mer"
CASE_ID = "7c0d5a3e-1f2b-4c8e-9a61-2d4b5e6f7a80"


def _notice(locale: str, **overrides) -> Notice:
    values = {
        "locale": locale,
        "name": "Jeanne",
        "page_url": PAGE_URL,
        "host": "agence-du-port.example.fr",
        "score": 0.93,
        "portal_url": "https://portal.pixhound.example/",
        "case_id": CASE_ID,
    }
    values.update(overrides)
    return case_opened_notice(**values)


def test_french_notice() -> None:
    notice = _notice("fr")
    assert notice.kind == "case_opened"
    assert "agence-du-port.example.fr" in notice.title
    assert notice.title.startswith("Nous avons trouvé votre photo")
    assert PAGE_URL in notice.body
    assert "Bonjour Jeanne" in notice.body
    assert "93" in notice.body
    assert notice.link == f"https://portal.pixhound.example/cases/{CASE_ID}"
    assert notice.link in notice.body


def test_english_notice() -> None:
    notice = _notice("en")
    assert notice.title == "We found your photo on agence-du-port.example.fr"
    assert PAGE_URL in notice.body
    assert "Hello Jeanne" in notice.body
    assert "Similarity: 93%" in notice.body
    assert notice.link in notice.body
    assert notice.link.endswith(f"/cases/{CASE_ID}")


def test_french_and_english_differ() -> None:
    assert _notice("fr").title != _notice("en").title
    assert _notice("fr").body != _notice("en").body


@pytest.mark.parametrize("locale", ["de", "", "EN-gb", "xx"])
def test_unknown_locale_falls_back_to_english(locale: str) -> None:
    assert _notice(locale) == _notice("en")


@pytest.mark.parametrize("portal_url", ["https://portal.pixhound.example", "https://portal.pixhound.example/"])
def test_case_link_has_a_single_slash(portal_url: str) -> None:
    assert _notice("en", portal_url=portal_url).link == f"https://portal.pixhound.example/cases/{CASE_ID}"


def test_missing_host_falls_back_to_the_page_url() -> None:
    notice = _notice("en", host="")
    assert PAGE_URL in notice.title


def test_email_has_from_to_subject_and_body() -> None:
    notice = _notice("fr")
    message = email_for(notice, sender="Pixhound <alertes@pixhound.example>", recipient="jeanne@example.fr")
    assert isinstance(message, EmailMessage)
    assert message["From"] == "Pixhound <alertes@pixhound.example>"
    assert message["To"] == "jeanne@example.fr"
    assert message["Subject"] == notice.title
    assert message["X-Pixhound-Kind"] == "case_opened"
    content = message.get_content()
    assert PAGE_URL in content
    assert notice.link in content


def test_email_serialises_non_ascii_text() -> None:
    message = email_for(_notice("fr"), sender="alertes@pixhound.example", recipient="jeanne@example.fr")
    wire = message.as_bytes()
    assert b"Subject:" in wire
    assert message.get_content_type() == "text/plain"
    assert "é" in message.get_content()


def test_email_has_a_unique_message_id_on_the_given_domain() -> None:
    notice = _notice("en")
    first = email_for(
        notice, sender="a@pixhound.example", recipient="b@example.com", message_id_domain="mail.pixhound.example"
    )
    second = email_for(
        notice, sender="a@pixhound.example", recipient="b@example.com", message_id_domain="mail.pixhound.example"
    )
    assert first["Message-ID"].startswith("<") and first["Message-ID"].endswith("@mail.pixhound.example>")
    assert first["Message-ID"] != second["Message-ID"]
