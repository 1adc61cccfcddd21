"""Records inside a real kernel: displayed under their own MIME type, invisible in nbconvert's HTML."""

import re
import subprocess
import sys
import warnings

import nbclient
import nbformat
import pytest

from fclab.checks import MIME_TYPE


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import numpy as np\nfrom fclab.checks import check_close, records\n"
                                  "check_close(np.ones(3, 'float32'), np.ones(3, 'float32'), name='ones')"),
        nbformat.v4.new_code_cell("check_close(np.zeros(3), np.ones(3), name='zeros')"),
        nbformat.v4.new_code_cell("len(records)"),
    ]
    path = tmp_path_factory.mktemp("nb")
    client = nbclient.NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(path)}})
    client.execute()
    return nb


def test_each_check_displays_one_record_and_nothing_else(executed):
    first, second, third = (cell.outputs for cell in executed.cells)
    assert [o.output_type for o in first] == ["display_data"]
    assert list(first[0].data) == [MIME_TYPE]  # no text/plain: JupyterLab then renders nothing
    record = first[0].data[MIME_TYPE]
    assert record["name"] == "ones" and record["passed"] is True and record["seq"] == 1
    assert [o.output_type for o in second] == ["display_data", "error"]
    assert second[0].data[MIME_TYPE]["passed"] is False and second[1].ename == "AssertionError"
    assert third[0].data["text/plain"] == "2"


def test_records_are_invisible_in_nbconvert_html(executed):
    from nbconvert import HTMLExporter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "not able to be represented": exactly what we want
        html, _ = HTMLExporter().from_notebook_node(executed)
    body = html[html.index("<main>"):]
    cells = body.split('<div class="jp-Cell ')[1:]
    first_output = cells[0][cells[0].index("<div class=\"jp-Cell-outputWrapper"):]
    assert re.sub(r"<[^>]+>", "", first_output).strip() == ""  # the passing check shows nothing at all
    second_output = cells[1][cells[1].index("<div class=\"jp-Cell-outputWrapper"):]
    assert "AssertionError" in second_output and "zeros" in second_output
    assert "_records" not in second_output  # fclab frames are hidden (__tracebackhide__)


def test_plain_python_needs_no_ipython_and_imports_stay_light():
    code = ("import sys, numpy as np, fclab.checks as c, fclab.explain, fclab.data, fclab.plots\n"
            "c.check_close(np.ones(2), np.ones(2))\n"
            "heavy = [m for m in ('IPython', 'tensorflow', 'keras', 'sklearn', 'matplotlib') if m in sys.modules]\n"
            "assert not heavy, f'imported at module level: {heavy}'\n"
            "print(len(c.records))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"
