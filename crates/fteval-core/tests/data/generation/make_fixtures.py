"""Write the generation-metric fixtures that crates/fteval-core/tests/generation.rs checks fteval
against, computed with the reference packages themselves:

  references.json      per-example and corpus values: sacreBLEU's 13a tokens, BLEU and chrF/chrF++
                       segment statistics and corpus scores (several options) with signatures,
                       rouge-score's tokens and ROUGE-1/2/L/Lsum (with and without stemmer, one or
                       several references), SQuAD v1.1 normalisation, exact match and token F1,
                       and sacreBLEU's paired approximate randomisation test with its numpy masks.
  unicode_python.json  CPython's str.isalnum / str.isspace / str.lower over all code points
                       assigned in its Unicode version (the string semantics the references use).
  porter_words.tsv.gz  word -> NLTK PorterStemmer() stem for every distinct word found in the
                       Python standard library and the installed packages' sources and docs.

Run (outside the repository's build, in any venv):
    python3 -m venv /tmp/venv-gen && /tmp/venv-gen/bin/pip install sacrebleu==2.6.0 rouge-score==0.1.2 nltk
    /tmp/venv-gen/bin/python make_fixtures.py
The versions used are written into references.json ("versions").
"""

import collections
import gzip
import importlib.metadata
import json
import os
import random
import re
import string
import sys
import sysconfig
import unicodedata

import numpy as np
import sacrebleu
from nltk.stem.porter import PorterStemmer
from rouge_score import rouge_scorer, tokenize as rouge_tokenize
from rouge_score.tokenizers import DefaultTokenizer
from sacrebleu.metrics import BLEU, CHRF
from sacrebleu.metrics.base import Metric
from sacrebleu.significance import Result, _paired_ar_test
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------- SQuAD v1.1 (evaluate-v1.1.py)
def normalize_answer(s):
    """The official SQuAD v1.1 normalisation, as written in evaluate-v1.1.py."""

    def remove_articles(text):
        return re.sub(r"\b(a|an|the)\b", " ", text)

    def white_space_fix(text):
        return " ".join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    def lower(text):
        return text.lower()

    return white_space_fix(remove_articles(remove_punc(lower(s))))


def squad_f1(prediction, ground_truth):
    prediction_tokens = normalize_answer(prediction).split()
    ground_truth_tokens = normalize_answer(ground_truth).split()
    common = collections.Counter(prediction_tokens) & collections.Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    return (2 * precision * recall) / (precision + recall)


def squad_em(prediction, ground_truth):
    return normalize_answer(prediction) == normalize_answer(ground_truth)


# ---------------------------------------------------------------- texts
WORDS = [
    "the", "a", "an", "The", "A", "An", "THE", "cat", "sat", "on", "mat", "dog", "dogs", "running", "runs", "ran",
    "happily", "generalization", "generalizes", "state-of-the-art", "well-known", "don't", "it's", "U.S.A.",
    "e.g.", "3.5", "1,000", "1-2", "42", "-5", "$10", "50%", "café", "naïve", "résumé", "Straße", "İstanbul",
    "\u212aelvin", "ΟΔΟΣ", "ΣΟΦΟΣ.", "οδός", "中文", "日本語の", "Привет", "мир", "😀", "👍🏽", "नमस्ते", "a\u0301",
    "the\u0301", "\u0301the", "(see)", "[note]", "{x}", "<tag>", "&quot;quoted&quot;", "&amp;", "&lt;b&gt;",
    "&amp;lt;", "x&y", "AT&T", "hello,world", "end.", "wait...", "ok?!", "3.", "a.b", "1.5.", "--", "—", "–",
    "_under_", "back\\slash", "#hash", "@user", "http://x.org/a?b=1&c=2", "e-mail", "co-operate", "re-\nentry",
    "<skipped>", "\ufb01nal", "Ⓐ", "١٢٣", "½", "²", "x²", "'quoted'", '"double"', "it`s", "~tilde", "^caret", "|pipe|",
    "a;b:c", "semi;", "colon:", "percent%", "+plus", "*star*", "=eq", "model", "models", "training", "trained",
    "evaluation", "evaluations", "precision", "recall", "overfitting", "relational", "conditional", "hopefulness",
    "controlling", "agreed", "ponies", "caresses", "flies", "dying", "skies", "news", "innings", "generously",
    "an_a", "a-an", "thea", "théa", "ANd", "1.000,5", "10-20-30", "5-", "-", ".", ",", "...", ",,", "x.", ".x",
    "ⅷ", "Ⅻ", "ǅungla", "ﬀ", "K", "Å", "ß", "ẞ", "Σ", "ς", "İİ", "x\u00a0y", "tab\tsep", "x\u001cy", "y\u001f",
    "line\u2028sep", "nb\u202fsp", "\u3000wide", "ok\u0085nel", "x\u200by", "zero\u200d",
]

