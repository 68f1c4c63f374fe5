"""Writes examples/spam_filter/baseline.csv: the model before fine-tuning on the same 400
messages (read from predictions.csv), weaker and in a different row order, so that
`fteval compare baseline.csv predictions.csv` has something to find. Deterministic."""
import csv
import random

random.seed(7)
with open("predictions.csv", newline="") as f:
    rows = list(csv.DictReader(f))
out = []
for r in rows:
    is_spam = r["label"] == "spam"
    # The base model separates the classes less well: flatter score distributions.
    base = random.betavariate(3.5, 2.5) if is_spam else random.betavariate(2, 4.5)
    prob = min(max(base + random.gauss(0, 0.1), 0.001), 0.999)
    out.append({
        "id": r["id"],
        "text": r["text"],
        "label": r["label"],
        "pred": "spam" if prob >= 0.5 else "ham",
        "prob": f"{prob:.4f}",
    })
random.shuffle(out)
with open("baseline.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=["id", "text", "label", "pred", "prob"])
    w.writeheader()
    w.writerows(out)
