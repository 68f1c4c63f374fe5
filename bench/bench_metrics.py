#!/usr/bin/env python3
"""Benchmark `fteval metrics` against a pandas + scikit-learn reference.

One run does everything:
  1. generates (deterministically) the benchmark CSVs into bench/data/, unless
     they already exist and match their `.meta.json` marker;
  2. times `fteval metrics FILE --format json --output /dev/null` (default
     settings, i.e. 1000 bootstrap resamples): best wall time of N runs and
     peak RSS;
  3. times the Python reference (pandas.read_csv + scikit-learn, no confidence
     intervals) in a subprocess, measured the same way;
  4. runs fteval once more (JSON to a temp file) and compares its point values
     with scikit-learn's, flagging any difference > 1e-6;
  5. prints a summary table.

Peak RSS is the max resident set size of the measured process: from GNU
`/usr/bin/time -f %M` when present, else from os.wait4()'s per-child rusage.
The driver itself stays lean (data generation and the reference run in
subprocesses) because Linux counts the parent's RSS at fork time into the
child's ru_maxrss.

Usage: see bench/README.md, or `python3 bench/bench_metrics.py --help`.
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

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / "data"
DEFAULT_FTEVAL = REPO_DIR / "target" / "release" / "fteval"

# Bump when the generators change so that stale files are regenerated.
GEN_VERSION = 1
CHUNK_ROWS = 1_000_000
TOLERANCE = 1e-6

MC_CLASSES = ["c0", "c1", "c2", "c3", "c4"]
MC_PREVALENCE = [0.40, 0.25, 0.15, 0.12, 0.08]
MC_SIGNAL = 1.75  # separation of the true class; gives ~75% accuracy
BIN_POS_RATE = 0.10
BIN_SIGNAL = 2.0  # gives ROC AUC ~0.92


# --------------------------------------------------------------------------
# Data generation
# --------------------------------------------------------------------------

def _fixed6(micro):
    """int array in [0, 999999] (millionths) -> arrow strings "0.dddddd"."""
    import pyarrow as pa
    import pyarrow.compute as pc

    s = pc.cast(pa.array(micro.astype("int64") + 1_000_000), pa.string())  # "1dddddd"
    return pc.utf8_replace_slice(s, start=0, stop=1, replacement="0.")


def _write_chunks(path: Path, header: list[str], chunks) -> None:
    """Write an iterable of pyarrow tables as CSV without quoting (fast, C++)."""
    import pyarrow.csv as pcsv

    opts = pcsv.WriteOptions(include_header=False, quoting_style="none")
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as f:
        f.write((",".join(header) + "\n").encode())
        for table in chunks:
            pcsv.write_csv(table, f, opts)
    tmp.replace(path)


def _mc_chunks(n: int, seed: int):
    """Multiclass rows: calibrated softmax of noisy, informative logits."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    k = len(MC_CLASSES)
    names = np.array(MC_CLASSES)
    log_prior = np.log(MC_PREVALENCE)
    for start in range(0, n, CHUNK_ROWS):
        m = min(CHUNK_ROWS, n - start)
        rows = np.arange(m)
        y = rng.choice(k, size=m, p=MC_PREVALENCE)
        x = rng.normal(size=(m, k))
        x[rows, y] += MC_SIGNAL
        logits = MC_SIGNAL * x + log_prior  # Bayes posterior logits -> calibrated
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        # Round to millionths (at least 1e-6 so log loss stays finite) and push the
        # rounding residue into the largest entry: each row sums to exactly 1.
        micro = np.maximum(np.rint(p * 1e6).astype(np.int64), 1)
        top = micro.argmax(axis=1)
        micro[rows, top] += 1_000_000 - micro.sum(axis=1)
        pred = micro.argmax(axis=1)
        cols = {
            "id": pa.array(np.arange(start, start + m)),
            "label": pa.array(names[y]),
            "pred": pa.array(names[pred]),
        }
        for j, c in enumerate(MC_CLASSES):
            cols[f"prob_{c}"] = _fixed6(micro[:, j])
        yield pa.table(cols)


