"""CSV the autograder writes: no cell a spreadsheet would run as a formula (CSV injection).

OWASP's rule: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed
with a single quote, so Excel, LibreOffice and Google Sheets show it as text. Student ids come from folder
names and reasons quote student code, so both can start with ``=HYPERLINK(...)``. Plain numbers ("-1.5")
are left as they are: they are data, not formulas.
"""

import csv

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """``value`` as a CSV cell that cannot start a formula (a str; None becomes "")."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text


class SafeWriter:
    """:func:`csv.writer` whose rows pass through :func:`neutralise` (same ``writerow``/``writerows``)."""

    def __init__(self, handle, **kwargs):
        self._writer = csv.writer(handle, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(handle, **kwargs):
    """A CSV writer for ``handle`` that neutralises every cell (see module docstring)."""
    return SafeWriter(handle, **kwargs)