SEPARATORS = [" "] * 30 + ["  ", "\t", "\n", " \n ", "\u00a0", "\u3000"]


def sentence(rng, n_words):
    out = []
    for i in range(n_words):
        if i:
            out.append(rng.choice(SEPARATORS))
        out.append(rng.choice(WORDS))
    return "".join(out)


def edit(rng, text, rate):
    """A variant of `text`: words dropped, substituted, duplicated, swapped or recased."""
    words = text.split(" ")
    out = []
    for w in words:
        r = rng.random()
        if r < rate / 4:
            continue
        if r < rate / 2:
            out.append(rng.choice(WORDS))
        elif r < 3 * rate / 4:
            out.extend([w, rng.choice(WORDS)])
        elif r < rate:
            out.append(w.upper() if rng.random() < 0.5 else w.lower())
        else:
            out.append(w)
    if len(out) > 2 and rng.random() < rate:
        i = rng.randrange(len(out) - 1)
        out[i], out[i + 1] = out[i + 1], out[i]
    return " ".join(out)


def fixed_cases():
    """Hand-picked edge cases: (hypothesis, references)."""
    return [
        ("", [""]),
        ("", ["the cat"]),
        ("the cat", [""]),
        (" ", ["  "]),
        ("a", ["a"]),
        ("x", ["y"]),
        ("The cat sat on the mat.", ["The cat sat on the mat."]),
        ("the the the the the the the", ["the cat is on the mat"]),
        ("the cat is on the mat", ["the the the the the the the"]),
        ("A quick brown fox", ["a quick brown fox jumps", "quick brown", "A quick brown fox!"]),
        ("one two three", ["one two", "one two three four"]),  # closest ref length tie: shorter wins
        ("one two three four", ["one two three", "one two three four five"]),
        ("It's 3.5% of $1,000.00 -- really?!", ["It is 3.5 % of $ 1,000.00 - really ?"]),
        ("&quot;Hello&quot; &amp; &lt;world&gt; &amp;lt;", ['"Hello" & <world> <']),
        ("end-\nof-line <skipped> text", ["endof-line text"]),
        ("First sentence here.\nSecond one there.\n\nThird!", ["First sentence.\nThe second one is here.\nThird!"]),
        ("line one\r\nline two", ["line one\nline two"]),
        ("only\n\n\n", ["\nonly"]),
        ("The Running Dogs generalizes happily", ["the runner dog generalization happy"]),
        ("İstanbul \u212aelvin Straße", ["istanbul kelvin strasse"]),
        ("ΟΔΟΣ ΣΟΦΟΣ", ["οδος σοφος"]),
        ("中文 日本語の テキスト", ["中文 日本語 テキスト"]),
        ("a the an", ["the a an"]),
        ("The answer is the U.S.A.", ["U.S.A.", "the usa", "United States"]),
        ("(hi) there!", ["(hi) there !"]),
        ("x" * 300, ["x" * 299]),
        ("ab" * 50, ["ba" * 50]),
        ("1-2 3-4 a-b 5.6,7 .8 9.", ["1 - 2 3 - 4 a-b 5.6,7 . 8 9 ."]),
        ("tab\tsep\u001cinfo\u001fsep", ["tab sep info sep"]),
        ("nbsp\u00a0here and\u2028there", ["nbsp here and there"]),
        ("emoji 😀👍🏽 test", ["emoji 😀 test"]),
        ("the\u0301 a\u0301 théa", ["the a thea"]),
        ("Ⓐ ⓑ a", ["a b a"]),
        ("same", ["same", "same", "same"]),
        ("different words entirely", ["nothing in common", "still nothing"]),
        ("short", ["a much longer reference sentence than the hypothesis is"]),
        ("a much longer hypothesis sentence than the short reference is", ["short"]),
    ]


