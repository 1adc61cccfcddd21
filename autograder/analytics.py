"""Class analytics: what the class got right and wrong, per assignment and per exercise, from the journal.

Read from the journal records (``course/autograder-runs/<assignment>/<student>.json``) and, for the example
answers, from the autograded notebooks. Per exercise (a test cell ``<exercise>_test``):

- pass rate (full points), mean and spread (standard deviation) of points;
- difficulty: the mean fraction of points (classical item difficulty: 1 = everyone passed);
- discrimination: the point-biserial correlation of the item's points with the rest of the score
  (total minus this item), over the students of the assignment; ``None`` when either side is constant;
- the most common mistakes: each failing check record's diagnosis codes (``fclab.checks``), counted once per
  student; ``raised_exception`` is split by exception type; a failing record with no diagnosis is grouped by
  what it returned (:func:`describe_wrong`: a shape, a dtype, off by a constant factor or offset, an
  exception, ...). Each mistake carries one anonymised example answer (the student's answer cell, the
  student id removed) and, when the catalogue knows the code, its title, sentence and lesson section.

The JSON and CSV beside the report hold the same numbers; the example answers are student work, so they
are only written under the (git-ignored) report folder.
"""

import dataclasses
import json
import re
import statistics

import numpy as np

from autograder import analytics_render

JSON_NAME, CSV_NAME = "analytics.json", "analytics.csv"
TOP = 5  # mistakes kept per exercise


@dataclasses.dataclass(frozen=True)
class Item:
    """One exercise's numbers over the class (points of its test cell ``grade_id``)."""

    assignment: str
    exercise: str
    grade_id: str
    students: int
    pass_rate: float
    mean: float
    sd: float
    max_points: float
    difficulty: float
    discrimination: float | None


@dataclasses.dataclass(frozen=True)
class Mistake:
    """A mistake made by ``students`` students of one exercise (``key``: a diagnosis code or a cluster)."""

    assignment: str
    exercise: str
    key: str
    kind: str            # "diagnosis" (a code of fclab.checks) or "returned" (undiagnosed, grouped)
    students: int
    share: float         # of the students who answered the exercise
    title: str
    sentence: str
    section: str
    detail: str          # what one of them returned / raised
    example: str         # one anonymised answer cell


@dataclasses.dataclass(frozen=True)
class Totals:
    """An assignment's total scores over the class."""

    students: int
    mean: float
    sd: float
    max_score: float


@dataclasses.dataclass(frozen=True)
class ClassView:
    """Everything the analytics section shows, per assignment: ``{assignment: (Totals, items, mistakes)}``."""

    assignments: dict

    def to_json(self):
        return {a: {**dataclasses.asdict(totals), "items": [dataclasses.asdict(i) for i in items],
                    "mistakes": [dataclasses.asdict(m) for m in mistakes]}
                for a, (totals, items, mistakes) in self.assignments.items()}


def catalogue():
    """``{code: entry}`` from ``fclab.checks._catalogue`` (empty until it exists: codes are shown as they are)."""
    try:
        from fclab.checks._catalogue import CATALOGUE
    except ImportError:
        return {}
    return CATALOGUE


def exercise_of(grade_id):
    """The exercise id of a test cell's grade_id (``ex3_dense_forward_test`` -> ``ex3_dense_forward``)."""
    return grade_id[: -len("_test")] if grade_id.endswith("_test") else grade_id


def point_biserial(item, rest):
    """Pearson correlation of ``item`` (per-student points) with ``rest``; None when either is constant."""
    item, rest = np.asarray(item, dtype=float), np.asarray(rest, dtype=float)
    if len(item) < 3 or item.std() == 0 or rest.std() == 0:
        return None
    return float(np.corrcoef(item, rest)[0, 1])


def graded_cells(record):
    """``{grade_id: cell}`` of the automatically graded cells of one journal record."""
    return {gid: cell for nb in record["notebooks"].values() for gid, cell in nb["cells"].items()
            if cell.get("points") is not None}


