"""One fetched page turned into what the extractors read: visible lines, JSON-LD nodes, metadata and links.

Lines that belong to the web host, the designer, the photo credits or the consumer mediator are set aside,
because a legal notice names those companies too and they are not the site's operator.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

MAX_HTML_CHARS = 3_000_000
MAX_TEXT_CHARS = 200_000
MAX_EXCLUDED_LINES = 8
MAX_LINE_CHARS = 2_000
BLOCK_TAGS = re.compile(
    r"<(?=/?(?:p|div|br|li|ul|ol|tr|td|th|h[1-6]|section|footer|header|article|address|dd|dt|dl|table|nav|aside|main|"
    r"hr|form|blockquote|pre|figcaption|figure|option|label|button)[\s/>])",
    re.IGNORECASE,
)
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
SECTION_EXCLUDE = re.compile(
    r"h[eé]berg(?:eur|ement(?:\s+du\s+site|\s+web|\s*:|\s+et\s+)|[eé]e?s?\s+(?:par|chez|sur|aupr[eè]s))"
    r"|\bhost(?:ing|ed\s+(?:by|with|on)|er\b|\s*:)|\bweb\s*host|\bgehostet|\bhostinganbieter|\bwebhosting"
    r"|\bconception(?:\s+(?:et|&)\s+r[eé]alisation|\s+du\s+site|\s+graphique|\s*:)|\br[eé]alisation(?:\s+du\s+site)?\s*:"
    r"|\bsite\b[^.]{0,40}?(?:r[eé]alis[eé]|con[çc]u|cr[eé][eé]|d[eé]velopp[eé])\s+par|\b(?:site|website)\s+by\b|\bd[eé]velopp[eé]\s+par|\bdeveloped\s+by"
    r"|\b(?:web\s*)?design(?:ed)?\s+(?:by|par)\b|\bwebdesign|\bcr[eé]dits?\s+(?:photos?|images?)|\bphoto\s+credits"
    r"|\bbildnachweis|\bbildquellen|\bfotonachweis|\bm[eé]diat(?:eur|ion)\s+(?:de\s+la\s+)?consomm|\bm[eé]diateur\s*:"
    r"|\bstreitschlichtung|\bverbraucherschlichtung|\bplattform\s+zur\s+online|\bonline\s+dispute\s+resolution",
    re.IGNORECASE,
)
INLINE_EXCLUDE = re.compile(
    r"\bgaranti(?:e|s)?\s+financi[eè]re?s?|\bgarant\s*:|\bagents?\s+commerci(?:al|aux)(?:\s+ind[ée]pendants?)?|\brsac\b|\bassurance\s+(?:responsabilit[eé]|rcp|rc\s+pro|d[ée]cennale)|\bassureur\b"
    r"|\bclient\s+money\s+protection|\bredress\s+scheme|\bombudsman\b|\bautorit[ée]\s+de\s+contr[ôo]le",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.;]\s+(?=[A-ZÀ-Ý])")
SECTION_RESET = re.compile(
    r"[eé]diteur|[eé]dition\s+du\s+site|[eé]dit[eé]\s+par|directeur|directrice|responsable\s+(?:de\s+la\s+)?publication"
    r"|propri[eé]taire|propri[eé]t[eé]\s+intellectuelle|donn[eé]es\s+personnelles|cookies|responsabilit[eé]"
    r"|droit\s+applicable|informations\s+l[eé]gales|mentions\s+l[eé]gales|identification|raison\s+sociale"
    r"|publisher|published\s+by|site\s+owner|owner|operator|operated\s+by|intellectual\s+property|privacy|liability"
    r"|governing\s+law|copyright|company\s+(?:details|information)|legal\s+notice|angaben\s+gem|vertreten|verantwortlich"
    r"|haftung|urheberrecht|datenschutz|kontakt|contact|impressum|registereintrag|carte\s+professionnelle"
    r"|ragione\s+sociale|titolare|raz[oó]n\s+social",
    re.IGNORECASE,
)
LEGAL_PAGE_WORDS = re.compile(
    r"mentions?[-_ ]?l[eé]gales?|informations?[-_ ]l[eé]gales?|legal|imprint|impressum|cgv|cgu|conditions|terms"
    r"|contact|kontakt|a[-_ ]propos|about|qui[-_ ]sommes|note[-_ ]legali|aviso[-_ ]legal|colofon",
    re.IGNORECASE,
)
HEADING_SELECTOR = "h1, h2, h3, h4, h5, h6, th, dt, legend, caption"
BOLD_SELECTOR = "strong, b, span[style*='font-weight']"
BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.IGNORECASE)
BLOCK_PARENTS = frozenset({"p", "div", "li", "td"})
MAX_HEADING_CHARS = 80
HEADING_EXCLUDE = re.compile(
    r"^(?:l'|les?\s+|la\s+|our\s+|the\s+)?(?:h[eé]bergement|h[eé]bergeurs?|hosting|web\s*hosting|hosted\s+by|host"
    r"|r[eé]gie(?:\s+publicitaire)?|publicit[eé]|annonceurs?|advertising|advertise(?:\s+with\s+us)?"
    r"|(?:nos\s+)?partenaires?|(?:our\s+)?partners?|sponsors?|m[eé]c[eè]nes?|financeurs?"
    r"|marques?(?:\s+et\s+plateforme)?|plateforme(?:\s+technique)?|franchiseur|t[eê]te\s+de\s+r[eé]seau"
    r"|(?:le\s+)?r[eé]seau(?:\s+[\w'’ -]{1,30})?|(?:head\s+office\s+of\s+the\s+)?network|franchisor"
    r"|cr[eé]dits?(?:\s+photos?)?|credits|m[eé]diation|m[eé]diateur|mediator|garantie\s+financi[eè]re|assurances?)"
    r"(?:\s+du\s+site|\s+et\s+[\w ]{1,20})?\s*:?$",
    re.IGNORECASE,
)
MAX_EXCLUDED_SECTION_LINES = 30
PUBLISHER_START = re.compile(
    r"[eé]diteur\s+du\s+site|[eé]dition\s+du\s+site|(?:site|pr[eé]sent\s+site)\s+(?:est\s+)?[eé]dit[eé]\s+par"
    r"|directeur\s+de\s+(?:la\s+)?publication|responsable\s+de\s+(?:la\s+)?publication|raison\s+sociale"
    r"|published\s+by|site\s+(?:is\s+)?(?:owned|operated)\s+by|angaben\s+gem",
    re.IGNORECASE,
)
LINE_BREAKS = re.compile(r"[\r\n]+")
UNCLOSED_TITLE = re.compile(r"(<title[^>]*>[^<\n]*)", re.IGNORECASE)
JSON_TRAILING_COMMA = re.compile(r",\s*([}\]])")
JSON_COMMENTS = re.compile(r"^\s*//[^\n]*$|/\*.*?\*/", re.MULTILINE | re.DOTALL)


def fold(text: str) -> str:
    """Lower case without accents, for matching words in any spelling."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def clean_spaces(text: str) -> str:
    return SPACES.sub(" ", text.translate(INVISIBLE)).strip()


