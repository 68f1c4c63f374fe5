"""Writes seqeval_fixtures.json: random tag sequences (well-formed and malformed) with the
numbers seqeval 1.2.2 gives for them, in default mode and in strict mode for every scheme.

Run with seqeval 1.2.2 installed (outside the repository):
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install seqeval==1.2.2
    /tmp/venv/bin/python make_fixtures.py
The Rust tests (crates/fteval-core/tests/ner_seqeval.rs) read the JSON; they need no Python.

Entities are written in fteval's coordinates: corpus token positions (sentences concatenated
without separators), end exclusive; 4294967295 stands for seqeval's stale start 0 when the
first sentence is empty.
"""

import json
import math
import random
import warnings

import seqeval
from seqeval.metrics.sequence_labeling import accuracy_score, get_entities
from seqeval.metrics.sequence_labeling import precision_recall_fscore_support as prf_default
from seqeval.metrics.v1 import precision_recall_fscore_support as prf_strict
from seqeval.scheme import BILOU, IOB1, IOB2, IOBES, IOE1, IOE2, Entities

assert seqeval.__version__ == "1.2.2" if hasattr(seqeval, "__version__") else True
warnings.filterwarnings("ignore")

SCHEMES = {"IOB1": IOB1, "IOB2": IOB2, "IOE1": IOE1, "IOE2": IOE2, "IOBES": IOBES, "BILOU": BILOU}
ALLOWED = {"IOB1": "IOB", "IOB2": "IOB", "IOE1": "IOE", "IOE2": "IOE", "IOBES": "IOBES", "BILOU": "BILOU"}
TYPES = ["PER", "LOC", "ORG", "MISC"]
ODD_TYPES = ["geo-loc", "tên_bệnh", "A", "_x"]
# Tags seqeval's default mode reads in surprising ways: bare prefixes, no prefix, unknown
# prefixes, a dot, an O with a type, empty types, doubled delimiters.
WEIRD = ["B", "I", "E", "S", "X", "PER", "LOC", ".", ".-PER", "O-PER", "B-", "I--x", "X-PER", "U-LOC", "L-LOC", "[PAD]"]


def rnd_tag(rng, prefixes, odd=False, weird=0.0, suffix=False):
    if rng.random() < weird:
        return rng.choice(WEIRD)
    if rng.random() < 0.35:
        return "O"
    p = rng.choice(prefixes.replace("O", "") or "B")
    t = rng.choice(ODD_TYPES if odd and rng.random() < 0.3 else TYPES)
    return f"{t}-{p}" if suffix else f"{p}-{t}"


def well_formed(rng, n, scheme, suffix=False):
    """A plausible tag sequence in `scheme`, to be perturbed."""
    out = []
    while len(out) < n:
        if rng.random() < 0.5:
            out.append("O")
            continue
        t = rng.choice(TYPES)
        k = rng.choice([1, 1, 2, 3])
        if scheme in ("IOB2", "IOB1"):
            ps = ["B"] + ["I"] * (k - 1)
            if scheme == "IOB1" and rng.random() < 0.7:
                ps[0] = "I"
        elif scheme in ("IOE2", "IOE1"):
            ps = ["I"] * (k - 1) + ["E"]
            if scheme == "IOE1" and rng.random() < 0.7:
                ps[-1] = "I"
        elif scheme == "IOBES":
            ps = ["S"] if k == 1 else ["B"] + ["I"] * (k - 2) + ["E"]
        else:
            ps = ["U"] if k == 1 else ["B"] + ["I"] * (k - 2) + ["L"]
        out.extend(f"{t}-{p}" if suffix else f"{p}-{t}" for p in ps)
    return out[:n]


def perturb(rng, seq, prefixes, rate, weird=0.0, suffix=False, odd=False):
    return [rnd_tag(rng, prefixes, odd, weird, suffix) if rng.random() < rate else t for t in seq]


def num(x):
    x = float(x)
    return None if math.isnan(x) else x


