"""Which of a home page's links lead to the pages that name the site's operator, best first."""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from pixhound_crawler.identity.document import fold, parse_document

COMMON_LEGAL_PATHS: tuple[str, ...] = (
    "/mentions-legales",
    "/mentions-legales/",
    "/mentions-legales.html",
    "/legal",
    "/legal-notice",
    "/imprint",
    "/impressum",
    "/cgv",
    "/terms",
    "/contact",
    "/contact/",
    "/a-propos",
    "/qui-sommes-nous",
    "/about",
    "/about-us",
)

# (score, pattern on the folded link text, pattern on the folded path)
LINK_KINDS: tuple[tuple[int, re.Pattern[str], re.Pattern[str]], ...] = (
    (
        100,
        re.compile(
            r"mentions?\s*legales?|informations?\s+(?:legales|juridiques)|notice\s+legale|legal\s+(?:notice|information"
            r"|disclosure|mentions)|\bimprint\b|\bimpressum\b|site\s+notice|note\s+legali|aviso\s+legal|\bcolofon\b"
            r"|wettelijke\s+vermeldingen|juridische\s+informatie|^legal$|^legal\s+&|^mentions$"
        ),
        re.compile(
            r"mentions?[-_]?legales?|informations?[-_]legales|legal[-_]?notice|imprint|impressum|aviso-legal"
            r"|note-legali|/legal(?:[-_./]|$)|colofon"
        ),
    ),
    (
        65,
        re.compile(
            r"\bcgv\b|\bcgu\b|\bt\s?&\s?cs?\b|conditions\s+g[ea]n[ea]rales|conditions\s+(?:de\s+vente|d.utilisation)|\bterms\b"
            r"|\bagb\b|allgemeine\s+gesch|termini\s+e\s+condizioni|condiciones"
        ),
        re.compile(r"\bcgv\b|\bcgu\b|conditions-generales|terms|/agb\b|/tos\b|condizioni|condiciones"),
    ),
    (
        60,
        re.compile(r"\bcontact|\bkontakt|\bcontatt|\bcontacto|nous\s+(?:joindre|trouver)|get\s+in\s+touch|find\s+us"),
        re.compile(r"contact|kontakt|contatt"),
    ),
    (
        50,
        re.compile(
            r"qui\s+sommes|a\s+propos|\babout\b|l.agence|notre\s+(?:agence|societe|entreprise|histoire|equipe)"
            r"|uber\s+uns|ueber\s+uns|chi\s+siamo|quienes\s+somos|over\s+ons|our\s+(?:story|company)|\bwho\s+we\s+are"
        ),
        re.compile(r"a-propos|apropos|about|qui-sommes|ueber-uns|uber-uns|chi-siamo|quienes-somos|over-ons|agence"),
    ),
)
NOT_LEGAL = re.compile(
    r"datenschutz|privacy|privee|confidentialite|cookie|rgpd|gdpr|donnees[-_\s]personnelles|privacidad|accessibilit"
    r"|sitemap|plan[-_\s]du[-_\s]site|newsletter|login|connexion|panier|cart|checkout|account|compte|\.(?:pdf|jpe?g|png)$"
)


def _site_key(host: str) -> str:
    return host.lower().removeprefix("www.")


def same_site(url: str, base_url: str) -> bool:
    try:
        host, base = _site_key(urlsplit(url).hostname or ""), _site_key(urlsplit(base_url).hostname or "")
    except ValueError:
        return False
    return bool(host) and (host == base or host.endswith("." + base) or base.endswith("." + host))


def _canonical(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", parts.query, ""))


def legal_page_candidates(html: str, base_url: str) -> list[str]:
    """Same-site links to the legal notice, terms, contact and about pages, best first; never privacy or cookies."""
    document = parse_document(base_url, html)
    home = _canonical(base_url)
    scores: dict[str, float] = {}
    order: dict[str, int] = {}
    for position, link in enumerate(document.links):
        url = _canonical(link.url)
        if url is None or url == home or not same_site(url, base_url):
            continue
        text = fold(link.text)
        path = fold(unquote(urlsplit(url).path + "?" + urlsplit(url).query)).replace(" ", "-")
        best = 0.0
        for score, text_pattern, path_pattern in LINK_KINDS:
            if text_pattern.search(text):
                best = max(best, score + (10 if len(text.split()) <= 4 else 0))
            if path_pattern.search(path):
                best = max(best, score * 0.9)
        if not best or (NOT_LEGAL.search(path) and not LINK_KINDS[0][2].search(path)):
            continue
        if NOT_LEGAL.search(text) and not LINK_KINDS[0][1].search(text) and best < 100:
            continue
        best += 3 if link.in_footer else 0
        if best > scores.get(url, 0):
            scores[url] = best
        order.setdefault(url, position)
    return sorted(scores, key=lambda url: (-scores[url], order[url]))


def common_legal_urls(base_url: str) -> list[str]:
    """The usual addresses of a legal notice or contact page, to try when the home page links to none."""
    return [urljoin(base_url, path) for path in COMMON_LEGAL_PATHS]
