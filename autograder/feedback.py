"""nbgrader preprocessors for ``GenerateFeedback``: no hidden-test source in tracebacks, no live HTML.

``ClearHiddenTests`` removes the hidden region from a test cell's *source*, but the cell's error output
still holds IPython's traceback, which prints the failing lines: the hidden tests (nbgrader issues 917 and
1363). Listed in the course config *before* ClearHiddenTests::

    c.GenerateFeedback.preprocessors = [..., "autograder.feedback.HideHiddenTestTracebacks",
                                        "nbgrader.preprocessors.ClearHiddenTests", ...]

For every grade cell whose source has a hidden region, each error output keeps its ``ename`` and an
``evalue`` from which every line that overlaps a hidden-test line was removed and every quoted text that
the hidden tests spell (a hidden check's ``name="..."``) is replaced by ``'(hidden)'`` (fclab.checks
messages, which describe values, stay); the traceback becomes that one line plus a short note. What the
cell printed (the student's own output during the hidden calls shows their inputs) is replaced by one line
saying so.

``SanitizeFeedback`` is nbconvert's :class:`~nbconvert.preprocessors.SanitizeHTML` (bleach), switched on:
a student's ``<script>``, event handlers (``onerror=``), ``javascript:`` URLs and inline SVG in an HTML
output or a markdown cell are escaped to visible text; outputs of other rich types (``image/svg+xml``,
``application/javascript``, widget views) are dropped; text, PNG and JPEG stay. Listed after
ClearHiddenTests::

    c.GenerateFeedback.preprocessors = [..., "nbgrader.preprocessors.ClearHiddenTests",
                                        "autograder.feedback.SanitizeFeedback", ...]
"""

import re

from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Unicode

NOTE = "(The traceback is hidden because this test cell contains hidden tests.)"
PRINTED_NOTE = ("(What this test cell printed is not shown here: it contains hidden tests, and your code's "
                "output during them would show their inputs.)\n")
QUOTED = re.compile(r"'([^'\n]{4,})'|\"([^\"\n]{4,})\"")
MIN_OVERLAP = 4


class HideHiddenTestTracebacks(NbGraderPreprocessor):
    """Replace tracebacks of hidden-test cells with ``ename: sanitized evalue`` (see module docstring)."""

    begin_test_delimeter = Unicode("BEGIN HIDDEN TESTS", help="Marks the start of hidden tests").tag(config=True)
    end_test_delimeter = Unicode("END HIDDEN TESTS", help="Marks the end of hidden tests").tag(config=True)

    def hidden_lines(self, source):
        """Stripped, non-empty lines between the delimiters (the delimiters included)."""
        lines, inside = [], False
        for line in source.split("\n"):
            if self.begin_test_delimeter in line:
                inside = True
            if inside and line.strip():
                lines.append(line.strip())
            if self.end_test_delimeter in line:
                inside = False
        return lines

    def sanitize(self, text, hidden):
        """``text`` without the lines that overlap a hidden line (either contains the other)."""
        kept = []
        for line in str(text).split("\n"):
            probe = line.strip()
            leaks = probe and any((len(probe) >= MIN_OVERLAP and probe in h) or (len(h) >= MIN_OVERLAP and h in probe)
                                  for h in hidden)
            if not leaks:
                kept.append(line)
        spelled = {q for h in hidden for pair in QUOTED.findall(h) for q in pair if q}
        text = "\n".join(QUOTED.sub(lambda m: "'(hidden)'" if (m.group(1) or m.group(2)) in spelled else m.group(0),
                                    line) for line in kept)
        return text.strip() or "(message hidden: it quoted the hidden tests)"

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code" or not utils.is_grade(cell) or self.begin_test_delimeter not in cell.source:
            return cell, resources
        hidden = self.hidden_lines(cell.source)
        outputs, printed = [], False
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["evalue"] = self.sanitize(output.get("evalue", ""), hidden)
                output["traceback"] = [f"{output.get('ename', 'Error')}: {output['evalue']}", NOTE]
            elif output.get("output_type") == "stream":
                if printed:
                    continue
                output["text"], printed = PRINTED_NOTE, True
            outputs.append(output)
        cell["outputs"] = outputs
        return cell, resources


class SanitizeFeedback(SanitizeHTML):
    """nbconvert's bleach-based SanitizeHTML, enabled by default (nbconvert's own default is off)."""

    enabled = Bool(True).tag(config=True)
