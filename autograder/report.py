"""Step 9, Report: ``grades.csv`` and ``report.html`` from the results journal (never from notebooks).

Only the journal is read, so the report never contains hidden tests or solutions: it holds scores, the
engine's reasons (check names and values), the notes of the rebuild step, and the integrity flags (lines
of the student's own code). All text is HTML-escaped; plots are matplotlib PNGs embedded as base64.
"""

import base64
import html
import io
import pathlib
import statistics

from autograder import analytics, csvsafe, deadlines, reconcile
from autograder.journal import Journal

CSV_NAME, HTML_NAME = "grades.csv", "report.html"


def write(course, report_dir=None):
    """Write ``grades.csv`` and ``report.html`` (default folder: ``course/autograder-runs``); returns the html path."""
    folder = pathlib.Path(report_dir) if report_dir else course.runs_dir
    folder.mkdir(parents=True, exist_ok=True)
    records = Journal(course.runs_dir).records()
    write_csv(records, folder / CSV_NAME)
    view = analytics.analyse(course, records)  # class analytics: analytics.json/.csv and a report section
    analytics.write(view, folder)
    path = folder / HTML_NAME
    extra = analytics.render_html(view) + deadlines.render_html(course, records)
    path.write_text(render_html(records, course.course_id, reconcile.messages(course, records), extra),
                    encoding="utf-8")
    return path


def _cells(record):
    return [(nb, gid, cell) for nb, data in record["notebooks"].items() for gid, cell in data["cells"].items()]


def _issues(record):
    found, said = [], set()
    for nb, data in record["notebooks"].items():
        for text in [data.get("reason"), data.get("fault")] + list(data.get("notes") or []):
            if text:
                found.append(f"{nb}: {text}")
                said.add(text)
    found += [f"{nb}/{gid}: {c['reason']}" for nb, gid, c in _cells(record)
              if c["reason"] != "passed" and not any(c["reason"].endswith(s) for s in said)]
    return found


def _flags(record):
    return [f"{nb}: {flag}" for nb, data in record["notebooks"].items() for flag in data.get("flags") or []]


def write_csv(records, path):
    """One row per (student, assignment): score, max, per-cell points, flags, reasons (no cell can start a
    spreadsheet formula: :mod:`autograder.csvsafe`)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csvsafe.writer(handle)
        writer.writerow(["student", "assignment", "score", "max_score", "cells", "flags", "reasons", "graded_at"])
        for r in records:
            cells = "; ".join(f"{gid}={_points(c)}/{c['max']:g}" for _, gid, c in _cells(r))
            writer.writerow([r["student"], r["assignment"], f"{r['score']:g}", f"{r['max_score']:g}", cells,
                             " | ".join(_flags(r)), " | ".join(_issues(r)), r.get("graded_at", "")])


def _points(cell):
    return "manual" if cell["points"] is None else f"{cell['points']:g}"


def _png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return f'<img alt="plot" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def _plots(records):
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    scores = [r["score"] for r in records]
    top = max(r["max_score"] for r in records) or 1
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.2))
    bins = [k - 0.5 for k in range(int(top) + 2)] if top <= 40 else 20  # one bar per whole point
    left.hist(scores, bins=bins, color="#4c72b0", edgecolor="white")
    left.set(title="Total score", xlabel="points", ylabel="students")
    by_cell = {}
    for r in records:
        for nb, gid, c in _cells(r):
            if c["points"] is not None:
                by_cell.setdefault(gid, []).append(c["points"] / c["max"] if c["max"] else 0.0)
    names = list(by_cell)
    right.barh(names, [statistics.mean(v) for v in by_cell.values()], color="#55a868")
    right.set(title="Mean fraction of points per test cell", xlim=(0, 1))
    right.invert_yaxis()
    image = _png(fig)
    plt.close(fig)
    return image


def _table(headers, rows):
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>" if rows else "<p>None.</p>"


def render_html(records, course_id, attention=(), extra=""):
    """The whole report as one self-contained HTML page; ``attention``: sentences shown first (e.g. the
    gradebook disagrees with these results, :mod:`autograder.reconcile`); ``extra``: HTML sections
    appended (class analytics, deadlines)."""
    parts = [f"<h1>Autograder report: {html.escape(course_id)}</h1>"]
    if attention:
        parts.append("<h2>Needs attention</h2><ul>" + "".join(f"<li>{html.escape(a)}</li>" for a in attention)
                     + "</ul>")
    if not records:
        parts.append("<p>No graded submissions yet: run <code>python -m autograder grade</code>.</p>")
    for assignment in sorted({r["assignment"] for r in records}):
        rows = [r for r in records if r["assignment"] == assignment]
        mean = statistics.mean(r["score"] for r in rows)
        parts.append(f"<h2>{html.escape(assignment)}</h2><p>{len(rows)} submission(s), mean score {mean:.2f} of "
                     f"{rows[0]['max_score']:g}.</p>{_plots(rows)}")
        parts.append("<h3>Grades</h3>" + _table(
            ["student", "score", "max"] + [gid for _, gid, _ in _cells(rows[0])],
            [[r["student"], f"{r['score']:g}", f"{r['max_score']:g}"] +
             [_points(c) for _, _, c in _cells(r)] for r in rows]))
        slow = sorted(rows, key=lambda r: -sum(nb["timings"].get("total", 0) for nb in r["notebooks"].values()))
        parts.append("<h3>Slowest submissions</h3>" + _table(
            ["student", "seconds", "kernel start", "cells", "slowest cell"],
            [[r["student"]] + _timing(r) for r in slow[:10]]))
        parts.append("<h3>Integrity flags (for review; they do not change points)</h3>" + _table(
            ["student", "flag"], [[r["student"], f] for r in rows for f in _flags(r)]))
        parts.append("<h3>Reasons and repairs</h3>" + _table(
            ["student", "what"], [[r["student"], x] for r in rows for x in _issues(r)]))
    parts.append(extra)
    style = ("body{font-family:sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;margin:.5em 0}"
             "td,th{border:1px solid #ccc;padding:.2em .5em;font-size:90%;text-align:left;vertical-align:top}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Autograder report</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>")


def _timing(record):
    t = [nb.get("timings") or {} for nb in record["notebooks"].values()]
    slowest = max((c for x in t for c in x.get("slowest_cells", [])), key=lambda c: c["seconds"], default=None)
    return [f"{sum(x.get('total', 0) for x in t):.1f}", f"{sum(x.get('kernel_start', 0) for x in t):.1f}",
            f"{sum(x.get('cells', 0) for x in t):.1f}",
            f"cell {slowest['index']}: {slowest['seconds']:.1f} s" if slowest else ""]
