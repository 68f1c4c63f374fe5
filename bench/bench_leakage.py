"""Times `fteval leakage` on generated train/test splits with planted leaks of every kind, and
datasketch (MinHash + MinHashLSH, the Python way to find near duplicates) on a slice of the
same data, in one run; prints wall time, peak memory, the ratio, and recall on the planted leaks.

    python3 bench/bench_leakage.py [--train 1000000] [--test 100000] [--slice 10000]
                                   [--fteval target/release/fteval]

Needs datasketch 2.0 and numpy (`pip install datasketch==2.0.0`). Data: rows of 50–200 words
drawn from a Zipf-like 50 000-word vocabulary, written once to bench/data/ (gitignored).
Planted in the test split, with the truth kept beside the data:
- exact copies of train rows that differ in case, spacing and punctuation;
- near duplicates: copies of 120+-word train rows with 1–6 words replaced (Jaccard of
  5-word shingles from about 0.6 to 0.97; the true value is computed here);
- contamination: a 30-word verbatim span of a train row inside new text;
- label conflicts: exact copies with the other label.
Recall is measured on the planted near duplicates whose true Jaccard is >= threshold + 0.05
(the issue's bar: 95%); every flagged row is checked against the truth (precision).
"""
import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB = 50_000
SHINGLE = 5


def vocabulary(rng):
    letters = list("abcdefghijklmnopqrstuvwxyz")
    words = set()
    while len(words) < VOCAB:
        n = int(rng.integers(2, 10))
        words.add("".join(rng.choice(letters, n)))
    return sorted(words)


