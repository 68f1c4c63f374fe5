"""Times `fteval curves` on a generated ~100 MB Hugging Face trainer_state.json against the
Python way of looking at it (json.load + pandas DataFrame of log_history), in one run.

    python3 bench/bench_curves.py [--mb 100] [--fteval target/release/fteval] [--runs 3]

The log: a fine-tune logging every step (loss, grad_norm, learning_rate) with an eval every
250 steps (eval_loss, eval_accuracy) that overfits after 60% of training, a few loss spikes,
and Python's bare NaN/Infinity in grad_norm. Written once to bench/data/ (gitignored).
"""
import argparse
import json
import math
import os
import random
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def generate(path, mb):
    rng = random.Random(7)
    entries = []
    size = 0
    step = 0
    target = mb * 1_000_000
    approx_steps = target // 170
    while size < target:
        step += 1
        t = step / approx_steps
        loss = 2.0 * math.exp(-3 * t) + 0.05 + rng.gauss(0, 0.02)
        if rng.random() < 1e-5:
            loss += 3.0
        gn = float("nan") if rng.random() < 1e-5 else (float("inf") if rng.random() < 1e-5 else abs(rng.gauss(1, 0.3)))
        e = {"epoch": round(3 * t, 4), "grad_norm": gn, "learning_rate": 5e-5 * (1 - t), "loss": round(loss, 4), "step": step}
        entries.append(e)
        size += 150
        if step % 250 == 0:
            ev = 0.6 + 1.4 * math.exp(-4 * t) + (0.8 * (t - 0.6) ** 2 if t > 0.6 else 0) + rng.gauss(0, 0.005)
            entries.append({"epoch": round(3 * t, 4), "eval_accuracy": min(0.99, 0.5 + 0.4 * t), "eval_loss": ev,
                            "eval_runtime": 12.3, "eval_samples_per_second": 81.2, "step": step})
            size += 170
    state = {"best_metric": None, "epoch": 3.0, "global_step": step, "log_history": entries}
    with open(path, "w") as f:
        json.dump(state, f, indent=2)  # Python writes bare NaN / Infinity, as the Trainer does


def best_of(runs, fn):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), times, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=100)
    ap.add_argument("--fteval", default=os.path.join(HERE, "..", "target", "release", "fteval"))
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    data = os.path.join(HERE, "data")
    os.makedirs(data, exist_ok=True)
    path = os.path.join(data, f"trainer_state_{a.mb}mb.json")
    if not os.path.exists(path):
        generate(path, a.mb)
    mb = os.path.getsize(path) / 1e6

    # --metric loss: the reference picks the checkpoint by eval loss; without it fteval would pick
    # by the eval metric where loss and metric disagree.
    def run_fteval():
        r = subprocess.run([a.fteval, "curves", path, "--metric", "loss", "--format", "json"], capture_output=True, text=True)
        if r.returncode not in (0, 1):
            raise SystemExit(f"fteval failed: {r.stderr}")
        return json.loads(r.stdout)

    def run_python():
        import pandas as pd
        with open(path) as f:
            state = json.load(f)
        df = pd.DataFrame(state["log_history"])
        train = df.dropna(subset=["loss"])
        ev = df.dropna(subset=["eval_loss"])
        best = ev.loc[ev["eval_loss"].idxmin()]
        return {"train_points": len(train), "eval_points": len(ev), "best_step": int(best["step"]),
                "best_eval_loss": float(best["eval_loss"])}

    ft, ft_all, doc = best_of(a.runs, run_fteval)
    py, py_all, ref = best_of(a.runs, run_python)
    b = doc.get("best_checkpoint") or {}
    print(f"file: {path} ({mb:.0f} MB)")
    print(f"fteval curves (read + diagnose + report): best {ft:.2f} s of {[round(x, 2) for x in ft_all]}")
    print(f"python json.load + pandas (read + best eval loss only): best {py:.2f} s of {[round(x, 2) for x in py_all]}")
    print(f"ratio python/fteval: {py / ft:.1f}x; target < 1 s: {'met' if ft < 1.0 else 'NOT met'}")
    series = {f"{s['split']}/{s['name']}": s["count"] for s in doc["runs"][0]["series"]}
    agree = series.get("train/loss") == ref["train_points"] and series.get("eval/loss") == ref["eval_points"] \
        and b.get("step") == ref["best_step"] and abs(b.get("value", 0) - ref["best_eval_loss"]) < 1e-12
    print(f"agreement (points per series, best step and value): {'yes' if agree else 'NO'}")
    print("findings:", ", ".join(f["id"] for f in doc["findings"]))
    raise SystemExit(0 if agree else 1)


if __name__ == "__main__":
    main()