def schema_types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {str(value).rsplit("/", 1)[-1].rsplit("#", 1)[-1] for value in values if isinstance(value, str)}


def loads_lenient(text: str) -> list[Any]:
    """JSON-LD as sites really write it: comments, CDATA, trailing commas, several objects in one script."""
    text = text.strip().removeprefix("<!--").removesuffix("-->").strip()
    text = text.replace("<![CDATA[", "").replace("]]>", "").strip().rstrip(";")
    for attempt in (text, JSON_TRAILING_COMMA.sub(r"\1", JSON_COMMENTS.sub("", text))):
        try:
            return [json.loads(attempt, strict=False)]
        except (ValueError, RecursionError):
            pass
    decoder = json.JSONDecoder(strict=False)
    values: list[Any] = []
    position = 0
    cleaned = JSON_TRAILING_COMMA.sub(r"\1", JSON_COMMENTS.sub("", text))
    while position < len(cleaned):
        while position < len(cleaned) and cleaned[position] in " \t\r\n,;":
            position += 1
        if position >= len(cleaned):
            break
        try:
            value, position = decoder.raw_decode(cleaned, position)
        except (ValueError, RecursionError):
            break
        values.append(value)
    return values


@dataclass(frozen=True)
class JsonLdNode:
    node: dict[str, Any]
    types: frozenset[str]
    parent_key: str | None  # None for a top-level or @graph node


def _walk_jsonld(value: Any, parent_key: str | None, depth: int = 0) -> Iterator[JsonLdNode]:
    if depth > 12:
        return
    if isinstance(value, list):
        for item in value[:500]:
            yield from _walk_jsonld(item, parent_key, depth + 1)
    elif isinstance(value, dict):
        graph = value.get("@graph")
        if "@type" in value:
            yield JsonLdNode(value, frozenset(schema_types(value)), parent_key)
        for key, item in list(value.items())[:200]:
            if key == "@graph":
                yield from _walk_jsonld(graph, parent_key, depth + 1)
            elif isinstance(item, dict | list):
                yield from _walk_jsonld(item, key, depth + 1)


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    in_footer: bool


