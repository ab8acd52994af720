"""The photographer's whole journey in real Chromium, once in French on a phone and once in
English on a desktop: sign up, upload with progress, scan a website, review the match with its
region, confirm, compare agencies' fee waterfalls, launch, follow the agency's steps, decide on
an offer below the floor, see the payment and the payout; plus isolation and sign-out.
"""

from __future__ import annotations

import re
import time
import uuid

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe

from pixhound_embedded.sample import synthetic_photo

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"
RUNS = {
    "fr": {"viewport": {"width": 390, "height": 844}, "browser_locale": "fr-FR", "seed": 101, "device": "phone"},
    "en": {"viewport": {"width": 1280, "height": 900}, "browser_locale": "en-GB", "seed": 202, "device": "desktop"},
}
WORDS = {
    "fr": {
        "confirm": "Oui, c'est ma photo utilisée sans licence",
        "upload": "Envoyer des photos",
        "matches": "Correspondances",
    },
    "en": {"confirm": "Yes, this is my photo used without licence", "upload": "Upload photos", "matches": "Matches"},
}


class Journey:
    def __init__(self, page, platform, locale: str, device: str, screenshots) -> None:
        self.page, self.platform, self.locale, self.device = page, platform, locale, device
        self.screenshots = screenshots
        self.axe = Axe()
        self.checked: list[str] = []

    def goto(self, path: str) -> None:
        response = self.page.goto(self.platform.base + path)
        assert response is not None and response.status < 400, f"{path}: {response and response.status}"

    def check(self, name: str) -> None:
        """Accessibility (axe-core: no serious or critical violation), language, icons with words, screenshot."""
        assert self.page.locator("html").get_attribute("lang") == self.locale
        results = self.axe.run(self.page)
        serious = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        assert not serious, f"{name}: accessibility violations {serious}"
        lonely_icons = self.page.evaluate(
            """() => [...document.querySelectorAll('a, button, summary')].filter(el =>
                 el.querySelector('svg.icon') && !el.textContent.trim()).map(el => el.outerHTML.slice(0, 120))"""
        )
        assert not lonely_icons, f"{name}: an icon stands alone without words: {lonely_icons}"
        self.screenshots.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.screenshots / f"{self.locale}-{self.device}-{name}.png"), full_page=True)
        self.checked.append(name)

    def submit(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).click()


