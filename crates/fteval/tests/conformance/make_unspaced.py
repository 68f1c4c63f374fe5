"""Makes unspaced.jsonl: generation cases in scripts without spaces (Chinese, Japanese, Thai)
and with sacreBLEU's zh, char and intl tokenizers, with the values sacreBLEU 2.6.0 and
rouge-score 0.1.2 give. ROUGE on characters is rouge-score with a tokenizer object whose
tokens are the lowercased text's characters other than whitespace and Unicode punctuation.

Run with the bench venv: /work/benchenv/bin/python make_unspaced.py > unspaced.jsonl
"""
import json
import random
import unicodedata

import sacrebleu
from rouge_score import rouge_scorer


class CharTokenizer:
    def tokenize(self, text):
        return [c for c in text.lower() if not c.isspace() and not unicodedata.category(c).startswith("P")]


POOLS = {
    "zh": ["今天", "天气", "很好", "我们", "去", "公园", "散步", "模型", "训练", "数据", "结果", "。", "，", "北京",
           "2024年", "GPT-4", "的", "了", "—", "“", "”", "１２", "→"],
    "ja": ["今日", "は", "天気", "が", "いい", "です", "。", "モデル", "の", "学習", "データ", "、", "東京", "へ", "行く"],
    "th": ["วันนี้", "อากาศ", "ดี", "มาก", "เรา", "ไป", "สวน", "โมเดล", "ข้อมูล", "ครับ", " "],
    "en": ["The", "model", "—", "improved", "by", "3.5%", "(see", "Fig.", "2)", "“quoted”", "€40", "1,000", "x+y=z",
           "it's", "naïve", "end."],
}


def text(rng, pool, n, sep):
    return sep.join(rng.choice(pool) for _ in range(n)).strip()


def case(name, lang, n, args, tokenize, seed, sep=""):
    rng = random.Random(seed)
    pool = POOLS[lang]
    preds, refs, rows = [], [], []
    for i in range(n):
        ref = text(rng, pool, rng.randint(4, 14), sep)
        if i % 4 == 0:
            pred = ref
        else:
            words = [rng.choice(pool) for _ in range(rng.randint(3, 12))]
            pred = sep.join(words).strip()
        preds.append(pred)
        refs.append(ref)
        rows.append(json.dumps({"id": i, "prediction": pred, "reference": ref}, ensure_ascii=False))
    bleu = sacrebleu.BLEU(tokenize=tokenize)
    b = bleu.corpus_score(preds, [refs])
    chrf = sacrebleu.CHRF().corpus_score(preds, [refs])
    rouge = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], tokenizer=CharTokenizer())
    scores = [rouge.score(r, p) for p, r in zip(preds, refs)]
    mean = lambda k: sum(s[k].fmeasure for s in scores) / n
    expect = {
        "task": "generation",
        "n": n,
        "metrics.bleu.value": b.score,
        "signatures.bleu": str(bleu.get_signature()),
        "metrics.chrf.value": chrf.score,
        "generation.bleu_tokenizer": tokenize,
    }
    if lang != "en":
        expect.update({
            "generation.rouge_tokens": "characters",
            "metrics.rouge1.value": mean("rouge1"),
            "metrics.rouge2.value": mean("rouge2"),
            "metrics.rougeL.value": mean("rougeL"),
            "metrics.rougeLsum.value": mean("rougeLsum"),
        })
    return {"name": name, "files": {"gen.jsonl": "\n".join(rows) + "\n"},
            "args": ["metrics", "gen.jsonl", "--bootstrap", "0"] + args, "expect": expect}


CASES = [
    case("zh_auto", "zh", 40, [], "zh", 1),
    case("zh_char", "zh", 40, ["--bleu-tokenize", "char"], "char", 2),
    case("ja_auto", "ja", 30, [], "char", 3),
    case("th_auto", "th", 30, [], "char", 4),
    case("en_intl", "en", 30, ["--bleu-tokenize", "intl"], "intl", 5, sep=" "),
    case("en_zh_quirks", "en", 30, ["--bleu-tokenize", "zh"], "zh", 6, sep=" "),
]
for c in CASES:
    print(json.dumps(c, ensure_ascii=False))
