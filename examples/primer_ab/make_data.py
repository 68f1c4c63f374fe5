"""Writes model_a.csv and model_b.csv: the primer's question as data.

"Model A: loss 0.25, accuracy 0.90; Model B: loss 0.20, accuracy 0.85 — which is better?"
Both models predict the same 1000 binary examples. A is right on 900 and B on 850 (60 errors
shared); each model gives one probability to the gold class on the rows it gets right and another
on the rows it gets wrong, chosen so that the mean log loss is 0.25 for A and 0.20 for B.
Deterministic: running it again writes the same files.
"""
import math
import random

N = 1000
rng = random.Random(20261128)
gold = [rng.randrange(2) for _ in range(N)]
rows = list(range(N))
rng.shuffle(rows)
shared, a_only, b_only = rows[:60], rows[60:100], rows[100:190]
wrong = {"a": set(shared + a_only), "b": set(shared + b_only)}


def gold_prob_right(loss, acc, p_wrong):
    """The probability of gold on right rows that gives mean log loss `loss`."""
    return math.exp(-(loss - (1 - acc) * -math.log(p_wrong)) / acc)


for name, loss, acc, p_wrong in [("a", 0.25, 0.90, 0.40), ("b", 0.20, 0.85, 0.45)]:
    p_right = gold_prob_right(loss, acc, p_wrong)
    with open(f"model_{name}.csv", "w") as f:
        f.write("id,label,pred,prob\n")
        for i in range(N):
            g = gold[i]
            p_gold = p_wrong if i in wrong[name] else p_right
            p_pos = p_gold if g == 1 else 1 - p_gold
            pred = 1 if p_pos >= 0.5 else 0
            f.write(f"ex{i:04d},{g},{pred},{p_pos:.6f}\n")
