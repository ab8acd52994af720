"""`make match-eval`: measure the matcher on a folder of reference photos and a folder of labelled queries.

    python -m pixhound_matcher.evaluate --refs DIR --queries DIR --truth CSV [--out FILE] [--workers N]

TRUTH has the header `query,reference,transform`; an empty reference marks a query that
must match nothing. The references are fingerprinted as uploaded photos and each query as
a discovered image, through the same cascade as the service. One JSON summary is printed:
recall overall and per transformation, false positives over the negatives, positives matched
to the wrong photo, and the query throughput (decode + fingerprint + search): `images_per_s`
is the number of workers divided by the mean CPU time one image takes (the capacity of that
many cores, unaffected by other programs on the machine), `wall_images_per_s` the whole run
by the wall clock, including the process pool and the peers' searches. The peers a
user would pick instead, imagehash's pHash and PDQ without its dihedral variants, are
measured in the same run on the same set under "peers".
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import imagehash
import numpy as np
from PIL import Image

from pixhound_matcher.decode import UnusableImage
from pixhound_matcher.engine import Collection, Fingerprinter, Matcher, MatcherConfig, limit_native_threads
from pixhound_matcher.signals import pdq

log = logging.getLogger(__name__)
PHASH_THRESHOLD = 10


@dataclass(frozen=True)
class Query:
    name: str
    reference: str | None
    transform: str


@dataclass(frozen=True)
class Answer:
    query: str
    reference: str | None
    score: float
    pdq_reference: str | None
    phash_reference: str | None
    seconds: float = 0.0
    error: str = ""


_state: dict = {}


def read_truth(path: Path) -> list[Query]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"query", "reference", "transform"} - set(reader.fieldnames or [])
        if missing:
            raise SystemExit(f"{path}: the header needs query,reference,transform (missing {sorted(missing)})")
        return [
            Query(row["query"].strip(), (row["reference"] or "").strip() or None, (row["transform"] or "").strip())
            for row in reader
        ]


def _phash(image: Image.Image) -> np.ndarray:
    return imagehash.phash(image).hash.flatten()


def build_references(refs: Path, config: MatcherConfig) -> dict:
    fingerprinter = Fingerprinter(config)
    collection = Collection(indexed_features=config.indexed_features)
    pdq_peer, phash_peer = {}, {}
    for path in sorted(p for p in refs.iterdir() if p.is_file()):
        try:
            image = fingerprinter.decode(path.read_bytes(), reference=True)
        except UnusableImage as error:
            log.warning("reference %s skipped: %s", path.name, error)
            continue
        prints = fingerprinter.of_image(image, reference=True)
        collection.add(path.name, prints)
        pdq_peer[path.name] = prints.pdq
        phash_peer[path.name] = _phash(Image.fromarray(image.rgb))
    return {"collection": collection, "pdq": pdq_peer, "phash": phash_peer, "config": config}


def _answer(job: tuple[Path, Query]) -> Answer:
    path, query = job
    config: MatcherConfig = _state["config"]
    fingerprinter = Fingerprinter(config)
    matcher = Matcher(config, fingerprinter)
    data = path.read_bytes()
    started = time.thread_time()
    try:
        image = fingerprinter.decode(data, reference=False)
    except UnusableImage as error:
        return Answer(query.name, None, 0.0, None, None, error=str(error))
    prints = fingerprinter.of_image(image, reference=False)
    decisions = matcher.match_copy(query.name, prints, _state["collection"], image=image)
    seconds = time.thread_time() - started
    best = decisions[0] if decisions else None
    return Answer(
        query=query.name,
        reference=best.reference_id if best else None,
        score=best.score if best else 0.0,
        pdq_reference=_nearest_pdq(prints.pdq, prints.pdq_quality, config),
        phash_reference=_nearest_phash(_phash(Image.fromarray(image.rgb))),
        seconds=seconds,
    )


def _nearest_pdq(code: bytes, quality: int, config: MatcherConfig) -> str | None:
    best = min(((pdq.hamming(code, ref), name) for name, ref in _state["pdq"].items()), default=None)
    return best[1] if best and best[0] <= config.pdq_max_distance and quality >= config.pdq_min_quality else None


def _nearest_phash(bits: np.ndarray) -> str | None:
    best = min(((int((bits != ref).sum()), name) for name, ref in _state["phash"].items()), default=None)
    return best[1] if best and best[0] <= PHASH_THRESHOLD else None


def _init_worker(state: dict) -> None:
    limit_native_threads()
    _state.update(state)


def summarise(queries: list[Query], predicted: dict[str, str | None]) -> dict:
    per_transform: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    found = positives = false_positives = negatives = wrong = 0
    for query in queries:
        guess = predicted.get(query.name)
        if query.reference is None:
            negatives += 1
            false_positives += guess is not None
            continue
        positives += 1
        tally = per_transform[query.transform]
        tally[1] += 1
        if guess == query.reference:
            found += 1
            tally[0] += 1
        elif guess is not None:
            wrong += 1
    return {
        "recall": round(found / positives, 4) if positives else None,
        "per_transform": {name: round(hit / total, 4) for name, (hit, total) in sorted(per_transform.items())},
        "false_positives": false_positives,
        "negatives": negatives,
        "wrong_reference": wrong,
    }


def evaluate(refs: Path, queries_dir: Path, truth: Path, *, workers: int, config: MatcherConfig) -> dict:
    limit_native_threads()
    queries = read_truth(truth)
    started = time.perf_counter()
    state = build_references(refs, config)
    reference_seconds = time.perf_counter() - started
    jobs = [(queries_dir / query.name, query) for query in queries]
    started = time.perf_counter()
    if workers > 1:
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(state,)) as pool:
            answers = list(pool.map(_answer, jobs, chunksize=16))
    else:
        _init_worker(state)
        answers = [_answer(job) for job in jobs]
    elapsed = time.perf_counter() - started
    summary = summarise(queries, {a.query: a.reference for a in answers})
    busy = sum(a.seconds for a in answers)
    summary["images_per_s"] = round(workers * len(queries) / busy, 1) if busy else None
    summary["wall_images_per_s"] = round(len(queries) / elapsed, 1) if elapsed else None
    summary["references"] = len(state["collection"])
    summary["references_per_s"] = round(len(state["collection"]) / reference_seconds, 1) if reference_seconds else None
    summary["workers"] = workers
    summary["unreadable_queries"] = sum(1 for a in answers if a.error)
    summary["peers"] = {
        "pdq": summarise(queries, {a.query: a.pdq_reference for a in answers}),
        "phash": summarise(queries, {a.query: a.phash_reference for a in answers}),
    }
    decisions = [{"query": a.query, "reference": a.reference, "score": a.score} for a in answers]
    return {"summary": summary, "decisions": decisions}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pixhound_matcher.evaluate", description=__doc__)
    parser.add_argument("--refs", required=True, type=Path)
    parser.add_argument("--queries", required=True, type=Path)
    parser.add_argument("--truth", required=True, type=Path)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    for folder in (args.refs, args.queries):
        if not folder.is_dir():
            raise SystemExit(f"{folder} is not a folder")
    result = evaluate(args.refs, args.queries, args.truth, workers=max(1, args.workers), config=MatcherConfig())
    sys.stdout.write(json.dumps(result["summary"]) + "\n")
    if args.out is not None:
        args.out.write_text(json.dumps({**result["summary"], "decisions": result["decisions"]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
