"""Site identity and actionability extraction: check digits, contacts, link discovery, structured data, scoring,
and the measured precision/recall over the hand-built fixture sites."""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pixhound_crawler.identity import (
    ACTIONABILITY_WEIGHTS,
    COMMON_LEGAL_PATHS,
    CompanyId,
    SiteIdentity,
    band,
    common_legal_urls,
    extract_identity,
    find_emails,
    legal_page_candidates,
    luhn_ok,
    normalise_phone,
    siren_ok,
    siret_ok,
    uk_company_number_ok,
    vat_ok,
)
from pixhound_crawler.identity.address import text_address
from pixhound_crawler.identity.companies import find_company_ids
from pixhound_crawler.identity.scoring import actionability
from pixhound_crawler.identity_eval import crawl, evaluate, main

FIXTURES = Path(__file__).parent / "fixtures" / "sites"
PACKAGE = Path(__file__).parents[1] / "src" / "pixhound_crawler" / "identity"


def site(name: str) -> SiteIdentity:
    expected = json.loads((FIXTURES / name / "expected.json").read_text(encoding="utf-8"))
    return extract_identity(crawl(FIXTURES / name, expected["url"]))


def page(body: str, lang: str = "fr", head: str = "") -> str:
    return f"<!doctype html><html lang='{lang}'><head>{head}</head><body>{body}</body></html>"


# --- check digits ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "valid"),
    [("526018155", True), ("732829320", True), ("526018156", False), ("52601815", False), ("52601815a", False)],
)
def test_siren_luhn(number: str, valid: bool) -> None:
    assert siren_ok(number) is valid


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("52601815590833", True),
        ("52601815590834", False),
        ("35600000000048", True),  # La Poste head office: plain Luhn
        ("35600000010000", True),  # La Poste establishment: digit sum multiple of 5, Luhn would refuse it
        ("35600000010001", False),
        ("5260181559083", False),
    ],
)
def test_siret_luhn_and_la_poste(number: str, valid: bool) -> None:
    assert siret_ok(number) is valid


def test_la_poste_exception_is_needed() -> None:
    assert not luhn_ok("35600000010000")
    assert luhn_ok("79927398713") and not luhn_ok("79927398710")


@pytest.mark.parametrize(
    ("vat", "valid"),
    [
        ("FR83526018155", True),  # key = (12 + 3 * (526018155 mod 97)) mod 97 = 83
        ("FR84526018155", False),
        ("FR0E526018155", True),  # new alphanumeric key
        ("FR0F526018155", False),
        ("FR83526018156", False),  # SIREN fails Luhn
        ("DE136695976", True),
        ("DE426616635", True),
        ("DE136695978", False),
        ("DE036695976", False),
        ("BE0646111357", True),
        ("BE646111357", True),  # old nine-digit form
        ("BE0646111358", False),
        ("BE2646111357", False),
        ("IT02685990588", True),
        ("IT02685990589", False),
        ("IT02685999998", False),  # office code 999 is valid, but not with this check digit
        ("ESB69748218", True),
        ("ESB69748219", False),
        ("ES12345678Z", True),
        ("ES12345678A", False),
        ("ESX1234567L", True),
        ("NL433014672B01", True),  # mod 11
        ("NL757447621B49", True),  # mod 97, sole traders since 2020
        ("NL433014673B01", False),
        ("NL433014672B00", False),
        ("GB315275864", True),  # mod 97
        ("GB992131559", True),  # mod 9755
        ("GB315275865", False),
        ("ATU13585627", True),
        ("ATU13585626", False),
        ("CHE521178505", True),
        ("CHE521178506", False),
        ("IE6388047V", True),  # seven digits and a check letter
        ("IE8256796U", True),
        ("IE6388047W", False),
        ("IE6433435OA", True),  # with the second letter of the 2013 format
        ("IE6433435OB", False),
        ("IE8Z49289F", True),  # the old format
        ("IE8Z49289G", False),
        ("XX123456789", False),
    ],
)
def test_vat_checksums(vat: str, valid: bool) -> None:
    assert vat_ok(vat) is valid