def random_cases(rng, n):
    out = []
    for _ in range(n):
        length = rng.choice([1, 2, 3, 5, 8, 12, 20, 30, 45])
        ref = sentence(rng, length)
        n_refs = rng.choice([1, 1, 1, 2, 3])
        refs = [ref] + [edit(rng, ref, 0.3) if rng.random() < 0.7 else sentence(rng, length) for _ in range(n_refs - 1)]
        r = rng.random()
        if r < 0.05:
            hyp = ""
        elif r < 0.1:
            hyp = ref
        elif r < 0.15:
            hyp = sentence(rng, rng.choice([1, 3, 10]))
        else:
            hyp = edit(rng, ref, rng.choice([0.1, 0.3, 0.6]))
        if rng.random() < 0.1:
            refs.reverse()
        out.append((hyp, refs))
    return out


# ---------------------------------------------------------------- references
TOK = Tokenizer13a()
ROUGE_TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
SCORERS = {
    "nostem": rouge_scorer.RougeScorer(ROUGE_TYPES, use_stemmer=False),
    "stem": rouge_scorer.RougeScorer(ROUGE_TYPES, use_stemmer=True),
}

BLEU_CONFIGS = {
    "default": {},
    "lowercase": {"lowercase": True},
    "smooth_none": {"smooth_method": "none"},
    "smooth_floor": {"smooth_method": "floor"},
    "smooth_floor_0.5": {"smooth_method": "floor", "smooth_value": 0.5},
    "smooth_addk": {"smooth_method": "add-k"},
    "effective_order": {"effective_order": True},
}
CHRF_CONFIGS = {
    "chrf": {},
    "chrf_pp": {"word_order": 2},
    "chrf_eps": {"eps_smoothing": True},
    "chrf_pp_eps": {"word_order": 2, "eps_smoothing": True},
    "chrf_lowercase": {"lowercase": True},
    "chrf_whitespace": {"whitespace": True},
    "chrf_beta1_order4": {"beta": 1, "char_order": 4, "word_order": 1},
}


def segment_stats(metric, hyp, refs):
    return [int(x) for x in metric._extract_corpus_statistics([hyp], [[r] for r in refs])[0]]


def streams(examples):
    """sacreBLEU's reference streams, padded with None for a variable number of references."""
    n = max(len(refs) for _, refs in examples)
    return [[refs[i] if i < len(refs) else None for _, refs in examples] for i in range(n)]


def example_record(hyp, refs):
    rec = {"hyp": hyp, "refs": refs}
    bleu = BLEU()
    rec["bleu_stats"] = segment_stats(bleu, hyp, refs)
    rec["bleu_stats_lowercase"] = segment_stats(BLEU(lowercase=True), hyp, refs)
    rec["chrf_stats"] = {name: segment_stats(CHRF(**cfg), hyp, refs) for name, cfg in CHRF_CONFIGS.items()}
    rec["rouge"] = {}
    for name, scorer in SCORERS.items():
        s = scorer.score_multi(refs, hyp)
        rec["rouge"][name] = {k: [s[k].precision, s[k].recall, s[k].fmeasure] for k in ROUGE_TYPES}
    rec["squad"] = {
        "exact_match": float(max(squad_em(hyp, r) for r in refs)),
        "token_f1": float(max(squad_f1(hyp, r) for r in refs)),
    }
    return rec


def text_record(text):
    return {
        "text": text,
        "tok13a": TOK(text),
        "tok13a_bleu": BLEU()._preprocess_segment(text),
        "rouge_tokens": rouge_tokenize.tokenize(text, None),
        "rouge_tokens_stem": DefaultTokenizer(use_stemmer=True).tokenize(text),
        "squad_normalized": normalize_answer(text),
    }


