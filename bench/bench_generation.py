"""Times `fteval metrics` on generated text-generation pairs against sacreBLEU + rouge-score,
on the same data in the same run, with confidence intervals on both sides, checks that the
numbers agree, and prints the ratio.

    pip install sacrebleu==2.6.0 rouge-score==0.1.2
    python3 bench/bench_generation.py [--n 100000] [--fteval target/release/fteval]

Data: n predictions of 20-40 words over a 5,000-word vocabulary with punctuation and
capitals; each reference is its prediction with about 20% of the words replaced, dropped or
inserted. Written once to bench/data/ (gitignored).

fteval: every generation metric (exact match, token F1, BLEU, chrF, chrF++, ROUGE-1/2/L/Lsum)
with 1000-resample bootstrap intervals. Python: sacreBLEU BLEU, chrF and chrF++ corpus scores
with its 1000-resample bootstrap (n_bootstrap=1000), and rouge-score's RougeScorer for the four
ROUGE types per pair plus its BootstrapAggregator (1000 resamples).
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def generate(path, n, seed=5):
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(5000)] + ["the", "a", "of", "U.S.", "don't", "3.5", "1,000", "(see)", "naïve"]
    with open(path, "w") as f:
        for i in range(n):
            words = [rng.choice(vocab) for _ in range(rng.randint(20, 40))]
            words[0] = words[0].capitalize()
            words.append(rng.choice([".", "!", "?"]))
            ref = []
            for w in words:
                r = rng.random()
                if r < 0.07:
                    ref.append(rng.choice(vocab))
                elif r < 0.13:
                    continue
                elif r < 0.2:
                    ref += [w, rng.choice(vocab)]
                else:
                    ref.append(w)
            f.write(json.dumps({"id": i, "prediction": " ".join(words), "reference": " ".join(ref)}) + "\n")


def python_reference(path):
    from rouge_score import rouge_scorer, scoring
    from sacrebleu.metrics import BLEU, CHRF

    with open(path) as f:
        rows = [json.loads(line) for line in f]
    hyps = [r["prediction"] for r in rows]
    refs = [r["reference"] for r in rows]
    times = {}
    t0 = time.perf_counter()
    bleu = BLEU().corpus_score(hyps, [refs], n_bootstrap=1000)
    times["sacreBLEU BLEU"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    chrf = CHRF().corpus_score(hyps, [refs], n_bootstrap=1000)
    times["sacreBLEU chrF"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    chrf_pp = CHRF(word_order=2).corpus_score(hyps, [refs], n_bootstrap=1000)
    times["sacreBLEU chrF++"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    keys = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
    scorer = rouge_scorer.RougeScorer(keys)
    agg = scoring.BootstrapAggregator(n_samples=1000)
    sums = {k: 0.0 for k in keys}
    for h, r in zip(hyps, refs):
        s = scorer.score(r, h)
        agg.add_scores(s)
        for k in keys:
            sums[k] += s[k].fmeasure
    agg.aggregate()
    times["rouge-score (4 types + bootstrap)"] = time.perf_counter() - t0
    values = {"bleu": bleu.score, "chrf": chrf.score, "chrf_pp": chrf_pp.score}
    values.update({k: v / len(rows) for k, v in sums.items()})
    return times, values


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--fteval", default=os.path.join(HERE, "..", "target", "release", "fteval"))
    args = ap.parse_args()
    os.makedirs(os.path.join(HERE, "data"), exist_ok=True)
    path = os.path.join(HERE, "data", f"generation_{args.n}.jsonl")
    if not os.path.exists(path):
        generate(path, args.n)

    t0 = time.perf_counter()
    out = subprocess.run([args.fteval, "metrics", path, "--format", "json"], capture_output=True, text=True)
    ft_wall = time.perf_counter() - t0
    if out.returncode not in (0, 1):
        sys.exit(f"fteval failed: {out.stderr}")
    doc = json.loads(out.stdout)
    print(f"fteval metrics, {args.n} pairs, all 9 generation metrics with 1000-resample CIs: {ft_wall:.2f} s")

    times, values = python_reference(path)
    py_total = sum(times.values())
    for k, v in times.items():
        print(f"  {k}: {v:.1f} s")
    print(f"sacreBLEU + rouge-score (BLEU, chrF, chrF++, ROUGE with CIs): {py_total:.1f} s -> fteval is {py_total / ft_wall:.0f}x faster")
    worst = 0.0
    for k, v in values.items():
        ours = doc["metrics"][k]["value"]
        worst = max(worst, abs(ours - v))
        print(f"  {k}: fteval {ours:.10f}  reference {v:.10f}")
    print(f"largest difference: {worst:.2e} ({'OK' if worst <= 1e-6 else 'MISMATCH'})")
    sys.exit(0 if worst <= 1e-6 else 1)


if __name__ == "__main__":
    main()