def items(assignment, records):
    """:class:`Item` per graded cell of ``assignment`` (``records``: that assignment's journal records)."""
    totals = [r["score"] for r in records]
    found = []
    grade_ids = sorted({gid for r in records for gid in graded_cells(r)})
    for gid in grade_ids:
        cells = [graded_cells(r).get(gid) for r in records]
        pairs = [(c["points"], c["max"], t) for c, t in zip(cells, totals) if c is not None]
        points = [p for p, _, _ in pairs]
        top = max(m for _, m, _ in pairs)
        found.append(Item(
            assignment, exercise_of(gid), gid, len(pairs),
            pass_rate=sum(p >= m for p, m, _ in pairs) / len(pairs),
            mean=statistics.fmean(points), sd=statistics.pstdev(points), max_points=top,
            difficulty=statistics.fmean(p / m if m else 0.0 for p, m, _ in pairs),
            discrimination=point_biserial(points, [t - p for p, _, t in pairs])))
    return found


# -- what a wrong answer returned ---------------------------------------------------------------------
def _array(enc):
    values = enc.get("data", enc.get("sample"))
    try:
        return np.asarray(values, dtype=float) if values is not None else None
    except (TypeError, ValueError):
        return None


def _numbers(got, expected):
    if "value" in got and "value" in expected:
        g, e = got["value"], expected["value"]
        if isinstance(g, (int, float)) and isinstance(e, (int, float)):
            return np.array([g], float), np.array([e], float)
        return None
    g, e = _array(got), _array(expected)
    if g is None or e is None or g.shape != e.shape or got.get("shape") != expected.get("shape"):
        return None
    return g, e


def _relation(g, e):
    """A name for how ``g`` relates to ``e`` (same shape), or None."""
    if not np.all(np.isfinite(g)) and np.all(np.isfinite(e)):
        return "NaN or inf where the expected values are finite", ""
    if np.all(g == 0) and np.any(e != 0):
        return "all zeros", ""
    mask = np.abs(e) > 1e-6
    if mask.sum() >= 1:
        ratio = g[mask] / e[mask]
        if np.allclose(ratio, ratio[0], rtol=1e-3, atol=1e-6) and not np.isclose(ratio[0], 1.0, rtol=1e-3):
            return "off by a constant factor", f"factor {ratio[0]:.4g}"
    diff = g - e
    if g.size > 1 and np.allclose(diff, diff.flat[0], rtol=1e-3, atol=1e-5) and abs(diff.flat[0]) > 1e-5:
        return "off by a constant offset", f"offset {diff.flat[0]:+.4g}"
    return None


def describe_wrong(got, expected):
    """``(cluster, detail)``: a stable name for what a wrong answer returned, and one concrete instance."""
    got, expected = got or {}, expected or {}
    if "error" in got:
        return f"raised {got['error'].split(':')[0]}", got["error"]
    if "items" in got or "items" in expected:
        if "items" not in got or "items" not in expected:
            return "returned a tuple where one value was expected (or the reverse)", ""
        if len(got["items"]) != len(expected["items"]):
            return "returned the wrong number of items", f"{len(got['items'])} for {len(expected['items'])}"
        return "wrong values in the returned items", ""
    if "shape" in expected and "shape" not in got:
        return "returned a plain value where an array was expected", str(got.get("value"))[:80]
    if "shape" in got and "shape" not in expected:
        return "returned an array where a plain value was expected", f"shape {tuple(got['shape'])}"
    if "shape" in got:
        gs, es = tuple(got["shape"]), tuple(expected["shape"])
        detail = f"shape {gs} for {es}"
        if gs != es:
            if len(gs) != len(es):
                return f"wrong shape: rank {len(gs)} for rank {len(es)}", detail
            if gs == es[::-1]:
                return "transposed shape", detail
            return "wrong shape, right rank", detail
        if got.get("dtype") != expected.get("dtype"):
            return f"dtype {got.get('dtype')} for {expected.get('dtype')}", ""
    if "value" in got and got.get("value") is None and expected.get("value") is not None:
        return "returned None", ""
    if "value" in expected and expected.get("value") is None and got.get("value") is not None:
        return "returned a value where None was expected", str(got.get("value"))[:80]
    pair = _numbers(got, expected)
    relation = _relation(*pair) if pair is not None else None
    return relation or ("wrong values, right shape and type", "")


