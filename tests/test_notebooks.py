"""The notebooks in demos/notebooks run top to bottom in a fresh kernel and check their own numbers.

Each notebook asserts what it states (against hand-derived values, exact formulas and central
differences); a failing assert or any error fails the test. The kernel is this interpreter, through a
kernelspec written for the test (so no other installed Python can be picked up), with this checkout
first on its path. The notebooks are kept in git without outputs.
"""
import json
import os
import sys

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDER = os.path.join(ROOT, "demos", "notebooks")
NOTEBOOKS = sorted(f for f in os.listdir(FOLDER) if f.endswith(".ipynb"))
KERNEL = "pathgrad-test"


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    spec = tmp_path_factory.mktemp("jupyter") / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "pathgrad tests", "language": "python",
        "env": {"PYTHONPATH": os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
                "MPLBACKEND": "module://matplotlib_inline.backend_inline"}}))
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join([str(spec.parent.parent)] + ([old] if old else []))
    yield KERNEL
    if old is None:
        del os.environ["JUPYTER_PATH"]
    else:
        os.environ["JUPYTER_PATH"] = old


def test_there_are_the_four_notebooks():
    assert NOTEBOOKS == ["01_sum_over_paths.ipynb", "02_nielsen_network.ipynb", "03_micrograd_lecture.ipynb",
                         "04_training.ipynb"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_a_fresh_kernel_and_its_asserts_hold(kernel, name):
    book = nbformat.read(os.path.join(FOLDER, name), as_version=4)
    code = [c for c in book.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code), \
        f"{name} is stored with outputs: clear them before committing"
    NotebookClient(book, kernel_name=kernel, timeout=300, resources={"metadata": {"path": FOLDER}}).execute()
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors
    rich = [o for c in code for o in c.outputs if o.output_type in ("display_data", "execute_result")]
    assert any(k in o.data for o in rich for k in ("text/html", "image/svg+xml", "image/png"))  # pictures, tables
