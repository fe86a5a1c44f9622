"""The example notebooks: committed with outputs, written by notebooks/build.py, and they run.

Each notebook is executed afresh in a ``python3`` kernel (the venv's ipykernel),
from the notebooks folder, without network; a cell that raises fails the test
with the cell's traceback.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

nbformat = pytest.importorskip(
    "nbformat", reason="notebook extra not installed: pip install chinese-news-nlp[notebooks]"
)
pytest.importorskip("nbclient", reason="notebook extra not installed: pip install chinese-news-nlp[notebooks]")
pytest.importorskip("ipykernel", reason="notebook extra not installed: pip install chinese-news-nlp[notebooks]")
pytest.importorskip("matplotlib", reason="notebook extra not installed: pip install chinese-news-nlp[notebooks]")

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"


def load_build():
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS_DIR / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = load_build()
NAMES = list(build.NOTEBOOKS)


def outputs_of(nb) -> list[dict]:
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]


def check_outputs(name: str, nb) -> None:
    """What a reader must see: no error, the rendered Doc / tables, the charts."""
    outputs = outputs_of(nb)
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, f"{name}: {errors[0].ename}: {errors[0].evalue}"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.execution_count is not None, f"{name}: a cell was not executed: {cell.source[:60]!r}"
    html = [o.data["text/html"] for o in outputs if "data" in o and "text/html" in o.data]
    pngs = [o.data["image/png"] for o in outputs if "data" in o and "image/png" in o.data]
    assert any("<table" in h for h in html), f"{name}: no DataFrame shown"
    if name == "01_quickstart":
        docs_shown = [h for h in html if 'class="cnnlp"' in h]
        assert len(docs_shown) >= 2, "the repair view of 004 and the Doc view of 000"
        assert any("000_ce9bcbc2bcbe7543" in h for h in docs_shown)
    if name == "02_corpus_facts":
        assert len(pngs) >= 2, "the facts chart and the repairs chart"
        assert all(len(p) > 2000 for p in pngs)


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_is_built_from_build_py(name):
    committed = nbformat.read(build.path_of(name), as_version=4)
    fresh = build.build(name)
    assert [(c.cell_type, c.source) for c in committed.cells] == [(c.cell_type, c.source) for c in fresh.cells], (
        f"{name}.ipynb differs from notebooks/build.py: run .venv/bin/python notebooks/build.py"
    )


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_is_saved_with_its_outputs(name):
    nb = nbformat.read(build.path_of(name), as_version=4)
    nbformat.validate(nb)
    check_outputs(name, nb)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_executes_from_a_clean_kernel(name):
    nb = build.build(name)
    build.execute(nb, cwd=NOTEBOOKS_DIR)  # raises CellExecutionError, with the cell's traceback
    check_outputs(name, nb)
