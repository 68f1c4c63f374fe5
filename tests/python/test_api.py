"""fteval.metrics and fteval.Evaluator against scikit-learn called in the same test, every input
type, batches merged in any order equal to one shot, errors, and the notebook report."""

import random

import numpy as np
import pytest
from sklearn import metrics as sk

import fteval
from conftest import installed_cli


def binary_data(n, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    p = np.where(rng.random(n) < 0.8, y, 1 - y)
    s = np.clip(0.35 * y + 0.65 * rng.random(n), 0, 1)
    return y, p, s


def multiclass_data(n, k=4, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[y]
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    return y, probs.argmax(1), probs


def test_binary_equals_scikit_learn():
    y, p, s = binary_data(5000)
    r = fteval.metrics(y, p, s, positive=1)
    want = {
        "accuracy": sk.accuracy_score(y, p),
        "balanced_accuracy": sk.balanced_accuracy_score(y, p),
        "precision": sk.precision_score(y, p),
        "recall": sk.recall_score(y, p),
        "f1": sk.f1_score(y, p),
        "matthews_corrcoef": sk.matthews_corrcoef(y, p),
        "cohen_kappa": sk.cohen_kappa_score(y, p),
        "f1_macro": sk.f1_score(y, p, average="macro"),
        "roc_auc": sk.roc_auc_score(y, s),
        "average_precision": sk.average_precision_score(y, s),
        "log_loss": sk.log_loss(y, s),
        "brier_score": sk.brier_score_loss(y, s),
    }
    for key, value in want.items():
        assert key in r, f"{key} missing; have {r.keys()}"
        assert abs(r[key].value - value) < 1e-9, (key, r[key].value, value)
        assert r[key].ci_low <= r[key].value <= r[key].ci_high, key


def test_multiclass_equals_scikit_learn():
    y, p, probs = multiclass_data(3000)
    r = fteval.metrics(y, p, probs)
    want = {
        "accuracy": sk.accuracy_score(y, p),
        "f1_macro": sk.f1_score(y, p, average="macro"),
        "f1_micro": sk.f1_score(y, p, average="micro"),
        "f1_weighted": sk.f1_score(y, p, average="weighted"),
        "precision_macro": sk.precision_score(y, p, average="macro"),
        "recall_macro": sk.recall_score(y, p, average="macro"),
        "jaccard_macro": sk.jaccard_score(y, p, average="macro"),
        "matthews_corrcoef": sk.matthews_corrcoef(y, p),
        "cohen_kappa": sk.cohen_kappa_score(y, p),
        "roc_auc_ovr": sk.roc_auc_score(y, probs, multi_class="ovr"),
        "roc_auc_ovo": sk.roc_auc_score(y, probs, multi_class="ovo"),
        "log_loss": sk.log_loss(y, probs),
    }
    for key, value in want.items():
        assert key in r, f"{key} missing; have {r.keys()}"
        assert abs(r[key].value - value) < 1e-9, (key, r[key].value, value)
    cm = r.to_dict()["confusion_matrix"]
    assert np.array_equal(np.array(cm["matrix"]), sk.confusion_matrix(y, p))


def test_predictions_derived_from_scores():
    y, _, probs = multiclass_data(500)
    r = fteval.metrics(y, y_score=probs)
    assert r["accuracy"].value == pytest.approx(sk.accuracy_score(y, probs.argmax(1)), abs=1e-12)
    yb, _, s = binary_data(500)
    r = fteval.metrics(yb, y_score=s)
    assert r["f1"].value == pytest.approx(sk.f1_score(yb, (s >= 0.5).astype(int)), abs=1e-12)


LABELS = np.array(["ham", "spam"])


def as_types(y):
    """One label column in every form a user may hold it."""
    pd = pytest.importorskip("pandas")
    forms = {
        "numpy int64": y.astype(np.int64),
        "numpy int32": y.astype(np.int32),
        "numpy int16": y.astype(np.int16),
        "numpy uint8": y.astype(np.uint8),
        "numpy bool": y.astype(bool),
        "numpy float": y.astype(np.float64),
        "numpy str": LABELS[y],
        "numpy object": LABELS[y].astype(object),
        "list of int": [int(v) for v in y],
        "list of str": list(LABELS[y]),
        "list of bool": [bool(v) for v in y],
        "tuple": tuple(int(v) for v in y),
        "pandas Series": pd.Series(y),
        "pandas category": pd.Series(LABELS[y]).astype("category"),
    }
    try:
        import pyarrow as pa

        forms["pyarrow int"] = pa.array(y)
        forms["pyarrow str"] = pa.array(LABELS[y])
        forms["pyarrow chunked"] = pa.chunked_array([y[:100], y[100:]])
    except ImportError:
        pass
    try:
        import polars as pl

        forms["polars int"] = pl.Series(y)
        forms["polars str"] = pl.Series(LABELS[y])
    except ImportError:
        pass
    return forms


def test_every_input_type_gives_the_same_result():
    y, p, s = binary_data(400, seed=3)
    positives = {"numpy str": "spam", "numpy object": "spam", "list of str": "spam", "pandas category": "spam",
                 "pyarrow str": "spam", "polars str": "spam", "numpy bool": True, "list of bool": True}
    want = fteval.metrics(y, p, s, positive=1)["f1"]
    forms_y, forms_p = as_types(y), as_types(p)
    for name in forms_y:
        got = fteval.metrics(forms_y[name], forms_p[name], s, positive=positives.get(name, 1))["f1"]
        assert got == want, name


def test_score_containers():
    pd = pytest.importorskip("pandas")
    y, p, probs = multiclass_data(300, k=3)
    want = fteval.metrics(y, p, probs).to_dict()
    assert fteval.metrics(y, p, pd.DataFrame(probs)).to_dict() == want
    assert fteval.metrics(y, p, probs.tolist()).to_dict() == want
    assert fteval.metrics(y, p, np.asfortranarray(probs)).to_dict() == want
    assert fteval.metrics(y, p, probs.astype(np.float32)).to_dict()["n"] == 300


def test_batches_merged_in_any_order_equal_one_shot():
    rng = random.Random(5)
    for trial in range(12):
        if trial % 2:
            y, p, s = multiclass_data(rng.randint(20, 600), k=3, seed=trial)
            kwargs = {}
        else:
            y, p, s = binary_data(rng.randint(20, 600), seed=trial)
            kwargs = {"positive": 1}
        one_shot = fteval.metrics(y, p, s, bootstrap=300, seed=trial, **kwargs).to_dict()
        cuts = sorted(rng.sample(range(1, len(y)), rng.randint(1, 6)))
        bounds = [0, *cuts, len(y)]
        parts = []
        for a, b in zip(bounds, bounds[1:]):
            ev = fteval.Evaluator(**kwargs).update(y[a:b], p[a:b], s[a:b])
            parts.append(fteval.Evaluator.from_bytes(ev.to_bytes()) if rng.random() < 0.5 else ev)
        rng.shuffle(parts)
        merged = parts[0]
        for other in parts[1:]:
            merged.merge(other)
        assert merged.compute(bootstrap=300, seed=trial).to_dict() == one_shot, trial


def test_evaluator_over_many_batches():
    y, p, s = binary_data(20000, seed=9)
    ev = fteval.Evaluator(task="binary", positive=1)
    for a in range(0, len(y), 100):
        ev.update(y[a:a + 100], p[a:a + 100], s[a:a + 100])
    assert ev.rows == 20000
    assert ev.compute().to_dict() == fteval.metrics(y, p, s, task="binary", positive=1).to_dict()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: fteval.metrics([0, 1, 1], [0, 1]), "y_pred has 2 rows but y_true has 3"),
        (lambda: fteval.metrics([0, 1], [0, 1], [0.2, float("nan")]), "y_score row 1 is NaN"),
        (lambda: fteval.metrics([0, 1], [0, 1], [0.2]), "y_score has 1 rows"),
        (lambda: fteval.metrics([0, 1], [0, 1], ["a", "b"]), "y_score: not numbers"),
        (lambda: fteval.metrics([0, None], [0, 1]), "row 1 is None"),
        (lambda: fteval.metrics([0.0, float("nan")], [0, 1]), "row 1 is NaN"),
        (lambda: fteval.metrics(["a", "b"], ["a", "b"]), "cannot tell which label is the positive class"),
        (lambda: fteval.metrics(["a", "b"], ["a", "b"], positive="c"), "positive label 'c': no such label"),
        (lambda: fteval.metrics([], []), "no rows to evaluate"),
        (lambda: fteval.metrics([0, 1, 2], [0, 1, 2], task="binary"), "task binary, but there are 3 labels"),
        (lambda: fteval.metrics([0, 1], [0, 1], np.ones((2, 3)), labels=["a", "b"]), "3 columns but labels= names 2"),
        (lambda: fteval.metrics([0, 1], [0, 1], np.ones((2, 2, 2))), "shape"),
        (lambda: fteval.metrics([0, 1], [0, 1], ci=1.5), "ci=1.5"),
        (lambda: fteval.Evaluator.from_bytes(b"not a state"), "not an fteval state"),
        (lambda: fteval.Evaluator(task="ner"), "task 'ner'"),
        (lambda: fteval.Evaluator(positive=1).update([0, 1], [0, 1]).merge(fteval.Evaluator().update([0, 1], [0, 1])), "different options"),
        (lambda: fteval.Evaluator().update([0, 1], [0, 1], [0.1, 0.9]).merge(fteval.Evaluator().update([0, 1], [0, 1])), "same kind of scores"),
    ],
)
def test_errors_are_input_errors_with_the_cause(call, message):
    with pytest.raises(fteval.InputError) as e:
        call()
    assert message in str(e.value)
    assert isinstance(e.value, ValueError)


