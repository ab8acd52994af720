"""The portal's pure rules: bands, amounts typed by people, buttons per case, language choice, safe redirects."""

import pytest

from pixhound_portal import domain, i18n
from pixhound_portal.web import safe_next


@pytest.mark.parametrize(
    ("value", "band"), [(None, "unknown"), (0.0, "low"), (0.44, "low"), (0.45, "medium"), (0.75, "high"), (1.0, "high")]
)
def test_bands_follow_the_crawler_cut_offs(value, band):
    assert domain.band(value) == band


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("350", 35000),
        ("350,50", 35050),
        ("1 234,5", 123450),
        ("1.234,56", 123456),
        ("1,234.56", 123456),
        ("€ 12", 1200),
        ("", None),
        ("abc", None),
        ("-5", None),
        ("1.234", None),
        ("0.001", None),
    ],
)
def test_amounts_are_read_as_people_type_them(typed, cents):
    assert domain.money_to_minor(typed) == cents


def test_case_buttons_come_from_what_the_cases_service_allows():
    detected = {"state": "detected", "mode": "undecided", "next_actions": ["confirmed", "dismissed", "licensed"]}
    assert [a.key for a in domain.case_actions(detected)] == ["confirm", "dismiss", "license"]
    self_managed = {"state": "notice_sent", "mode": "self", "next_actions": ["negotiating", "paid_by_infringer"]}
    assert [a.key for a in domain.case_actions(self_managed)] == ["negotiating", "payment"]
    with_agency = {"state": "notice_sent", "mode": "agency", "next_actions": ["negotiating", "abandoned"]}
    assert domain.case_actions(with_agency) == [], "agency steps are the agency's, not buttons for the photographer"
    assert domain.can_abandon(with_agency) and not domain.can_reopen(with_agency)
    assert all(action.label for action in domain.SIMPLE_ACTIONS.values()), "no button without words"


def test_history_reasons_are_told_in_plain_words():
    assert domain.history_reason("recovery requested from Cabinet Durand") == "Sent to a partner agency"
    assert domain.history_reason("payout VIR-2026-12") == "Paid out to you"
    assert domain.history_reason("no_response") == "No response"
    assert domain.history_reason("something new") == ""


def test_upload_outcomes():
    assert domain.upload_outcome(201) == ("created", "")
    assert domain.upload_outcome(200) == ("duplicate", "duplicate")
    assert domain.upload_outcome(413, "upload-too-large") == ("refused", "upload-too-large")
    assert domain.upload_outcome(415, "something-else") == ("refused", "unsupported-image")


def test_sign_up_and_password_rules():
    assert domain.sign_up_errors("camille@example.org", "Camille", "long enough pw", "long enough pw") == {}
    errors = domain.sign_up_errors("not-an-email", " ", "short", "short")
    assert errors == {"email": "invalid", "display_name": "missing", "password": "too-short"}
    assert domain.password_problem("long enough pw", "different pw!") == "mismatch"


def test_preferences_form_keeps_only_known_channels():
    current = {"items": [{"kind": "case_opened", "channel": "instant"}], "digest_hour_utc": 7}
    body = domain.preferences_from_form(current, {"channel_case_opened": "digest", "digest_hour_utc": "30"})
    assert body == {"items": [{"kind": "case_opened", "channel": "digest"}], "digest_hour_utc": 23}
    body = domain.preferences_from_form(current, {"channel_case_opened": "carrier-pigeon"})
    assert body["items"][0]["channel"] == "instant"


@pytest.mark.parametrize(
    ("header", "locale"),
    [("fr-FR,fr;q=0.9,en;q=0.8", "fr"), ("en-GB,en;q=0.9", "en"), ("de-DE,en;q=0.5", "en"), ("de", "fr"), ("", "fr")],
)
def test_language_from_the_browser(header, locale):
    assert i18n.negotiate(header) == locale


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/cases/1", "/cases/1"),
        ("//evil.example/x", "/matches"),
        ("https://evil.example", "/matches"),
        ("/\\\\x", "/matches"),
    ],
)
def test_redirects_stay_on_the_portal(target, safe):
    assert safe_next(target) == safe


def test_notification_links_stay_on_the_portal():
    assert domain.portal_path("https://portal.pixhound.example/cases/abc#offers") == "/cases/abc#offers"
    assert domain.portal_path("https://evil.example//evil.example/x") == "/notifications"
    assert domain.portal_path("") == "/notifications"


def test_money_and_dates_in_each_language():
    assert i18n.Formatter("fr").money(35050, "EUR") == "350,50\u00a0€"
    assert i18n.Formatter("en").money(35050, "EUR") == "€350.50"
    assert i18n.country_name("FR", "fr") == "France" and i18n.country_name("DE", "en") == "Germany"
