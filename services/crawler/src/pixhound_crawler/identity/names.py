"""The operator's name, legal form and postal address, from JSON-LD, legal-notice wording and footers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pixhound_crawler.identity.document import Document, clean_spaces, fold

ORG_TYPES = frozenset(
    "Organization Corporation LocalBusiness RealEstateAgent Store OnlineStore OnlineBusiness Restaurant "
    "FoodEstablishment Hotel LodgingBusiness ProfessionalService NewsMediaOrganization Bakery CafeOrCoffeeShop "
    "BarOrPub AutoDealer TravelAgency HomeAndConstructionBusiness MedicalBusiness LegalService Attorney Notary "
    "HealthAndBeautyBusiness EntertainmentBusiness SportsActivityLocation ClothingStore FurnitureStore "
    "ElectronicsStore BookStore JewelryStore Florist Winery Brewery PhotographyBusiness EducationalOrganization NGO "
    "Airline GeneralContractor Electrician Plumber RoofingContractor HousePainter Locksmith BedAndBreakfast "
    "Campground Resort VacationRental InsuranceAgency FinancialService AccountingService EmploymentAgency".split()
)
PUBLISHER_KEYS = frozenset(
    {None, "publisher", "provider", "author", "creator", "copyrightHolder", "seller", "parentOrganization"}
)

LEGAL_FORMS: tuple[tuple[str, str], ...] = (
    (r"soci[ée]t[ée] par actions simplifi[ée]e unipersonnelle|\bS\.?A\.?S\.?U\b", "SASU"),
    (r"soci[ée]t[ée] par actions simplifi[ée]e|\bS\.A\.S\.|\bSAS\b", "SAS"),
    (
        r"soci[ée]t[ée] [àa] responsabilit[ée] limit[ée]e unipersonnelle"
        r"|entreprise unipersonnelle [àa] resp\w+ limit[ée]e|\bEURL\b",
        "EURL",
    ),
    (r"soci[ée]t[ée] d.exercice lib[ée]ral [àa] responsabilit[ée] limit[ée]e|\bSELARL\b", "SELARL"),
    (r"soci[ée]t[ée] [àa] responsabilit[ée] limit[ée]e|\bS\.A\.R\.L\.|\bSARL\b", "SARL"),
    (r"soci[ée]t[ée] civile immobili[èe]re|\bSCI\b", "SCI"),
    (r"exploitation agricole [àa] responsabilit[ée] limit[ée]e|\bEARL\b", "EARL"),
    (r"\bGAEC\b", "GAEC"),
    (r"\bSCOP\b", "SCOP"),
    (r"soci[ée]t[ée] en nom collectif|\bSNC\b", "SNC"),
    (r"entreprise individuelle [àa] responsabilit[ée] limit[ée]e|\bEIRL\b", "EIRL"),
    (r"entreprise individuelle|micro-?entrepr\w+|auto-?entrepr\w+|\bE\.I\.(?=\s|$)|\bEI\b", "EI"),
    (r"GmbH\s*&\s*Co\.?\s*KG", "GmbH & Co. KG"),
    (r"\bGmbH\b|Gesellschaft mit beschr[äa]nkter Haftung", "GmbH"),
    (r"\bUG\s*\(haftungsbeschr[äa]nkt\)", "UG"),
    (r"\be\.\s?K\.", "e.K."),
    (r"\bS\.?p\.?A\.?(?=\s|$|,)", "SpA"),
    (r"\bS\.r\.l\.s?|\bSRLS?\b", "SRL"),
    (r"\bS\.L\.U?\.?(?=\s|$|,)|\bSLU?\b", "SL"),
    (r"\bB\.V\.|\bBV\b", "BV"),
    (r"\bN\.V\.|\bNV\b", "NV"),
    (r"\bSPRL\b|\bBVBA\b", "SPRL"),
    (r"\bLLP\b", "LLP"),
    (r"\bPLC\b", "PLC"),
    (r"\bLLC\b|\bL\.L\.C\.", "LLC"),
    (r"\bInc\.?(?=\s|$|,)|\bIncorporated\b", "Inc"),
    (r"\bLtd\.?(?=\s|$|,)|\bLimited\b", "Ltd"),
    (r"soci[ée]t[ée] anonyme|\bS\.A\.(?=\s|$|,)|\bSA\b", "SA"),
    (r"\bAG\b", "AG"),
    (r"association (?:loi|r[ée]gie par la loi) (?:de )?1901|\be\.V\.", "association"),
)
LEGAL_FORM_RES = tuple((re.compile(pattern), form) for pattern, form in LEGAL_FORMS)
FORM_WORDS = (
    r"SARL|SAS|SASU|EURL|SCI|SNC|SELARL|EIRL|EARL|GAEC|SCOP|S\.A\.R\.L\.|S\.A\.S\.|SA|EI|GmbH(?:\s*&\s*Co\.?\s*KG)?|UG|AG|KG|e\.K\.|"
    r"Ltd\.?|Limited|LLP|PLC|LLC|Inc\.?|S\.r\.l\.|SRL|S\.p\.A\.|SpA|S\.L\.|SL|B\.V\.|BV|N\.V\.|NV|SPRL|BVBA"
)
FORM_KEYS = frozenset(
    "sarl sas sasu eurl sci snc selarl eirl earl gaec scop sa ei gmbh ug ag kg ek ltd limited llp plc llc inc srl srls "
    "spa sl slu bv nv sprl bvba & and et und".split()
)
NAME_WORD = r"[A-ZÀ-ÝÄÖÜ0-9][\w&'’.+-]{0,30}"
NAME_JOINER = r"(?:(?:and|&|et|und|of|the|de|des|du|la|le|di|del|van|von|der)\s+)?"
NAME_LABELS = re.compile(
    r"(?:raison\s+sociale|d[ée]nomination(?:\s+sociale)?|nom\s+de\s+(?:la\s+soci[ée]t[ée]|l.entreprise)|"
    r"(?:[ée]diteur|[ée]dit[ée]ur|propri[ée]taire|exploitant)(?:\s+du\s+site(?:\s+internet|\s+web)?)?|soci[ée]t[ée]|entreprise|"
    r"company\s+name|registered\s+name|legal\s+name|business\s+name|company|publisher|site\s+owner|owner|operator|"
    r"firmenname|firma|unternehmen|diensteanbieter|anbieter|betreiber|herausgeber|ragione\s+sociale|denominazione|"
    r"titolare|raz[oó]n\s+social|denominaci[oó]n\s+social|titular|bedrijfsnaam|handelsnaam|nom\s+commercial|"
    r"trading\s+name)\s*(?::\s*(.*)|$)",
    re.IGNORECASE,
)
LONG_FORM_TAIL = re.compile(
    r"[,\s]*(?:une?\s+)?(?:soci[ée]t[ée]\s+(?:par\s+actions\s+simplifi[ée]e(?:\s+unipersonnelle)?|[àa]\s+responsabilit[ée]"
    r"\s+limit[ée]e(?:\s+unipersonnelle)?|anonyme|civile(?:\s+immobili[èe]re)?|en\s+nom\s+collectif)|entreprise\s+"
    r"individuelle|private\s+limited\s+company|(?:a\s+)?limited\s+company)(?:\s*\([A-Z.]+\))?\s*$",
    re.IGNORECASE,
)
PUBLISHED_BY = re.compile(
    r"(?:(?:est|is|wird)\s+(?:[ée]dit[ée]|exploit[ée]|publi[ée]|g[ée]r[ée]|d[ée]tenu|la\s+propri[ée]t[ée]\s+de|"
    r"operated|owned|published|run|managed|maintained|betrieben|herausgegeben)\s+(?:par|by|von)|"
    r"[ée]dit[ée]\s+par|exploit[ée]\s+par|operated\s+by|owned\s+by|published\s+by|betrieben\s+von|"
    r"propri[ée]t[ée]\s+(?:exclusive\s+)?de)\s*:?\s+(.*)",
    re.IGNORECASE,
)
ARTICLE = re.compile(
    r"^(?:la\s+soci[ée]t[ée]|l.entreprise|l.agence|le\s+cabinet|l.association|la\s+(?:sarl|sas|sasu|eurl)|"
    r"the\s+company|die\s+firma|la\s+societ[àa]|the)\s+",
    re.IGNORECASE,
)
CUT = re.compile(
    r"\s*(?:,|;|\||\(|\s[-–—]\s|\s·\s|\.\s|\s+au\s+capital|\s+immatricul|\s+dont\s+le|\s+situ[ée]|\s+sise?\b|"
    r"\s+domicili|\s+inscrite?|\s+enregistr|\s+registered|\s+whose|\s+with\s+(?:its\s+)?registered|\s+is\s+a\b|"
    r"\s+ayant|\s+repr[ée]sent|\s+SIRE[NT]|\s+RCS\b|\s+R\.C\.S|\s+n°|\s+est\s|\s+mit\s+Sitz|\s+con\s+sede|\s+sous\b|"
    r"\s+pour\s|\s+located|\s+based\s|\s+à\s|\s+en\s+qualit|\s+tous\s+droits|\s+all\s+rights)",
    re.IGNORECASE,
)
FORM_ANCHORED = re.compile(
    rf"(?<![\w&'’.+-])((?:{NAME_WORD}\s+{NAME_JOINER}){{0,4}}{NAME_WORD})\s*,?\s+({FORM_WORDS})(?=[\s,.;)]|$)"
)
FORM_FIRST = re.compile(rf"\b(SARL|SAS|SASU|EURL|SCI|SNC|SELARL|EARL|GAEC)\s+((?:{NAME_WORD}\s?{NAME_JOINER}){{1,4}})")
CAPITAL = re.compile(r"(.{2,120}?)\s*,?\s*(?:au\s+capital|with\s+a\s+share\s+capital|mit\s+einem\s+Stammkapital)", re.I)
COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*[,:-]?\s*(.+)", re.IGNORECASE)
BAD_NAME = re.compile(
    r"^(?:la|le|les|l'|notre|nous|vous|our|we|you|this|ce|cette|du|de|des|un|une|site|website|www\.|http|contact|"
    r"directeur|directrice|responsable|tous|all|alle|mentions|legal|impressum|accueil|home|adresse|address|t[ée]l|"
    r"email|e-mail|siege|si[èe]ge|capital|n°|sarl|sas|sasu|eurl|sa|gmbh|ltd|limited)$|@|^\d|^pr[ée]sent\s+site\b",
    re.IGNORECASE,
)
TRAILING_YEAR = re.compile(r"\s+(?:19|20)\d{2}(?:\s*[-–]\s*(?:19|20)\d{2})?$")
LOWER_ARTICLE = re.compile(r"^(?:la|le|les|l'|l’|the|une?|des)\s*(?=[A-ZÀ-Ý0-9])")
GERMAN_HEADER = re.compile(r"angaben\s+gem(?:ä|ae)(?:ß|ss)\s+§\s*5|diensteanbieter|anbieterkennzeichnung", re.I)
SEPARATORS = re.compile(r"\s+[|–—•·:-]\s+|\s+-\s+|\s*\|\s*")


@dataclass(frozen=True)
class NameCandidate:
    name: str
    source: str
    score: float


def _clean_name(raw: str) -> str | None:
    raw = ARTICLE.sub("", clean_spaces(raw).strip(" :-–\"'«»“”"))
    name = CUT.split(raw, maxsplit=1)[0].strip(" .:-–\"'«»“”*")
    if re.search(r"(?:\b(?:[A-Za-z]{1,2}\.)+[A-Za-z]{1,2}|\b(?:Ltd|Co|Inc|Corp))$", name):
        name += "."
    if name.lower().startswith(("société ", "societe ")):
        name = name.split(" ", 1)[1]
    name = TRAILING_YEAR.sub("", name)
    if name[:1].islower():
        name = LOWER_ARTICLE.sub("", name)
        if name[:1].islower():
            return None  # prose ("une société indépendante", "leurs agences"), not a name
    if not name or len(name) > 80 or len(name.split()) > 9 or not re.search(r"[A-Za-zÀ-ÿ]", name):
        return None
    if BAD_NAME.search(name) or BAD_NAME.search(name.split()[0]) and len(name.split()) == 1:
        return None
    if re.match(r"\d+[\s,]+(?:bis|ter)?\s*(?:rue|avenue|bd|boulevard|place|chemin|street|road)", name, re.I):
        return None
    return name


def legal_form_of(text: str) -> str | None:
    for pattern, form in LEGAL_FORM_RES:
        if pattern.search(text):
            return form
    return None


def org_nodes(documents: list[Document]) -> list[dict[str, Any]]:
    nodes = []
    for document in documents:
        for item in document.jsonld:
            if item.types & ORG_TYPES and item.parent_key in PUBLISHER_KEYS:
                nodes.append(item.node)
    return nodes


def _text_candidates(document: Document) -> list[NameCandidate]:
    found: list[NameCandidate] = []
    legal_bonus = 1.0 if document.is_legal else 0.0
    lines = document.kept
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        match = NAME_LABELS.search(line)
        if match:
            label = fold(match.group(0).split(":", 1)[0])
            value = (match.group(1) or "").strip() or following
            strength = (
                10
                if re.search(r"raison|denomination|legal name|registered name|firmenname|ragione|razon", label)
                else 8
            )
            if "commercial" in label or "trading" in label:
                strength = 6
            name = _clean_name(value)
            if name:
                found.append(NameCandidate(name, "legal-notice", strength + legal_bonus))
        match = PUBLISHED_BY.search(line)
        if match:
            name = _clean_name(match.group(1) or following)
            if name:
                found.append(NameCandidate(name, "legal-notice", 9 + legal_bonus))
        match = CAPITAL.search(line) or re.match(r"^()(?:au\s+capital|capital\s+(?:social\s+)?de)", line, re.I)
        if match:
            before = LONG_FORM_TAIL.sub("", match.group(1))
            before = re.split(r"\b(?:par|by|soci[ée]t[ée]|company)\s+|:\s*", before)[-1] if before else ""
            if name_key(before) == "" and index:
                before = lines[index - 1]
            name = _clean_name(before)
            if name:
                found.append(NameCandidate(name, "legal-notice", 8.5 + legal_bonus))
        header = GERMAN_HEADER.search(line)
        if header:
            rest = re.sub(r"^[\s:()]*(?:TMG|DDG)?[\s:()]*", "", line[header.end() :])
            name = _clean_name(rest or following)
            if name:
                found.append(NameCandidate(name, "legal-notice", 10 + legal_bonus))
        for match in FORM_ANCHORED.finditer(line):
            name = _clean_name(f"{match.group(1)} {match.group(2)}")
            if name and not re.match(r"(?:RCS|SIRE[NT]|TVA|VAT)\b", name):
                found.append(NameCandidate(name, "legal-form", 5 + legal_bonus))
        for match in FORM_FIRST.finditer(line):
            name = _clean_name(f"{match.group(1)} {match.group(2)}")
            if name:
                found.append(NameCandidate(name, "legal-form", 5 + legal_bonus))
        match = COPYRIGHT.search(line)
        if match:
            name = _clean_name(re.sub(r"^\d{4}(?:\s*[-–]\s*\d{4})?\s*", "", match.group(1)))
            if name:
                found.append(NameCandidate(name, "copyright", 4))
    return found


def _title_name(documents: list[Document], host: str) -> NameCandidate | None:
    home = documents[0]
    site_name = home.meta.get("og:site_name") or home.meta.get("application-name")
    if site_name and _clean_name(site_name):
        return NameCandidate(clean_spaces(site_name), "og:site_name", 2)
    if not home.title:
        return None
    segments = [segment.strip() for segment in SEPARATORS.split(home.title) if segment.strip()]
    label = re.sub(r"[^a-z0-9]", "", fold(host.removeprefix("www.").split(".")[0]))

    def overlap(segment: str) -> int:
        letters = re.sub(r"[^a-z0-9]", "", fold(segment))
        return sum(1 for size in range(4, len(letters) + 1) for start in range(len(letters) - size + 1)
                   if letters[start : start + size] in label) if label else 0  # fmt: skip

    best = max(segments, key=lambda segment: (overlap(segment), -segments.index(segment)), default=None)
    return NameCandidate(best, "title", 1) if best and _clean_name(best) else None


def name_key(name: str) -> str:
    """Compare names without case, accents, punctuation or legal form: "SARL Dupont" == "Dupont S.A.R.L."."""
    words = re.findall(r"[a-z0-9&]+", fold(name).replace(".", ""))
    return "".join(word for word in words if word not in FORM_KEYS)


def choose_name(documents: list[Document]) -> tuple[str | None, str | None]:
    candidates: list[NameCandidate] = []
    for node in org_nodes(documents):
        for key, score in (("legalName", 9.5), ("name", 7.0)):
            value = node.get(key)
            if isinstance(value, str) and _clean_name(value):
                candidates.append(NameCandidate(clean_spaces(value), "json-ld", score))
    for document in documents:
        candidates.extend(_text_candidates(document))
    if documents:
        title = _title_name(documents, documents[0].host)
        if title:
            candidates.append(title)
    if not candidates:
        return None, None
    totals: dict[str, float] = {}
    best: dict[str, NameCandidate] = {}
    for candidate in candidates:
        key = name_key(candidate.name)
        if not key:
            continue
        totals[key] = max(totals.get(key, 0.0), candidate.score) + (0.3 if key in totals else 0.0)
        if key not in best or candidate.score > best[key].score:
            best[key] = candidate
    if not totals:
        return None, None
    winner = max(totals, key=lambda key: totals[key])
    return best[winner].name, best[winner].source


def find_legal_form(name: str | None, documents: list[Document]) -> str | None:
    if not name:
        return None
    form = legal_form_of(name)
    if form:
        return form
    key = name_key(name)
    for node in org_nodes(documents):
        if isinstance(node.get("legalName"), str) and name_key(node["legalName"]) == key:
            form = legal_form_of(node["legalName"])
            if form:
                return form
    for document in documents:
        for index, line in enumerate(document.kept):
            if name in line:
                window = line[line.index(name) :] + " " + " ".join(document.kept[index + 1 : index + 2])
                form = legal_form_of(window[:160])
                if form:
                    return form
            match = re.search(r"forme\s+juridique\s*:\s*(.+)|rechtsform\s*:\s*(.+)|legal\s+form\s*:\s*(.+)", line, re.I)
            if match:
                form = legal_form_of(next(group for group in match.groups() if group))
                if form:
                    return form
    return None