def corpus_record(name, examples, indices):
    chosen = [examples[i] for i in indices]
    hyps = [h for h, _ in chosen]
    refs = streams(chosen)
    rec = {"name": name, "indices": indices, "bleu": {}, "chrf": {}}
    for cname, cfg in BLEU_CONFIGS.items():
        m = BLEU(**cfg)
        s = m.corpus_score(hyps, refs)
        rec["bleu"][cname] = {
            "score": s.score,
            "precisions": list(s.precisions),
            "bp": s.bp,
            "sys_len": s.sys_len,
            "ref_len": s.ref_len,
            "signature": str(m.get_signature()),
        }
    for cname, cfg in CHRF_CONFIGS.items():
        m = CHRF(**cfg)
        s = m.corpus_score(hyps, refs)
        rec["chrf"][cname] = {"score": s.score, "name": s.name, "signature": str(m.get_signature())}
    return rec


def ar_record(rng, name, refs_list, n_trials, seed):
    """sacreBLEU's paired AR test between two systems, with the numpy masks it draws."""
    base = [edit(rng, refs[0], 0.35) for refs in refs_list]
    system = [edit(rng, refs[0], 0.25) for refs in refs_list]
    ref_streams = streams([(None, refs) for refs in refs_list])
    out = {"name": name, "refs": refs_list, "baseline": base, "system": system, "seed": seed, "trials": n_trials}
    metrics = {"BLEU": BLEU(), "chrF2": CHRF(), "chrF2++": CHRF(word_order=2)}
    baseline_info = {}
    for mname, metric in metrics.items():
        stats = metric._extract_corpus_statistics(base, ref_streams)
        baseline_info[mname] = (np.array(stats), Result(metric._aggregate_and_compute(stats).score))
    _, results = _paired_ar_test(baseline_info, "sys", system, ref_streams, metrics, n_trials, -1, seed)
    out["p_values"] = {k: r.p_value for k, r in results.items()}
    # The first draw of _paired_ar_test's generator is the swap mask (pos_sel).
    masks = np.random.default_rng(seed).integers(2, size=(n_trials, len(base)), dtype=bool)
    out["masks"] = ["".join("1" if b else "0" for b in row) for row in masks]
    # sacreBLEU's p-values with its default 10,000 trials and seed 12345 (to compare with fteval's
    # own random masks up to Monte Carlo error).
    _, results = _paired_ar_test(baseline_info, "sys", system, ref_streams, metrics, 10000, -1, 12345)
    out["p_values_10000"] = {k: r.p_value for k, r in results.items()}
    return out


def unicode_tables():
    def ranges(pred):
        out, start = [], None
        for cp in range(0x110001):
            ok = cp <= 0x10FFFF and pred(cp)
            if ok and start is None:
                start = cp
            elif not ok and start is not None:
                out.append([start, cp - 1])
                start = None
        return out

    assigned = lambda cp: unicodedata.category(chr(cp)) != "Cn"  # noqa: E731
    return {
        "unicode_version": unicodedata.unidata_version,
        "assigned": ranges(assigned),
        "isalnum": ranges(lambda cp: chr(cp).isalnum()),
        "isspace": ranges(lambda cp: chr(cp).isspace()),
        "lower": [
            [cp, chr(cp).lower()]
            for cp in range(0x110000)
            if assigned(cp) and not 0xD800 <= cp <= 0xDFFF and chr(cp).lower() != chr(cp)
        ],
    }