def _bin_chunks(n: int, seed: int):
    """Binary rows: calibrated probability from a noisy score."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    prior_logit = np.log(BIN_POS_RATE / (1 - BIN_POS_RATE))
    for start in range(0, n, CHUNK_ROWS):
        m = min(CHUNK_ROWS, n - start)
        y = (rng.random(m) < BIN_POS_RATE).astype(np.int64)
        x = rng.normal(size=m) + BIN_SIGNAL * y
        logit = prior_logit + BIN_SIGNAL * x - BIN_SIGNAL**2 / 2
        prob = 1.0 / (1.0 + np.exp(-logit))
        micro = np.clip(np.rint(prob * 1e6).astype(np.int64), 1, 999_999)
        yield pa.table({
            "id": pa.array(np.arange(start, start + m)),
            "label": pa.array(y),
            "pred": pa.array((micro >= 500_000).astype(np.int64)),  # prob >= 0.5
            "prob": _fixed6(micro),
        })


def _human(n: int) -> str:
    return f"{n // 1_000_000}m" if n % 1_000_000 == 0 else f"{n // 1000}k"


def _dataset_paths(kind: str, n: int):
    path = DATA_DIR / f"{kind}_{_human(n)}.csv"
    want = {"rows": n, "seed": {"mc": 20240501, "bin": 20240502}[kind], "gen_version": GEN_VERSION}
    return path, path.with_suffix(".meta.json"), want


def ensure_dataset(kind: str, n: int) -> Path:
    """Return bench/data/<kind>_<n>.csv, generating it (in a subprocess) if stale or missing."""
    path, marker, want = _dataset_paths(kind, n)
    if path.exists() and marker.exists():
        meta = json.loads(marker.read_text())
        if {k: meta.get(k) for k in want} == want and meta.get("bytes") == path.stat().st_size:
            print(f"[data] {path.name}: up to date ({n:,} rows), skipping generation")
            return path
    # A subprocess keeps numpy/pyarrow memory out of this (measuring) process.
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--_generate", kind, str(n)], check=True)
    return path


def generate_dataset(kind: str, n: int) -> None:
    path, marker, want = _dataset_paths(kind, n)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    seed = want["seed"]
    if kind == "mc":
        header = ["id", "label", "pred"] + [f"prob_{c}" for c in MC_CLASSES]
        chunks = _mc_chunks(n, seed)
    else:
        header = ["id", "label", "pred", "prob"]
        chunks = _bin_chunks(n, seed)
    t0 = time.perf_counter()
    print(f"[data] generating {path.name} ({n:,} rows) ...", flush=True)
    _write_chunks(path, header, chunks)
    marker.write_text(json.dumps({**want, "bytes": path.stat().st_size}) + "\n")
    print(f"[data] {path.name}: {path.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - t0:.1f}s")


# --------------------------------------------------------------------------
# Measuring a child process
# --------------------------------------------------------------------------

GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
RSS_METHOD = "GNU time %M" if GNU_TIME else "os.wait4 ru_maxrss"


def measure(cmd: list[str]) -> dict:
    """Run cmd once; return wall seconds, peak RSS (MB), exit code and stderr tail."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as tfile:
        # GNU time forks cmd from a ~2 MB process, so small peaks are exact; wait4 on a
        # child of this Python process would report at least this process's own RSS.
        full = [GNU_TIME, "-f", "%M", "-o", tfile.name, *cmd] if GNU_TIME else cmd
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from re-waiting
        err.seek(0)
        stderr = err.read().decode(errors="replace")
        lines = tfile.read().split()
    # Both report KiB on Linux; time's last line is %M (after a possible exit-status note).
    kib = int(lines[-1]) if GNU_TIME and lines and lines[-1].isdigit() else usage.ru_maxrss
    return {"seconds": wall, "peak_mb": kib / 1024, "rc": proc.returncode, "stderr": stderr[-2000:]}


def best_of(cmd: list[str], runs: int, label: str, ok_codes=(0,)) -> dict:
    """Best wall time and max peak RSS over `runs` runs of cmd."""
    results = []
    for i in range(runs):
        r = measure(cmd)
        if r["rc"] not in ok_codes:
            raise RuntimeError(f"{label} exited with {r['rc']}:\n  $ {shlex.join(cmd)}\n{r['stderr']}")
        print(f"  {label} run {i + 1}/{runs}: {r['seconds']:.2f}s, {r['peak_mb']:.0f} MB", flush=True)
        results.append(r)
    return {"seconds": min(r["seconds"] for r in results),
            "peak_mb": max(r["peak_mb"] for r in results)}


# --------------------------------------------------------------------------
# The Python reference (runs in its own process: `--_worker PATH OUT`)
# --------------------------------------------------------------------------

