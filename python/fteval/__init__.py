"""fteval: did the fine-tune learn better than before, and can we trust that?

Metrics equal to their references (scikit-learn, seqeval, sacreBLEU, rouge-score), each with a
confidence interval, and the checks of the ``fteval`` command line — from Python arrays, with
mergeable states for evaluating batch by batch or across processes::

    import fteval
    r = fteval.metrics(y_true, y_pred, y_score)
    r["f1"].value, r["f1"].ci_low, r["f1"].ci_high

    ev = fteval.Evaluator(task="binary", positive="1")
    for batch in batches:
        ev.update(batch.labels, batch.preds, batch.scores)
    ev.compute()          # the same numbers as one call on all the rows
"""

from __future__ import annotations

import json
import os
from typing import Any, Iterator, NamedTuple, Optional, Sequence

import numpy as np

from fteval._fteval import Evaluator as _State
from fteval._fteval import InputError, Report, __version__

__all__ = ["metrics", "Evaluator", "MetricsResult", "Metric", "InputError", "__version__"]


class Metric(NamedTuple):
    """One metric: its value and confidence interval (None where undefined), and why not."""

    value: Optional[float]
    ci_low: Optional[float]
    ci_high: Optional[float]
    ci_method: Optional[str] = None
    reason: Optional[str] = None
    unreliable: Optional[str] = None


class MetricsResult:
    """What ``fteval metrics`` reports for one model: ``result["f1"]``, ``.checks``, ``.to_dict()``
    (the JSON document of SPEC.md), ``.to_pandas()``, ``.save(path)``; a notebook shows the HTML report."""

    def __init__(self, report: Report) -> None:
        self._report = report
        self._doc: dict[str, Any] = json.loads(report.json())

    def __getitem__(self, key: str) -> Metric:
        try:
            m = self._doc["metrics"][key]
        except KeyError:
            raise KeyError(f"no metric '{key}'; the metrics are: {', '.join(self._doc['metrics'])}") from None
        return Metric(m["value"], m["ci_low"], m["ci_high"], m.get("ci_method"), m.get("reason"), m.get("unreliable"))

    def __contains__(self, key: object) -> bool:
        return key in self._doc["metrics"]

    def __iter__(self) -> Iterator[str]:
        return iter(self._doc["metrics"])

    def keys(self) -> list[str]:
        return list(self._doc["metrics"])

    @property
    def checks(self) -> list[dict[str, Any]]:
        """The checks (id, severity, message), most severe first."""
        return list(self._doc["checks"])

    @property
    def verdict(self) -> None:
        """``metrics`` judges one model and has no verdict; ``compare`` and ``check`` do."""
        return None

    def to_dict(self) -> dict[str, Any]:
        """The JSON document, as ``fteval metrics --format json`` writes it."""
        return json.loads(self._report.json())

    def to_json(self) -> str:
        return self._report.json()

    def to_pandas(self) -> Any:
        """A tidy table: one row per metric with value, ci_low, ci_high and ci_method (needs pandas)."""
        import pandas as pd  # type: ignore[import-untyped]

        rows = [
            {"metric": k, "value": m["value"], "ci_low": m["ci_low"], "ci_high": m["ci_high"], "ci_method": m.get("ci_method")}
            for k, m in self._doc["metrics"].items()
        ]
        return pd.DataFrame(rows, columns=["metric", "value", "ci_low", "ci_high", "ci_method"])

    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes the report in the format its extension names: .json, .html, .md or .txt."""
        ext = os.path.splitext(os.fspath(path))[1].lower()
        render = {".json": self._report.json, ".html": self._report.html, ".htm": self._report.html,
                  ".md": self._report.markdown, ".txt": self._report.text}.get(ext)
        if render is None:
            raise InputError(f"{os.fspath(path)}: no report format for '{ext}'\n  hint: name the file .json, .html, .md or .txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(render())

    def _repr_html_(self) -> str:
        return self._report.html()

    def __repr__(self) -> str:
        return self._report.text()


def _column(x: Any) -> Any:
    """A label column as numpy (read in place where numpy allows) or a plain sequence."""
    if isinstance(x, np.ndarray):
        a = x
    elif hasattr(x, "to_numpy"):  # pandas / polars Series, pyarrow arrays
        try:
            a = x.to_numpy(zero_copy_only=False)
        except TypeError:
            a = x.to_numpy()
    elif isinstance(x, (list, tuple)):
        return x
    elif hasattr(x, "__array__") or hasattr(x, "__arrow_c_array__"):
        a = np.asarray(x)
    else:
        return list(x)
    if a.ndim != 1:
        raise InputError(f"labels: expected one label per row, got an array of shape {a.shape}\n  hint: pass a 1-D array")
    if a.dtype.kind in "iu" and a.dtype not in (np.int64, np.int32, np.uint8):
        a = a.astype(np.int64)
    elif a.dtype == np.float32 or a.dtype == np.float16:
        a = a.astype(np.float64)
    return a


def _scores(x: Any) -> Optional[np.ndarray]:
    """Scores as a C-contiguous float64 array: numpy float64 input is read in place."""
    if x is None:
        return None
    if hasattr(x, "to_numpy") and not isinstance(x, np.ndarray):
        x = x.to_numpy()
    try:
        a = np.ascontiguousarray(np.asarray(x, dtype=np.float64))
    except (TypeError, ValueError) as e:
        raise InputError(f"y_score: not numbers ({e})\n  hint: pass the model's scores or probabilities as floats") from None
    if a.ndim not in (1, 2):
        raise InputError(f"y_score: expected one score per row or rows × classes, got shape {a.shape}\n  hint: pass a 1-D or 2-D array")
    return a


class Evaluator:
    """Sufficient statistics of a binary or multiclass evaluation, updated batch by batch.

    ``update`` adds a batch; ``merge`` adds another evaluator's rows (from another process, via
    ``to_bytes``/``from_bytes``); ``compute`` gives exactly what one ``metrics`` call on all the
    rows gives — values, intervals and checks — whatever the batching and merge order.
    """

    def __init__(self, task: Optional[str] = None, *, positive: Any = None, labels: Optional[Sequence[Any]] = None) -> None:
        if task not in (None, "auto", "binary", "multiclass", "multilabel"):
            raise InputError(
                f"task '{task}': Evaluator evaluates binary, multiclass and multilabel classification\n"
                "  hint: use task='binary', 'multiclass' or 'multilabel' (NER and generation states are not in the Python package yet)"
            )
        self._multilabel = task == "multilabel"
        self._state = _State(task, None if positive is None else str(positive), None if labels is None else [_label(l) for l in labels])

    @classmethod
    def _of(cls, state: _State) -> "Evaluator":
        ev = cls.__new__(cls)
        ev._state = state
        ev._multilabel = repr(state).startswith("Evaluator(task=multilabel")
        return ev

    def update(self, y_true: Any, y_pred: Any = None, y_score: Any = None) -> "Evaluator":
        """Adds a batch of gold labels with predicted labels and/or scores (multilabel: label sets,
        as lists of labels per example or a 0/1 indicator matrix whose columns are ``labels``)."""
        if self._multilabel:
            self._state.update(_sets(y_true), None if y_pred is None else _sets(y_pred), y_score)
            return self
        self._state.update(_column(y_true), None if y_pred is None else _column(y_pred), _scores(y_score))
        return self

    def merge(self, other: "Evaluator") -> "Evaluator":
        """Adds the rows of ``other`` (made with the same task and positive label)."""
        self._state.merge(other._state)
        return self

    def compute(self, *, ci: float = 0.95, bootstrap: int = 1000, seed: int = 0) -> MetricsResult:
        """Every metric with its interval and the checks, on all rows added so far."""
        return MetricsResult(self._state.compute(ci, bootstrap, seed))

    def to_bytes(self) -> bytes:
        """The state in fteval's versioned byte format (docs/states.md)."""
        return self._state.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Evaluator":
        """An evaluator from ``to_bytes`` output (of this fteval version)."""
        return cls._of(_State.from_bytes(bytes(data)))

    @property
    def rows(self) -> int:
        return self._state.rows

    def __repr__(self) -> str:
        return repr(self._state)