def porter_words():
    """Distinct words of the Python sources and docs on this machine, with NLTK's stems."""
    roots = {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"]}
    counts, other_words = collections.Counter(), set()
    word_re = re.compile(r"[^\W_]+")
    for root in sorted(roots):
        for dirpath, _, files in os.walk(root):
            for f in sorted(files):
                if not f.endswith((".py", ".txt", ".rst", ".md", ".pyi")):
                    continue
                try:
                    with open(os.path.join(dirpath, f), encoding="utf-8") as fh:
                        text = fh.read()
                except (UnicodeDecodeError, OSError):
                    continue
                # the tokens rouge-score stems: lowercase [a-z0-9] runs
                counts.update(re.findall(r"[a-z0-9]+", text.lower()))
                for w in word_re.findall(text):
                    if not w.isascii() and len(w) < 30:
                        other_words.add(w)
    # The most frequent words (real words rather than identifiers glued together) keep the
    # fixture under 1 MB; a sample of the rest, of words with digits and of non-ASCII words is added.
    rng = random.Random(5)
    alpha = sorted((w for w in counts if w.isalpha() and len(w) < 40), key=lambda w: (-counts[w], w))
    rest = sorted(alpha[60000:])
    digits = sorted(w for w in counts if not w.isalpha() and not w.isdigit() and len(w) < 40)
    ascii_words = sorted(
        set(alpha[:60000]) | set(rng.sample(rest, min(8000, len(rest)))) | set(rng.sample(digits, min(3000, len(digits))))
    )
    other_words = sorted(rng.sample(sorted(other_words), min(3000, len(other_words))))
    stemmer = PorterStemmer()
    # Words as written (with capitals) go through stem()'s own lowercasing.
    cased = sorted({w.capitalize() for w in ascii_words[::40]} | {w.upper() for w in ascii_words[::97]})
    return [(w, stemmer.stem(w)) for w in ascii_words + other_words + cased]


def main():
    rng = random.Random(20250611)
    examples = fixed_cases() + random_cases(rng, 400)
    n = len(examples)
    by_refs = collections.defaultdict(list)
    for i, (_, refs) in enumerate(examples):
        by_refs[len(refs)].append(i)
    corpora = [
        corpus_record("all_variable_refs", examples, list(range(n))),
        corpus_record("one_ref", examples, by_refs[1]),
        corpus_record("two_refs", examples, by_refs[2]),
        corpus_record("three_refs", examples, by_refs[3]),
        corpus_record("fixed_cases", examples, list(range(len(fixed_cases())))),
    ]
    for k in range(6):  # bootstrap-like resamples with repetition
        corpora.append(corpus_record(f"resample_{k}", examples, [rng.randrange(n) for _ in range(rng.choice([5, 50, 400]))]))
    for i in range(0, len(fixed_cases())):  # single sentences
        corpora.append(corpus_record(f"single_{i}", examples, [i]))

    texts = sorted({t for h, refs in examples for t in [h] + refs})
    ar_refs = [refs for _, refs in random_cases(random.Random(7), 120) if all(r.strip() for r in refs)]
    ar_one = [[refs[0]] for refs in ar_refs[:80]]
    refs_doc = {
        "versions": {
            "python": sys.version.split()[0],
            "sacrebleu": sacrebleu.__version__,
            "rouge-score": importlib.metadata.version("rouge-score"),
            "nltk": importlib.metadata.version("nltk"),
            "numpy": np.__version__,
        },
        "texts": [text_record(t) for t in texts],
        "examples": [example_record(h, refs) for h, refs in examples],
        "corpora": corpora,
        "paired_ar": [
            ar_record(random.Random(11), "one_ref", ar_one, 400, 12345),
            ar_record(random.Random(12), "variable_refs", ar_refs[:60], 300, 99),
        ],
    }
    with open(os.path.join(HERE, "references.json"), "w", encoding="utf-8") as f:
        json.dump(refs_doc, f, ensure_ascii=False, separators=(",", ":"))
    with open(os.path.join(HERE, "unicode_python.json"), "w", encoding="utf-8") as f:
        json.dump(unicode_tables(), f, ensure_ascii=True, separators=(",", ":"))
    words = porter_words()
    with gzip.GzipFile(os.path.join(HERE, "porter_words.tsv.gz"), "wb", mtime=0) as f:
        f.write("".join(f"{w}\t{s}\n" for w, s in words).encode("utf-8"))
    print(f"{len(texts)} texts, {n} examples, {len(corpora)} corpora, {len(words)} stemmed words")


if __name__ == "__main__":
    main()