@pytest.mark.parametrize(
    ("number", "valid"),
    [("09876543", True), ("SC654321", True), ("NI012345", True), ("XX123456", False), ("00000000", False)],
)
def test_uk_company_numbers(number: str, valid: bool) -> None:
    assert uk_company_number_ok(number) is valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RCS Lyon B 526 018 155", [CompanyId("siren", "526018155", True)]),
        ("immatriculée au RCS de Saint-Étienne sous le numéro 526018155", [CompanyId("siren", "526018155", True)]),
        ("R.C.S. Nanterre 526 018 156", [CompanyId("siren", "526018156", False)]),
        ("Siret n°36290421147625", [CompanyId("siret", "36290421147625", True)]),
        ("TVA intracommunautaire : FR 83 526 018 155", [CompanyId("vat", "FR83526018155", True)]),
        ("P.IVA 02685990588", [CompanyId("vat", "IT02685990588", True)]),
        ("CIF: B69748218", [CompanyId("vat", "ESB69748218", True)]),
        ("VAT No: 315 2758 64", [CompanyId("vat", "GB315275864", True)]),
        ("Registered in England and Wales (No. 4567890)", [CompanyId("uk_company", "04567890", True)]),
        ("Registergericht: Amtsgericht München, HRB 214587", [CompanyId("de_register", "HRB 214587", True)]),
        ("IBAN FR76 3000 6000 0112 3456 7890 189", []),
        ("Capital de 10 000 €, carte CPI 6901 2018 000 031 442", []),
    ],
)
def test_company_ids_in_text(text: str, expected: list[CompanyId]) -> None:
    assert find_company_ids([text]) == expected


# --- emails and phones -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "contact [at] studio-lumen [dot] fr",
        "contact(at)studio-lumen.fr",
        "contact (at) studio-lumen (dot) fr",
        "contact @ studio-lumen . fr. Merci",
        "contact{at}studio-lumen{dot}fr",
        "contact AT studio-lumen DOT fr",
        "contact [arobase] studio-lumen [point] fr",
        "Écrivez à contact@studio-lumen.fr.",
    ],
)
def test_obfuscated_emails(text: str) -> None:
    assert find_emails([text], []) == ["contact@studio-lumen.fr"]


def test_emails_from_entities_mailto_and_cloudflare() -> None:
    encoded = bytes([0x42] + [byte ^ 0x42 for byte in b"cf@atelier.fr"]).hex()
    html = page(
        "<p>&#99;&#111;&#110;&#116;&#97;&#99;&#116;&#64;atelier&#46;fr</p>"
        "<a href='mailto:Bonjour%40atelier.fr?subject=Devis'>écrire</a>"
        f"<a href='/cdn-cgi/l/email-protection'><span data-cfemail='{encoded}'>[email protected]</span></a>"
    )
    assert set(extract_identity([("https://atelier.fr/", html)]).emails) == {
        "contact@atelier.fr",
        "bonjour@atelier.fr",
        "cf@atelier.fr",
    }


def test_placeholders_and_file_names_are_not_emails() -> None:
    text = "logo@2x.png votre@email.fr nom@domaine.fr user@example.com icon@3x.webp look at this dot com"
    assert find_emails([text], []) == []


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("01 42 68 53 00", "FR", "+33142685300"),
        ("01.43.28.57.06", "FR", "+33143285706"),
        ("+33 (0)6 12 34 56 78", None, "+33612345678"),
        ("0033 4 72 00 81 36", None, "+33472008136"),
        ("020 7946 0321", "GB", "+442079460321"),
        ("+49 89 21543870", "DE", "+498921543870"),
        ("08051 961 442", "DE", "+498051961442"),
        ("12 34", "FR", None),
        ("01 42 68 53 00", None, None),
    ],
)
def test_phone_normalisation(raw: str, region: str | None, expected: str | None) -> None:
    assert normalise_phone(raw, region) == expected


def test_fax_siret_and_vat_are_not_phones() -> None:
    html = page(
        "<p>Tél : 04 78 42 17 90 – Fax : 04 78 42 17 91</p><p>SIRET 526 018 155 90833</p><p>USt-IdNr.: DE 426616635</p>"
    )
    assert extract_identity([("https://agence.fr/", html)]).phones == ("+33478421790",)