def shingle_set(words):
    if len(words) <= SHINGLE:
        return {" ".join(words)}
    return {" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def jaccard(a, b):
    sa, sb = shingle_set(a), shingle_set(b)
    return len(sa & sb) / len(sa | sb)


def generate(folder, n_train, n_test, seed=11):
    import numpy as np

    rng = np.random.default_rng(seed)
    vocab = np.array(vocabulary(rng))
    ranks = np.arange(1, VOCAB + 1)
    p = 1.0 / ranks ** 1.05
    p /= p.sum()

    def rows(n):
        lens = rng.integers(50, 201, n)
        idx = rng.choice(VOCAB, int(lens.sum()), p=p)
        out, at = [], 0
        for ln in lens:
            out.append(vocab[idx[at:at + ln]].tolist())
            at += ln
        return out

    os.makedirs(folder, exist_ok=True)
    train = rows(n_train)
    train_labels = rng.integers(0, 2, n_train)
    test = rows(n_test)
    test_labels = rng.integers(0, 2, n_test)
    truth = {"exact": {}, "near": {}, "contaminated": {}, "conflict": {}}
    plant = max(10, n_test // 100)  # 1% of test rows of each kind
    slots = rng.permutation(n_test)[: 4 * plant]
    donors = rng.permutation(n_train)[: 4 * plant]
    for k, (t, d) in enumerate(zip(slots.tolist(), donors.tolist())):
        kind = ("exact", "near", "contaminated", "conflict")[k // plant]
        src = train[d]
        if kind == "exact":
            test[t] = [w.upper() if i % 3 == 0 else w for i, w in enumerate(src)]
            test[t][0] = "  " + test[t][0] + ","
            test_labels[t] = train_labels[d]
        elif kind == "conflict":
            test[t] = list(src)
            test_labels[t] = 1 - train_labels[d]
        elif kind == "near":
            while len(train[d]) < 120:
                d = int(rng.integers(0, n_train))
            src = train[d]
            edited = list(src)
            for pos in rng.choice(len(src), int(rng.integers(1, 7)), replace=False):
                edited[pos] = "edit" + str(int(rng.integers(0, 10**9)))
            test[t] = edited
            test_labels[t] = train_labels[d]
            truth["near"][str(t)] = {"train": d, "jaccard": jaccard(edited, src)}
            continue
        else:
            span = src[10:40]
            fresh = rows(1)[0]
            test[t] = fresh[:40] + span + fresh[40:80]
        truth[kind][str(t)] = {"train": d}

    def write(path, texts, labels):
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "text", "label"])
            for i, (t, l) in enumerate(zip(texts, labels)):
                w.writerow([i, " ".join(t), int(l)])

    write(os.path.join(folder, "train.csv"), train, train_labels)
    write(os.path.join(folder, "test.csv"), test, test_labels)
    with open(os.path.join(folder, "truth.json"), "w") as f:
        json.dump(truth, f)


def head(src, dst, n):
    with open(src) as f, open(dst, "w") as g:
        for i, line in enumerate(f):
            if i > n:
                break
            g.write(line)


def size_flag(exe):
    """`--max-input-size 4G` for binaries that have the input limits (the 1M-row split is 824 MiB, above the
    512 MiB default; the scan holds about 2.5 GB), nothing for older ones, so both can be timed."""
    helptext = subprocess.run([exe, "leakage", "--help"], stdout=subprocess.PIPE, text=True).stdout
    return ["--max-input-size", "4G"] if "--max-input-size" in helptext else []


def run_fteval(exe, train, test, out_json, threshold):
    extra = size_flag(exe)
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(out_json, "w") as out:
        proc = subprocess.run([exe, "leakage", "--train", train, "--test", test, "--threshold", str(threshold),
                               "--max-leak", "1", "--format", "json", *extra], stdout=out, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"fteval failed ({proc.returncode}): {proc.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(out_json) as f:
        doc = json.load(f)
    return wall, max(peak, before) / 1024 / 1024, doc


def run_datasketch(train, test, threshold, num_perm=128):
    """The usual datasketch pipeline: a MinHash per row over its word 5-gram shingles, a
    MinHashLSH over train, one query per test row (candidates only, no verification)."""
    from datasketch import MinHash, MinHashLSH
    import re

    def norm(t):
        return " ".join(re.sub(r"[^\w]+", " ", t.lower()).split())

    def minhash(text):
        words = norm(text).split(" ")
        m = MinHash(num_perm=num_perm)
        m.update_batch([s.encode("utf8") for s in shingle_set(words)])
        return m

    def read(path):
        with open(path) as f:
            return [(r["id"], r["text"]) for r in csv.DictReader(f)]

    t0 = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for i, text in read(train):
        lsh.insert(i, minhash(text))
    hits = 0
    for i, text in read(test):
        if lsh.query(minhash(text)):
            hits += 1
    return time.perf_counter() - t0, hits


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", type=int, default=1_000_000)
    ap.add_argument("--test", type=int, default=100_000)
    ap.add_argument("--slice", type=int, default=10_000, help="train rows given to datasketch (test: a tenth)")
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--fteval", default=os.path.join(HERE, "..", "target", "release", "fteval"))
    args = ap.parse_args()

    folder = os.path.join(HERE, "data", f"leakage_{args.train}_{args.test}")
    if not os.path.exists(os.path.join(folder, "truth.json")):
        t0 = time.perf_counter()
        generate(folder, args.train, args.test)
        print(f"generated {args.train} train and {args.test} test rows in {time.perf_counter() - t0:.0f} s")
    train, test = os.path.join(folder, "train.csv"), os.path.join(folder, "test.csv")
    size = (os.path.getsize(train) + os.path.getsize(test)) / 1e6
    with open(os.path.join(folder, "truth.json")) as f:
        truth = json.load(f)

    wall, peak_gb, doc = run_fteval(args.fteval, train, test, os.path.join(folder, "fteval.json"), args.threshold)
    print(f"fteval leakage, {args.train} x {args.test} rows ({size:.0f} MB): {wall:.1f} s, peak RSS {peak_gb:.2f} GB")
    flagged = {r["test_id"]: r for r in doc["test_rows_flagged"]}
    s = doc["summary"]
    print(f"  flagged: {s['exact_duplicates']} exact, {s['near_duplicates']} near, {s['contaminated']} contaminated, "
          f"{s['label_conflicts']} label conflicts")

    bar = round(args.threshold + 0.05, 9)
    strong = {t: v for t, v in truth["near"].items() if v["jaccard"] >= bar}
    found = sum(1 for t, v in strong.items() if t in flagged and flagged[t]["train_id"] == str(v["train"]))
    print(f"  recall on planted near duplicates with Jaccard >= {bar:.2f}: "
          f"{found}/{len(strong)} = {found / max(1, len(strong)):.4f} (bar: 0.95)")
    for kind in ("exact", "contaminated", "conflict"):
        hit = sum(1 for t in truth[kind] if t in flagged)
        print(f"  planted {kind}: {hit}/{len(truth[kind])} found")
    planted = set().union(*[set(v) for v in truth.values()])
    extra = [t for t, r in flagged.items() if t not in planted]
    wrong = [t for t, r in flagged.items() if r["kind"] == "near" and r["jaccard"] < args.threshold]
    print(f"  flags outside the planted rows: {len(extra)}; near flags below the threshold: {len(wrong)}")

    # The datasketch slice: the first rows of the same files.
    n_slice, n_slice_test = args.slice, max(1, args.slice // 10)
    s_train, s_test = os.path.join(folder, "slice_train.csv"), os.path.join(folder, "slice_test.csv")
    head(train, s_train, n_slice)
    head(test, s_test, n_slice_test)
    ds_wall, ds_hits = run_datasketch(s_train, s_test, args.threshold)
    ft_wall, _, _ = run_fteval(args.fteval, s_train, s_test, os.path.join(folder, "slice.json"), args.threshold)
    print(f"slice {n_slice} x {n_slice_test}: datasketch MinHash + MinHashLSH {ds_wall:.2f} s "
          f"({ds_hits} test rows with candidates), fteval leakage (all checks) {ft_wall:.2f} s: "
          f"{ds_wall / ft_wall:.0f}x")
    rate_ds = n_slice / ds_wall
    print(f"  datasketch at {rate_ds:.0f} train rows/s would take {args.train / rate_ds / 60:.0f} min "
          f"for the {args.train}-row train split; fteval took {wall:.1f} s for everything")


if __name__ == "__main__":
    main()