def flat_default_entities(seqs, suffix):
    """get_entities on the nested list, mapped to corpus positions."""
    pos_to_flat = {}
    pos = 0
    flat = 0
    for s in seqs:
        for _ in s:
            pos_to_flat[pos] = flat
            pos += 1
            flat += 1
        pos += 1  # the separator 'O'
    out = []
    for ty, start, end in get_entities(seqs, suffix):
        out.append([ty, pos_to_flat.get(start, 4294967295), pos_to_flat[end] + 1])
    return out


def flat_strict_entities(seqs, scheme, suffix):
    bases = []
    b = 0
    for s in seqs:
        bases.append(b)
        b += len(s)
    ents = Entities(seqs, SCHEMES[scheme], suffix)
    return [[e.tag, bases[e.sent_id] + e.start, bases[e.sent_id] + e.end] for sent in ents.entities for e in sent]


def expected(gold, pred, mode, suffix):
    if mode == "default":
        prf = lambda avg: prf_default(gold, pred, average=avg, suffix=suffix)
        names = sorted({t for t, _, _ in get_entities(gold, suffix)} | {t for t, _, _ in get_entities(pred, suffix)})
        ents = (flat_default_entities(gold, suffix), flat_default_entities(pred, suffix))
    else:
        scheme = SCHEMES[mode]
        prf = lambda avg: prf_strict(gold, pred, average=avg, scheme=scheme, suffix=suffix)
        names = sorted(Entities(gold, scheme, suffix).unique_tags | Entities(pred, scheme, suffix).unique_tags)
        ents = (flat_strict_entities(gold, mode, suffix), flat_strict_entities(pred, mode, suffix))
    p, r, f, s = prf(None)
    out = {
        "types": names,
        "per_type": [[num(a), num(b), num(c), int(d)] for a, b, c, d in zip(p, r, f, s)],
        "gold_entities": ents[0],
        "pred_entities": ents[1],
    }
    for avg in ("micro", "macro", "weighted"):
        a, b, c, d = prf(avg)
        out[avg] = [num(a), num(b), num(c), int(d)]
    n_tokens = sum(map(len, gold))
    out["accuracy"] = accuracy_score(gold, pred) if n_tokens else None
    return out


def case(rng, mode, suffix=False, weird=0.0, odd=False, rate=0.3, invalid=False, empty_sents=False):
    n_sent = rng.randint(1, 5)
    gold, pred = [], []
    scheme_for_shape = "IOB2" if mode == "default" else mode
    prefixes = "IOBES" if mode == "default" else ALLOWED[mode]
    if mode == "default" and rng.random() < 0.3:
        scheme_for_shape = rng.choice(["IOBES", "BILOU", "IOE2"])
        prefixes = rng.choice(["IOBES", "IOBESLU", "IB"])
    for _ in range(n_sent):
        n = 0 if empty_sents and rng.random() < 0.3 else rng.randint(1, 10)
        base = well_formed(rng, n, scheme_for_shape, suffix)
        g = perturb(rng, base, prefixes, rate * 0.4, weird, suffix, odd)
        p = perturb(rng, base, prefixes, rate, weird, suffix, odd)
        gold.append(g)
        pred.append(p)
    if invalid:
        # One tag the scheme refuses: a prefix outside the scheme, or no known prefix.
        bad = rng.choice(["X-PER", "PER", ".", "B-PER", "E-PER", "S-LOC", "U-LOC", "L-ORG"])
        if bad[0] in ALLOWED[mode] and bad[0] != "O":
            bad = "Q-PER"
        side = rng.choice([gold, pred])
        s = rng.randrange(len(side))
        if not side[s]:
            side[s] = ["O"]
            (pred if side is gold else gold)[s] = ["O"]
        side[s][rng.randrange(len(side[s]))] = bad
    c = {"mode": mode, "suffix": suffix, "gold": [" ".join(s) for s in gold], "pred": [" ".join(s) for s in pred]}
    try:
        c["expect"] = expected(gold, pred, mode, suffix)
    except (ValueError, KeyError) as e:
        c["error"] = f"{type(e).__name__}: {e}"
    return c


