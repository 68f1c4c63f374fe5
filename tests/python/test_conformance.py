"""Every binary and multiclass conformance case (computed by scikit-learn) through the Python API:
equal to the reference to 1e-6 and to the CLI's JSON on the same file, number for number."""

import csv
import io
import json
import os
import subprocess

import numpy as np
import pytest

import fteval
from conftest import installed_cli

HERE = os.path.dirname(os.path.abspath(__file__))
SUITE = os.path.join(HERE, "..", "..", "crates", "fteval", "tests", "conformance", "classification.jsonl")
CASES = [json.loads(line) for line in open(SUITE) if line.strip()]


def lookup(doc, key):
    for part in key.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return None
        doc = doc[part]
    return doc


def close(got, want):
    if isinstance(want, float) and isinstance(got, (int, float)):
        return abs(got - want) <= 1e-6
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(close(g, w) for g, w in zip(got, want))
    return got == want


def columns(name, text):
    """The gold, prediction and score columns of a conformance file, as a user's arrays."""
    if name.endswith(".csv"):
        rows = list(csv.DictReader(io.StringIO(text)))
    else:
        rows = [json.loads(l) for l in text.splitlines() if l.strip()]
    gold = [r["label"] for r in rows]
    pred_key = "pred" if "pred" in rows[0] else "prediction"
    pred = [r[pred_key] for r in rows]
    labels, scores = None, None
    prob_cols = [k for k in rows[0] if k.startswith("prob_")]
    if prob_cols:
        labels = [k[len("prob_"):] for k in prob_cols]
        scores = np.array([[float(r[k]) for k in prob_cols] for r in rows])
    elif "probs" in rows[0]:
        labels = sorted(rows[0]["probs"])
        scores = np.array([[r["probs"][l] for l in labels] for r in rows])
    elif "prob" in rows[0] or "score" in rows[0]:
        key = "prob" if "prob" in rows[0] else "score"
        scores = np.array([float(r[key]) for r in rows])
    return gold, pred, scores, labels


def single_label(case):
    return "--task" not in case["args"]


@pytest.mark.parametrize("case", [c for c in CASES if single_label(c)], ids=lambda c: c["name"])
def test_case_through_python_equals_reference_and_cli(case, tmp_path):
    (name, text), = case["files"].items()
    gold, pred, scores, labels = columns(name, text)
    args = case["args"]
    positive = args[args.index("--positive") + 1] if "--positive" in args else None
    result = fteval.metrics(gold, pred, scores, labels=labels, positive=positive)
    doc = result.to_dict()
    for key, want in case["expect"].items():
        assert close(lookup(doc, key), want), f"{case['name']}: {key}: expected {want}, got {lookup(doc, key)}"

    (tmp_path / name).write_text(text)
    cli = installed_cli()
    assert cli, "the wheel puts fteval on PATH"
    out = subprocess.run([cli, *args, "--format", "json"], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode in (0, 1), out.stderr
    cli_doc = json.loads(out.stdout)
    for key in ["task", "n", "labels", "positive_label", "metrics", "per_class", "confusion_matrix", "score_curves", "bootstrap"]:
        assert doc.get(key) == cli_doc.get(key), f"{case['name']}: '{key}' differs from the CLI's"


@pytest.mark.parametrize("case", [c for c in CASES if not single_label(c)], ids=lambda c: c["name"])
def test_multilabel_case_through_python_equals_reference_and_cli(case, tmp_path):
    (name, text), = case["files"].items()
    rows = [json.loads(l) for l in text.splitlines() if l.strip()]
    result = fteval.metrics([r["labels"] for r in rows], [r["predictions"] for r in rows], task="multilabel")
    doc = result.to_dict()
    for key, want in case["expect"].items():
        assert close(lookup(doc, key), want), f"{case['name']}: {key}: expected {want}, got {lookup(doc, key)}"
    (tmp_path / name).write_text(text)
    out = subprocess.run([installed_cli(), *case["args"], "--format", "json"], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode in (0, 1), out.stderr
    cli_doc = json.loads(out.stdout)
    for key in ["task", "n", "labels", "metrics", "per_class", "bootstrap"]:
        assert doc.get(key) == cli_doc.get(key), f"{case['name']}: '{key}' differs from the CLI's"