# --- legal page discovery ----------------------------------------------------------------------------------------

HOME = page(
    """
    <nav><a href="/contact">Contact</a> <a href="/qui-sommes-nous">Qui sommes-nous ?</a></nav>
    <footer>
      <a href="/cgv">CGV</a>
      <a href="/politique-de-confidentialite">Politique de confidentialité</a>
      <a href="https://www.agence-web.fr/mentions-legales">Mentions légales de l'agence web</a>
      <a href="/infos/mentions-legales/">Mentions légales</a>
      <a href="mailto:x@agence.fr">Écrire</a>
      <a href="/cookies">Cookies</a>
    </footer>
    """
)


def test_legal_page_candidates_french_ranked() -> None:
    assert legal_page_candidates(HOME, "https://www.agence.fr/") == [
        "https://www.agence.fr/infos/mentions-legales/",
        "https://www.agence.fr/cgv",
        "https://www.agence.fr/contact",
        "https://www.agence.fr/qui-sommes-nous",
    ]


def test_legal_page_candidates_german_excludes_datenschutz() -> None:
    home = page(
        '<a href="/datenschutz">Datenschutz</a><a href="/kontakt">Kontakt</a><a href="/impressum">Impressum</a>'
        '<a href="/agb">AGB</a><a href="/ueber-uns">Über uns</a>',
        lang="de",
    )
    assert legal_page_candidates(home, "https://shop.example.de/") == [
        "https://shop.example.de/impressum",
        "https://shop.example.de/agb",
        "https://shop.example.de/kontakt",
        "https://shop.example.de/ueber-uns",
    ]


def test_legal_page_candidates_english_by_text_and_href() -> None:
    home = page(
        '<a href="/privacy-policy">Privacy policy</a><a href="/page/12">Legal notice</a>'
        '<a href="/terms-and-conditions">T&amp;Cs</a><a href="/about-us">Our story</a>'
        '<a href="https://blog.shop.co.uk/imprint">Imprint</a>',
        lang="en",
    )
    assert legal_page_candidates(home, "https://shop.co.uk/") == [
        "https://shop.co.uk/page/12",
        "https://blog.shop.co.uk/imprint",
        "https://shop.co.uk/terms-and-conditions",
        "https://shop.co.uk/about-us",
    ]


def test_common_legal_paths_to_try_without_links() -> None:
    assert legal_page_candidates(page("<p>Pas de lien</p>"), "https://x.fr/") == []
    urls = common_legal_urls("https://x.fr/shop/")
    assert urls[0] == "https://x.fr/mentions-legales"
    assert {"/imprint", "/impressum", "/contact", "/a-propos", "/about", "/legal"} <= set(COMMON_LEGAL_PATHS)
    fetched = crawl(FIXTURES / "fr-encadrement-sans-lien", "https://atelier-du-cadre-rouen.fr/")
    assert [url for url, _ in fetched] == [
        "https://atelier-du-cadre-rouen.fr/",
        "https://atelier-du-cadre-rouen.fr/mentions-legales",
    ]


# --- structured data ---------------------------------------------------------------------------------------------


def ld(*blocks: str) -> str:
    return "".join(f'<script type="application/ld+json">{block}</script>' for block in blocks)


def test_jsonld_graph_with_publisher_reference() -> None:
    head = ld(
        '{"@context":"https://schema.org","@graph":[{"@type":"WebSite","publisher":{"@id":"#o"}},'
        '{"@type":"Organization","@id":"#o","legalName":"Onze Papeterie SAS","name":"Papeterie Onze",'
        '"vatID":"FR83526018155","address":{"@type":"PostalAddress","postalCode":"75011","addressLocality":"Paris",'
        '"streetAddress":"11 rue Oberkampf","addressCountry":"FR"}}]}'
    )
    identity = extract_identity([("https://papeterie-onze.fr/", page("<p>Carnets</p>", head=head))])
    assert (identity.name, identity.name_source, identity.legal_form) == ("Onze Papeterie SAS", "json-ld", "SAS")
    assert identity.address is not None and identity.address.text == "11 rue Oberkampf, 75011 Paris, FR"
    assert identity.company_ids == (CompanyId("vat", "FR83526018155", True),)


