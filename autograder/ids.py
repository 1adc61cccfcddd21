"""Student ids: one rule for every place that takes one from a name (``collect``, ``grade``).

An id becomes a folder name, a gradebook key, a CSV cell and HTML text, so it is kept to what nbgrader and
all of those take without quoting: letters, digits, ``.``, ``_``, ``-``, ``@``, starting with a letter or a
digit (so it can never start a spreadsheet formula), at most 100 characters.
"""

import re

VALID_STUDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
RULE = "letters, digits, '.', '_', '-', '@', starting with a letter or digit, at most 100 characters"


def student_id_problem(student):
    """None when ``student`` is a valid id, else a sentence saying what is wrong and what is expected."""
    if VALID_STUDENT.match(student):
        return None
    return f"student id {student!r} has characters nbgrader and the reports refuse: expected {RULE}"
