#!/usr/bin/env python3
"""Benchmark `fteval compare` against a pandas + scikit-learn + statsmodels reference.

Issue target: comparing two 1M-row files with 1000 paired resamples takes under 1.5 s.

One run does everything:
  1. generates (deterministically) two prediction files of the same binary task,
     bench/data/compare_base_{n}.csv and compare_cand_{n}.csv, unless they already
     exist and match their `.meta.json` marker. The candidate's rows are shuffled,
     so the join on `id` is exercised;
  2. times `fteval compare BASE CAND --positive 1 --format json --bootstrap 1000
     --seed 0`: best wall time of N runs and peak RSS;
  3. times the Python reference in a subprocess, measured the same way: read both
     CSVs, merge on id, scikit-learn metrics and ROC AUC of both models, statsmodels'
     exact McNemar test, a fast DeLong test of the AUC difference (numpy) and a paired
     bootstrap (numpy, 1000 resamples) of the accuracy and F1 deltas;
  4. runs fteval once more (JSON captured) and checks its values against the
     reference's (1e-6 absolute or relative); the bootstrap intervals are only shown
     side by side, since the two tools draw different resamples;
  5. prints a summary table.

Usage: see bench/README.md, or `python3 bench/bench_compare.py --help`.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Same measurement method (wall clock, GNU time / wait4 peak RSS) as bench_metrics.py.
from bench_metrics import RSS_METHOD, _write_chunks, best_of, measure

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / "data"
DEFAULT_FTEVAL = REPO_DIR / "target" / "release" / "fteval"

# Bump when the generator changes so that stale files are regenerated.
GEN_VERSION = 1
SEED = 20240503
TOLERANCE = 1e-6
TARGET_SECONDS = 1.5
TARGET_ROWS = 1_000_000

POS_RATE = 0.30
ACC_BASE = 0.85
ACC_CAND = 0.87
ERROR_CORR = 0.6  # correlation of the two models' noise: they share some errors

# The values checked against fteval, as dotted paths into its JSON.
CHECKED_KEYS = (
    ["n_matched"]
    + [f"metrics.{m}.{w}" for m in ("accuracy", "precision", "recall", "f1")
       for w in ("baseline", "candidate", "delta")]
    + ["metrics.roc_auc.baseline", "metrics.roc_auc.candidate",
       "mcnemar.baseline_only_correct", "mcnemar.candidate_only_correct", "mcnemar.p_value",
       "delong.p_value"]
)
BOOTSTRAP_METRICS = ("accuracy", "f1")


# --------------------------------------------------------------------------
# Data generation
# --------------------------------------------------------------------------

def data_paths(n: int):
    base = DATA_DIR / f"compare_base_{n}.csv"
    cand = DATA_DIR / f"compare_cand_{n}.csv"
    marker = DATA_DIR / f"compare_{n}.meta.json"
    want = {"rows": n, "seed": SEED, "gen_version": GEN_VERSION}
    return base, cand, marker, want


def ensure_data(n: int) -> tuple[Path, Path]:
    """Return the (baseline, candidate) CSVs for n rows, generating them if stale or missing."""
    base, cand, marker, want = data_paths(n)
    if base.exists() and cand.exists() and marker.exists():
        meta = json.loads(marker.read_text())
        if ({k: meta.get(k) for k in want} == want and meta.get("bytes_base") == base.stat().st_size
                and meta.get("bytes_cand") == cand.stat().st_size):
            print(f"[data] {base.name}, {cand.name}: up to date ({n:,} rows), skipping generation")
            return base, cand
    # A subprocess keeps numpy/pyarrow memory out of this (measuring) process.
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--_generate", str(n)], check=True)
    return base, cand


def _fixed5(units):
    """int array in [1, 99999] (hundred-thousandths) -> arrow strings "0.ddddd"."""
    import pyarrow as pa
    import pyarrow.compute as pc

    s = pc.cast(pa.array(units.astype("int64") + 100_000), pa.string())  # "1ddddd"
    return pc.utf8_replace_slice(s, start=0, stop=1, replacement="0.")


def _ids(n: int):
    """"ex0000000", "ex0000001", ... (at least 7 digits)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    width = max(7, len(str(n - 1)))
    digits = pc.utf8_lpad(pc.cast(pa.array(np.arange(n)), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise("ex", digits, "")


def generate_data(n: int) -> None:
    """Two models of one binary task (threshold 0 on a noisy latent score each).

    Model m's score is z = a_m * (+1 if positive else -1) + e_m with e ~ N(0, 1), so it is right
    with probability Phi(a_m) whatever the class; the two noises have correlation ERROR_CORR.
    pred = z > 0 and prob = sigmoid(2 a_m z) (the posterior at even odds), rounded to 5 decimals
    and kept on pred's side of 0.5, so prob >= 0.5 exactly when pred == 1.
    """
    from statistics import NormalDist

    import numpy as np
    import pyarrow as pa

    base_path, cand_path, marker, want = data_paths(n)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    print(f"[data] generating {base_path.name}, {cand_path.name} ({n:,} rows) ...", flush=True)

    rng = np.random.default_rng(SEED)
    y = (rng.random(n) < POS_RATE).astype(np.int64)
    sign = 2.0 * y - 1.0
    e = rng.standard_normal((2, n))
    noise = {"base": e[0], "cand": ERROR_CORR * e[0] + np.sqrt(1 - ERROR_CORR**2) * e[1]}
    acc = {"base": ACC_BASE, "cand": ACC_CAND}
    ids = _ids(n)
    tables = {}
    for m in ("base", "cand"):
        a = NormalDist().inv_cdf(acc[m])
        z = a * sign + noise[m]
        pred = (z > 0).astype(np.int64)
        units = np.clip(np.rint(1e5 / (1.0 + np.exp(-2.0 * a * z))).astype(np.int64), 1, 99_999)
        units = np.where(pred == 1, np.maximum(units, 50_000), np.minimum(units, 49_999))
        tables[m] = pa.table({"id": ids, "label": pa.array(y), "pred": pa.array(pred), "prob": _fixed5(units)})
    # The candidate's rows in another order: the comparison has to join on id.
    tables["cand"] = tables["cand"].take(pa.array(rng.permutation(n)))

    header = ["id", "label", "pred", "prob"]
    _write_chunks(base_path, header, [tables["base"]])
    _write_chunks(cand_path, header, [tables["cand"]])
    marker.write_text(json.dumps({**want, "bytes_base": base_path.stat().st_size,
                                  "bytes_cand": cand_path.stat().st_size}) + "\n")
    mb = (base_path.stat().st_size + cand_path.stat().st_size) / 1e6
    print(f"[data] {base_path.name} + {cand_path.name}: {mb:.0f} MB in {time.perf_counter() - t0:.1f}s")


# --------------------------------------------------------------------------
# The Python reference (runs in its own process: `--_worker BASE CAND OUT`)
# --------------------------------------------------------------------------

def _delong_paired(y, score_base, score_cand):
    """Fast DeLong test of AUC(cand) - AUC(base) on the same rows (Sun & Xu 2014).

    Returns (auc_base, auc_cand, two-sided p-value).
    """
    import numpy as np
    from scipy.stats import norm, rankdata

    pos = y == 1
    m, n = int(pos.sum()), int((~pos).sum())
    aucs, v10s, v01s = [], [], []
    for s in (score_base, score_cand):
        x, z = s[pos], s[~pos]
        tx = rankdata(x)                      # midranks among positives
        tz = rankdata(z)                      # midranks among negatives
        txz = rankdata(np.concatenate([x, z]))  # midranks among all rows
        aucs.append((txz[:m].sum() - m * (m + 1) / 2) / (m * n))
        v10s.append((txz[:m] - tx) / n)       # structural component of each positive
        v01s.append(1.0 - (txz[m:] - tz) / m)  # ... and of each negative
    s10 = np.cov(np.vstack(v10s))  # 2x2, ddof=1
    s01 = np.cov(np.vstack(v01s))
    contrast = np.array([-1.0, 1.0])
    var = contrast @ (s10 / m + s01 / n) @ contrast
    diff = aucs[1] - aucs[0]
    if var > 0:
        p = 2.0 * norm.sf(abs(diff) / np.sqrt(var))
    else:
        p = 1.0 if diff == 0 else 0.0
    return aucs[0], aucs[1], float(p)


def _paired_bootstrap(y, pred_base, pred_cand, resamples: int, seed: int, level: float = 0.95):
    """Percentile intervals of the accuracy and F1 deltas (cand - base) over paired resamples.

    Each resample draws row indices with rng.integers and counts the 8 joint
    (gold, base pred, cand pred) cells with one bincount; the metrics follow from those counts.
    """
    import numpy as np

    n = len(y)
    cell = (4 * y + 2 * pred_base + pred_cand).astype(np.intp)
    rng = np.random.default_rng(seed)
    counts = np.empty((resamples, 8), dtype=np.int64)
    for r in range(resamples):
        counts[r] = np.bincount(cell[rng.integers(0, n, size=n)], minlength=8)
    c = counts.T.astype(np.float64)  # c[4*gold + 2*base + cand]
    cm = {  # (tp, fp, fn) of each model
        "base": (c[6] + c[7], c[2] + c[3], c[4] + c[5]),
        "cand": (c[5] + c[7], c[1] + c[3], c[4] + c[6]),
    }
    tn = {"base": c[0] + c[1], "cand": c[0] + c[2]}
    stats = {}
    for m, (tp, fp, fn) in cm.items():
        denom = 2 * tp + fp + fn
        stats[m] = {"accuracy": (tp + tn[m]) / n,
                    "f1": np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)}
    alpha = (1 - level) / 2
    return {k: [float(q) for q in np.quantile(stats["cand"][k] - stats["base"][k], [alpha, 1 - alpha])]
            for k in BOOTSTRAP_METRICS}


def reference_worker(base_path: str, cand_path: str, out: str, engine: str, resamples: int) -> None:
    t = [time.perf_counter()]
    import numpy as np
    import pandas as pd
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support, roc_auc_score
    from statsmodels.stats.contingency_tables import mcnemar
    t.append(time.perf_counter())

    base = pd.read_csv(base_path, engine=engine)
    cand = pd.read_csv(cand_path, engine=engine)
    t.append(time.perf_counter())

    df = base.merge(cand, on="id", how="inner", suffixes=("_b", "_c"), validate="one_to_one")
    if not (df["label_b"] == df["label_c"]).all():
        raise SystemExit("reference: the two files disagree on gold labels")
    y = df["label_b"].to_numpy()
    pb, pc = df["pred_b"].to_numpy(), df["pred_c"].to_numpy()
    t.append(time.perf_counter())

    values = {"n_matched": len(df)}
    for name, pred, prob in (("baseline", pb, df["prob_b"].to_numpy()), ("candidate", pc, df["prob_c"].to_numpy())):
        p, r, f, _ = precision_recall_fscore_support(y, pred, pos_label=1, average="binary", zero_division=0)
        values[f"metrics.accuracy.{name}"] = accuracy_score(y, pred)
        values[f"metrics.precision.{name}"] = p
        values[f"metrics.recall.{name}"] = r
        values[f"metrics.f1.{name}"] = f
        values[f"metrics.roc_auc.{name}"] = roc_auc_score(y, prob)
    for m in ("accuracy", "precision", "recall", "f1"):
        values[f"metrics.{m}.delta"] = values[f"metrics.{m}.candidate"] - values[f"metrics.{m}.baseline"]
    t.append(time.perf_counter())

    ok_b, ok_c = pb == y, pc == y
    table = [[int(np.sum(ok_b & ok_c)), int(np.sum(ok_b & ~ok_c))],
             [int(np.sum(~ok_b & ok_c)), int(np.sum(~ok_b & ~ok_c))]]
    values["mcnemar.baseline_only_correct"] = table[0][1]
    values["mcnemar.candidate_only_correct"] = table[1][0]
    values["mcnemar.p_value"] = mcnemar(table, exact=True).pvalue
    t.append(time.perf_counter())

    _, _, values["delong.p_value"] = _delong_paired(y, df["prob_b"].to_numpy(), df["prob_c"].to_numpy())
    t.append(time.perf_counter())

    ci = _paired_bootstrap(y, pb, pc, resamples, seed=0)
    t.append(time.perf_counter())

    steps = ["import", "read_csv", "merge", "sklearn", "mcnemar", "delong", "bootstrap"]
    Path(out).write_text(json.dumps({
        "values": {k: (int(v) if isinstance(v, (int, np.integer)) else float(v)) for k, v in values.items()},
        "bootstrap_ci": ci,
        "timing": {s: t[i + 1] - t[i] for i, s in enumerate(steps)},
    }))


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def fteval_cmd(fteval: str, base: Path, cand: Path, resamples: int, extra: list[str]) -> list[str]:
    return [fteval, "compare", str(base), str(cand), "--positive", "1", "--format", "json",
            "--bootstrap", str(resamples), "--seed", "0", *extra]


def fteval_document(cmd: list[str]) -> dict:
    """One untimed fteval run with stdout captured; returns its parsed JSON."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"fteval exited with {proc.returncode}:\n  $ {shlex.join(cmd)}\n"
                               f"{proc.stderr.decode(errors='replace')[-2000:]}")
        out.seek(0)
        try:
            return json.loads(out.read())
        except ValueError as e:
            raise RuntimeError(f"could not parse fteval's JSON output ({e}):\n  $ {shlex.join(cmd)}")


def lookup(doc: dict | None, dotted: str):
    """doc["a"]["b"]... for "a.b..."; None when any part is absent."""
    node = doc
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _fmt(v) -> str:
    if isinstance(v, int):
        return f"{v:,}"
    return f"{v:.10f}" if v == 0 or 1e-4 <= abs(v) < 1e6 else f"{v:.6e}"


def check_values(ref: dict, doc: dict | None) -> int:
    """Print the reference's values next to fteval's; return the number of mismatches."""
    print(f"\n  values (|diff| <= {TOLERANCE:g} absolute or relative)")
    print(f"    {'key':<34}{'python':>20}{'fteval':>20}{'|diff|':>10}")
    bad = 0
    for key in CHECKED_KEYS:
        v = ref["values"][key]
        f = None if doc is None else lookup(doc, key)
        if not _is_number(f):
            fs, ds, flag = ("-" if doc is None else "missing"), "", ""
            bad += doc is not None
        else:
            d = abs(f - v)
            ok = d <= TOLERANCE or d <= TOLERANCE * max(abs(f), abs(v))
            fs, ds, flag = _fmt(f), f"{d:.1e}", ("" if ok else "  <-- MISMATCH")
            bad += not ok
        print(f"    {key:<34}{_fmt(v):>20}{fs:>20}{ds:>10}{flag}")

    print("\n  paired bootstrap 95% CI of the delta (random: close, not equal)")
    print(f"    {'metric':<12}{'python':>26}{'fteval':>26}")
    for m in BOOTSTRAP_METRICS:
        lo, hi = ref["bootstrap_ci"][m]
        flo, fhi = lookup(doc, f"metrics.{m}.ci_low"), lookup(doc, f"metrics.{m}.ci_high")
        if doc is None:
            fs = "-"
        elif _is_number(flo) and _is_number(fhi):
            fs = f"[{flo:+.5f}, {fhi:+.5f}]"
        else:
            fs = "missing"
        print(f"    {m:<12}{f'[{lo:+.5f}, {hi:+.5f}]':>26}{fs:>26}")
    return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=TARGET_ROWS, help="rows per file (default 1000000)")
    ap.add_argument("--fteval", default=os.environ.get("FTEVAL", str(DEFAULT_FTEVAL)),
                    help="path to the fteval binary (env FTEVAL; default target/release/fteval)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per tool (best is kept)")
    ap.add_argument("--bootstrap", type=int, default=1000, help="paired resamples, both tools (default 1000)")
    ap.add_argument("--skip-fteval", "--python-only", dest="skip_fteval", action="store_true",
                    help="only generate data and time the Python reference")
    ap.add_argument("--pandas-engine", default="c", choices=["c", "pyarrow", "python"],
                    help="pandas.read_csv engine for the reference (default: c)")
    ap.add_argument("--fteval-arg", action="append", default=[], metavar="ARG",
                    help="extra argument passed to fteval compare (repeatable)")
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    ap.add_argument("--_worker", nargs=3, metavar=("BASE", "CAND", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--_generate", metavar="ROWS", help=argparse.SUPPRESS)
    args = ap.parse_args()

    # Internal subprocess entry points.
    if args._worker:
        reference_worker(*args._worker, engine=args.pandas_engine, resamples=args.bootstrap)
        return 0
    if args._generate:
        generate_data(int(args._generate))
        return 0

    fteval = None
    if not args.skip_fteval:
        fteval = str(Path(args.fteval).resolve())
        if not (os.path.isfile(fteval) and os.access(fteval, os.X_OK)):
            print(f"error: fteval binary not found (or not executable) at {fteval}\n"
                  f"  build it with `cargo build --release -p fteval`, point --fteval / FTEVAL at it,\n"
                  f"  or run with --skip-fteval to time the Python reference alone.", file=sys.stderr)
            return 2

    base, cand = ensure_data(args.rows)
    row = {"rows": args.rows}
    failures = 0

    doc = None
    if fteval:
        print(f"\n== fteval compare ({args.rows:,} rows, {args.bootstrap} resamples) ==", flush=True)
        cmd = fteval_cmd(fteval, base, cand, args.bootstrap, args.fteval_arg)
        try:
            # exit code 1 means "ran, a gate failed" -- still a valid timing.
            row["fteval"] = best_of(cmd, args.runs, "fteval", ok_codes=(0, 1))
            doc = fteval_document(cmd)
            row["fteval_json"] = doc
        except RuntimeError as e:
            print(f"  warning: {e}", file=sys.stderr)
            failures += 1

    print(f"\n== Python reference ({args.rows:,} rows, {args.bootstrap} resamples) ==", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ref.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--_worker", str(base), str(cand), str(out),
               "--pandas-engine", args.pandas_engine, "--bootstrap", str(args.bootstrap)]
        row["python"] = best_of(cmd, args.runs, "python")
        ref = json.loads(out.read_text())  # from the last run (values are identical)
    row["python_values"], row["python_bootstrap_ci"] = ref["values"], ref["bootstrap_ci"]
    print("  python breakdown (last run): "
          + ", ".join(f"{k} {v:.2f}s" for k, v in ref["timing"].items()))

    failures += check_values(ref, doc if fteval else None)

    # Summary table.
    print()
    head = f"{'rows':>12}{'fteval s':>10}{'fteval MB':>11}{'python s':>10}{'python MB':>11}{'py/ft':>8}"
    print(head + "\n" + "-" * len(head))
    ft, py = row.get("fteval"), row["python"]
    fts, ftm, ratio = ((f"{ft['seconds']:.2f}", f"{ft['peak_mb']:.0f}", f"{py['seconds'] / ft['seconds']:.1f}x")
                       if ft else ("-", "-", "-"))
    print(f"{args.rows:>12,}{fts:>10}{ftm:>11}{py['seconds']:>10.2f}{py['peak_mb']:>11.0f}{ratio:>8}")
    print(f"\n(best wall time of {args.runs} runs; peak RSS ({RSS_METHOD}) = max over runs; "
          f"both sides include the {args.bootstrap}-resample paired bootstrap; {os.cpu_count()} CPUs)")
    if ft:
        met = "met" if ft["seconds"] < TARGET_SECONDS else "NOT met"
        note = "" if args.rows == TARGET_ROWS else f" (the target is for {TARGET_ROWS:,} rows)"
        print(f"target < {TARGET_SECONDS} s: {met}{note}")
    else:
        print(f"target < {TARGET_SECONDS} s: not measured")

    if args.json:
        Path(args.json).write_text(json.dumps(row, indent=2) + "\n")
    if failures:
        print(f"\n{failures} problem(s): values that differ from the reference by more than {TOLERANCE:g}, "
              f"are missing, or a failed fteval run", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
