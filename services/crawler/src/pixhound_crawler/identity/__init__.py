"""Who runs a website, whether they can be reached, and whether pursuing them is worth it.

Cases get abandoned as "infringer unknown" while the site's own legal notice names the company, its registration
number and its address; and photographers drown in matches on sites where nothing can be done. This package reads
the pages the crawler already fetched (home page, legal notice, terms, contact, about) and returns the operator's
identity with an actionability score that ranks matches. It is pure: no network, no file access, no clock, and it
never raises on malformed HTML or JSON-LD.

Crawler use: fetch the home page, call `legal_page_candidates` and fetch the first few (legal notice first); if the
home page links to none, try `common_legal_urls`; then call `extract_identity` with every (url, html) fetched.
"""

from pixhound_crawler.identity.checksums import luhn_ok, siren_ok, siret_ok, uk_company_number_ok, vat_ok
from pixhound_crawler.identity.contacts import find_emails, normalise_phone
from pixhound_crawler.identity.extract import extract_identity
from pixhound_crawler.identity.links import COMMON_LEGAL_PATHS, common_legal_urls, legal_page_candidates, same_site
from pixhound_crawler.identity.model import Address, CompanyId, SiteIdentity
from pixhound_crawler.identity.scoring import ACTIONABILITY_WEIGHTS, band

__all__ = [
    "ACTIONABILITY_WEIGHTS",
    "COMMON_LEGAL_PATHS",
    "Address",
    "CompanyId",
    "SiteIdentity",
    "band",
    "common_legal_urls",
    "extract_identity",
    "find_emails",
    "legal_page_candidates",
    "luhn_ok",
    "normalise_phone",
    "same_site",
    "siren_ok",
    "siret_ok",
    "uk_company_number_ok",
    "vat_ok",
]