def reference_worker(path: str, out: str, engine: str) -> None:
    t0 = time.perf_counter()
    import numpy as np
    import pandas as pd
    from sklearn.metrics import (balanced_accuracy_score, classification_report,
                                 cohen_kappa_score, confusion_matrix, log_loss,
                                 matthews_corrcoef, roc_auc_score)
    t1 = time.perf_counter()
    df = pd.read_csv(path, engine=engine)
    t2 = time.perf_counter()

    y, pred = df["label"].to_numpy(), df["pred"].to_numpy()
    labels = np.unique(np.concatenate([np.unique(y), np.unique(pred)]))  # sklearn's order
    report = classification_report(y, pred, labels=labels, output_dict=True, zero_division=0)
    cm = confusion_matrix(y, pred, labels=labels)
    if "prob" in df.columns:  # binary: scores of the positive class (label 1)
        score = df["prob"].to_numpy()
        auc_key = "roc_auc"
        auc = roc_auc_score(y, score)
        ll = log_loss(y, score, labels=[0, 1])
        extra = {"f1": report[str(labels[-1])]["f1-score"]}
    else:  # multiclass: one prob_<label> column per class, in label order
        probs = df[[f"prob_{c}" for c in labels]].to_numpy()
        auc_key = "roc_auc_ovr"
        auc = roc_auc_score(y, probs, multi_class="ovr", average="macro", labels=labels)
        ll = log_loss(y, probs, labels=labels)
        extra = {}
    values = {
        "accuracy": report["accuracy"],
        "balanced_accuracy": balanced_accuracy_score(y, pred),
        "f1_macro": report["macro avg"]["f1-score"],
        "matthews_corrcoef": matthews_corrcoef(y, pred),
        "cohen_kappa": cohen_kappa_score(y, pred),
        "log_loss": ll,
        auc_key: auc,
        **extra,
    }
    t3 = time.perf_counter()
    Path(out).write_text(json.dumps({
        "n": len(df),
        "values": {k: float(v) for k, v in values.items()},
        "confusion_matrix": cm.tolist(),
        "timing": {"import": t1 - t0, "read_csv": t2 - t1, "metrics": t3 - t2},
    }))


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def fteval_values(fteval: str, path: Path, extra: list[str]) -> dict:
    """One untimed fteval run writing JSON to a temp file; returns metric point values."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        cmd = [fteval, "metrics", str(path), "--format", "json", "--output", str(out),
               "--bootstrap", "0", *extra]  # point values do not depend on the bootstrap
        r = measure(cmd)
        if r["rc"] not in (0, 1):
            raise RuntimeError(f"fteval exited with {r['rc']}:\n  $ {shlex.join(cmd)}\n{r['stderr']}")
        try:
            doc = json.loads(out.read_text())
        except (OSError, ValueError) as e:
            raise RuntimeError(f"could not read fteval's JSON output ({e}):\n  $ {shlex.join(cmd)}")
    vals = {}
    for key, m in (doc.get("metrics") or {}).items():
        vals[key] = m.get("value") if isinstance(m, dict) else m
    return vals


def compare_values(name: str, sk: dict, ft: dict | None) -> int:
    """Print sklearn vs fteval values; return the number of mismatches."""
    print(f"\n  {name}: metric values")
    print(f"    {'metric':<20}{'sklearn':>16}{'fteval':>16}{'|diff|':>11}")
    bad = 0
    for key, v in sk.items():
        f = None if ft is None else ft.get(key)
        if not isinstance(f, (int, float)) or isinstance(f, bool):  # absent, null or malformed
            fs, ds, flag = ("-" if ft is None else "missing"), "", ""
            f = None
            bad += ft is not None
        else:
            d = abs(f - v)
            fs, ds = f"{f:.10f}", f"{d:.1e}"
            flag = "  <-- MISMATCH" if d > TOLERANCE else ""
            bad += d > TOLERANCE
        print(f"    {key:<20}{v:>16.10f}{fs:>16}{ds:>11}{flag}")
    return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fteval", default=os.environ.get("FTEVAL", str(DEFAULT_FTEVAL)),
                    help="path to the fteval binary (env FTEVAL; default target/release/fteval)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per tool and dataset (best is kept)")
    ap.add_argument("--quick", action="store_true", help="smoke run on 100k / 1M rows")
    ap.add_argument("--python-only", action="store_true", help="only generate data and time the Python reference")
    ap.add_argument("--only", choices=["mc", "bin"], help="benchmark one dataset only")
    ap.add_argument("--pandas-engine", default="c", choices=["c", "pyarrow", "python"],
                    help="pandas.read_csv engine for the reference (default: c)")
    ap.add_argument("--fteval-arg", action="append", default=[], metavar="ARG",
                    help="extra argument passed to fteval (repeatable), e.g. --fteval-arg=--bootstrap=0")
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    ap.add_argument("--_worker", nargs=2, metavar=("CSV", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--_generate", nargs=2, metavar=("KIND", "ROWS"), help=argparse.SUPPRESS)
    args = ap.parse_args()

    # Internal subprocess entry points.
    if args._worker:
        reference_worker(*args._worker, engine=args.pandas_engine)
        return 0
    if args._generate:
        generate_dataset(args._generate[0], int(args._generate[1]))
        return 0

    # Fail fast, before generating gigabytes, if the binary is not there.
    fteval = None
    if not args.python_only:
        fteval = str(Path(args.fteval).resolve())
        if not (os.path.isfile(fteval) and os.access(fteval, os.X_OK)):
            print(f"error: fteval binary not found (or not executable) at {fteval}\n"
                  f"  build it with `cargo build --release -p fteval`, point --fteval / FTEVAL at it,\n"
                  f"  or run with --python-only to time the Python reference alone.", file=sys.stderr)
            return 2

    sizes = {"mc": 100_000, "bin": 1_000_000} if args.quick else {"mc": 1_000_000, "bin": 10_000_000}
    kinds = [args.only] if args.only else ["mc", "bin"]
    datasets = {k: ensure_dataset(k, sizes[k]) for k in kinds}

    results, mismatches = [], 0
    for kind, path in datasets.items():
        print(f"\n== {path.name} ==", flush=True)
        row = {"dataset": path.name, "rows": sizes[kind]}
        if fteval:
            cmd = [fteval, "metrics", str(path), "--format", "json", "--output", "/dev/null", *args.fteval_arg]
            # exit code 1 means "ran, a gate failed" -- still a valid timing.
            row["fteval"] = best_of(cmd, args.runs, "fteval", ok_codes=(0, 1))

        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "ref.json"
            cmd = [sys.executable, str(Path(__file__).resolve()), "--_worker", str(path), str(out),
                   "--pandas-engine", args.pandas_engine]
            row["python"] = best_of(cmd, args.runs, "python")
            ref = json.loads(out.read_text())  # from the last run (values are identical)
        t = ref["timing"]
        print(f"  python breakdown (last run): import {t['import']:.2f}s, "
              f"read_csv {t['read_csv']:.2f}s, metrics {t['metrics']:.2f}s")
        row["sklearn_values"] = ref["values"]

        ft_vals = None
        if fteval:
            try:
                ft_vals = fteval_values(fteval, path, args.fteval_arg)
                row["fteval_values"] = ft_vals
            except RuntimeError as e:
                print(f"  warning: {e}", file=sys.stderr)
                mismatches += 1
        mismatches += compare_values(path.name, ref["values"], ft_vals)
        results.append(row)

    # Summary table.
    print()
    head = f"{'dataset':<16}{'rows':>12}{'fteval s':>10}{'fteval MB':>11}{'python s':>10}{'python MB':>11}{'py/ft':>8}"
    print(head + "\n" + "-" * len(head))
    for r in results:
        ft, py = r.get("fteval"), r["python"]
        fts, ftm, ratio = ((f"{ft['seconds']:.2f}", f"{ft['peak_mb']:.0f}", f"{py['seconds'] / ft['seconds']:.1f}x")
                           if ft else ("-", "-", "-"))
        print(f"{r['dataset']:<16}{r['rows']:>12,}{fts:>10}{ftm:>11}{py['seconds']:>10.2f}{py['peak_mb']:>11.0f}{ratio:>8}")
    print(f"\n(best wall time of {args.runs} runs; peak RSS ({RSS_METHOD}) = max over runs; python = pandas.read_csv + "
          f"scikit-learn without CIs, fteval with its defaults incl. bootstrap CIs; {os.cpu_count()} CPUs)")

    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    if mismatches:
        print(f"\n{mismatches} metric value(s) differ from scikit-learn by more than {TOLERANCE:g} "
              f"(or are missing)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
