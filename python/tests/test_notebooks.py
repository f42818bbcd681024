"""The example notebooks run headless (nbclient) and show the lesson's results."""

import os
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def run(name, tmp_path):
    notebook = nbformat.read(EXAMPLES / name, as_version=4)
    os.environ["TESSERA_NOTEBOOK_DATA"] = str(tmp_path)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", output
            texts.append(output.get("text", "") + str(output.get("data", {}).get("text/plain", "")))
    return "\n".join(texts)


def test_dataframes_notebook(tmp_path):
    text = run("01-dataframes.ipynb", tmp_path)
    assert "rows: 60000" in text
    assert "same as pandas" in text
    assert "known_divisions: True" in text
    assert "trips on 2015-02-14:" in text
    assert "plotted" in text
    assert "tessera DataFrame Structure" in text


def test_delayed_notebook(tmp_path):
    text = run("02-delayed.ipynb", tmp_path)
    assert "z = 5" in text
    assert "total = 44" in text
    assert "tree sum = 136 expected 136" in text
    assert "mean amount = 199.5" in text
    assert "b = 16" in text
    assert "in finishing order: [1, 2, 3, 4]" in text


def test_arrays_notebook(tmp_path):
    text = run("04-arrays.ipynb", tmp_path)
    assert "tessera.array<random_sample, shape=(4000, 4000)" in text
    assert "same as numpy: True" in text
    assert "same values with other chunks: True" in text
    assert "singular values match numpy: True" in text
    assert "smoothed like scipy on the whole image: True" in text
    bright = [line for line in text.splitlines() if line.startswith("bright pixels:")][0].split()
    assert bright[2] == bright[4]
    assert "total blob pieces:" in text
def test_machine_learning_notebook(tmp_path):
    text = run("05-ml.ipynb", tmp_path)
    assert "best_params_: {'C': 10.0, 'gamma': 0.001, 'kernel': 'rbf'}" in text, text
    assert "'fit-and-score':" in text
    assert "same scores as a serial search: True" in text
    assert "partitions: 8 rows: 200000" in text
    assert "test accuracy: 0.7" in text
    assert "coefficients agree: True" in text
    assert "same test accuracy: True" in text
