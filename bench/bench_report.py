#!/usr/bin/env python3
"""Benchmark the HTML report: `fteval compare --format html` and `fteval check` on 1M rows.

Issue 7 asks that the HTML report aggregates (no row dumps) and stays under 2 MB for a 1M-row
input. One run:
  1. reuses (or generates) bench_compare.py's two 1M-row binary prediction files with scores;
  2. times `fteval compare BASE CAND --format html` (1000 paired resamples, every metric, both
     models' confusion matrices, ROC, precision-recall and reliability curves) and reports the
     file size;
  3. times `fteval check` on a config naming the same files, with the candidate's file also
     given as training predictions (train–test gap), written as HTML;
  4. times the Python reference computing the same plot data for both models, without any
     interval: pandas read + scikit-learn confusion_matrix, roc_curve, precision_recall_curve,
     calibration_curve (10 uniform bins) and roc_auc_score;
  5. checks the plot data: each ROC point fteval keeps lies on scikit-learn's full curve, and
     the reliability bins equal calibration_curve's (1e-9).

Usage: python3 bench/bench_report.py [--rows N] [--runs K] [--fteval PATH]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_compare import ensure_data
from bench_metrics import best_of

REPO_DIR = Path(__file__).resolve().parent.parent
DEFAULT_FTEVAL = REPO_DIR / "target" / "release" / "fteval"
SIZE_LIMIT = 2 * 1024 * 1024

REFERENCE = r"""
import sys, time
import numpy as np, pandas as pd
from sklearn.metrics import confusion_matrix, roc_curve, precision_recall_curve, roc_auc_score
from sklearn.calibration import calibration_curve
t0 = time.perf_counter()
out = {}
for name, path in (("baseline", sys.argv[1]), ("candidate", sys.argv[2])):
    df = pd.read_csv(path)
    y, p, s = df["label"].to_numpy(), df["pred"].to_numpy(), df["prob"].to_numpy()
    cm = confusion_matrix(y, p)
    fpr, tpr, _ = roc_curve(y, s, drop_intermediate=False)
    prec, rec, _ = precision_recall_curve(y, s)
    frac, mean = calibration_curve(y, s, n_bins=10, strategy="uniform")
    out[name] = dict(cm=cm.tolist(), auc=roc_auc_score(y, s), fpr=fpr.tolist(), tpr=tpr.tolist(),
                     frac=frac.tolist(), mean=mean.tolist())
out["seconds"] = time.perf_counter() - t0
import json; json.dump(out, open(sys.argv[3], "w"))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--fteval", default=str(DEFAULT_FTEVAL))
    args = ap.parse_args()
    base, cand = ensure_data(args.rows)
    tmp = Path(tempfile.mkdtemp(prefix="fteval-report-bench-"))
    html = tmp / "compare.html"
    cmp_cmd = [args.fteval, "compare", str(base), str(cand), "--positive", "1", "--format", "html",
               "--output", str(html), "--bootstrap", "1000"]
    t_cmp = best_of(cmp_cmd, args.runs, "fteval compare --format html", ok_codes=(0, 1))
    config = tmp / "fteval.toml"
    config.write_text(
        f'positive = "1"\n[files]\nbaseline = "{base}"\ncandidate = "{cand}"\ntrain_predictions = "{cand}"\n'
    )
    check_html = tmp / "check.html"
    chk_cmd = [args.fteval, "check", str(config), "--format", "html", "--output", str(check_html)]
    t_chk = best_of(chk_cmd, args.runs, "fteval check --format html", ok_codes=(0, 1))

    ref_out = tmp / "ref.json"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", REFERENCE, str(base), str(cand), str(ref_out)], check=True)
    t_ref = time.perf_counter() - t0
    ref = json.loads(ref_out.read_text())

    doc = json.loads(subprocess.run(
        [args.fteval, "compare", str(base), str(cand), "--positive", "1", "--format", "json", "--bootstrap", "0"],
        capture_output=True, text=True).stdout)
    bad = 0
    for who in ("baseline", "candidate"):
        plots = doc["plots"][who]
        r = ref[who]
        if plots["confusion_matrix"]["matrix"] != r["cm"]:
            print(f"  MISMATCH {who} confusion matrix"); bad += 1
        full = set(zip((round(x, 12) for x in r["fpr"]), (round(y, 12) for y in r["tpr"])))
        off = [pt for pt in plots["score_curves"]["roc"] if (round(pt[0], 12), round(pt[1], 12)) not in full]
        if off:
            print(f"  MISMATCH {who}: {len(off)} ROC points not on scikit-learn's curve, e.g. {off[:2]}"); bad += 1
        bins = plots["score_curves"]["calibration"]
        got = [(b["observed"], b["mean_predicted"]) for b in bins]
        want = list(zip(r["frac"], r["mean"]))
        if len(got) != len(want) or any(abs(a - c) > 1e-9 or abs(b - d) > 1e-9 for (a, b), (c, d) in zip(got, want)):
            print(f"  MISMATCH {who} reliability bins: {got} vs {want}"); bad += 1
        print(f"  {who}: {len(plots['score_curves']['roc'])} ROC points kept of {len(r['fpr'])}; "
              f"{len(bins)} reliability bins")

    size_cmp, size_chk = html.stat().st_size, check_html.stat().st_size
    print()
    print(f"rows per model                       {args.rows:>12,}")
    print(f"fteval compare --format html         {t_cmp['seconds']:>9.2f} s  {t_cmp['peak_mb']:>6.0f} MB   report {size_cmp / 1024:.0f} KB")
    print(f"fteval check --format html           {t_chk['seconds']:>9.2f} s  {t_chk['peak_mb']:>6.0f} MB   report {size_chk / 1024:.0f} KB")
    print(f"pandas + scikit-learn plot data      {t_ref:>9.2f} s  (no intervals, no comparison; {ref['seconds']:.2f} s inside Python)")
    print(f"ratio (reference / fteval compare)   {t_ref / t_cmp['seconds']:>9.1f}x")
    print(f"plot data equal to scikit-learn      {'yes' if bad == 0 else f'NO ({bad} mismatches)'}")
    over = [n for n, s in (("compare", size_cmp), ("check", size_chk)) if s >= SIZE_LIMIT]
    print(f"HTML under 2 MB                      {'yes' if not over else 'NO: ' + ', '.join(over)}")
    return 1 if bad or over else 0


if __name__ == "__main__":
    sys.exit(main())