def test_jsonld_list_and_nested_product_brand_is_not_the_operator() -> None:
    head = ld(
        '[{"@type":"Product","name":"Nappe","brand":{"@type":"Organization","name":"Lin & Flandres"},'
        '"offers":{"@type":"Offer","price":"79","priceCurrency":"EUR"}},'
        '{"@type":["Store","LocalBusiness"],"name":"Maison Calèche","telephone":"03 20 11 47 85"}]'
    )
    identity = extract_identity([("https://maison-caleche.fr/", page("<p>Linge</p>", head=head))])
    assert identity.name == "Maison Calèche"
    assert identity.phones == ("+33320114785",)
    assert identity.commercial and "schema.org" in identity.commercial_signals[0]


def test_microdata_organisation() -> None:
    body = (
        '<div itemscope itemtype="https://schema.org/RealEstateAgent"><h1 itemprop="name">Immobilière du Port</h1>'
        '<div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">'
        '<span itemprop="streetAddress">21 quai du Port</span> <span itemprop="postalCode">13002</span> '
        '<span itemprop="addressLocality">Marseille</span></div></div>'
    )
    identity = extract_identity([("https://immo-port.fr/", page(body))])
    assert identity.name == "Immobilière du Port"
    assert identity.address is not None and identity.address.postcode == "13002"


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<",
        "<html><head><title>Sans fin",
        '<script type="application/ld+json">{"@type": "Organization", "name": "X",</script>',
        '<script type="application/ld+json">{"@graph": [' + "[" * 5000 + "]}</script>",
        '<script type="application/ld+json">' + '{"a":' * 3000 + "1" + "}" * 3000 + "</script>",
        "<div>" * 3000 + "SIREN 526 018 155",
        "<p>" + "9 " * 20000 + "</p>",
        "<a href='http://[::1'>x</a><a href='https://x.fr:99999/'>Mentions légales</a>",
        "\x00\ufffd<p>contact@\udcff.fr</p>".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    ],
)
def test_malformed_html_never_raises(html: str) -> None:
    identity = extract_identity([("https://x.fr/", html), ("not a url", html)])
    json.dumps(identity.to_dict())
    legal_page_candidates(html, "https://x.fr/")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("<>/\"'=&#;:@.[]() {}aSIRENTVA0123456789éà\n")), max_size=400))
def test_random_markup_never_raises(html: str) -> None:
    identity = extract_identity([("https://x.fr/", html)])
    assert 0.0 <= identity.actionability <= 1.0


# --- names, host sections, scoring -------------------------------------------------------------------------------


def test_publisher_not_host_nor_designer() -> None:
    identity = site("fr-hebergeur-avant-editeur")
    assert identity.name == "Studio Vauban SAS"
    assert {company.value for company in identity.company_ids} == {"316613181", "FR35316613181"}
    assert identity.emails == ("hello@studio-vauban.fr",)
    assert identity.address is not None and identity.address.postcode == "59800"


OTHER_ORGANISATIONS_NOTICE = """<html lang="fr"><body>
<h1>Mentions légales</h1>
<table>
<tr><th colspan="2">Hébergement du site</th></tr>
<tr><td>Hébergeur</td><td>Nuage Serveurs SAS</td></tr>
<tr><td>Adresse</td><td>2 rue des Datacenters<br>59100 Roubaix</td></tr>
<tr><td>RCS</td><td>Lille 552 100 554</td></tr>
<tr><td>TVA</td><td>FR40552100554</td></tr>
<tr><td>Téléphone</td><td>03 20 00 00 01</td></tr>
<tr><th colspan="2">Édition du site</th></tr>
<tr><td>Raison sociale</td><td>Atelier Lumière SARL</td></tr>
<tr><td>Adresse</td><td>3 place Bellecour<br>69002 Lyon</td></tr>
<tr><td>SIREN</td><td>732 829 320</td></tr>
<tr><td>Téléphone</td><td>04 78 00 00 02</td></tr>
</table>
<p><span style="font-weight:bold">Hébergement</span></p>
<p>Sites Express Ltd., 1 Harbour Road, Tel Aviv. Téléphone : +972 3 000 0003</p>
<h2>Marque et plateforme</h2>
<p>La marque et la plateforme sont la propriété de Réseau Lumière SAS, 10 avenue de Wagram, 75017 Paris,
RCS Paris 542 065 479, tél. 01 44 00 00 04.</p>
<footer><h4>Publicité</h4><p>Régie : Pub Conseil – <a href="mailto:pub@pubconseil.fr">pub@pubconseil.fr</a>
– <a href="tel:+33494000005">04 94 00 00 05</a></p>
<h4>Nous écrire</h4><p><a href="mailto:bonjour@atelier-lumiere.fr">bonjour@atelier-lumiere.fr</a></p></footer>
</body></html>"""