def mistake_keys(cell):
    """``{key: (kind, detail)}`` of one student's test cell: its failing records' diagnoses and clusters."""
    keys = {}
    for record in cell.get("records") or []:
        if record.get("passed", True):
            continue
        for code in record.get("diagnoses") or []:
            if code == "raised_exception" and "error" in (record.get("got") or {}):
                error = record["got"]["error"]
                keys.setdefault(f"raised_exception: {error.split(':')[0]}", ("diagnosis", error))
            else:
                keys.setdefault(code, ("diagnosis", ""))
        if not record.get("diagnoses"):
            cluster, detail = describe_wrong(record.get("got"), record.get("expected"))
            keys.setdefault(cluster, ("returned", detail))
    return keys


# -- example answers ----------------------------------------------------------------------------------
def answer_source(course, record, exercise):
    """The source of the answer cell ``exercise`` in the student's autograded notebook, or ""."""
    import nbformat

    for name in record["notebooks"]:
        path = course.autograded_dir(record["student"], record["assignment"]) / f"{name}.ipynb"
        try:
            nb = nbformat.read(path, as_version=4)
        except (OSError, ValueError):
            continue
        for cell in nb.cells:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == exercise:
                return cell.source
    return ""


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def anonymise(source, student):
    """``source`` with the student id and e-mail addresses replaced by ``<student>`` / ``<email>``."""
    source = EMAIL.sub("<email>", source)
    return re.sub(re.escape(student), "<student>", source, flags=re.IGNORECASE) if student else source


def mistakes(course, assignment, records):
    """The :data:`TOP` most common :class:`Mistake` s of every exercise of ``assignment``."""
    known = catalogue()
    found = []
    by_exercise = {}
    for record in records:
        for gid, cell in graded_cells(record).items():
            entry = by_exercise.setdefault(exercise_of(gid), {"answered": 0, "keys": {}})
            entry["answered"] += 1
            for key, (kind, detail) in mistake_keys(cell).items():
                entry["keys"].setdefault(key, []).append((record, kind, detail))
    for exercise, entry in sorted(by_exercise.items()):
        ranked = sorted(entry["keys"].items(), key=lambda kv: (-len(kv[1]), kv[0]))[:TOP]
        for key, hits in ranked:
            record, kind, detail = min(hits, key=lambda h: h[0]["student"])
            info = known.get(key.split(":")[0])
            found.append(Mistake(
                assignment, exercise, key, kind, len(hits), len(hits) / entry["answered"],
                title=getattr(info, "title", "") or "", sentence=getattr(info, "sentence", "") or "",
                section=getattr(info, "section", "") or "", detail=anonymise(detail, record["student"]),
                example=anonymise(answer_source(course, record, exercise), record["student"])))
    return found


def analyse(course, records):
    """:class:`ClassView` of every assignment in ``records`` (journal records)."""
    view = {}
    for assignment in sorted({r["assignment"] for r in records}):
        rows = [r for r in records if r["assignment"] == assignment]
        scores = [r["score"] for r in rows]
        top = max(r["max_score"] for r in rows)
        totals = Totals(len(rows), statistics.fmean(scores), statistics.pstdev(scores), top)
        view[assignment] = (totals, tuple(items(assignment, rows)), tuple(mistakes(course, assignment, rows)))
    return ClassView(view)


def write(view, folder):
    """Write ``analytics.json`` (everything) and ``analytics.csv`` (one row per exercise) into ``folder``."""
    from autograder import csvsafe

    (folder / JSON_NAME).write_text(json.dumps(view.to_json(), indent=1), encoding="utf-8")
    with open(folder / CSV_NAME, "w", newline="", encoding="utf-8") as handle:
        writer = csvsafe.writer(handle)  # no cell starts a spreadsheet formula
        writer.writerow(["assignment", "exercise", "grade_id", "students", "pass_rate", "mean_points",
                         "sd_points", "max_points", "difficulty", "discrimination", "top_mistake",
                         "top_mistake_students"])
        for assignment, (_, found, wrong) in view.assignments.items():
            for item in found:
                top = next((m for m in wrong if m.exercise == item.exercise), None)
                writer.writerow([assignment, item.exercise, item.grade_id, item.students, f"{item.pass_rate:.3f}",
                                 f"{item.mean:.3f}", f"{item.sd:.3f}", f"{item.max_points:g}",
                                 f"{item.difficulty:.3f}",
                                 "" if item.discrimination is None else f"{item.discrimination:.3f}",
                                 top.key if top else "", top.students if top else 0])


def render_html(view):
    """The analytics section of report.html (see :mod:`autograder.analytics_render`)."""
    return analytics_render.render(view)
