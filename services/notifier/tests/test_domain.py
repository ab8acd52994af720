"""Notification content in French and English, links to the portal, channels and the digest's schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.message import EmailMessage

import pytest

from pixhound_notifier import domain
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


PORTAL = "https://portal.pixhound.example/"


@pytest.mark.parametrize(
    ("kind", "link"),
    [
        ("offer_needs_decision", f"https://portal.pixhound.example/cases/{CASE_ID}#offers"),
        ("payment_received", "https://portal.pixhound.example/money"),
        ("payout_overdue", "https://portal.pixhound.example/money"),
        ("paid_out", "https://portal.pixhound.example/money"),
    ],
)
def test_money_notices_link_to_the_offers_or_the_money_page(kind: str, link: str) -> None:
    values = {
        "amount": "1",
        "floor": "2",
        "deadline": "3",
        "gross": "4",
        "vat": "5",
        "agency_fee": "6",
        "platform_commission": "7",
        "photographer": "8",
        "due": "9",
        "days": "10",
        "level": "11",
    }
    notice = domain.money_notice(kind, locale="en", name="Jeanne", portal_url=PORTAL, case_id=CASE_ID, **values)
    assert notice.link == link
    assert link in notice.body


def test_every_kind_the_notifier_produces_has_a_default_channel() -> None:
    assert set(domain.KINDS) == set(domain.DEFAULT_CHANNELS) == {"case_opened", *domain.MONEY_TEXTS}
    assert set(domain.DEFAULT_CHANNELS.values()) <= set(domain.CHANNELS)
    assert domain.DEFAULT_CHANNELS["offer_needs_decision"] == "instant"
    assert domain.DEFAULT_CHANNELS["payout_overdue"] == "instant"


def test_chosen_channels_override_the_defaults_and_invalid_ones_are_ignored() -> None:
    chosen = {"case_opened": "digest", "paid_out": "in_app", "payout_overdue": "carrier-pigeon", "retired": "digest"}
    channels = domain.channels_with_defaults(chosen)
    assert list(channels) == list(domain.KINDS)
    assert channels["case_opened"] == "digest"
    assert channels["paid_out"] == "in_app"
    assert channels["payout_overdue"] == "instant"
    assert domain.channel_for("case_opened", chosen) == "digest"
    assert domain.channel_for("a-kind-from-later", chosen) == "instant"


@pytest.mark.parametrize(
    ("now", "hour", "slot"),
    [
        (datetime(2026, 12, 5, 6, 59, 59, tzinfo=UTC), 7, datetime(2026, 12, 4, 7, tzinfo=UTC)),
        (datetime(2026, 12, 5, 7, 0, 0, tzinfo=UTC), 7, datetime(2026, 12, 5, 7, tzinfo=UTC)),
        (datetime(2026, 12, 5, 23, 30, tzinfo=UTC), 7, datetime(2026, 12, 5, 7, tzinfo=UTC)),
        (datetime(2027, 1, 1, 0, 10, tzinfo=UTC), 23, datetime(2026, 12, 31, 23, tzinfo=UTC)),
        (datetime(2026, 12, 5, 0, 0, tzinfo=UTC), 0, datetime(2026, 12, 5, 0, tzinfo=UTC)),
    ],
)
def test_digest_slot_is_the_latest_digest_hour_reached(now: datetime, hour: int, slot: datetime) -> None:
    assert domain.digest_slot(now, hour) == slot


def test_digest_lists_every_notification_with_its_link_in_french_and_english() -> None:
    items = [("Nous avons trouvé votre photo sur a.example", f"{PORTAL}cases/1"), ("Vous avez été payé", "x/money")]
    french = domain.digest_notice(locale="fr", name="Jeanne", day=date(2026, 12, 6), items=items, portal_url=PORTAL)
    assert french.kind == "digest"
    assert french.title == "Votre résumé Pixhound du 06/12/2026 : 2 notifications"
    assert "Bonjour Jeanne" in french.body
    for title, link in items:
        assert f"• {title}\n  {link}" in french.body
    assert "https://portal.pixhound.example/account" in french.body
    english = domain.digest_notice(locale="en", name="Jo", day=date(2026, 12, 6), items=items[:1], portal_url=PORTAL)
    assert english.title == "Your Pixhound digest for 6 December 2026: 1 notification"
    assert "Hello Jo" in english.body
    assert domain.digest_notice(
        locale="de", name="Jo", day=date(2026, 12, 6), items=items, portal_url=PORTAL
    ).title == ("Your Pixhound digest for 6 December 2026: 2 notifications")


def test_a_digest_keeps_its_message_id_when_sent_again() -> None:
    notice = domain.digest_notice(locale="en", name="", day=date(2026, 12, 6), items=[("t", "l")], portal_url=PORTAL)
    message_id = domain.digest_message_id("d-1")
    first = email_for(notice, sender="a@pixhound.example", recipient="b@example.com", message_id=message_id)
    again = email_for(notice, sender="a@pixhound.example", recipient="b@example.com", message_id=message_id)
    assert first["Message-ID"] == again["Message-ID"] == "<digest.d-1@pixhound.local>"
    assert first["X-Pixhound-Kind"] == "digest"
