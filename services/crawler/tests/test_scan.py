"""`make crawl`: one crawl on embedded defaults, written as JSON lines with evidence and site identity."""

import json
import subprocess
import sys

import pytest

from pixhound_embedded.sample import serve_website, stolen_copy, synthetic_photo

LEGAL = """<html lang="fr"><body><h1>Mentions légales</h1>
<p>Le site est édité par la société Agence du Vieux Port SARL au capital de 10 000 €,
immatriculée au RCS de Marseille sous le numéro 732 829 320.</p>
<p>Siège social : 12 quai du Port, 13002 Marseille. Contact : contact@vieuxport-immo.example</p></body></html>"""


@pytest.fixture
def agency_site():
    home = (
        '<html lang="fr"><body><h1>Agence du Vieux Port</h1><p>T3 vue mer, 320 000 €</p>'
        '<img src="/photos/vue.jpg"><a href="/mentions-legales">Mentions légales</a></body></html>'
    )
    site = serve_website(
        {
            "/": ("text/html; charset=utf-8", home.encode()),
            "/mentions-legales": ("text/html; charset=utf-8", LEGAL.encode()),
            "/photos/vue.jpg": ("image/jpeg", stolen_copy(synthetic_photo(5))),
        }
    )
    yield site
    site.close()


def _scan(seed: str, out, allow: str = "") -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pixhound_crawler", "scan", "--seeds", seed, "--out", str(out), "--timeout", "120"]
    if allow:
        command += ["--allow", allow]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


def test_scan_writes_each_occurrence_with_evidence_and_site(agency_site, tmp_path):
    out = tmp_path / "found.jsonl"
    result = _scan(agency_site.url, out, allow="127.0.0.0/8")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 1
    found = lines[0]
    assert found["page_url"] == agency_site.url and found["image_url"].endswith("/photos/vue.jpg")
    assert len(found["sha256"]) == 64 and found["width"] == 480
    assert found["evidence"]["warc_key"].endswith(".warc.gz") and len(found["evidence"]["page_sha256"]) == 64
    site = found["site"]
    assert set(site) == {
        "name",
        "emails",
        "phones",
        "company_ids",
        "address",
        "country",
        "language",
        "commercial",
        "actionability",
    }
    assert "Vieux Port" in (site["name"] or "")
    assert "contact@vieuxport-immo.example" in site["emails"]
    assert any(c["value"].replace(" ", "") == "732829320" and c["valid"] for c in site["company_ids"])
    assert site["country"] == "FR" and site["commercial"] is True and site["actionability"] > 0.5


def test_scan_refuses_loopback_without_an_allow_list(agency_site, tmp_path):
    out = tmp_path / "found.jsonl"
    result = _scan(agency_site.url, out)
    assert result.returncode == 0, result.stderr
    assert out.read_text() == ""