def _sets(x: Any) -> Any:
    """A multilabel column: a 2-D indicator array as int64/bool numpy, or a sequence of label lists."""
    if hasattr(x, "to_numpy") and getattr(x, "ndim", 1) == 2:  # a DataFrame of indicators
        x = x.to_numpy()
    if isinstance(x, np.ndarray) and x.ndim == 2:
        return x if x.dtype in (np.bool_, np.int64) else x.astype(np.int64)
    if hasattr(x, "to_list"):
        return x.to_list()
    if hasattr(x, "tolist"):
        return x.tolist()
    return x


def _looks_multilabel(y: Any) -> bool:
    """Label sets rather than labels: a 2-D array, or rows that are lists, tuples or sets."""
    if getattr(y, "ndim", 1) == 2:
        return True
    try:
        first = next(iter(y))
    except (StopIteration, TypeError):
        return False
    return isinstance(first, (list, tuple, set, frozenset, np.ndarray))


def _label(x: Any) -> str:
    if isinstance(x, (bool, np.bool_)):
        return "true" if x else "false"
    return str(x)


def metrics(
    y_true: Any,
    y_pred: Any = None,
    y_score: Any = None,
    *,
    labels: Optional[Sequence[Any]] = None,
    positive: Any = None,
    task: Optional[str] = None,
    ci: float = 0.95,
    bootstrap: int = 1000,
    seed: int = 0,
) -> MetricsResult:
    """Every metric of one model on one test set with its confidence interval, as ``fteval metrics``.

    y_true, y_pred: labels (numpy, pandas, polars, pyarrow, lists; strings, integers, booleans).
    Multilabel (task="multilabel", or y_true holding label lists or a 0/1 matrix): label sets per example.
    y_score: the positive class's score per row, or rows × classes in the order of ``labels``
    (default: the sorted labels). Without y_pred, predictions are the arg-max (or score ≥ 0.5).
    """
    if task is None and _looks_multilabel(y_true):
        task = "multilabel"
    return Evaluator(task, positive=positive, labels=labels).update(y_true, y_pred, y_score).compute(ci=ci, bootstrap=bootstrap, seed=seed)