@dataclass
class Document:
    url: str
    html_lower: str = ""
    lang: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    title: str | None = None
    jsonld: list[JsonLdNode] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    mailto: list[str] = field(default_factory=list)
    tel: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    kept_headings: set[int] = field(default_factory=set)

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    @property
    def is_legal(self) -> bool:
        path = unquote(urlsplit(self.url).path)
        return bool(LEGAL_PAGE_WORDS.search(path) or LEGAL_PAGE_WORDS.search(self.title or ""))

    @property
    def kept_text(self) -> str:
        return "\n".join(self.kept)


def _microdata_item(scope: Any, depth: int = 0) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": (scope.attributes.get("itemtype") or "").split()}
    if depth > 6:
        return item
    for prop in scope.css("[itemprop]"):
        owner = prop.parent
        while owner is not None and "itemscope" not in owner.attributes:
            owner = owner.parent
        if owner is None or owner.mem_id != scope.mem_id:
            continue
        attributes = prop.attributes
        if "itemscope" in attributes:
            value: Any = _microdata_item(prop, depth + 1)
        else:
            raw = attributes.get("content") or attributes.get("href") or attributes.get("datetime")
            value = clean_spaces(raw if raw is not None else prop.text(deep=True))
        for name in (attributes.get("itemprop") or "").split():
            item.setdefault(name, value)
    return item


def _microdata(parser: LexborHTMLParser) -> list[JsonLdNode]:
    nodes: list[JsonLdNode] = []
    for scope in parser.css("[itemscope][itemtype]")[:200]:
        if "itemprop" in scope.attributes:
            continue
        nodes.extend(_walk_jsonld(_microdata_item(scope), None))
    return nodes


def _in_footer(node: Any) -> bool:
    current = node.parent
    for _ in range(15):
        if current is None:
            return False
        if current.tag == "footer":
            return True
        attributes = current.attributes
        marker = f"{attributes.get('id') or ''} {attributes.get('class') or ''}".lower()
        if "footer" in marker or "pied" in marker:
            return True
        current = current.parent
    return False


def _decode_cfemail(encoded: str) -> str | None:
    try:
        data = bytes.fromhex(encoded)
    except ValueError:
        return None
    if len(data) < 2:
        return None
    return bytes(byte ^ data[0] for byte in data[1:]).decode("utf-8", "replace")


def _without_inline_exclusions(line: str) -> tuple[str, bool]:
    """Cut guarantor, insurer or regulator mentions up to the end of their sentence; True when a label ends the line."""
    while match := INLINE_EXCLUDE.search(line):
        end = SENTENCE_END.search(line, match.end())
        if end is None:
            return line[: match.start()].strip(), len(line) - match.end() < 3 or line.rstrip().endswith(":")
        line = (line[: match.start()] + " " + line[end.end() :]).strip()
    return line, False