def _wait(description: str, probe, timeout: float = 120.0, every: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {description}")


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_photographer_journey(locale, browser, platform, agencies, samples):
    run = RUNS[locale]
    context = browser.new_context(viewport=run["viewport"], locale=run["browser_locale"])
    page = context.new_page()
    journey = Journey(page, platform, locale, run["device"], samples.screenshots)
    originals = [samples.photo(run["seed"] + index, "Camille Martin") for index in range(3)]
    website = samples.website(originals[0], originals[1], originals[2])
    try:
        _account_and_upload(journey, originals)
        case_ids = _scan_and_review(journey, website.url)
        _recover_with_an_agency(journey, agencies[0], case_ids)
        _recover_on_my_own(journey, case_ids[1])
        _dismiss_in_bulk(journey, case_ids[2])
        _money_notifications_and_account(journey)
        _sign_out_invalidates(journey, context)
    finally:
        website.close()
        context.close()
    assert len(journey.checked) >= 10


def _account_and_upload(journey: Journey, originals: list[bytes]) -> None:
    page = journey.page
    journey.goto("/")
    journey.check("home")
    journey.submit("a[href='/signup'].button")
    journey.check("signup")
    page.fill("#display_name", "Camille Martin")
    page.fill("#email", f"camille-{uuid.uuid4().hex[:8]}@example.org")
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    journey.submit("form[action='/signup'] button[type=submit]")
    assert page.url.endswith("/photos/upload?welcome=1")
    assert page.locator("h1").inner_text() == WORDS[journey.locale]["upload"]

    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 256 * 1024},
    )
    page.evaluate(
        """() => { window.batchSamples = []; window.sampler = setInterval(() => {
             const bar = document.getElementById('batch-progress');
             if (bar) window.batchSamples.push(bar.value); }, 20); }"""
    )
    files = [
        {"name": f"port-{index}.jpg", "mimeType": "image/jpeg", "buffer": content}
        for index, content in enumerate(originals)
    ]
    files.append({"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"this is not a photo at all"})
    page.set_input_files("#files", files)
    page.wait_for_function(
        "() => document.querySelectorAll('.upload-item').length === 4 && "
        "document.querySelectorAll('.upload-item.outcome-waiting').length === 0 && "
        "document.getElementById('batch-progress').value === 100",
        timeout=60_000,
    )
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    samples = page.evaluate("() => { clearInterval(window.sampler); return window.batchSamples; }")
    assert any(0 < value < 100 for value in samples), f"the batch progress was never seen moving: {samples[:20]}"
    created = page.locator(".upload-item.outcome-created")
    assert created.count() == 3
    assert "Camille Martin" in created.first.inner_text(), "the author read from the file is shown"
    refused = page.locator(".upload-item.outcome-refused")
    assert refused.count() == 1 and "notes.jpg" in refused.inner_text()
    assert "JPEG" in refused.inner_text(), "a refused file says why, in plain words"
    journey.check("upload")

    journey.goto("/photos/upload")
    page.set_input_files("#files", files[:1])
    page.wait_for_selector(".upload-item.outcome-duplicate", timeout=30_000)

    journey.goto("/photos")
    assert page.locator(".gallery .tile").count() == 3
    thumbnails = page.locator(".gallery img").evaluate_all("images => images.map(i => i.getAttribute('src'))")
    assert all(src.endswith("/image/thumb") for src in thumbnails), "list pages never load full-size images"
    journey.check("portfolio")
    journey.submit(".gallery .tile a >> nth=0")
    page.fill("#title", "Vue sur le port")
    journey.submit("form.stack button[type=submit]")
    assert page.locator("h1").inner_text() == "Vue sur le port"
    journey.check("photo")


def _scan_and_review(journey: Journey, website_url: str) -> list[str]:
    page = journey.page
    journey.goto("/scans")
    page.fill("#urls", f"{website_url}\n{website_url}gone-page")
    journey.submit("form[action='/scans'] button[type=submit]")
    assert re.search(r"/scans/[0-9a-f-]+$", page.url)
    scan_path = page.url.removeprefix(journey.platform.base)

    def three_matches():
        journey.goto("/matches")
        return page.locator(".match").count() >= 3

    _wait("the three copies in the inbox", three_matches)

    def gone_page_reported():
        journey.goto(scan_path)
        return page.locator("li", has_text="gone-page").count() == 1

    _wait("the page that was not read, with its reason", gone_page_reported, timeout=60)
    assert "HTTP 404" in page.locator("li", has_text="gone-page").inner_text()
    journey.check("scan")
    journey.goto("/matches")
    assert page.locator("h1").inner_text() == WORDS[journey.locale]["matches"]
    journey.check("inbox")
    case_ids = page.locator("input[name=case_id]").evaluate_all("boxes => boxes.map(b => b.value)")

    captured = None
    for case_id in case_ids:
        journey.goto(f"/cases/{case_id}")
        rects = page.locator(".compare svg.overlay rect")
        if rects.count() == 2 and float(rects.nth(1).get_attribute("width")) < 80:
            captured = case_id
            break
    assert captured, "the copy inside the page capture is outlined on both images"
    copy_box = {
        name: float(page.locator(".compare svg.overlay rect").nth(1).get_attribute(name))
        for name in ("x", "y", "width", "height")
    }
    assert abs(copy_box["x"] - 15) < 6 and abs(copy_box["y"] - 24.4) < 6, copy_box
    assert page.locator("text=SIREN").count() + page.locator("text=732").count() >= 1, "who runs the site is shown"
    journey.check("case-review")
    return [captured] + [case_id for case_id in case_ids if case_id != captured]


def _recover_with_an_agency(journey: Journey, agency, case_ids: list[str]) -> None:
    page = journey.page
    case_id = case_ids[0]
    journey.goto(f"/cases/{case_id}")
    button = page.locator(f"form[action='/cases/{case_id}/review/confirm'] button")
    assert button.inner_text().strip() == WORDS[journey.locale]["confirm"]
    journey.submit(f"form[action='/cases/{case_id}/review/confirm'] button")
    page.fill("#licence_price", "350")
    page.fill("#surcharge_percent", "100")
    page.fill("#floor_price", "500")
    journey.submit(f"form[action='/cases/{case_id}/pricing'] button")
    options = page.locator(".options .option")
    assert options.count() == 3, "each agency and the self-managed path are compared before launching"
    assert page.locator(".options table.waterfall").count() == 3
    journey.check("case-options")
    page.check(f"#option-{agency.id}")
    journey.submit(f"form[action='/cases/{case_id}/launch'] button[type=submit]")

    with httpx.Client(base_url=journey.platform.base, timeout=30) as client:

        def partner(path: str, key: str, body: dict, status: int = 200) -> dict:
            response = client.post(
                f"/cases/partner/v1/cases/{case_id}/{path}", headers=agency.headers(f"{key}-{case_id[:8]}"), json=body
            )
            assert response.status_code == status, f"{path}: {response.status_code} {response.text}"
            return response.json()

        partner("accept", "accept", {})
        partner(
            "infringer", "infringer", {"name": "Agence du Port SARL", "address": ["1 quai du Port"], "country": "FR"}
        )
        partner("notice", "notice", {"note": "lettre recommandée"})
        offer = partner("offers", "offer", {"amount": 40000}, 201)
        assert offer["status"] == "awaiting_photographer"

        journey.goto(f"/cases/{case_id}#offers")
        assert page.locator(".offer.needs-you").count() == 1
        journey.check("case-offer")
        journey.submit(f"form[action='/cases/{case_id}/offers/{offer['id']}'] button[value=accept]")

        partner("settle", "settle", {"offer_id": offer["id"]})
        paid = partner("payments", "payment", {"gross": 40000}, 201)
        journey.goto(f"/cases/{case_id}#payments")
        assert page.locator(".payment table.waterfall").count() == 1
        journey.check("case-payment")
        partner(f"payouts/{paid['payout']['id']}/paid", "payout", {"reference": "VIR-2026-12"})
    journey.goto(f"/cases/{case_id}")
    assert page.locator(".timeline li").count() >= 8
    journey.check("case-paid")


def _recover_on_my_own(journey: Journey, case_id: str) -> None:
    page = journey.page
    journey.goto(f"/cases/{case_id}")
    journey.submit(f"form[action='/cases/{case_id}/review/confirm'] button")
    journey.submit(f"form[action='/cases/{case_id}/pricing'] button")
    page.check("#option-self")
    journey.submit(f"form[action='/cases/{case_id}/launch'] button[type=submit]")
    assert page.locator("#inf-name").input_value() == "Agence Immobilière du Port SARL", (
        "filled from the site's identity"
    )
    journey.submit(f"form[action='/cases/{case_id}/infringer'] button")
    journey.goto("/account")
    page.fill("#legal_name", "Camille Martin EI")
    page.fill("#address", "12 rue des Arts\n13002 Marseille")
    journey.submit("form[action='/account/legal'] button")
    journey.goto(f"/cases/{case_id}")
    for kind in ("notice.pdf", "invoice.pdf"):
        with page.expect_download() as download:
            page.locator(f"a[href='/cases/{case_id}/documents/{kind}']").click()
        assert download.value.suggested_filename.endswith(".pdf")
        assert download.value.path().read_bytes().startswith(b"%PDF")
    journey.submit(f"form[action='/cases/{case_id}/steps'] button")
    assert page.locator(".state-notice_sent").count() >= 1
    journey.check("case-self-managed")


def _dismiss_in_bulk(journey: Journey, case_id: str) -> None:
    page = journey.page
    journey.goto("/matches")
    page.check(f"#case-{case_id}")
    journey.submit("#bulk-form button[value=dismiss]")
    assert page.locator(f"#case-{case_id}").count() == 0, "a dismissed match leaves the review list"
    journey.goto("/matches?view=all")
    assert page.locator(f"#case-{case_id}").count() == 1


def _money_notifications_and_account(journey: Journey) -> None:
    page = journey.page
    journey.goto("/money")
    assert page.locator(".totals").count() == 1
    journey.check("money")
    with page.expect_download() as download:
        page.locator("a[href='/money.csv']").click()
    assert download.value.suggested_filename == "pixhound-money.csv"

    journey.goto("/notifications")
    assert page.locator(".notifications li").count() >= 1
    journey.check("notifications")
    journey.submit(".notifications li form button >> nth=0")
    assert "/notifications" not in page.url

    journey.goto("/account")
    assert page.locator("#legal_name").input_value() == "Camille Martin EI"
    page.select_option("#channel_payment_received", "instant")
    journey.submit("form[action='/account/notifications'] button")
    assert page.locator("#channel_payment_received").input_value() == "instant"
    journey.check("account")
    other = "en" if journey.locale == "fr" else "fr"
    journey.submit("form.language button")
    assert page.locator("html").get_attribute("lang") == other
    journey.goto("/photos")
    assert page.locator("html").get_attribute("lang") == other, "the language choice is remembered"
    journey.submit("form.language button")
    assert page.locator("html").get_attribute("lang") == journey.locale


def _sign_out_invalidates(journey: Journey, context) -> None:
    page = journey.page
    cookies = context.cookies()
    journey.submit("form[action='/signout'] button")
    assert "/signin" in page.url
    context.add_cookies(cookies)
    page.goto(journey.platform.base + "/matches")
    assert "/signin" in page.url, "a session cookie kept from before signing out no longer works"


def test_photographers_never_see_each_other(browser, platform):
    first, second = browser.new_context(), browser.new_context()
    try:
        pages = [first.new_page(), second.new_page()]
        for index, page in enumerate(pages):
            page.goto(platform.base + "/signup")
            page.fill("#display_name", f"Photographer {index}")
            page.fill("#email", f"p{index}-{uuid.uuid4().hex[:8]}@example.org")
            page.fill("#password", PASSWORD)
            page.fill("#password_confirm", PASSWORD)
            with page.expect_navigation():
                page.click("form[action='/signup'] button[type=submit]")
        pages[0].set_input_files(
            "#files", [{"name": "mine.jpg", "mimeType": "image/jpeg", "buffer": synthetic_photo(303)}]
        )
        pages[0].wait_for_selector(".upload-item.outcome-created", timeout=30_000)
        photo_path = pages[0].locator(".upload-item a").get_attribute("href")
        for path in (photo_path, f"{photo_path}/image/thumb"):
            response = pages[1].goto(platform.base + path)
            assert response.status == 404, f"{path} answered {response.status} to another photographer"
        assert pages[1].goto(platform.base + "/photos").ok
        assert pages[1].locator(".gallery .tile").count() == 0
    finally:
        first.close()
        second.close()


def test_forms_refuse_cross_site_posts_and_missing_tokens(platform):
    with httpx.Client(base_url=platform.base, timeout=30, follow_redirects=False) as client:
        page = client.get("/signin")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        no_token = client.post("/signin", data={"email": "a@b.org", "password": "x"})
        assert no_token.status_code == 403
        cross_site = client.post(
            "/signin",
            data={"email": "a@b.org", "password": "x", "csrf_token": token},
            headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        )
        assert cross_site.status_code == 403
        wrong = client.post("/signin", data={"email": "a@b.org", "password": "wrong password", "csrf_token": token})
        assert wrong.status_code == 401
        headers = page.headers
        assert (
            "script-src 'self'" in headers["content-security-policy"]
            and "unsafe-inline" not in headers["content-security-policy"]
        )
        cookie = next(value for name, value in page.headers.multi_items() if name == "set-cookie")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        huge = client.post(
            "/signin", content=b"x" * (200 * 1024), headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert huge.status_code == 413


def test_password_change_signs_out_other_devices(browser, platform):
    laptop, phone = browser.new_context(), browser.new_context()
    try:
        page = laptop.new_page()
        email = f"pw-{uuid.uuid4().hex[:8]}@example.org"
        page.goto(platform.base + "/signup")
        page.fill("#display_name", "Dominique")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.fill("#password_confirm", PASSWORD)
        with page.expect_navigation():
            page.click("form[action='/signup'] button[type=submit]")
        other = phone.new_page()
        other.goto(platform.base + "/signin")
        other.fill("#email", email)
        other.fill("#password", PASSWORD)
        with other.expect_navigation():
            other.click("form[action='/signin'] button[type=submit]")
        assert other.url.endswith("/matches")

        page.goto(platform.base + "/account")
        page.fill("#current_password", "not my password at all")
        page.fill("#new_password", "a brand new password")
        page.fill("#confirm", "a brand new password")
        with page.expect_navigation():
            page.click("form[action='/account/password'] button")
        assert page.locator(".error").count() == 1, "a wrong current password is refused"
        page.fill("#current_password", PASSWORD)
        page.fill("#new_password", "a brand new password")
        page.fill("#confirm", "a brand new password")
        with page.expect_navigation():
            page.click("form[action='/account/password'] button")
        assert page.url.endswith("/account?saved=password")
        assert page.goto(platform.base + "/matches").ok and page.url.endswith("/matches"), "this device stays in"
        other.goto(platform.base + "/matches")
        assert "/signin" in other.url, "the other device was signed out"
        other.fill("#email", email)
        other.fill("#password", "a brand new password")
        with other.expect_navigation():
            other.click("form[action='/signin'] button[type=submit]")
        assert other.url.endswith("/matches")
    finally:
        laptop.close()
        phone.close()
