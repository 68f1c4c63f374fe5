"""Times fteval's NER path against seqeval 1.2.2 on a generated CoNLL-2003-sized file
(~300k tokens, 14k sentences, IOB2 tags of 4 types, predictions with realistic errors),
and checks that the numbers agree.

    pip install seqeval==1.2.2
    cargo build --release -p fteval-io --example bench_ner
    python3 bench/bench_ner.py [--tokens 300000] [--runs 3] [--strict IOB2]

The file is written to bench/data/ (gitignored). fteval's time includes reading the file,
finding and matching entities, and 1000 bootstrap resamples over sentences (the example
prints each part); seqeval's time is reading the file plus classification_report
(per type, micro, macro, weighted) and accuracy_score, without any bootstrap.
"""
import argparse
import json
import os
import random
import subprocess
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
TYPES = ["PER", "LOC", "ORG", "MISC"]


def generate(path, n_tokens, seed=3):
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(5000)]
    total = 0
    with open(path, "w") as f:
        f.write("-DOCSTART- O O\n\n")
        while total < n_tokens:
            n = max(1, int(rng.gauss(21, 10)))
            gold = []
            while len(gold) < n:
                if rng.random() < 0.8:
                    gold.append("O")
                else:
                    t = rng.choice(TYPES)
                    gold += [f"B-{t}"] + [f"I-{t}"] * rng.choice([0, 0, 1, 1, 2])
            gold = gold[:n]
            pred = []
            for g in gold:
                r = rng.random()
                if r < 0.04:
                    pred.append("O")
                elif r < 0.07:
                    pred.append(rng.choice(["B-", "I-"]) + rng.choice(TYPES))
                else:
                    pred.append(g)
            for g, p in zip(gold, pred):
                f.write(f"{rng.choice(words)} {g} {p}\n")
            f.write("\n")
            total += n
    return total


def read_conll(path):
    gold, pred, g, p = [], [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.split()
            if not cols:
                if g:
                    gold.append(g)
                    pred.append(p)
                    g, p = [], []
                continue
            if cols[0].startswith("-DOCSTART-"):
                continue
            g.append(cols[-2])
            p.append(cols[-1])
    if g:
        gold.append(g)
        pred.append(p)
    return gold, pred


def run_seqeval(path, strict):
    from seqeval.metrics import accuracy_score, classification_report
    from seqeval import scheme

    warnings.filterwarnings("ignore")
    t0 = time.perf_counter()
    gold, pred = read_conll(path)
    t1 = time.perf_counter()
    kw = {"mode": "strict", "scheme": getattr(scheme, strict)} if strict else {}
    rep = classification_report(gold, pred, output_dict=True, **kw)
    acc = accuracy_score(gold, pred)
    t2 = time.perf_counter()
    return t2 - t0, t1 - t0, rep, acc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=300_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--strict", default=None, help="a seqeval scheme, e.g. IOB2")
    ap.add_argument("--bench-bin", default=os.path.join(HERE, "..", "target", "release", "examples", "bench_ner"))
    args = ap.parse_args()
    os.makedirs(os.path.join(HERE, "data"), exist_ok=True)
    path = os.path.join(HERE, "data", f"ner_{args.tokens}.conll")
    if not os.path.exists(path):
        n = generate(path, args.tokens)
        print(f"wrote {path} ({n} tokens)")

    cmd = [args.bench_bin, path, "--bootstrap", "1000"] + (["--strict", args.strict] if args.strict else [])
    ft = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        ft.append(time.perf_counter() - t0)
    doc = json.loads(out)
    sq = [run_seqeval(path, args.strict) for _ in range(args.runs)]
    total, read_s, rep, acc = min(sq, key=lambda x: x[0])

    diffs = [abs(doc["precision"] - rep["micro avg"]["precision"]), abs(doc["recall"] - rep["micro avg"]["recall"]),
             abs(doc["f1"] - rep["micro avg"]["f1-score"]), abs(doc["f1_macro"] - rep["macro avg"]["f1-score"]),
             abs(doc["f1_weighted"] - rep["weighted avg"]["f1-score"]), abs(doc["token_accuracy"] - acc)]
    for t, v in doc["per_type"].items():
        diffs += [abs(v["precision"] - rep[t]["precision"]), abs(v["recall"] - rep[t]["recall"]),
                  abs(v["f1"] - rep[t]["f1-score"]), abs(v["support"] - rep[t]["support"])]
    mode = f"strict {args.strict}" if args.strict else "default"
    print(f"{doc['tokens']} tokens, {doc['sentences']} sentences, {mode} mode, best of {args.runs}")
    print(f"fteval  {min(ft):.3f} s  (read {doc['read_s']:.3f} s, entities {doc['evaluate_s']:.3f} s, "
          f"1000 resamples {doc['bootstrap_s']:.3f} s; micro F1 {doc['f1']:.4f} CI {doc['f1_ci'][0]:.4f}-{doc['f1_ci'][1]:.4f})")
    print(f"seqeval {total:.3f} s  (read {read_s:.3f} s, classification_report + accuracy {total - read_s:.3f} s)")
    print(f"speed-up {total / min(ft):.1f}x; largest difference {max(diffs):.2e}")
    if max(diffs) > 1e-6:
        raise SystemExit("values differ from seqeval")


if __name__ == "__main__":
    main()
