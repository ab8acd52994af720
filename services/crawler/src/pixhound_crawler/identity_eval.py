"""Measure the site identity extraction against hand-labelled fixture sites.

Each folder under the fixtures directory is one site: `index.html` is the home page, other files are named like
their URL path (`mentions-legales.html` for /mentions-legales or /mentions-legales/), and `expected.json` holds the
ground truth. The evaluation crawls like the crawler does: home page, then the best legal-page candidates that exist,
else the common legal paths, then `extract_identity`. It prints a JSON summary and writes nothing.

    python -m pixhound_crawler.identity_eval services/crawler/tests/fixtures/sites [--details]
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pixhound_crawler.identity import (
    SiteIdentity,
    band,
    common_legal_urls,
    extract_identity,
    legal_page_candidates,
)
from pixhound_crawler.identity.names import name_key

MAX_CANDIDATES = 4
MAX_FALLBACKS = 2
SET_FIELDS = ("emails", "phones", "company_ids", "legal_pages")
LABEL_FIELDS = ("name", "postcode", "country", "language")


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def summary(self) -> dict[str, Any]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else None
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else None
        f1 = 2 * precision * recall / (precision + recall) if precision and recall else None
        return {
            "precision": _round(precision),
            "recall": _round(recall),
            "f1": _round(f1),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def page_file(site: Path, url: str) -> Path | None:
    path = unquote(urlsplit(url).path).strip("/")
    options = [site / "index.html"] if not path else [site / f"{path}.html", site / path / "index.html", site / path]
    return next((option for option in options if option.is_file() and option.name != "expected.json"), None)


def crawl(site: Path, base_url: str) -> list[tuple[str, str]]:
    home = (site / "index.html").read_text(encoding="utf-8", errors="replace")
    pages = [(base_url, home)]
    seen: set[Path] = {site / "index.html"}
    for url in legal_page_candidates(home, base_url)[:MAX_CANDIDATES]:
        found = page_file(site, url)
        if found and found not in seen:
            seen.add(found)
            pages.append((url, found.read_text(encoding="utf-8", errors="replace")))
    if len(pages) == 1:
        for url in common_legal_urls(base_url):
            found = page_file(site, url)
            if found and found not in seen and len(pages) <= MAX_FALLBACKS:
                seen.add(found)
                pages.append((url, found.read_text(encoding="utf-8", errors="replace")))
    return pages


def predicted_values(identity: SiteIdentity, pages: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "name": identity.name,
        "postcode": identity.address.postcode if identity.address else None,
        "country": identity.country,
        "language": identity.language,
        "emails": set(identity.emails),
        "phones": set(identity.phones),
        "company_ids": {(company.type, company.value, company.valid) for company in identity.company_ids},
        "legal_pages": {urlsplit(url).path.rstrip("/") or "/" for url, _ in pages[1:]},
        "commercial": identity.commercial,
        "band": band(identity.actionability),
    }


def expected_values(expected: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": expected.get("name"),
        "postcode": expected.get("postcode"),
        "country": expected.get("country"),
        "language": expected.get("language"),
        "emails": set(expected.get("emails") or []),
        "phones": set(expected.get("phones") or []),
        "company_ids": {(item["type"], item["value"], item["valid"]) for item in expected.get("company_ids") or []},
        "legal_pages": {path.rstrip("/") or "/" for path in expected.get("legal_pages") or []},
        "commercial": bool(expected.get("commercial")),
        "band": expected.get("band"),
    }


def _label_matches(field: str, predicted: Any, expected: Any) -> bool:
    if field == "name":
        names = expected if isinstance(expected, list) else [expected]
        return name_key(predicted) in {name_key(name) for name in names}
    return predicted == expected


def evaluate(fixtures: Path, details: bool = False) -> dict[str, Any]:
    tallies = {field: Tally() for field in (*LABEL_FIELDS, *SET_FIELDS, "commercial", "band")}
    band_hits = 0
    mismatches: list[dict[str, Any]] = []
    sites = sorted(path for path in fixtures.iterdir() if (path / "expected.json").is_file())
    for site in sites:
        expected_raw = json.loads((site / "expected.json").read_text(encoding="utf-8"))
        pages = crawl(site, expected_raw["url"])
        identity = extract_identity(pages)
        predicted, expected = predicted_values(identity, pages), expected_values(expected_raw)
        wrong: dict[str, Any] = {}
        for field in LABEL_FIELDS:
            tally, guess, truth = tallies[field], predicted[field], expected[field]
            if guess is not None and truth is not None and _label_matches(field, guess, truth):
                tally.tp += 1
                continue
            tally.fp += guess is not None
            tally.fn += truth is not None
            if guess is not None or truth is not None:
                wrong[field] = {"predicted": guess, "expected": truth}
        for field in SET_FIELDS:
            tally, guess, truth = tallies[field], predicted[field], expected[field]
            if field == "legal_pages":
                guess = guess & truth
            tally.tp += len(guess & truth)
            tally.fp += len(guess - truth)
            tally.fn += len(truth - guess)
            if guess != truth:
                wrong[field] = {"missing": sorted(map(str, truth - guess)), "extra": sorted(map(str, guess - truth))}
        tally = tallies["commercial"]
        tally.tp += predicted["commercial"] and expected["commercial"]
        tally.fp += predicted["commercial"] and not expected["commercial"]
        tally.fn += expected["commercial"] and not predicted["commercial"]
        if predicted["commercial"] != expected["commercial"]:
            wrong["commercial"] = {"predicted": predicted["commercial"], "signals": list(identity.commercial_signals)}
        band_hits += predicted["band"] == expected["band"]
        if predicted["band"] != expected["band"]:
            wrong["band"] = {
                "predicted": predicted["band"],
                "expected": expected["band"],
                "score": identity.actionability,
            }
        if wrong:
            mismatches.append({"site": site.name, **wrong})
    del tallies["band"], tallies["legal_pages"]
    summary: dict[str, Any] = {
        "sites": len(sites),
        "fields": {field: tally.summary() for field, tally in tallies.items()},
        "legal_page_discovery_recall": None,
        "actionability_band_accuracy": _round(band_hits / len(sites)) if sites else None,
    }
    discovery = Tally()
    for site in sites:
        expected_raw = json.loads((site / "expected.json").read_text(encoding="utf-8"))
        found = {urlsplit(url).path.rstrip("/") or "/" for url, _ in crawl(site, expected_raw["url"])[1:]}
        truth = {path.rstrip("/") or "/" for path in expected_raw.get("legal_pages") or []}
        discovery.tp += len(found & truth)
        discovery.fn += len(truth - found)
    summary["legal_page_discovery_recall"] = discovery.summary()["recall"]
    if details:
        summary["mismatches"] = mismatches
    return summary


def main(argv: list[str]) -> int:
    arguments = [argument for argument in argv if not argument.startswith("--")]
    if len(arguments) != 1 or not Path(arguments[0]).is_dir():
        sys.stderr.write("usage: python -m pixhound_crawler.identity_eval <fixtures dir> [--details]\n")
        return 2
    summary = evaluate(Path(arguments[0]), details="--details" in argv)
    sys.stdout.write(json.dumps(summary, indent=2, ensure_ascii=False, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
