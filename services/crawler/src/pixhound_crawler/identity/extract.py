"""Put the extractors together over the pages fetched for one site."""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlsplit

from pixhound_crawler.identity.address import choose_address
from pixhound_crawler.identity.attribution import Attribution
from pixhound_crawler.identity.commerce import commercial_signals, looks_like_personal_blog
from pixhound_crawler.identity.companies import find_company_ids, jsonld_id_texts
from pixhound_crawler.identity.contacts import find_emails, find_phones
from pixhound_crawler.identity.document import Document, parse_document
from pixhound_crawler.identity.locale import default_region, infer_country, infer_language
from pixhound_crawler.identity.model import SiteIdentity
from pixhound_crawler.identity.names import choose_name, find_legal_form, org_nodes
from pixhound_crawler.identity.scoring import actionability


def _own_first(emails: list[str], host: str) -> list[str]:
    site = host.removeprefix("www.")
    return sorted(emails, key=lambda email: 0 if email.split("@", 1)[1].endswith(site) else 1)


def _with_contact_points(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = list(nodes)
    for node in nodes:
        points = node.get("contactPoint")
        found.extend(point for point in (points if isinstance(points, list) else [points]) if isinstance(point, dict))
    return found


def extract_identity(pages: list[tuple[str, str]]) -> SiteIdentity:
    """`pages` are (url, html), the home page first, then whichever legal, contact or about pages were fetched."""
    documents: list[Document] = [parse_document(url, html) for url, html in pages if isinstance(url, str)]
    if not documents:
        return SiteIdentity(url="")
    home = documents[0]
    organisations = org_nodes(documents)
    name, name_source = choose_name(documents)
    attribution = Attribution(documents, name)
    id_texts = list(attribution.own)
    id_texts += [text for node in organisations for text in jsonld_id_texts(node)]
    company_ids = find_company_ids(id_texts)
    language, language_evidence = infer_language(documents)
    region = default_region(documents, company_ids, language)
    texts = attribution.own
    mailto = attribution.links_of_publisher((email for document in documents for email in document.mailto), phone=False)
    tel = attribution.links_of_publisher((phone for document in documents for phone in document.tel), phone=True)
    for node in _with_contact_points(organisations):
        for key, target in (("email", mailto), ("telephone", tel)):
            value = node.get(key)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    target.append(item.removeprefix("mailto:").removeprefix("tel:"))
    emails = _own_first(find_emails(texts, mailto), home.host)
    legal_texts = [text for document, text in zip(documents, texts, strict=True) if document.is_legal]
    phones = find_phones(legal_texts, tel, region) if legal_texts else []
    if not any(phone for phone in phones if phone not in find_phones([], tel, region)):
        phones = find_phones(texts, tel, region)
    legal_form = find_legal_form(name, documents)
    address, address_source = choose_address(documents, attribution.own)
    country, country_evidence = infer_country(documents, company_ids, address, phones, language, address_source)
    signals = commercial_signals(documents, company_ids, legal_form)
    identity = SiteIdentity(
        url=home.url,
        name=name,
        name_source=name_source,
        legal_form=legal_form,
        address=address,
        emails=tuple(emails),
        phones=tuple(phones),
        company_ids=tuple(company_ids),
        country=country,
        country_evidence=tuple(country_evidence),
        language=language,
        language_evidence=tuple(language_evidence),
        commercial=bool(signals),
        commercial_signals=tuple(signals),
    )
    score, reasons = actionability(identity, looks_like_personal_blog(documents))
    return dataclasses.replace(identity, actionability=score, reasons=tuple(reasons))


def site_root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"
