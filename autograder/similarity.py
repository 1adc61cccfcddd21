"""Similarity: pairs of submissions whose answer cells are unusually alike, for a person to look at.

Fingerprinting is copydetect's (winnowing over the token stream of the code, with names, strings and
comments normalised by its pygments-based filter, so renamed variables and rewritten comments do not hide
a copy, and reordered lines only break the few k-grams that cross them). Per assignment:

1. each student's *document* is their answer cells (the solution cells' grade_ids of the source notebook,
   read from the submitted notebooks) in the order of the notebook;
2. *boilerplate* is what everybody was given or is expected to write: the released starter code of each
   answer cell and the instructor's solution; its fingerprints are removed from every document, so short
   exercises where everyone writes ``X @ W + b`` contribute (almost) nothing; so do fingerprints that more
   than ``MAX_SHARE`` of the class share (common idioms nobody was given but many wrote);
3. every pair is compared; its ``score`` is the smaller of the two shares of fingerprinted code the pair
   has in common (1.0: each is entirely contained in the other), so a long notebook that contains a short
   one is not flagged on the short one's account alone.

Pairs at or above ``threshold`` are written, side by side with the answer cells, to
``course/private/similarity/<assignment>.html`` and ``.json`` (student work: ``course/private`` is
git-ignored). A pair is a reason to look, never a grade: nothing here touches the gradebook.
"""

import collections
import dataclasses
import html
import io
import json
import pathlib

import nbformat
from copydetect import CodeFingerprint, compare_files

# k-gram length and guaranteed match length, in characters of normalised code (copydetect's defaults, 25/30,
# are for whole programs; answer cells are a few lines). These three were chosen on the generated class of
# tests/autograder/instructor_class.py (tests/bench/bench_similarity.py prints recall and false positives).
NOISE, GUARANTEE = 10, 14
MAX_SHARE = 0.3                    # fingerprints in more than this share of submissions are common idioms
THRESHOLD = 0.6
PRIVATE = "private"


@dataclasses.dataclass(frozen=True)
class Pair:
    """Two students whose answers are unusually alike."""

    assignment: str
    first: str
    second: str
    score: float
    shares: tuple        # share of each one's fingerprinted code found in the other
    overlap: int         # characters (of normalised code) in common


def answer_ids(course, assignment):
    """``[(notebook, grade_id)]`` of the answer (solution) cells of ``assignment``, in notebook order."""
    found = []
    for name, path in course.source_notebooks(assignment).items():
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("solution") and cell.cell_type == "code":
                found.append((name, meta["grade_id"]))
    return found


def _cells_by_id(path):
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        return {}
    return {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in nb.cells if c.cell_type == "code"}


def answers(course, assignment):
    """``{student: {grade_id: source}}`` of every submission of ``assignment`` (missing cells are "")."""
    ids = answer_ids(course, assignment)
    found = {}
    for sub in course.submissions([assignment]):
        cells = {}
        for name in {n for n, _ in ids}:
            cells.update(_cells_by_id(sub.folder / f"{name}.ipynb"))
        found[sub.student] = {gid: cells.get(gid) or "" for _, gid in ids}
    return found


def boilerplate_sources(course, assignment):
    """The released starter code and the instructor's solution of every answer cell."""
    sources = []
    for name, path in course.source_notebooks(assignment).items():
        release = course.step_dir(course.coursedir.release_directory, ".", assignment) / f"{name}.ipynb"
        released = _cells_by_id(release)
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("solution") and cell.cell_type == "code":
                sources += [cell.source, released.get(meta["grade_id"], "")]
    return sources


def fingerprint(text, boilerplate=()):
    """copydetect's fingerprint of Python ``text`` (boilerplate hashes removed)."""
    return CodeFingerprint("answer.py", NOISE, GUARANTEE - NOISE + 1, boilerplate=list(boilerplate),
                           language="python", fp=io.StringIO(text))


def document(cells):
    """One student's document: their answer cells in order, separated by blank lines."""
    return "\n\n".join(cells.values())


def compare(documents, boilerplate=(), threshold=THRESHOLD, assignment="", max_share=MAX_SHARE):
    """Every pair of ``documents`` (``{student: text}``) scoring >= ``threshold``, best first: ``[Pair]``.

    Fingerprints of ``boilerplate`` texts, and those found in more than ``max_share`` of the documents
    (the class's common idioms, as MOSS's ``-m``), are ignored.
    """
    common = set()
    for text in boilerplate:
        common |= set(fingerprint(text).hashes)
    prints = {s: fingerprint(text, common) for s, text in sorted(documents.items())}
    counts = collections.Counter(h for p in prints.values() for h in p.hashes)
    frequent = {h for h, n in counts.items() if n > max(2, max_share * len(prints))}
    if frequent:  # fingerprint the already normalised code again, without its common idioms
        prints = {s: CodeFingerprint("answer.py", NOISE, GUARANTEE - NOISE + 1, boilerplate=list(common | frequent),
                                     filter=False, fp=io.StringIO(p.filtered_code)) for s, p in prints.items()}
    students = sorted(p for p in prints if prints[p].hashes)
    pairs = []
    for i, first in enumerate(students):
        for second in students[i + 1:]:
            overlap, shares, _ = compare_files(prints[first], prints[second])
            score = float(min(shares))
            if overlap and score >= threshold:
                pairs.append(Pair(assignment, first, second, round(score, 3),
                                  (round(float(shares[0]), 3), round(float(shares[1]), 3)), int(overlap)))
    return sorted(pairs, key=lambda p: (-p.score, p.first, p.second))


def find(course, assignment, threshold=THRESHOLD):
    """``(pairs, answers)`` for ``assignment`` (see module docstring)."""
    found = answers(course, assignment)
    docs = {s: document(cells) for s, cells in found.items()}
    return compare(docs, boilerplate_sources(course, assignment), threshold, assignment), found


def write(course, assignment, pairs, found, folder=None):
    """Write the pairs as JSON and as an HTML page with the answers side by side; returns the html path."""
    folder = pathlib.Path(folder) if folder else course.root / PRIVATE / "similarity"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{assignment}.json").write_text(json.dumps([dataclasses.asdict(p) for p in pairs], indent=1))
    parts = [f"<h1>Similar submissions: {html.escape(assignment)}</h1><p>{len(pairs)} pair(s) with a score of "
             f"at least the threshold, most alike first. The score is the smaller share of each one's code "
             f"(starter code and the solution removed, names and comments normalised) found in the other. It "
             f"is a reason to look, not evidence and not a grade.</p>"]
    for pair in pairs:
        rows = "".join(
            f"<tr><td>{html.escape(gid)}</td><td><pre>{html.escape(found[pair.first][gid])}</pre></td>"
            f"<td><pre>{html.escape(found[pair.second][gid])}</pre></td></tr>"
            for gid in found[pair.first] if found[pair.first][gid].strip() or found[pair.second][gid].strip())
        parts.append(f"<h2>{html.escape(pair.first)} and {html.escape(pair.second)}: score {pair.score:.2f} "
                     f"(shares {pair.shares[0]:.2f} / {pair.shares[1]:.2f})</h2><table><tr><th>cell</th>"
                     f"<th>{html.escape(pair.first)}</th><th>{html.escape(pair.second)}</th></tr>{rows}</table>")
    style = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
             "padding:.3em;vertical-align:top}pre{margin:0;font-size:85%}")
    path = folder / f"{assignment}.html"
    path.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Similar submissions</title>"
                    f"<style>{style}</style></head><body>{''.join(parts)}</body></html>", encoding="utf-8")
    return path