def _split_long(line: str) -> list[str]:
    """Bound every line, so that no pattern ever scans a whole page as one line."""
    pieces: list[str] = []
    while len(line) > MAX_LINE_CHARS:
        cut = line.rfind(" ", MAX_LINE_CHARS // 2, MAX_LINE_CHARS)
        cut = cut if cut > 0 else MAX_LINE_CHARS
        pieces.append(line[:cut])
        line = line[cut:].strip()
    return [*pieces, line] if line else pieces


def keep_lines(lines: list[str], headings: set[int] | frozenset[int] = frozenset()) -> tuple[list[str], set[int]]:
    """Drop what the host, designer, credits, mediator, guarantor, advertising or network sections say.

    A section whose heading names another organisation's role is set aside up to the next
    heading; a role named inside a line sets aside that line's rest and the few lines after.
    Returns the kept lines and which of them are headings.
    """
    kept: list[str] = []
    kept_headings: set[int] = set()
    excluded_left = 0
    section_excluded = False
    for index, line in enumerate(lines):
        if index in headings:
            section_excluded = bool(HEADING_EXCLUDE.match(line) or SECTION_EXCLUDE.search(line))
            excluded_left = MAX_EXCLUDED_SECTION_LINES if section_excluded else 0
            if section_excluded:
                continue
        elif section_excluded and excluded_left and not PUBLISHER_START.search(line):
            excluded_left -= 1
            continue
        elif len(line.split()) <= 4 and HEADING_EXCLUDE.match(line):
            excluded_left = MAX_EXCLUDED_LINES
            continue
        section_excluded = False
        if excluded_left and len(line.split()) <= 8 and SECTION_RESET.search(line) and not SECTION_EXCLUDE.search(line):
            excluded_left = 0
        line, label_only = _without_inline_exclusions(line)
        match = SECTION_EXCLUDE.search(line)
        if match:
            before = line[: match.start()].strip()
            if before:
                kept.append(before)
            excluded_left = MAX_EXCLUDED_LINES
        elif label_only:
            excluded_left = 4
        elif excluded_left:
            excluded_left -= 1
        elif line:
            if index in headings:
                kept_headings.add(len(kept))
            kept.append(line)
    return kept, kept_headings


def _heading_texts(parser: LexborHTMLParser) -> set[str]:
    """Texts that head a section: heading and table-header elements, and paragraphs that are all bold."""
    texts: set[str] = set()
    for node in parser.css(HEADING_SELECTOR)[:2000]:
        text = clean_spaces(node.text(deep=True))
        if 0 < len(text) <= MAX_HEADING_CHARS:
            texts.add(text)
    for node in parser.css(BOLD_SELECTOR)[:2000]:
        if node.tag == "span" and not BOLD_STYLE.search(node.attributes.get("style") or ""):
            continue
        text = clean_spaces(node.text(deep=True))
        if not 0 < len(text) <= MAX_HEADING_CHARS:
            continue
        block = node.parent
        while block is not None and block.tag not in BLOCK_PARENTS:
            block = block.parent
        if block is not None and clean_spaces(block.text(deep=True)) == text:
            texts.add(text)
    return texts


def parse_document(url: str, html: str) -> Document:
    document = Document(url=url)
    if not isinstance(html, str) or not html.strip():
        return document
    html = html[:MAX_HTML_CHARS]
    document.html_lower = html.lower()
    if "<title" in document.html_lower and "</title" not in document.html_lower:
        html = UNCLOSED_TITLE.sub(r"\1</title>", html, count=1)  # else the title swallows the whole page
    try:
        parser = LexborHTMLParser(BLOCK_TAGS.sub("\n<", LINE_BREAKS.sub(" ", html)))
    except Exception:  # noqa: BLE001 - a parser failure must not lose the crawl
        return document
    root = parser.css_first("html")
    if root is not None:
        document.lang = (root.attributes.get("lang") or root.attributes.get("xml:lang") or "").strip() or None
    for meta in parser.css("meta"):
        attributes = meta.attributes
        key = (attributes.get("property") or attributes.get("name") or attributes.get("http-equiv") or "").lower()
        if key and attributes.get("content") and key not in document.meta:
            document.meta[key] = clean_spaces(attributes["content"] or "")
    title = parser.css_first("title")
    if title is not None:
        document.title = clean_spaces(title.text()) or None
    for script in parser.css("script"):
        if "ld+json" in (script.attributes.get("type") or "").lower():
            for value in loads_lenient(script.text(deep=True)):
                document.jsonld.extend(_walk_jsonld(value, None))
    document.jsonld.extend(_microdata(parser))
    for anchor in parser.css("a[href]"):
        href = (anchor.attributes.get("href") or "").strip()
        lowered = href.lower()
        if lowered.startswith("mailto:"):
            document.mailto.append(unquote(href[7:].split("?", 1)[0]))
            continue
        if lowered.startswith("tel:"):
            document.tel.append(unquote(href[4:]))
            continue
        label = " ".join(
            part
            for part in (anchor.text(deep=True), anchor.attributes.get("title"), anchor.attributes.get("aria-label"))
            if part
        )
        try:
            absolute = urljoin(url, href)
        except ValueError:
            continue
        document.links.append(Link(absolute, clean_spaces(label), _in_footer(anchor)))
    for node in parser.css("[data-cfemail]"):
        decoded = _decode_cfemail(node.attributes.get("data-cfemail") or "")
        if decoded:
            document.mailto.append(decoded)
    parser.strip_tags(["script", "style", "noscript", "template", "svg", "head", "iframe", "select"])

    body = parser.body or parser.root
    text = body.text(deep=True, separator="", strip=False) if body is not None else ""
    heading_texts = _heading_texts(parser)
    headings: set[int] = set()
    for raw in text[:MAX_TEXT_CHARS].splitlines():
        line = clean_spaces(raw)
        if not line:
            continue
        if line in heading_texts:
            headings.add(len(document.lines))
        document.lines.extend(_split_long(line))
    document.kept, document.kept_headings = keep_lines(document.lines, headings)
    return document
