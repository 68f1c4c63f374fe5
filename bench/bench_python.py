#!/usr/bin/env python3
"""Benchmark the Python package: `fteval.metrics` on numpy arrays vs scikit-learn, import time,
and `Evaluator.update` over many batches vs one shot.

Run with the venv that has the wheel installed (tests/python/run makes target/pyenv):
    target/pyenv/bin/python bench/bench_python.py [--rows 1000000 10000000] [--runs 3]

For each row count, on the same generated binary data (int64 labels, float64 scores):
  1. fteval.metrics(y, p, s) with intervals (bootstrap=1000) and without (bootstrap=0), best of N;
  2. scikit-learn computing the same point values (accuracy, balanced accuracy, precision, recall,
     F1, specificity from the confusion matrix, MCC, kappa, macro/weighted P/R/F1, ROC AUC, average
     precision, log loss, Brier) — no intervals, which scikit-learn does not give;
  3. the values of both compared (1e-9);
  4. peak memory in a fresh subprocess: the input arrays' bytes and the growth of peak RSS during
     the call, which shows whether the input columns were copied.
Then: `import fteval` + a first `metrics` call on 10k rows, in a fresh interpreter (best of N);
and 1000 `Evaluator.update` batches of the largest size / 1000 rows vs one call.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np

CHILD_MEMORY = r"""
import json, sys, numpy as np, fteval
n = int(sys.argv[1])
rng = np.random.default_rng(0)
y = rng.integers(0, 2, n); p = np.where(rng.random(n) < 0.8, y, 1 - y); s = rng.random(n) * 0.7 + 0.3 * y
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
# Resets the peak (VmHWM) to the current RSS, so that the peak below is the call's own.
open("/proc/self/clear_refs", "w").write("5")
before = status("VmRSS")
fteval.metrics(y, p, s, positive=1, bootstrap=1000)
print(json.dumps({"input_bytes": y.nbytes + p.nbytes + s.nbytes, "before": before, "growth": status("VmHWM") - before}))
"""

CHILD_IMPORT = r"""
import time
t0 = time.perf_counter()
import numpy as np
t1 = time.perf_counter()
import fteval
rng = np.random.default_rng(0)
y = rng.integers(0, 2, 10000); p = np.where(rng.random(10000) < 0.8, y, 1 - y); s = rng.random(10000)
t2 = time.perf_counter()
fteval.metrics(y, p, s, positive=1)
t3 = time.perf_counter()
print((t3 - t0) - (t2 - t1), t1 - t0)
"""


def data(n: int):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    p = np.where(rng.random(n) < 0.8, y, 1 - y)
    s = rng.random(n) * 0.7 + 0.3 * y
    return y, p, s


def best(f, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def sklearn_values(y, p, s) -> dict:
    from sklearn import metrics as sk

    cm = sk.confusion_matrix(y, p)
    tn, fp = cm[0]
    prf_macro = sk.precision_recall_fscore_support(y, p, average="macro", zero_division=0)
    prf_weighted = sk.precision_recall_fscore_support(y, p, average="weighted", zero_division=0)
    prf = sk.precision_recall_fscore_support(y, p, average="binary", zero_division=0)
    return {
        "accuracy": sk.accuracy_score(y, p),
        "balanced_accuracy": sk.balanced_accuracy_score(y, p),
        "precision": prf[0],
        "recall": prf[1],
        "f1": prf[2],
        "specificity": tn / (tn + fp),
        "matthews_corrcoef": sk.matthews_corrcoef(y, p),
        "cohen_kappa": sk.cohen_kappa_score(y, p),
        "precision_macro": prf_macro[0],
        "recall_macro": prf_macro[1],
        "f1_macro": prf_macro[2],
        "precision_weighted": prf_weighted[0],
        "recall_weighted": prf_weighted[1],
        "f1_weighted": prf_weighted[2],
        "roc_auc": sk.roc_auc_score(y, s),
        "average_precision": sk.average_precision_score(y, s),
        "log_loss": sk.log_loss(y, s),
        "brier_score": sk.brier_score_loss(y, s),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    import fteval

    print(f"fteval {fteval.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}")
    print(f"{'rows':>10} {'fteval CI':>10} {'fteval no-CI':>12} {'sklearn':>9} {'ratio CI':>9} {'ratio no-CI':>11} {'values':>7} {'input MB':>9} {'peak growth MB':>15}")
    for n in args.rows:
        y, p, s = data(n)
        t_ci = best(lambda: fteval.metrics(y, p, s, positive=1, bootstrap=1000), args.runs)
        t_no = best(lambda: fteval.metrics(y, p, s, positive=1, bootstrap=0), args.runs)
        t_sk = best(lambda: sklearn_values(y, p, s), args.runs)
        ours = fteval.metrics(y, p, s, positive=1, bootstrap=0)
        ref = sklearn_values(y, p, s)
        worst = max(abs(ours[k].value - v) for k, v in ref.items())
        mem = json.loads(subprocess.run([sys.executable, "-c", CHILD_MEMORY, str(n)], capture_output=True, text=True, check=True).stdout)
        print(
            f"{n:>10} {t_ci:>9.3f}s {t_no:>11.3f}s {t_sk:>8.3f}s {t_sk / t_ci:>8.2f}x {t_sk / t_no:>10.2f}x "
            f"{'ok' if worst < 1e-9 else f'{worst:.1e}':>7} {mem['input_bytes'] / 1e6:>9.0f} {mem['growth'] / 1e6:>15.0f}"
        )
    first = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", CHILD_IMPORT], capture_output=True, text=True, check=True).stdout.split()
        first.append(float(out[0]))
    print(f"import fteval + first metrics call on 10k rows (numpy import excluded): best {min(first) * 1000:.0f} ms of {args.runs}")
    n = args.rows[-1]
    y, p, s = data(n)
    step = n // 1000

    def batches():
        ev = fteval.Evaluator(task="binary", positive=1)
        for a in range(0, n, step):
            ev.update(y[a:a + step], p[a:a + step], s[a:a + step])
        return ev.compute()

    t_batches = best(batches, 1)
    t_one = best(lambda: fteval.metrics(y, p, s, task="binary", positive=1), 1)
    same = batches().to_dict() == fteval.metrics(y, p, s, task="binary", positive=1).to_dict()
    print(f"Evaluator: 1000 batches of {step} rows {t_batches:.3f}s vs one shot {t_one:.3f}s ({t_batches / t_one:.2f}x); identical results: {same}")


if __name__ == "__main__":
    main()
