#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into fuzz/corpus/TARGET/ (not committed: run this first).

The seeds are small valid inputs of each reader, made with the hostile-input suite's generators
(tests/hostile/run.py), plus the repository's Parquet test fixture. A target whose first byte chooses a
variant (delimiter, file name, format) gets one seed per variant, that byte in front.
"""

import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "hostile"))
import run as gen  # noqa: E402  (the suite's generators; importing it only registers its cases)


def seeds() -> dict:
    multilabel = gen.csv_text(["id", "labels", "pred"], [[1, "['a', 'b']", "['a']"], [2, "['b']", "['b']"], [3, "[]", "['a']"]])
    probs_list = gen.csv_text(["label", "pred", "probs"], [["a", "a", "[0.8, 0.1, 0.1]"], ["b", "c", "[0.1 0.3 0.6]"], ["c", "c", "[0.2, 0.2, 0.6]"]])
    prob_cols = gen.csv_text(["label", "prob_cat", "prob_dog", "logit_x"], [["cat", 0.9, 0.1, 1.5], ["dog", 0.3, 0.7, -2]])
    jsonl_rows = [
        {"id": "a", "label": ["x", "y"], "pred": ["x"]},
        {"id": "b", "label": ["y"], "pred": ["y"], "probs": {"x": 0.2, "y": 0.8}},
    ]
    trainer = gen.trainer_state(6)
    lightning = gen.csv_text(["step", "epoch", "train_loss", "val_loss", "val_acc"],
                             [[10, 0, 0.9, "", ""], [20, 0, 0.7, 0.8, 0.6], [30, 1, 0.5, "", ""], [40, 1, 0.4, 0.6, 0.7]])
    flair = "EPOCH\tTIMESTAMP\tLEARNING_RATE\tTRAIN_LOSS\tDEV_LOSS\tDEV_F1\n1\t10:00:00\t0.1\t0.9\t0.8\t0.5\n2\t10:01:00\t0.1\t0.6\t0.7\t0.6\n"
    chat = [{"messages": [{"role": "user", "content": "capital of France?"}, {"role": "assistant", "content": "Paris"}],
             "prediction": "paris"},
            {"messages": [{"role": "user", "content": "2+2"}, {"role": "assistant", "content": "4"}], "prediction": "four"}]
    refs = [{"id": 1, "prediction": "the cat sat", "references": ["the cat sat", "a cat sat"]},
            {"id": 2, "prediction": "paris", "references": "['Paris', 'the city of Paris']"}]
    train = gen.split_csv(gen.split_rows(12, 3, "tr"))
    test = gen.split_csv(gen.split_rows(4, 3, "tr")[:2] + gen.split_rows(3, 4, "te"))
    jl_train = "".join(json.dumps({"instruction": t, "output": l}) + "\n" for _, t, l in gen.split_rows(8, 5, "a"))
    jl_test = "".join(json.dumps({"messages": [{"role": "user", "content": t}], "label": l}) + "\n" for _, t, l in gen.split_rows(4, 5, "a"))

    def cut(train_part: str, test_part: str, ext_byte: int) -> bytes:
        body = (train_part + test_part).encode()
        k = min(255, len(train_part.encode()) * 256 // max(1, len(body)) + 1)
        return bytes([ext_byte, k]) + body

    return {
        "predictions_csv": [b"\0" + gen.binary_csv(20).encode(), b"\1" + gen.binary_csv(20, delim="\t").encode(),
                            b"\0" + gen.multiclass_csv(30, 5).encode(), b"\0" + multilabel.encode(), b"\0" + probs_list.encode(),
                            b"\0" + prob_cols.encode(), b"\0" + gen._evil_binary(10).encode()],
        "predictions_jsonl": [gen.binary_jsonl(20).encode(), "".join(json.dumps(r) + "\n" for r in jsonl_rows).encode()],
        "predictions_json": [gen.binary_json(20).encode(), json.dumps(jsonl_rows).encode(),
                             json.dumps({"label": ["a", "b"], "pred": ["a", "a"]}).encode()],
        "predictions_parquet": [open(gen.PARQUET_SEED, "rb").read()],
        "ner_conll": [gen.conll_text(5).encode(), b"-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG B-ORG\nrejects VBZ B-VP O O\n\n",
                      b"John B-PER\nlives O\nin O\nParis B-LOC\n\n"],
        "ner_jsonl": [gen.ner_jsonl(5).encode(),
                      b'{"words": ["a", "b"], "tags": ["B-X", "I-X"], "pred_tags": ["B-X", "O"]}\n'],
        "generation": [b"\0" + gen.generation_csv(6).encode(), b"\1" + "".join(json.dumps(r) + "\n" for r in chat + refs).encode(),
                       b"\2" + json.dumps(refs).encode()],
        "logs_json": [b"\0" + trainer.encode(), b"\1" + gen.jsonl_log(6).encode(),
                      b"\2" + json.dumps({"epoch": [1, 2, 3], "loss": [0.9, 0.7, 0.6], "val_loss": [1.0, 0.8, 0.9]}).encode()],
        "logs_csv": [b"\1" + gen.keras_csv(6).encode(), bytes([4 + 3]) + gen.keras_csv(6).encode(), bytes([8 + 1]) + lightning.encode(),
                     b"\2" + flair.encode(), bytes([12]) + b"step,loss\n1,0.5\n2,0.4\n"],
        "logs_tensorboard": [gen.tfevents(5)],
        "pyliteral": [b"['a', 'b']", b"{'a': 0.2, 'b': 1}", b"[0.1 0.9]", b"[True, None, -1.5e-3]", b"('x', \"don't\", [1, (2,)])",
                      b"{'k': {'n': [nan, inf, -inf]}}"],
        "config": [gen.PROJECT_TOML.encode(),
                   b'profile = "spam"\nprimary = "f1"\nmargin = 0.01\nmin_recall = 0.9\n[cost]\nfp = 1\nfn = 20\n'
                   b'[gates]\nmax_regression = { f1 = 0.01, roc_auc = 0.02 }\n[columns]\nlabel = "y"\n[leakage]\nthreshold = 0.8\n'
                   b'max_leaked_fraction = 0.05\n[overfitting]\nmax_gap = 0.05\n'],
        "leakage_splits": [cut(train, test, 0), cut(jl_train, jl_test, 1), cut(train.replace(",", "\t"), test.replace(",", "\t"), 2)],
    }


def main() -> int:
    corpus = os.path.join(HERE, "corpus")
    for target, items in seeds().items():
        d = os.path.join(corpus, target)
        os.makedirs(d, exist_ok=True)
        for i, data in enumerate(items):
            with open(os.path.join(d, f"seed-{i}"), "wb") as f:
                f.write(data)
        print(f"{target}: {len(items)} seeds, {sum(map(len, items))} bytes")
    shutil.rmtree(os.path.join(HERE, "__pycache__"), ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