def test_sections_of_other_organisations_are_set_aside() -> None:
    identity = extract_identity([("https://www.atelier-lumiere.fr/mentions-legales", OTHER_ORGANISATIONS_NOTICE)])
    assert {company.value for company in identity.company_ids} == {"732829320"}
    assert identity.phones == ("+33478000002",)
    assert identity.emails == ("bonjour@atelier-lumiere.fr",)
    assert identity.address is not None and identity.address.postcode == "69002"


FRANCHISE_NOTICE = """<html lang="fr"><body><h1>Mentions légales</h1>
<h2>1. Propriété de la marque</h2>
<p>La marque et le modèle de site du réseau sont la propriété de :<br>
FORME PLUS FRANCE SAS, franchiseur du réseau<br>250 avenue Félix-Faure, 69003 Lyon<br>
RCS Lyon 542 065 479 – Tél. 04 72 00 00 01 – franchise@formeplus-reseau.com</p>
<h2>2. Éditeur du site</h2>
<p>Le présent site est édité par le franchisé exploitant le club :</p>
<p><strong>SARL CLUB RIVE NORD</strong><br>12 avenue Maginot, 37100 Tours<br>RCS Tours 732 829 320<br>
Tél. 02 47 00 00 02 – rivenord@club-rivenord.fr</p>
<p>Votre conseillère : Claire Morvan, agent commercial indépendant – 06 71 00 00 03 – RSAC Tours 552 100 554</p>
<p>Le site vitrine a été conçu par Studio Web, 5 quai Saint-Vincent, 69001 Lyon – SIRET 443 061 841 00047.</p>
</body></html>"""


def test_identifiers_go_to_the_organisation_last_named() -> None:
    identity = extract_identity([("https://www.club-rivenord.fr/mentions-legales", FRANCHISE_NOTICE)])
    assert {company.value for company in identity.company_ids} == {"732829320"}
    assert identity.phones == ("+33247000002",)
    assert identity.emails == ("rivenord@club-rivenord.fr",)


def test_non_commercial_sites_are_at_most_medium() -> None:
    charity = SiteIdentity(
        url="https://charity.org.uk/",
        name="Wildlife Trust",
        name_source="legal notice",
        company_ids=(CompanyId("uk_company", "SC412877", True),),
        emails=("info@charity.org.uk",),
        phones=("+441479810562",),
        country="GB",
        commercial=False,
    )
    score, reasons = actionability(charity, personal_blog=False)
    assert band(score) == "medium" and "at most a medium priority" in reasons[-1]
    assert band(actionability(dataclasses.replace(charity, commercial=True), personal_blog=False)[0]) == "high"


def test_german_impressum() -> None:
    identity = site("de-fotoladen-impressum")
    assert (identity.name, identity.legal_form, identity.country, identity.language) == (
        "Fotoladen Brandl GmbH",
        "GmbH",
        "DE",
        "de",
    )


def test_wrong_html_lang_is_overridden_by_the_text() -> None:
    identity = site("fr-provence-habitat")
    assert identity.language == "fr"
    assert "overrides the declared en" in identity.language_evidence


def test_invalid_ids_are_reported_but_do_not_identify() -> None:
    identity = site("fr-siren-invalide")
    assert identity.company_ids and not any(company.valid for company in identity.company_ids)
    assert not identity.identified
    assert any("fails its check digits" in reason for reason in identity.reasons)


