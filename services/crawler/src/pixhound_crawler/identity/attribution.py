"""Which parts of a site's pages speak of its publisher, and which of another organisation they name.

A legal notice names many companies besides the publisher: the franchisor, a parent group, the
payment provider, the guarantor, a data-protection firm, the marketplace that hosts the shop.
Each stretch of text is attributed to the organisation last named in its section (a name with
a legal form, such as "Dupont SAS" or "Acme Ltd"); identifiers, phones and emails are read
only from stretches attributed to the publisher or to no one. The publisher is known by the
name chosen for the site, the names a "published by" sentence introduces, and a name whose
every word is in the site's domain. No I/O here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pixhound_crawler.identity.document import Document, fold
from pixhound_crawler.identity.names import FORM_ANCHORED, FORM_FIRST, PUBLISHED_BY

PUBLISHER_CUE = re.compile(
    r"[eé]diteur|[eé]dit[eé]\s+par|[eé]dition\s+du\s+site|raison\s+sociale|d[ée]nomination|exploitant"
    r"|publisher|published\s+by|(?:owned|operated|run)\s+by|site\s+owner|trading\s+as|t/a\b"
    r"|diensteanbieter|betreiber|herausgeber|angaben\s+gem",
    re.IGNORECASE,
)
NOT_THE_SITE = re.compile(
    r"\bmarques?\b|\bbrand|\blogos?\b|franchis|r[ée]seau|\bnetwork|plateforme|platform|mod[èe]le|template",
    re.IGNORECASE,
)
STOP_WORDS = frozenset(
    "la le les l de des du d et and the of & un une a au aux en sur sa sas sarl sasu eurl sci snc selarl eirl earl "
    "gaec scop ei ltd limited llp plc llc inc co company group groupe societe srl spa sl bv nv sprl bvba gmbh ag kg "
    "ug sa".split()
)
MIN_OVERLAP = 0.5
INTRODUCED_WITHIN = 2  # lines after a "published by:" cue where the publisher's name may stand
PREFIX = 4


def name_tokens(name: str) -> frozenset[str]:
    """Words of a name that tell organisations apart, cut to a prefix so that plurals and spellings meet."""
    words = re.findall(r"[a-z0-9]+", fold(name).replace(".", ""))
    return frozenset(word[:PREFIX] for word in words if word not in STOP_WORDS and len(word) > 1)


def same_organisation(first: frozenset[str], second: frozenset[str]) -> bool:
    if not first or not second:
        return False
    return len(first & second) / min(len(first), len(second)) >= MIN_OVERLAP


def _named(line: str) -> list[tuple[int, str]]:
    mentions = [(match.start(), match.group(1)) for match in FORM_ANCHORED.finditer(line)]
    mentions += [(match.start(), match.group(2)) for match in FORM_FIRST.finditer(line)]
    return sorted(mentions)


def host_tokens(host: str) -> frozenset[str]:
    label = host.removeprefix("www.").split(".")[0]
    return frozenset(part[:PREFIX] for part in re.split(r"[-_]", label) if len(part) > 1)


def publisher_names(documents: list[Document], chosen: str | None) -> list[frozenset[str]]:
    """Token sets the publisher is known by: the chosen name and every name a "published by" line introduces."""
    names = [name_tokens(chosen)] if chosen else []
    for document in documents:
        for index, line in enumerate(document.kept):
            if not PUBLISHER_CUE.search(line) and not PUBLISHED_BY.search(line) or NOT_THE_SITE.search(line):
                continue
            for following in document.kept[index : index + INTRODUCED_WITHIN + 1]:
                mentioned = _named(following)
                if mentioned:
                    names.append(name_tokens(mentioned[0][1]))
                    break
    return [tokens for tokens in names if tokens]


class Attribution:
    """The text of each page that concerns the publisher (or no one), and everything the pages show."""

    def __init__(self, documents: list[Document], chosen_name: str | None) -> None:
        self.publisher = publisher_names(documents, chosen_name)
        self.domain = host_tokens(documents[0].host) if documents else frozenset()
        self.own: list[str] = []
        self.shown = "\n".join(line for document in documents for line in document.lines)
        for document in documents:
            self._split(document)

    def _is_publisher(self, name: str) -> bool:
        tokens = name_tokens(name)
        if tokens and tokens <= self.domain:
            return True
        return any(same_organisation(tokens, known) for known in self.publisher)

    def _split(self, document: Document) -> None:
        owner_is_other = False
        own: list[str] = []
        for index, line in enumerate(document.kept):
            if index in document.kept_headings:
                owner_is_other = False
            position = 0
            named = _named(line)
            for start, name in named:
                if not owner_is_other:
                    own.append(line[position:start])
                owner_is_other = not self._is_publisher(name)
                position = start
            if PUBLISHER_CUE.search(line) and not named:
                owner_is_other = False
            if not owner_is_other:
                own.append(line[position:])
        self.own.append("\n".join(piece for piece in own if piece.strip()))

    def links_of_publisher(self, addresses: Iterable[str], *, phone: bool) -> list[str]:
        """mailto:/tel: targets, less those shown only in text set aside or about another organisation."""
        own, shown = "\n".join(self.own).casefold(), self.shown.casefold()
        if phone:
            own, shown = re.sub(r"\D", "", own), re.sub(r"\D", "", shown)
        kept = []
        for address in addresses:
            key = re.sub(r"\D", "", address)[-9:] if phone else address.casefold()
            if not key or key in own or key not in shown:
                kept.append(address)
        return kept
