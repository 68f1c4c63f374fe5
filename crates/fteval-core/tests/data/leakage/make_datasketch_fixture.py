"""Write datasketch_minhash.json: datasketch 2.0 MinHash (scheme "affine32") hash values for
shingle sets, so fteval's Scheme::Datasketch can be checked against the reference bit for bit.

Run: python3 make_datasketch_fixture.py  (needs datasketch>=2.0, numpy)
"""

import json
import os
import random

import datasketch
from datasketch import MinHash


def shingles(text, n=5):
    """Word n-gram shingles of a text, joined by single spaces, as UTF-8 bytes."""
    words = text.split()
    if len(words) < n:
        return [" ".join(words).encode("utf-8")] if words else []
    return [" ".join(words[i : i + n]).encode("utf-8") for i in range(len(words) - n + 1)]


def cases():
    rng = random.Random(20240601)
    vocab = ["w%d" % i for i in range(2000)]
    out = [
        ("empty", []),
        ("empty_bytes", [b""]),
        ("single", [b"hello"]),
        ("single_space", [b" "]),
        ("nul_byte", [b"\x00"]),
        ("two", [b"hello", b"world"]),
        ("duplicates", [b"a", b"a", b"b"]),
        ("sentence", shingles("the quick brown fox jumps over the lazy dog and runs far away")),
        ("unicode_fr", shingles("L'été dernier, nous sommes allés à la plage près de Nîmes avec nos amis")),
        ("unicode_ja", shingles("東京 は 日本 の 首都 です そして 大きな 都市 です とても")),
        ("unicode_emoji", shingles("I ❤️ Rust 🦀 and Python 🐍 both are great 🎉 languages to use")),
        ("unicode_mixed", ["ß".encode(), "Ω≈ç√∫".encode(), "𝔘𝔫𝔦𝔠𝔬𝔡𝔢".encode(), "é".encode()]),
        ("long_bytes", [b"x" * 1000, b"y" * 64, b"z" * 55, b"q" * 56]),
    ]
    for k in range(12):
        size = [3, 10, 50, 150, 150, 300, 500, 500, 500, 20, 1, 80][k]
        out.append(("random_%d_%d" % (k, size), [" ".join(rng.choices(vocab, k=5)).encode() for _ in range(size)]))
    base = [" ".join(rng.choices(vocab, k=5)).encode() for _ in range(500)]
    out.append(("near_a_500", base))
    out.append(("near_b_500", base[:450] + [b"changed %d" % i for i in range(50)]))
    out.append(("numbers_500", [str(i).encode() for i in range(500)]))
    return out


def main():
    records = []
    for index, (name, items) in enumerate(cases()):
        runs = [(1, 128)]
        if index < 8 or name.startswith(("near_", "numbers_")):
            runs += [(42, 128), (0, 16), (4294967295, 8)]
        records.append(
            {
                "name": name,
                "shingles_hex": [item.hex() for item in items],
                "signatures": [signature(items, seed, num_perm) for seed, num_perm in runs],
            }
        )
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "datasketch_minhash.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"datasketch_version": datasketch.__version__, "cases": records}, f, indent=None)
        f.write("\n")


def signature(items, seed, num_perm):
    """datasketch's default MinHash of the items, with its seed and permutation count."""
    m = MinHash(num_perm=num_perm, seed=seed)
    for item in items:
        m.update(item)
    return {"seed": seed, "num_perm": num_perm, "hashvalues": [int(v) for v in m.hashvalues]}


if __name__ == "__main__":
    main()