def test_actionability_ordering() -> None:
    agency, blog, foreign = site("fr-agence-dupont-immobilier"), site("fr-blog-minimal"), site("us-hiking-blog")
    assert agency.actionability > blog.actionability > foreign.actionability
    assert (band(agency.actionability), band(blog.actionability), band(foreign.actionability)) == ("high", "low", "low")
    assert foreign.country == "US" and not foreign.commercial


def test_actionability_is_the_documented_sum_of_weights() -> None:
    weights = ACTIONABILITY_WEIGHTS
    known = SiteIdentity(url="https://x.co.uk/", emails=("a@x.co.uk",), commercial=True, country="GB")
    score, reasons = actionability(known, personal_blog=False)
    assert score == round(
        weights["baseline"] + weights["email"] + weights["commercial"] + weights["practical_jurisdiction"], 2
    )
    foreign, _ = actionability(SiteIdentity(url="https://x.us/", country="US"), personal_blog=True)
    assert foreign == round(max(0.0, weights["baseline"] + weights["other_jurisdiction"] + weights["personal_blog"]), 2)
    assert any("GB" in reason for reason in reasons)


def test_to_dict_is_json() -> None:
    data = json.loads(json.dumps(site("uk-print-shop").to_dict()))
    assert data["company_ids"] == [
        {"type": "uk_company", "value": "09876543", "valid": True},
        {"type": "vat", "value": "GB315275864", "valid": True},
    ]
    assert data["identified"] is True and data["address"]["postcode"] == "TR18 4AB"


def test_package_is_pure() -> None:
    forbidden = {"socket", "httpx", "requests", "urllib.request", "asyncio", "os", "pathlib", "subprocess", "time"}
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not forbidden & set(names), f"{path.name} imports {names}"
            is_open = (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"open", "print"}
            )
            assert not is_open, f"{path.name} calls {node.func.id}"  # type: ignore[union-attr]


# --- measured precision and recall over the fixture sites --------------------------------------------------------


@pytest.fixture(scope="module")
def measured() -> dict[str, Any]:
    return evaluate(FIXTURES, details=True)


FLOORS = {
    # field: (precision floor, recall floor); measured 1.0 everywhere on the 48 fixtures
    "name": (0.95, 0.95),
    "emails": (0.97, 0.97),
    "phones": (0.97, 0.95),
    "company_ids": (1.0, 0.95),
    "postcode": (0.95, 0.92),
    "country": (0.97, 0.92),
    "language": (0.97, 0.97),
    "commercial": (0.95, 0.95),
}


@pytest.mark.parametrize("field", sorted(FLOORS))
def test_fixture_precision_recall_floors(measured: dict[str, Any], field: str) -> None:
    precision_floor, recall_floor = FLOORS[field]
    result = measured["fields"][field]
    wrong = [mismatch for mismatch in measured["mismatches"] if field in mismatch]
    assert result["precision"] >= precision_floor, wrong
    assert result["recall"] >= recall_floor, wrong


def test_fixture_bands_and_discovery(measured: dict[str, Any]) -> None:
    assert measured["sites"] >= 32
    assert measured["actionability_band_accuracy"] >= 0.93, [m for m in measured["mismatches"] if "band" in m]
    assert measured["legal_page_discovery_recall"] >= 0.95


def test_eval_cli_prints_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main([str(FIXTURES)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["fields"]["company_ids"]["precision"] == 1.0
    assert main([str(tmp_path / "missing")]) == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("line", "postcode", "country"),
    [
        ("1592 Barrington Street, Halifax, NS B3J 1W3", "B3J 1W3", "CA"),
        ("The Harbour, Dingle, Co. Kerry V92 X2Y8", "V92 X2Y8", "IE"),
        ("14 Station Road, Leeds LS6 3AG", "LS6 3AG", "GB"),
    ],
)
def test_canadian_and_irish_postcodes(line: str, postcode: str, country: str) -> None:
    address = text_address([line], need_context=False)
    assert address is not None and (address.postcode, address.country) == (postcode, country)
