#!/usr/bin/env python3
"""Runs every fuzz target (or those named) one after another and prints the figures table of docs/fuzzing.md.

Usage:  python3 fuzz/run_all.py [TARGET ...] [--runs N] [--results PATH] [--table]

--table prints the table of the results file without running anything. Each result records the commit the
target was built from (and whether the tree had uncommitted changes), as cargo fuzz rebuilds before each run.

Each target runs `cargo +nightly fuzz run TARGET` under `nice -n 10` with -runs=N (default 1,000,000),
-rss_limit_mb=2048 (libFuzzer also refuses single allocations above it), -timeout=10 s per input, its
dictionary, and the corpus in fuzz/corpus/TARGET (seed it first with fuzz/make_seeds.py). A crash stops the
target; its reproducer is in fuzz/artifacts/TARGET/ and the table says so.
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TARGETS = {
    "predictions_csv": "tables", "predictions_jsonl": "tables", "predictions_json": "tables",
    "predictions_parquet": "tables", "ner_conll": "tables", "ner_jsonl": "tables", "generation": "tables",
    "logs_json": "logs", "logs_csv": "logs", "logs_tensorboard": "logs", "pyliteral": "tables",
    "config": "toml", "leakage_splits": "tables",
}


def count_corpus(target: str) -> tuple:
    d = os.path.join(HERE, "corpus", target)
    files = [os.path.join(d, f) for f in os.listdir(d)] if os.path.isdir(d) else []
    return len(files), sum(os.path.getsize(f) for f in files)


def commit() -> str:
    """HEAD, with "+dirty" when the files the targets compile (crates/, fuzz/) have uncommitted changes."""
    git = lambda *a: subprocess.run(["git", *a], cwd=HERE, stdout=subprocess.PIPE, text=True).stdout.strip()
    dirty = git("status", "--porcelain", "--", "../crates", ".")
    return git("rev-parse", "--short", "HEAD") + ("+dirty" if dirty else "")


def remove_dead_scratch() -> None:
    """Removes the scratch folders (fuzz/src/lib.rs) of fuzz processes that have ended. Only those of
    dead processes: another run_all chain's target may be running beside this one (two removed each
    other's live folder once, and its next write panicked)."""
    for d in glob.glob("/dev/shm/fteval-fuzz-*"):
        pid = d.rsplit("-", 1)[-1]
        if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            shutil.rmtree(d, ignore_errors=True)


def run(target: str, runs: int, extra: list) -> dict:
    built_from = commit()
    seeds = len([f for f in os.listdir(os.path.join(HERE, "corpus", target)) if f.startswith("seed-")])
    cmd = ["nice", "-n", "10", "cargo", "+nightly", "fuzz", "run", target, "--",
           f"-runs={runs}", "-rss_limit_mb=2048", "-timeout=10", f"-dict=dicts/{TARGETS[target]}.dict",
           "-print_final_stats=1", *extra]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    seconds = time.monotonic() - t0
    remove_dead_scratch()
    out = proc.stdout
    log_dir = os.path.join(HERE, "artifacts", target)
    os.makedirs(log_dir, exist_ok=True)
    with open(os.path.join(log_dir, "last-run.log"), "w") as f:
        f.write(out)
    stat = dict(re.findall(r"^stat::(\w+):\s+(\d+)", out, re.M))
    status = re.findall(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)", out, re.M)
    crash = re.search(r"(panicked at [^\n]*|ERROR: AddressSanitizer: [^\n]*|ERROR: libFuzzer: [^\n]*|"
                      r"==\d+== ERROR: libFuzzer: [^\n]*)", out)
    artifact = re.search(r"Test unit written to (\S+)", out)
    n_files, n_bytes = count_corpus(target)
    last = status[-1] if status else ("0", "0", "0", "0")
    return {
        "target": target, "executions": int(stat.get("number_of_executed_units", last[0])), "seconds": round(seconds),
        "exec_per_sec": int(stat.get("average_exec_per_sec", 0)), "cov": int(last[1]), "ft": int(last[2]),
        "corpus_files": n_files, "corpus_bytes": n_bytes, "seeds": seeds, "peak_rss_mb": int(stat.get("peak_rss_mb", 0)),
        "crash": crash.group(1) if crash else None, "artifact": artifact.group(1) if artifact else None,
        "exit": proc.returncode, "commit": built_from,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("targets", nargs="*", default=list(TARGETS))
    ap.add_argument("--runs", type=int, default=1_000_000)
    ap.add_argument("--results", default=os.path.join(HERE, "artifacts", "results.json"))
    ap.add_argument("--table", action="store_true", help="print the table of the results file and exit")
    args, extra = ap.parse_known_args()
    results = []
    if args.table:
        results = json.load(open(args.results))
        args.targets = []
    elif os.path.exists(args.results):
        results = [r for r in json.load(open(args.results)) if r["target"] not in args.targets]
    for target in args.targets:
        r = run(target, args.runs, extra)
        results.append(r)
        print(json.dumps(r), flush=True)
        os.makedirs(os.path.dirname(args.results), exist_ok=True)
        with open(args.results, "w") as f:
            json.dump(results, f, indent=1)
    order = {t: i for i, t in enumerate(TARGETS)}
    print("\n| target | executions | time | exec/s | cov | ft | corpus (files, KB) | seeds | peak RSS | crashes | commit |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for r in sorted(results, key=lambda r: order.get(r["target"], 99)):
        crash = r["crash"] or "none"
        print(f"| {r['target']} | {r['executions']:,} | {r['seconds'] // 60} min {r['seconds'] % 60} s | {r['exec_per_sec']:,} | "
              f"{r['cov']:,} | {r['ft']:,} | {r['corpus_files']}, {r['corpus_bytes'] // 1024} | {r['seeds']} | "
              f"{r['peak_rss_mb']} MB | {crash} | {r.get('commit', '?')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
