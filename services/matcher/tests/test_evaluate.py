"""`make match-eval` keeps its contract: the truth CSV in, one JSON summary out, one decision per query in OUT."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


@pytest.fixture(scope="module")
def labelled_set(tmp_path_factory, thief):
    root = tmp_path_factory.mktemp("set")
    refs, queries = root / "refs", root / "queries"
    refs.mkdir()
    queries.mkdir()
    originals = {f"ref{seed}.jpg": thief.photo(seed) for seed in (31, 32, 33)}
    for name, image in originals.items():
        (refs / name).write_bytes(thief.encode(image, quality=92))
    rows = ["query,reference,transform"]
    copies = [
        ("q1.jpg", "ref31.jpg", "crop", thief.encode(thief.crop(originals["ref31.jpg"], (0.3, 0.3, 0.6, 0.6)))),
        ("q2.png", "ref32.jpg", "mirror", thief.encode(thief.mirror(originals["ref32.jpg"]), "PNG")),
        ("q3.jpg", "ref33.jpg", "jpeg", thief.encode(originals["ref33.jpg"].resize((300, 210)), quality=15)),
        ("q4.jpg", "", "negative", thief.encode(thief.photo(77))),
        ("q5.jpg", "", "negative", b"not an image at all"),
    ]
    for name, reference, transform, data in copies:
        (queries / name).write_bytes(data)
        rows.append(f"{name},{reference},{transform}")
    (root / "truth.csv").write_text("\n".join(rows) + "\n")
    return root


def test_summary_and_decisions(labelled_set, tmp_path):
    out = tmp_path / "result.json"
    command = [
        sys.executable,
        "-m",
        "pixhound_matcher.evaluate",
        "--refs",
        str(labelled_set / "refs"),
        "--queries",
        str(labelled_set / "queries"),
        "--truth",
        str(labelled_set / "truth.csv"),
        "--out",
        str(out),
        "--workers",
        "2",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["recall"] == 1.0
    assert summary["per_transform"] == {"crop": 1.0, "jpeg": 1.0, "mirror": 1.0}
    assert summary["false_positives"] == 0 and summary["negatives"] == 2 and summary["wrong_reference"] == 0
    assert summary["images_per_s"] > 0 and summary["unreadable_queries"] == 1
    assert set(summary["peers"]) == {"pdq", "phash"}
    assert summary["peers"]["pdq"]["per_transform"]["crop"] == 0.0
    written = json.loads(out.read_text())
    assert {k: v for k, v in written.items() if k != "decisions"} == summary
    decisions = {d["query"]: d for d in written["decisions"]}
    assert set(decisions) == {"q1.jpg", "q2.png", "q3.jpg", "q4.jpg", "q5.jpg"}
    assert decisions["q1.jpg"]["reference"] == "ref31.jpg" and decisions["q1.jpg"]["score"] >= 0.5
    assert decisions["q4.jpg"]["reference"] is None and decisions["q4.jpg"]["score"] == 0.0


def test_a_truth_file_without_the_header_is_refused(labelled_set, tmp_path):
    bad = tmp_path / "truth.csv"
    bad.write_text("file,photo\nq1.jpg,ref31.jpg\n")
    command = [sys.executable, "-m", "pixhound_matcher.evaluate", "--refs", str(labelled_set / "refs")]
    command += ["--queries", str(labelled_set / "queries"), "--truth", str(bad)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "query,reference,transform" in result.stderr