def main():
    rng = random.Random(20240611)
    cases = []
    # Hand-picked edge cases first.
    hand = [
        ("default", [["O", "O"]], [["O", "O"]]),
        ("default", [["I-PER", "I-PER", "I-LOC"]], [["B-PER", "I-PER", "B-LOC"]]),
        ("default", [["B-PER", "O"], ["X", "I-PER"]], [["B-PER", "O"], ["O", "I-PER"]]),
        ("default", [[], ["X", "I-PER"]], [[], ["X", "I-PER"]]),
        ("default", [["B-PER", "E-PER", "X-PER"]], [["B-PER", "E-PER", "O"]]),
        ("default", [["B", "I", "O", "S"]], [["B", "I", "O", "E"]]),
        ("default", [["PER", "PER", "O", "LOC"]], [["PER", "LOC", "O", "LOC"]]),
        ("default", [["O", "X", "B-PER"], ["X", "B-LOC"]], [["O", "X", "B-PER"], ["B-LOC", "B-LOC"]]),
        ("IOB2", [["I-PER", "I-PER", "O"]], [["B-PER", "I-PER", "O"]]),
        ("IOBES", [["B-PER", "I-PER"], ["S-LOC"]], [["B-PER", "E-PER"], ["S-LOC"]]),
        ("BILOU", [["B-PER", "L-PER", "U-LOC"]], [["B-PER", "I-PER", "U-LOC"]]),
        ("IOB1", [["I-PER", "B-PER", "I-LOC"]], [["I-PER", "I-PER", "I-LOC"]]),
        ("IOE1", [["I-PER", "E-PER", "I-PER"]], [["I-PER", "I-PER", "E-PER"]]),
        ("IOE2", [["I-PER", "E-PER", "E-LOC"]], [["E-PER", "E-PER", "I-LOC"]]),
        ("IOB2", [["O", "O"]], [["O", "O"]]),
        ("IOB2", [["B-PER", "E-PER"]], [["B-PER", "I-PER"]]),
    ]
    for mode, g, p in hand:
        c = {"mode": mode, "suffix": False, "gold": [" ".join(s) for s in g], "pred": [" ".join(s) for s in p]}
        try:
            c["expect"] = expected(g, p, mode, False)
        except (ValueError, KeyError) as e:
            c["error"] = f"{type(e).__name__}: {e}"
        cases.append(c)
    for _ in range(260):
        cases.append(case(rng, "default", weird=rng.choice([0.0, 0.0, 0.1, 0.3]), odd=rng.random() < 0.3,
                          rate=rng.choice([0.1, 0.3, 0.6]), empty_sents=rng.random() < 0.1))
    for _ in range(30):
        cases.append(case(rng, "default", suffix=True, weird=rng.choice([0.0, 0.1])))
    for mode in SCHEMES:
        for _ in range(60):
            cases.append(case(rng, mode, odd=rng.random() < 0.3, rate=rng.choice([0.1, 0.3, 0.6])))
        for _ in range(8):
            cases.append(case(rng, mode, suffix=True, rate=0.3))
        for _ in range(6):
            cases.append(case(rng, mode, invalid=True))
    # A few larger corpora, for the averages over many sentences.
    for mode in ["default", "IOB2", "IOBES"]:
        for _ in range(2):
            gold, pred = [], []
            shape = "IOBES" if mode == "IOBES" else "IOB2"
            for _ in range(120):
                base = well_formed(rng, rng.randint(1, 25), shape)
                gold.append(perturb(rng, base, ALLOWED.get(mode, "IOB"), 0.05))
                pred.append(perturb(rng, base, ALLOWED.get(mode, "IOB"), 0.25))
            c = {"mode": mode, "suffix": False, "gold": [" ".join(s) for s in gold], "pred": [" ".join(s) for s in pred]}
            e = expected(gold, pred, mode, False)
            del e["gold_entities"], e["pred_entities"]
            c["expect"] = e
            cases.append(c)
    doc = {"generator": "make_fixtures.py", "seqeval": "1.2.2", "cases": cases}
    with open("seqeval_fixtures.json", "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    n_err = sum("error" in c for c in cases)
    print(f"{len(cases)} cases ({n_err} errors)")


if __name__ == "__main__":
    main()