def test_truncated_state_bytes():
    data = fteval.Evaluator().update([0, 1], [0, 1], [0.2, 0.8]).to_bytes()
    for cut in (11, len(data) // 2, len(data) - 1):
        with pytest.raises(fteval.InputError):
            fteval.Evaluator.from_bytes(data[:cut])


def test_notebook_report_and_result_object(tmp_path):
    y, p, s = binary_data(300)
    r = fteval.metrics(y, p, s, positive=1)
    html = r._repr_html_()
    assert html.lstrip().lower().startswith("<!doctype html") and "roc_auc" in html and "<svg" in html
    assert "f1" in repr(r)
    assert r.verdict is None
    assert all({"id", "severity", "message"} <= set(c) for c in r.checks)
    for ext in (".json", ".html", ".md", ".txt"):
        r.save(tmp_path / f"report{ext}")
        assert (tmp_path / f"report{ext}").stat().st_size > 100
    with pytest.raises(fteval.InputError, match="no report format"):
        r.save(tmp_path / "report.xlsx")
    with pytest.raises(KeyError, match="no metric 'f2'"):
        r["f2"]
    pd = pytest.importorskip("pandas")
    table = r.to_pandas()
    assert list(table.columns) == ["metric", "value", "ci_low", "ci_high", "ci_method"]
    assert table.set_index("metric").loc["f1", "value"] == r["f1"].value


def test_checks_come_through():
    """The accuracy paradox: 97% accuracy from never predicting the rare class."""
    y = np.array([0] * 970 + [1] * 30)
    p = np.zeros(1000, dtype=int)
    ids = {c["id"] for c in fteval.metrics(y, p, positive=1).checks}
    assert "accuracy_paradox" in ids and "collapsed_predictions" in ids


def test_cli_ships_in_the_wheel(tmp_path):
    import subprocess

    cli = installed_cli()
    assert cli
    (tmp_path / "p.csv").write_text("label,pred\n1,1\n0,0\n1,0\n0,0\n")
    out = subprocess.run([cli, "metrics", "p.csv", "--format", "json"], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    bad = subprocess.run([cli, "metrics", "missing.csv"], cwd=tmp_path, capture_output=True, text=True)
    assert bad.returncode == 2 and "missing.csv" in bad.stderr


def test_readme_example_runs(tmp_path, monkeypatch):
    """The README's Python example, as written."""
    import os
    import re

    readme = open(os.path.join(os.path.dirname(__file__), "..", "..", "README.md")).read()
    block = re.search(r"## Python\n\n```python\n(.*?)```", readme, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {})
    assert (tmp_path / "report.html").exists()


def multilabel_data(n, seed=0):
    rng = np.random.default_rng(seed)
    names = np.array(["bug", "docs", "perf", "ux"])
    gold = rng.random((n, 4)) < 0.35
    pred = np.where(rng.random((n, 4)) < 0.85, gold, ~gold)
    return names, gold, pred


def test_multilabel_equals_scikit_learn_and_inputs_agree():
    names, gold, pred = multilabel_data(800)
    as_lists = lambda m: [list(names[row]) for row in m]
    r = fteval.metrics(as_lists(gold), as_lists(pred))
    want = {
        "accuracy": sk.accuracy_score(gold, pred),
        "hamming_loss": sk.hamming_loss(gold, pred),
        "f1_micro": sk.f1_score(gold, pred, average="micro"),
        "f1_macro": sk.f1_score(gold, pred, average="macro", zero_division=0),
        "precision_samples": sk.precision_score(gold, pred, average="samples", zero_division=0),
        "jaccard_samples": sk.jaccard_score(gold, pred, average="samples", zero_division=0),
    }
    for key, value in want.items():
        assert key in r, f"{key} missing; have {r.keys()}"
        assert abs(r[key].value - value) < 1e-9, (key, r[key].value, value)
    same = fteval.metrics(gold, pred, labels=list(names), task="multilabel").to_dict()
    assert same == r.to_dict()
    assert fteval.metrics(gold.astype(np.int64), pred.astype(np.int64), labels=list(names)).to_dict() == same


def test_multilabel_batches_merge_to_one_shot():
    names, gold, pred = multilabel_data(500, seed=4)
    one = fteval.metrics(gold, pred, labels=list(names), bootstrap=200).to_dict()
    a = fteval.Evaluator("multilabel", labels=list(names)).update(gold[:123], pred[:123])
    b = fteval.Evaluator("multilabel", labels=list(names)).update(gold[123:], pred[123:])
    merged = fteval.Evaluator.from_bytes(b.to_bytes()).merge(a)
    assert merged.compute(bootstrap=200).to_dict() == one
    with pytest.raises(fteval.InputError, match="not a set of labels"):
        fteval.Evaluator("multilabel").update(["bug", "ux"], [["bug"], ["ux"]])
    with pytest.raises(fteval.InputError, match="one evaluator is multilabel"):
        fteval.Evaluator("multilabel").update([["a"]], [["a"]]).merge(fteval.Evaluator().update([0, 1], [0, 1]))
