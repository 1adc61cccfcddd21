"""HTML of the class analytics (:mod:`autograder.analytics`): tables, plots as inline PNGs, escaped text."""

import base64
import html
import io


def _png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    data = base64.b64encode(buffer.getvalue()).decode()
    return f'<img alt="class analytics plot" src="data:image/png;base64,{data}">'


def plot(items, mistakes):
    """Pass rate and discrimination per exercise (left), students per top mistake (right)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 0.45 * max(len(items), 4) + 1.2))
    names = [i.exercise for i in items]
    ys = range(len(items))
    left.barh([y - 0.2 for y in ys], [i.pass_rate for i in items], height=0.4, color="#55a868", label="pass rate")
    left.barh([y + 0.2 for y in ys], [i.discrimination or 0.0 for i in items], height=0.4, color="#4c72b0",
              label="discrimination")
    left.set(yticks=list(ys), yticklabels=names, xlim=(-0.2, 1), title="Per exercise")
    left.axvline(0.2, color="#999", lw=0.8, ls=":")
    left.legend(loc="lower right", fontsize=8)
    left.invert_yaxis()
    top = [m for m in mistakes if m is next(x for x in mistakes if x.exercise == m.exercise)]
    right.barh([f"{m.exercise}: {m.key}"[:60] for m in top], [m.students for m in top], color="#c44e52")
    right.set(title="Most common mistake per exercise", xlabel="students")
    right.invert_yaxis()
    image = _png(fig)
    plt.close(fig)
    return image


def _cell(value):
    if isinstance(value, float):
        return f"{value:.2f}"
    return "—" if value is None else str(value)


def _table(headers, rows, raw=()):
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(
        f"<td>{v if i in raw else html.escape(_cell(v))}</td>" for i, v in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>" if rows else "<p>None.</p>"


def _what(m):
    text = html.escape(m.title or m.key)
    if m.sentence:
        text += f"<br><small>{html.escape(m.sentence)}</small>"
    if m.section:
        text += f"<br><small>taught in: {html.escape(m.section)}</small>"
    if m.detail:
        text += f"<br><small>e.g. {html.escape(m.detail)}</small>"
    return text


def render(view):
    """The analytics section: per assignment a plot, the item table and the mistakes table."""
    parts = ["<h2>Class analytics</h2><p>Difficulty is the mean fraction of points (1 = everyone passed); "
             "discrimination is the point-biserial correlation of the exercise with the rest of the score "
             "(below 0.2: the exercise does not separate strong from weak work; check its test). Mistakes are "
             "counted once per student; <em>returned</em> rows are wrong answers without a diagnosis, grouped "
             "by what they returned. Example answers are student work with the id removed: do not publish.</p>"]
    for assignment, (totals, items, mistakes) in view.assignments.items():
        parts.append(f"<h3>{html.escape(assignment)}: {totals.students} student(s), mean {totals.mean:.2f} "
                     f"(sd {totals.sd:.2f}) of {totals.max_score:g}</h3>")
        if items:
            parts.append(plot(items, mistakes))
        parts.append(_table(["exercise", "students", "pass rate", "mean", "sd", "max", "difficulty",
                             "discrimination"],
                            [[i.exercise, i.students, i.pass_rate, i.mean, i.sd, i.max_points, i.difficulty,
                              i.discrimination] for i in items]))
        parts.append("<h4>Most common mistakes</h4>" + _table(
            ["exercise", "mistake", "kind", "students", "share", "one answer (anonymised)"],
            [[html.escape(m.exercise), _what(m), html.escape(m.kind), m.students, f"{m.share:.0%}",
              f"<pre>{html.escape(m.example)}</pre>"] for m in mistakes], raw=(0, 1, 2, 5)))
    return "".join(parts)
