"""Whether the site uses images commercially (shop, listings, bookings, ads, a company) or is a personal blog."""

from __future__ import annotations

import re

from pixhound_crawler.identity.document import Document, fold
from pixhound_crawler.identity.model import CompanyId

COMMERCE_TYPES = frozenset(
    "Product Offer AggregateOffer OfferCatalog Store OnlineStore RealEstateListing Accommodation Apartment House "
    "SingleFamilyResidence Residence Hotel Restaurant Menu MenuItem FoodEstablishment LocalBusiness RealEstateAgent "
    "Service LodgingBusiness Reservation".split()
)
PRICE = re.compile(
    r"(?:€|£|\$|CHF|EUR|GBP|USD)\s?\d[\d\s.,]{0,12}\d|(?<![\d.,])\d(?:[\d\s.,]{0,12}\d)?\s?"
    r"(?:€|£|\$|EUR\b|GBP\b|CHF\b|euros?\b|HT\b|TTC\b)",
    re.IGNORECASE,
)
TEXT_SIGNALS: tuple[tuple[str, float, re.Pattern[str]], ...] = (
    ("add-to-cart button", 2, re.compile(r"ajouter\s+au\s+panier|add\s+to\s+(?:cart|basket|bag)|in\s+den\s+warenkorb|"
                                         r"aggiungi\s+al\s+carrello|a[ñn]adir\s+al\s+carrito|in\s+winkelwagen|buy\s+now|"
                                         r"acheter\s+maintenant|jetzt\s+kaufen|commander\s+maintenant|checkout")),
    ("property listings", 2, re.compile(r"\b(?:a|à)\s+vendre\b|\b(?:a|à)\s+louer\b|for\s+sale\b|to\s+let\b|"
                                        r"zu\s+(?:verkaufen|vermieten)|\bin\s+vendita\b|\bse\s+vende\b|honoraires|"
                                        r"agence\s+immobili|estate\s+agent|\bimmobilien|\bdpe\b")),
    ("surface areas", 0.5, re.compile(r"\d\s?m²|\d\s?m2\b|\d\s?sq\.?\s?ft")),
    ("booking or reservation", 2, re.compile(r"r[ée]server(?:\s+(?:une|votre|en\s+ligne|maintenant))|r[ée]servation|"
                                             r"book\s+(?:now|a\s+table|online|your)|jetzt\s+buchen|prenota|reserv(?:a|ar)\b")),
    ("services for sale", 1, re.compile(r"devis\s+gratuit|nos\s+tarifs|nos\s+prestations|request\s+a\s+quote|"
                                        r"our\s+(?:prices|pricing|services)|unsere\s+leistungen|preisliste|tarifs\b|pricing\b")),
    ("shop terms of sale", 1, re.compile(r"conditions\s+g[ée]n[ée]rales\s+de\s+vente|\bcgv\b|terms\s+of\s+sale|\bagb\b|"
                                         r"livraison\s+offerte|free\s+(?:delivery|shipping)|versandkostenfrei")),
)  # fmt: skip
HTML_SIGNALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ad slots", re.compile(r"adsbygoogle|googlesyndication|doubleclick\.net|googletagservices|amazon-adsystem|"
                            r"taboola|outbrain|criteo|ezoic|mediavine|adthrive|prebid|smartadserver")),
    ("shop platform", re.compile(r"cdn\.shopify\.com|shopify\.theme|woocommerce|prestashop|/skin/frontend/|"
                                 r"mage/cookies|bigcommerce|wix-ecommerce|shopware|oxid|ecwid|squarespace-commerce|sylius")),
    ("affiliate links", re.compile(r"amzn\.to/|amazon\.[a-z.]+/[^\"']*[?&]tag=|awin1\.com|effiliation|tradedoubler|"
                                   r"rstyle\.me|skimlinks")),
)  # fmt: skip
NON_PROFIT = re.compile(
    r"association\s+(?:loi|r[ée]gie)|loi\s+(?:du\s+1er\s+juillet\s+)?1901|non-profit|not-for-profit|registered\s+charity"
    r"|gemeinn[üu]tzig|eingetragener\s+verein|\be\.\s?v\.(?!\w)|charit(?:y|able)\s+(?:no\b|number|registration|registered"
    r"|incorporated|trust)|scottish\s+charity|charity\s+commission|\boscr\b|reconnue?\s+d.utilit[ée]\s+publique"
    r"|\basbl\b|\bvzw\b|\bstiftung\b",
    re.IGNORECASE,
)
BLOG = re.compile(r"\bblog\b|wordpress|blogger|blogspot|over-blog|hautetfort|canalblog|ghost\.io|substack|medium\.com")


def commercial_signals(documents: list[Document], company_ids: list[CompanyId], legal_form: str | None) -> list[str]:
    signals: list[str] = []
    weight = 0.0
    types = {kind for document in documents for node in document.jsonld for kind in node.types}
    commerce_types = sorted(types & COMMERCE_TYPES)
    if commerce_types:
        signals.append(f"schema.org {', '.join(commerce_types[:3])}")
        weight += 2
    text = "\n".join(line for document in documents for line in document.kept)[:300_000]
    folded = fold(text)
    prices = PRICE.findall(text)
    if len(prices) >= 2:
        signals.append(f"{len(prices)} prices with a currency")
        weight += 2
    elif prices:
        weight += 0.5
    for label, strength, pattern in TEXT_SIGNALS:
        if pattern.search(folded) or pattern.search(text.lower()):
            signals.append(label)
            weight += strength
    html = " ".join(document.html_lower[:1_500_000] for document in documents)
    for label, pattern in HTML_SIGNALS:
        if pattern.search(html):
            signals.append(label)
            weight += 2
    non_profit = bool(NON_PROFIT.search(text)) or legal_form == "association"
    if not non_profit and (legal_form or any(company.valid for company in company_ids)):
        signals.append(f"run by a company{f' ({legal_form})' if legal_form else ''}")
        weight += 2
    if non_profit:
        signals.append("non-profit association")
        weight -= 1.5
    return signals if weight >= 2 else []


def looks_like_personal_blog(documents: list[Document]) -> bool:
    home = documents[0]
    types = {kind for document in documents for node in document.jsonld for kind in node.types}
    generator = home.meta.get("generator", "").lower()
    blog_markers = bool(types & {"Blog", "BlogPosting"}) or bool(
        BLOG.search(f"{home.host} {generator} {home.title or ''}")
    )
    blog_words = sum(fold(line).count("blog") for line in home.lines[:400])
    return blog_markers or blog_words >= 2
