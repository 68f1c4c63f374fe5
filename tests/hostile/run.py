#!/usr/bin/env python3
"""The hostile-input suite of issue 16: every command of fteval against every class of hostile input.

Usage:  python3 tests/hostile/run.py [BINARY] [--list] [--only PATTERN ...] [--jobs N] [--verbose] [--keep]

BINARY defaults to target/release/fteval. The inputs are generated into a temporary folder (nothing binary is
committed; the one Parquet seed is the repository's test fixture). Every case runs under RLIMIT_AS (2 GiB by
default) and a wall-time cap, and passes when
  - the exit code is one of the expected ones (0 ok, 1 a gate failed, 2 bad input) and no signal killed it;
  - on exit 2, stderr names the cause (regexes per case: the file, line, flag or config key);
  - stderr has no panic, allocation failure or stack overflow;
  - every file that existed before the run is unchanged (sha256), inputs and previous reports alike;
  - for the escape cases, stdout (terminal/Markdown) and stderr hold no raw control characters;
  - case-specific limits hold (report size, files not created through symlinks, ...).
It prints a table (case, expected, got, pass/fail, peak RSS, seconds) and exits 1 when a case fails.
Python 3 standard library only, so CI needs no virtualenv.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import fnmatch
import hashlib
import json
import os
import random
import re
import resource
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Callable, Optional

GiB = 1 << 30
MiB = 1 << 20
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PARQUET_SEED = os.path.join(REPO, "crates", "fteval", "tests", "data", "binary.parquet")

# What a crash looks like on stderr, whatever the exit code.
CRASH = re.compile(
    r"panicked|memory allocation of|stack overflow|overflowed its stack|RUST_BACKTRACE|core dumped|Aborted"
)
# Raw control characters a terminal would act on: C0 except tab and newline, DEL, and C1.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
# Escape sequences put into labels, column names, texts and file names: clear screen, set the window title,
# an 8-bit CSI, carriage return and backspace.
PAYLOAD = "\x1b[2J\x1b]0;pwned\x07\x9b31m\r\x08"
# The same without the carriage return, for formats split on whitespace (CoNLL, words of a text).
PAYLOAD_WORD = PAYLOAD.replace("\r", "")
# Words a message about a size, length or depth limit uses.
LIMIT = r"(?i)(limit|too (large|long|big|many|deep)|exceed|larger than|longer than|more than|at most|deeper than)"
DEPTH = r"(?i)(deep|depth|nest)"


# ---------------------------------------------------------------------------------------------------------------
# Generators of inputs


def write_text(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def rng(seed: int) -> random.Random:
    return random.Random(seed)


def quote(cell, delim: str = ",") -> str:
    """A CSV field, quoted when it holds the delimiter, a quote, a line break or edge spaces."""
    s = str(cell)
    if any(c in s for c in (delim, '"', "\r", "\n")) or s != s.strip():
        return '"' + s.replace('"', '""') + '"'
    return s


def csv_text(header: list, rows: list, delim: str = ",") -> str:
    """A CSV/TSV table, quoted as pandas writes it."""
    out = [delim.join(quote(c, delim) for c in header)]
    out += [delim.join(quote(c, delim) for c in r) for r in rows]
    return "\n".join(out) + "\n"


def binary_rows(n: int = 200, seed: int = 0, labels=("ham", "spam"), flip: float = 0.15, model: int = 0):
    """Binary predictions: id, label, pred, prob (the prob agrees with pred). The gold labels depend on `seed`
    only, the mistakes on `model` too, so two models of one test set share their gold labels."""
    r, m = rng(seed), rng(seed * 1000 + model + 1)
    rows = []
    for i in range(n):
        y = labels[1] if r.random() < 0.4 else labels[0]
        p = m.random()
        wrong = m.random() < flip
        pred = y if not wrong else (labels[0] if y == labels[1] else labels[1])
        prob = 0.5 + p / 2 if pred == labels[1] else p / 2
        rows.append([f"ex-{i}", y, pred, f"{prob:.4f}"])
    return rows


def binary_csv(n=200, seed=0, labels=("ham", "spam"), delim=",", model=0) -> str:
    return csv_text(["id", "label", "pred", "prob"], binary_rows(n, seed, labels, model=model), delim)


def binary_jsonl(n=200, seed=0) -> str:
    return "".join(
        json.dumps({"id": i, "label": y, "pred": p, "prob": float(s)}) + "\n" for i, y, p, s in binary_rows(n, seed)
    )


def binary_json(n=200, seed=0) -> str:
    return json.dumps([{"id": i, "label": y, "pred": p, "prob": float(s)} for i, y, p, s in binary_rows(n, seed)])


def multiclass_csv(n_rows: int, n_classes: int, seed: int = 0) -> str:
    """Labels 0..n_classes-1, each present; predictions right 70% of the time."""
    r = rng(seed)
    lines = ["id,label,pred"]
    for i in range(n_rows):
        y = i % n_classes
        p = y if r.random() < 0.7 else r.randrange(n_classes)
        lines.append(f"{i},c{y},c{p}")
    return "\n".join(lines) + "\n"


TAGS = ["O", "O", "O", "B-PER", "I-PER", "B-LOC", "B-ORG", "I-ORG"]


def ner_sentences(n: int = 60, seed: int = 0):
    r = rng(seed)
    out = []
    for s in range(n):
        k = r.randint(3, 9)
        toks = [f"w{r.randrange(500)}" for _ in range(k)]
        gold = [r.choice(TAGS) for _ in range(k)]
        gold = [("B" + t[1:] if t.startswith("I-") and (j == 0 or gold[j - 1] == "O") else t) for j, t in enumerate(gold)]
        pred = [t if r.random() < 0.85 else r.choice(TAGS) for t in gold]
        out.append((toks, gold, pred))
    return out


def conll_text(n=60, seed=0) -> str:
    return "".join("".join(f"{t} {g} {p}\n" for t, g, p in zip(*s)) + "\n" for s in ner_sentences(n, seed))


def ner_jsonl(n=60, seed=0) -> str:
    return "".join(
        json.dumps({"tokens": t, "labels": g, "predictions": p}) + "\n" for t, g, p in ner_sentences(n, seed)
    )


WORDS = (
    "the a model answer question paris london river city blue green quick brown fox jumps over lazy dog "
    "learning rate loss value training test data report number small large first second third"
).split()


def sentence(r: random.Random, k: int) -> str:
    return " ".join(r.choice(WORDS) for _ in range(k))


def generation_csv(n=40, seed=0, evil: str = "") -> str:
    """Generated text and references; `evil` is put into the word "paris" of both."""
    r = rng(seed)
    rows = []
    for i in range(n):
        ref = sentence(r, r.randint(4, 12)).replace("paris", f"par{evil}is")
        pred = ref if r.random() < 0.4 else sentence(r, r.randint(4, 12)).replace("paris", f"par{evil}is")
        rows.append([i, pred, ref])
    return csv_text(["id", "prediction", "reference"], rows)


def split_rows(n: int, seed: int, prefix: str):
    r = rng(seed)
    return [[f"{prefix}{i}", f"{sentence(r, 14)} item {prefix}{i}", r.choice(["pos", "neg"])] for i in range(n)]


def split_csv(rows) -> str:
    return csv_text(["id", "text", "label"], rows)


def trainer_state(n_steps: int = 20, keys_extra: Optional[dict] = None) -> str:
    hist = []
    for s in range(1, n_steps + 1):
        hist.append({"epoch": s / 10, "loss": round(1.5 / (1 + s / 5), 4), "step": s * 10})
        if s % 5 == 0:
            e = {"epoch": s / 10, "eval_loss": round(1.6 / (1 + s / 6), 4), "eval_accuracy": 0.5 + s / 100, "step": s * 10}
            e.update(keys_extra or {})
            hist.append(e)
    return json.dumps({"global_step": n_steps * 10, "epoch": n_steps / 10, "log_history": hist}, indent=1)


def keras_csv(n: int = 20, accuracy: str = "accuracy") -> str:
    rows = [[e, round(1.2 / (1 + e / 3), 4), round(0.5 + e / 50, 4), round(1.3 / (1 + e / 4), 4)] for e in range(n)]
    return csv_text(["epoch", "loss", accuracy, "val_loss"], rows)


def jsonl_log(n: int = 20) -> str:
    return "".join(json.dumps({"step": s * 10, "loss": round(1.0 / (1 + s / 4), 4)}) + "\n" for s in range(1, n + 1))


# TensorBoard event files: TFRecords of hand-encoded tensorflow.Event protos.

def _crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


_CRC32C = _crc32c_table()


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC32C[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def ld(field_no: int, payload: bytes) -> bytes:
    return varint(field_no << 3 | 2) + varint(len(payload)) + payload


def tb_event(step: int, tag: str, value: float) -> bytes:
    val = ld(1, tag.encode()) + b"\x15" + struct.pack("<f", value)  # Summary.Value{tag, simple_value}
    return b"\x09" + struct.pack("<d", 1.7e9 + step) + b"\x10" + varint(step) + ld(5, ld(1, val))


def tfrecord(data: bytes) -> bytes:
    n = struct.pack("<Q", len(data))
    return n + struct.pack("<I", masked_crc(n)) + data + struct.pack("<I", masked_crc(data))


def tfevents(n: int = 20, tag_prefix: str = "") -> bytes:
    out = tfrecord(b"\x09" + struct.pack("<d", 1.7e9) + ld(3, b"brain.Event:2"))
    for s in range(1, n + 1):
        out += tfrecord(tb_event(s * 10, tag_prefix + "train/loss", 1.0 / (1 + s / 4)))
        out += tfrecord(tb_event(s * 10, tag_prefix + "eval/loss", 1.1 / (1 + s / 5)))
    return out


# Gzip bombs: a deflate stream of one chunk compressed once and repeated. After Z_FULL_FLUSH the compressor's
# output is byte-aligned and its dictionary empty, so the same compressed segment can be written again and again;
# the CRC of the repeated data comes from crc32_combine (zlib's algorithm), so nothing is compressed twice.

def _gf2_times(mat, vec):
    s, i = 0, 0
    while vec:
        if vec & 1:
            s ^= mat[i]
        vec >>= 1
        i += 1
    return s


def _gf2_square(mat):
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def crc32_repeat(crc: int, length: int, times: int) -> int:
    out, base_crc, base_len = 0, crc, length
    while times:
        if times & 1:
            out = crc32_combine(out, base_crc, base_len)
        base_crc = crc32_combine(base_crc, base_crc, base_len)
        base_len *= 2
        times >>= 1
    return out


def gzip_bomb(path: str, head: bytes, chunk: bytes, total: int, tail: bytes = b"") -> None:
    """Writes a gzip file decompressing to head + chunk repeated up to `total` bytes + tail."""
    times = max(1, (total - len(head) - len(tail)) // len(chunk))
    c = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    seg_head = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    seg = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    seg_tail = c.compress(tail) + c.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    crc = crc32_combine(crc, crc32_repeat(zlib.crc32(chunk), len(chunk), times), len(chunk) * times)
    crc = crc32_combine(crc, zlib.crc32(tail), len(tail))
    size = len(head) + len(chunk) * times + len(tail)
    with open(path, "wb") as f:
        f.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff")
        f.write(seg_head)
        block = seg * max(1, (4 * MiB) // len(seg))
        reps, left = divmod(times, max(1, (4 * MiB) // len(seg)))
        for _ in range(reps):
            f.write(block)
        f.write(seg * left)
        f.write(seg_tail)
        f.write(struct.pack("<II", crc, size & 0xFFFFFFFF))


BOMB_SIZE = int(3.5 * GiB)


def deep_list(depth: int, open_="[", close="]", inner="1") -> str:
    return open_ * depth + inner + close * depth


def deep_dict_py(depth: int) -> str:
    return "{'a': " * depth + "0.5" + "}" * depth


# ---------------------------------------------------------------------------------------------------------------
# Cases


@dataclass
class Run:
    """One invocation of fteval and what it must do."""

    argv: list  # arguments after the binary; or, with shell=True, a bash script using "$FTEVAL"
    expect: set
    stderr: list = field(default_factory=list)  # regexes stderr must match on exit 2 (all of them)
    stderr_not: list = field(default_factory=list)  # regexes stderr must never match
    shell: bool = False
    stdin: Optional[object] = None  # None: /dev/null; bytes; or a path
    stdout: str = "file"  # file | null (/dev/null, not limited by fsize) | closed (a pipe whose reader has gone) | full (/dev/full)
    timeout: float = 20.0
    clean: bool = False  # no raw control characters in stdout and stderr
    max_stdout: Optional[int] = None
    fsize: Optional[int] = None  # RLIMIT_FSIZE, to make a write fail halfway (SIGXFSZ ignored: EFBIG)
    inputs: list = field(default_factory=list)  # files outside the case folder that must stay unchanged
    post: Optional[Callable] = None  # post(ctx, result) -> None or a failure message


class Ctx:
    """A case's folder, and the shared cache of big inputs."""

    def __init__(self, root: str, name: str, cache: "Cache"):
        self.dir = tempfile.mkdtemp(prefix=re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:60] + "-", dir=root)
        self.cache = cache
        self.fifos: list = []  # names of the named pipes made, in order
        self.writers: list = []  # their writer threads
        self.inputs: list = []  # shared inputs outside the folder

    def path(self, name: str) -> str:
        return os.path.join(self.dir, name)

    def cached(self, name: str, make: Callable[[str], None]) -> str:
        """A shared big input (made once per suite run); it is checked to be unchanged like the case's own files."""
        p = self.cache.get(name, make)
        self.inputs.append(p)
        return p

    def put(self, name: str, content) -> str:
        """Writes a file into the case folder; returns its name relative to the folder (the cwd of the run)."""
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(content.encode() if isinstance(content, str) else content)
        return name

    def fifo(self, name: str, content) -> str:
        """A named pipe a thread writes `content` into, once, when a reader opens it (started with the run)."""
        p = self.path(name)
        os.mkfifo(p)
        self.fifos.append(name)
        data = content.encode() if isinstance(content, str) else content

        def feed():
            try:
                with open(p, "wb") as f:
                    f.write(data)
            except OSError:
                pass

        t = threading.Thread(target=feed, daemon=True)
        t.fifo = p
        self.writers.append(t)
        return name

    def project(self, config: Optional[str] = None, **files) -> str:
        """A small check project: predictions, splits, a training log and fteval.toml."""
        base = binary_rows(200, 1, ("legit", "fraud"), 0.25, model=0)
        cand = binary_rows(200, 1, ("legit", "fraud"), 0.1, model=1)
        defaults = {
            "baseline.csv": csv_text(["id", "label", "pred", "score"], base),
            "candidate.csv": csv_text(["id", "label", "pred", "score"], cand),
            "candidate_train.csv": csv_text(["id", "label", "pred", "score"], binary_rows(300, 2, ("legit", "fraud"), 0.05)),
            "train.csv": split_csv(split_rows(300, 3, "tr")),
            "test.csv": split_csv(split_rows(100, 4, "te")),
            "trainer_state.json": trainer_state(),
        }
        defaults.update(files)
        for name, content in defaults.items():
            if content is not None:
                self.put(name, content)
        self.put("fteval.toml", config if config is not None else PROJECT_TOML)
        return "fteval.toml"


PROJECT_TOML = """# hostile-suite project
profile = "fraud"

[files]
baseline = "baseline.csv"
candidate = "candidate.csv"
train_predictions = "candidate_train.csv"
train = "train.csv"
test = "test.csv"
logs = ["trainer_state.json"]

[gates]
require = ["recall>=0.5"]
"""


class Cache:
    """Big inputs made once per suite run and shared by the cases (they are hashed as inputs too)."""

    def __init__(self, root: str):
        self.dir = os.path.join(root, "cache")
        os.makedirs(self.dir, exist_ok=True)
        self.lock = threading.Lock()
        self.made: dict = {}

    def get(self, name: str, make: Callable[[str], None]) -> str:
        with self.lock:
            p = os.path.join(self.dir, name)
            if name not in self.made:
                make(p)
                self.made[name] = p
            return p


def bomb(ctx: Ctx, kind: str) -> str:
    """The shared 3.5 GiB bombs (a few MB of gzip each)."""
    kinds = {
        "pred_rows.csv.gz": (b"label,pred\n", b"spam,spam\n" * 4096, b""),
        "pred_cell.csv.gz": (b"label,pred\nspam,", b"x" * 65536, b"\n"),
        "pred_cell.jsonl.gz": (b'{"label": "spam", "pred": "', b"x" * 65536, b'"}\n'),
        "pred_rows.json.gz": (b"[", b'{"label":"a","pred":"a"},' * 2048, b'{"label":"a","pred":"a"}]'),
        "zeros.parquet.gz": (b"", b"\0" * 65536, b""),
        "log_rows.csv.gz": (b"epoch,loss,val_loss\n", b"1,0.5,0.6\n" * 4096, b""),
        "log_cell.json.gz": (b'{"log_history": [{"step": 1, "loss": 0.5, "note": "', b"x" * 65536, b'"}]}'),
        "split_rows.csv.gz": (b"id,text,label\n", b"1,the same text again,pos\n" * 2048, b""),
        "split_cell.csv.gz": (b"id,text,label\n1,", b"word " * 13108, b",pos\n"),
    }
    head, chunk, tail = kinds[kind]
    return ctx.cached("bomb-" + kind, lambda p: gzip_bomb(p, head, chunk, BOMB_SIZE, tail))


CASES: list = []


def case(name: str, group: str, doc: str = ""):
    """Registers a case: `build(ctx) -> Run`."""

    def deco(build):
        CASES.append((name, group, doc or (build.__doc__ or "").strip(), build))
        return build

    return deco


def add(name: str, group: str, build: Callable, doc: str = ""):
    CASES.append((name, group, doc, build))


def names_file(name: str) -> str:
    return re.escape(os.path.basename(name))


def at_line(n: int, data_row: bool = True) -> str:
    """The line n of a file with a header: `line n`, or `row n-1` counted after the header."""
    return rf"(?i)\b(line {n}|(data )?row {n - 1}|record {n - 1})\b" if data_row else rf"(?i)\bline {n}\b"


def flag(name: str) -> str:
    return re.escape(name) + r"\b"


# --- sanity: normal runs under the memory limit ------------------------------------------------------------------


@case("ok.metrics.csv", "ok", "a normal binary CSV evaluates under the memory limit")
def _(ctx):
    return Run(["metrics", ctx.put("preds.csv", binary_csv()), "--format", "json"], {0})


@case("ok.metrics.spam_example", "ok", "the README's first command, under the memory limit")
def _(ctx):
    src = os.path.join(REPO, "examples", "spam_filter", "predictions.csv")
    shutil.copy(src, ctx.path("predictions.csv"))
    return Run(["metrics", "predictions.csv", "--format", "markdown"], {0})


@case("ok.check.project", "ok", "check on a small project (metrics, compare, gap, curves, leakage)")
def _(ctx):
    return Run(["check", ctx.project(), "--format", "json"], {0, 1})


@case("ok.demo", "ok", "the demo in an empty folder")
def _(ctx):
    return Run(["demo", "--out", "demo"], {0, 1}, timeout=60)


@case("ok.leakage", "ok")
def _(ctx):
    tr = ctx.put("train.csv", split_csv(split_rows(300, 3, "tr")))
    te = ctx.put("test.csv", split_csv(split_rows(100, 4, "te")))
    return Run(["leakage", "--train", tr, "--test", te, "--format", "json"], {0})


@case("ok.curves.tfevents", "ok", "a generated TensorBoard file reads")
def _(ctx):
    return Run(["curves", ctx.put("run/events.out.tfevents.1.host", tfevents()), "--format", "json"], {0})


# --- empty ---------------------------------------------------------------------------------------------------------

for ext in ["csv", "tsv", "jsonl", "json", "parquet", "conll", "csv.gz"]:
    add(f"metrics.empty.{ext}", "empty",
        lambda ctx, ext=ext: Run(["metrics", ctx.put(f"empty.{ext}", b""), "--format", "json"], {2},
                                 [names_file(f"empty.{ext}")]), f"a 0-byte .{ext}")

add("metrics.empty.gzip_of_nothing", "empty",
    lambda ctx: Run(["metrics", ctx.put("nothing.csv.gz", _gzip(b"")), "--format", "json"],
                    {2}, [names_file("nothing.csv.gz")]), "a valid gzip holding 0 bytes")
add("metrics.empty.header_only", "empty",
    lambda ctx: Run(["metrics", ctx.put("header.csv", "id,label,pred\n"), "--format", "json"], {2}, [names_file("header.csv")]))
add("metrics.empty.gold", "empty",
    lambda ctx: Run(["metrics", ctx.put("p.csv", "id,pred\n1,a\n2,b\n"), "--gold", ctx.put("gold.csv", b""), "--format", "json"],
                    {2}, [names_file("gold.csv")]))
add("compare.empty.candidate", "empty",
    lambda ctx: Run(["compare", ctx.put("base.csv", binary_csv()), ctx.put("cand.csv", b""), "--format", "json"], {2},
                    [names_file("cand.csv")]))
add("rank.empty.second", "empty",
    lambda ctx: Run(["rank", ctx.put("a.csv", binary_csv()), ctx.put("b.jsonl", b""), "--format", "json"], {2},
                    [names_file("b.jsonl")]))
for name in ["trainer_state.json", "log.csv", "log.jsonl", "run/events.out.tfevents.1.host"]:
    # An empty event file is what a writer that has just started leaves: no curves yet (0 or 2), no crash.
    add(f"curves.empty.{os.path.basename(name)}", "empty",
        lambda ctx, name=name: Run(["curves", ctx.put(name, b""), "--format", "json"], {0, 2} if "tfevents" in name else {2},
                                   [names_file(name)]))
add("leakage.empty.train", "empty",
    lambda ctx: Run(["leakage", "--train", ctx.put("train.csv", b""), "--test", ctx.put("test.csv", split_csv(split_rows(20, 4, "te"))),
                     "--format", "json"], {2}, [names_file("train.csv")]))
add("leakage.empty.test", "empty",
    lambda ctx: Run(["leakage", "--train", ctx.put("train.csv", split_csv(split_rows(20, 4, "tr"))), "--test", ctx.put("test.jsonl", b""),
                     "--format", "json"], {2}, [names_file("test.jsonl")]))
add("check.empty.config", "empty",
    lambda ctx: Run(["check", ctx.put("fteval.toml", b""), "--format", "json"], {2}, [names_file("fteval.toml")]),
    "an empty fteval.toml names nothing to check")
add("check.empty.candidate", "empty",
    lambda ctx: Run(["check", ctx.project(**{"candidate.csv": ""}), "--format", "json"], {2}, [names_file("candidate.csv")]))
add("init.empty.folder", "empty", lambda ctx: Run(["init", "."], {0, 2}, ["(?i)fteval.toml|files?"]))
add("init.empty.files", "empty",
    lambda ctx: (ctx.put("predictions.csv", b""), ctx.put("baseline.csv", b""), Run(["init", "."], {0, 2}, ["(?i)\\.csv"]))[-1])


def _gzip(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data, 9, mtime=0)


# --- truncated -------------------------------------------------------------------------------------------------------

def _cut(text: str, marker_row: int) -> str:
    """The text cut in the middle of line `marker_row` (1-based), after its second field."""
    lines = text.splitlines(keepends=True)
    keep = "".join(lines[: marker_row - 1])
    cut = lines[marker_row - 1]
    return keep + cut[: cut.index(",", cut.index(",") + 1) + 1]


add("metrics.truncated.csv", "truncated",
    lambda ctx: Run(["metrics", ctx.put("cut.csv", _cut(binary_csv(), 151)), "--format", "json"], {2},
                    [names_file("cut.csv"), at_line(151)]), "a CSV cut in the middle of line 151")
add("metrics.truncated.csv_quote", "truncated",
    lambda ctx: Run(["metrics", ctx.put("cutq.csv", binary_csv(50) + 'ex-x,"spam,ham,0.5\nex-y,ham,ham,0.1\n'), "--format", "json"],
                    {2}, [names_file("cutq.csv")]), "an unterminated quote runs to the end of the file")
add("metrics.truncated.jsonl", "truncated",
    lambda ctx: Run(["metrics", ctx.put("cut.jsonl", binary_jsonl(100)[:-30]), "--format", "json"], {2},
                    [names_file("cut.jsonl"), r"\bline 100\b"]))
add("metrics.truncated.json", "truncated",
    lambda ctx: Run(["metrics", ctx.put("cut.json", binary_json(100)[:-40]), "--format", "json"], {2}, [names_file("cut.json")]))
add("metrics.truncated.parquet", "truncated",
    lambda ctx: Run(["metrics", ctx.put("cut.parquet", open(PARQUET_SEED, "rb").read()[:-100]), "--format", "json"], {2},
                    [names_file("cut.parquet")]))
add("metrics.truncated.parquet_half", "truncated",
    lambda ctx: Run(["metrics", ctx.put("half.parquet", (lambda b: b[: len(b) // 2] + b[-8:])(open(PARQUET_SEED, "rb").read())),
                     "--format", "json"], {2}, [names_file("half.parquet")]), "first half and the footer magic")
add("metrics.truncated.csv.gz", "truncated",
    lambda ctx: Run(["metrics", ctx.put("cut.csv.gz", _gzip(binary_csv(2000).encode())[:-2000]), "--format", "json"], {2},
                    [names_file("cut.csv.gz")]))
add("metrics.truncated.conll", "truncated",
    lambda ctx: Run(["metrics", ctx.put("cut.conll", conll_text()[:-7]), "--format", "json"], {0, 2}, [names_file("cut.conll")]))
add("curves.truncated.trainer_state", "truncated",
    lambda ctx: Run(["curves", ctx.put("trainer_state.json", trainer_state()[:-200]), "--format", "json"], {2},
                    [names_file("trainer_state.json")]))
add("curves.truncated.tfevents", "truncated",
    lambda ctx: Run(["curves", ctx.put("run/events.out.tfevents.1.host", tfevents()[:-9]), "--format", "json"], {0, 2},
                    [names_file("events.out.tfevents.1.host")]), "the last record cut short (a writer still running)")
add("curves.truncated.keras", "truncated",
    lambda ctx: Run(["curves", ctx.put("log.csv", keras_csv()[:-9]), "--format", "json"], {0, 2}, [names_file("log.csv")]))
add("leakage.truncated.test_jsonl", "truncated",
    lambda ctx: Run(["leakage", "--train", ctx.put("train.csv", split_csv(split_rows(50, 3, "tr"))),
                     "--test", ctx.put("test.jsonl", "".join(json.dumps(dict(zip(["id", "text", "label"], r))) + "\n"
                                                          for r in split_rows(30, 4, "te"))[:-25]),
                     "--format", "json"], {2}, [names_file("test.jsonl"), r"\bline 30\b"]))
add("compare.truncated.candidate", "truncated",
    lambda ctx: Run(["compare", ctx.put("base.csv", binary_csv()), ctx.put("cand.csv", _cut(binary_csv(), 120)), "--format", "json"],
                    {2}, [names_file("cand.csv"), at_line(120)]))
add("check.truncated.config", "truncated",
    lambda ctx: Run(["check", ctx.project(PROJECT_TOML[:PROJECT_TOML.index("candidate.csv") + 5]), "--format", "json"], {2},
                    [names_file("fteval.toml"), r"\bline 6\b"]), "fteval.toml cut inside a string on line 6")


# --- malformed -------------------------------------------------------------------------------------------------------

add("metrics.malformed.ragged", "malformed",
    lambda ctx: Run(["metrics", ctx.put("ragged.csv", binary_csv(40) + "ex-x,spam,spam,0.9,extra,fields\n"), "--format", "json"],
                    {2}, [names_file("ragged.csv"), at_line(42)]))
add("metrics.malformed.jsonl_not_object", "malformed",
    lambda ctx: Run(["metrics", ctx.put("arr.jsonl", binary_jsonl(10) + "[1, 2, 3]\n"), "--format", "json"], {2},
                    [names_file("arr.jsonl"), r"\bline 11\b"]))
add("metrics.malformed.json_object", "malformed",
    lambda ctx: Run(["metrics", ctx.put("obj.json", '{"label": "a", "pred": "a"}'), "--format", "json"], {2}, [names_file("obj.json")]))
add("metrics.malformed.parquet_garbage", "malformed",
    lambda ctx: Run(["metrics", ctx.put("g.parquet", b"PAR1" + bytes(rng(1).randrange(256) for _ in range(5000)) + b"PAR1"),
                     "--format", "json"], {2}, [names_file("g.parquet")]))
add("metrics.malformed.parquet_huge_footer", "malformed",
    lambda ctx: Run(["metrics", ctx.put("f.parquet", b"PAR1" + b"\0" * 100 + struct.pack("<I", 0xFFFFFFF0) + b"PAR1"),
                     "--format", "json"], {2}, [names_file("f.parquet")]), "a footer length of 4 GiB")
add("metrics.malformed.parquet_flipped", "malformed",
    lambda ctx: Run(["metrics", ctx.put("x.parquet", (lambda b: bytes(c ^ 0x5A if 40 < i < len(b) - 60 and i % 7 == 0 else c
                                                                      for i, c in enumerate(b)))(open(PARQUET_SEED, "rb").read())),
                     "--format", "json"], {0, 2}, [names_file("x.parquet")]), "bytes of the data pages flipped")
add("metrics.malformed.gzip_garbage", "malformed",
    lambda ctx: Run(["metrics", ctx.put("g.csv.gz", b"\x1f\x8b\x08\x00" + b"garbage" * 100), "--format", "json"], {2},
                    [names_file("g.csv.gz")]))
add("metrics.malformed.conll_one_column", "malformed",
    lambda ctx: Run(["metrics", ctx.put("one.conll", "w1\nw2\n\nw3\n"), "--format", "json"], {2}, [names_file("one.conll")]))
add("metrics.malformed.prob_text", "malformed",
    lambda ctx: Run(["metrics", ctx.put("p.csv", binary_csv(30) + "ex-x,spam,spam,abc\n"), "--format", "json"], {2},
                    [names_file("p.csv"), at_line(32), "prob"]))
add("metrics.malformed.random_bytes", "malformed",
    lambda ctx: Run(["metrics", ctx.put("rand.csv", bytes(rng(2).randrange(256) for _ in range(20000))), "--format", "json"], {2},
                    [names_file("rand.csv")]))
add("metrics.malformed.nul_bytes", "malformed",
    lambda ctx: Run(["metrics", ctx.put("nul.csv", "label,pred\nsp\0am,sp\0am\nham,ham\nham,sp\0am\n"), "--format", "terminal"],
                    {0, 2}, [names_file("nul.csv")], clean=True), "NUL bytes inside labels")
add("metrics.malformed.ner_length_mismatch", "malformed",
    lambda ctx: Run(["metrics", ctx.put("ner.jsonl", ner_jsonl(5) + json.dumps({"tokens": ["a", "b"], "labels": ["O"], "predictions": ["O", "O"]}) + "\n"),
                     "--format", "json"], {2}, [names_file("ner.jsonl"), r"\bline 6\b"]))
add("curves.malformed.history_not_list", "malformed",
    lambda ctx: Run(["curves", ctx.put("trainer_state.json", '{"log_history": 5}'), "--format", "json"], {2},
                    [names_file("trainer_state.json")]))
add("curves.malformed.tfevents_bad_crc", "malformed",
    lambda ctx: Run(["curves", ctx.put("run/events.out.tfevents.2.host", (lambda b: b[:60] + bytes([b[60] ^ 1]) + b[61:])(tfevents())),
                     "--format", "json"], {2}, [names_file("events.out.tfevents.2.host")]))
add("curves.malformed.tfevents_huge_length", "malformed",
    lambda ctx: Run(["curves", ctx.put("run/events.out.tfevents.3.host",
                                       tfevents(3) + (lambda n: n + struct.pack("<I", masked_crc(n)))(struct.pack("<Q", 1 << 62)) + b"x" * 64),
                     "--format", "json"], {0, 2}, [names_file("events.out.tfevents.3.host")]), "a record claiming 2^62 bytes")
add("curves.malformed.tfevents_garbage_proto", "malformed",
    lambda ctx: Run(["curves", ctx.put("run/events.out.tfevents.4.host", tfevents(3) + tfrecord(b"\xff" * 40)), "--format", "json"],
                    {0, 2}, [names_file("events.out.tfevents.4.host")]))
add("leakage.malformed.train_jsonl", "malformed",
    lambda ctx: Run(["leakage", "--train", ctx.put("train.jsonl", '{"text": "a b c", "label": "x"}\n{"text": \n'),
                     "--test", ctx.put("test.csv", split_csv(split_rows(10, 4, "te"))), "--format", "json"], {2},
                    [names_file("train.jsonl"), r"\bline 2\b"]))
add("check.malformed.config_syntax", "malformed",
    lambda ctx: Run(["check", ctx.project(PROJECT_TOML.replace('profile = "fraud"', "profile = ")), "--format", "json"], {2},
                    [names_file("fteval.toml"), r"\bline 2\b"]))
add("check.malformed.config_type", "malformed",
    lambda ctx: Run(["check", ctx.project(PROJECT_TOML.replace('logs = ["trainer_state.json"]', 'logs = 7')), "--format", "json"],
                    {2}, [names_file("fteval.toml"), r"\bline 10\b", "logs"]))
add("check.malformed.config_unknown_key", "malformed",
    lambda ctx: Run(["check", ctx.project(PROJECT_TOML.replace('profile = "fraud"', 'profile = "fraud"\ncolour = "blue"')),
                     "--format", "json"], {2}, [names_file("fteval.toml"), r"\bline 3\b", "colour"]))


# --- huge -------------------------------------------------------------------------------------------------------------

def _multiclass_file(ctx, rows, classes):
    return ctx.cached(f"mc-{classes}x{rows}.csv", lambda p: write_text(p, multiclass_csv(rows, classes)))


add("metrics.huge.rows_2M", "huge",
    lambda ctx: Run(["metrics", ctx.cached("binary-2M.csv", lambda p: write_text(p, binary_csv(2_000_000, 7))),
                     "--format", "json"], {0}, timeout=60), "2M rows of a binary classifier with scores")
add("metrics.huge.classes_30k_rows_60k", "huge",
    lambda ctx: Run(["metrics", _multiclass_file(ctx, 60_000, 30_000), "--format", "json"], {0, 2},
                    [LIMIT], timeout=90, max_stdout=256 * MiB), "30k classes x 60k rows (was 8 GB, abort)")
add("metrics.huge.classes_10k_json_size", "huge",
    lambda ctx: Run(["metrics", _multiclass_file(ctx, 20_000, 10_000), "--format", "json"], {0}, timeout=60,
                    max_stdout=64 * MiB), "10k classes x 20k rows: the JSON report stays small (was 1.1 GB)")
add("metrics.huge.classes_10k_markdown_size", "huge",
    lambda ctx: Run(["metrics", _multiclass_file(ctx, 20_000, 10_000), "--format", "markdown", "--bootstrap", "0"], {0},
                    timeout=60, max_stdout=64 * MiB))
add("metrics.huge.conll_50k_types", "huge",
    lambda ctx: Run(["metrics", ctx.put("types.conll", "".join(f"w B-T{i} B-T{i if i % 3 else i + 1}\nx O O\n\n" for i in range(50_000))),
                     "--format", "json"], {0, 2}, [LIMIT], timeout=60, max_stdout=256 * MiB), "50k entity types (was 8 GB)")
add("metrics.huge.columns_100k", "huge",
    lambda ctx: Run(["metrics", ctx.put("wide.csv", "label,pred," + ",".join(f"p_{i}" for i in range(100_000)) + "\n" +
                                        "".join(f"a,a,{','.join(['0'] * 100_000)}\n" for _ in range(3))),
                     "--format", "json"], {0, 2}, [names_file("wide.csv")], timeout=30), "a header of 100k score columns")
add("metrics.huge.generation_200k_words", "huge",
    lambda ctx: Run(["metrics", ctx.put("long.csv", csv_text(["id", "prediction", "reference"],
                                                             [[0, sentence(rng(5), 200_000), sentence(rng(6), 200_000)],
                                                              [1, "a short answer", "a short answer"]])),
                     "--format", "json"], {0, 2}, [names_file("long.csv"), r"(?i)\b(line|row|example) [12]\b"], timeout=30),
    "one 200k-word example (ROUGE-L was 73-103 s)")
add("compare.huge.rows_300k", "huge",
    lambda ctx: Run(["compare", ctx.cached("binary-300k-a.csv", lambda p: write_text(p, binary_csv(300_000, 8))),
                     ctx.cached("binary-300k-b.csv", lambda p: write_text(p, binary_csv(300_000, 8, model=1))), "--format", "json"],
                    {0}, timeout=60))
add("curves.huge.trainer_state_300k", "huge",
    lambda ctx: Run(["curves", ctx.cached("trainer_state-300k.json", lambda p: write_text(p, trainer_state(300_000))),
                     "--format", "json"], {0}, timeout=60, max_stdout=256 * MiB))


SAME = "the very same training sentence about a card payment that was declined twice"


def _identical_rows(n: int, prefix: str) -> Callable[[str], None]:
    def make(p):
        with open(p, "w") as f:
            f.write("id,text,label\n")
            for i in range(0, n, 1000):
                f.write("".join(f"{prefix}{j},{SAME},pos\n" for j in range(i, min(n, i + 1000))))

    return make


def _near_identical_train(p):
    with open(p, "w") as f:
        f.write("id,text,label\n")
        base = SAME + " at the shop"
        for i in range(0, 100_000, 1000):
            f.write("".join(f"{j},{base} number {j},pos\n" for j in range(i, i + 1000)))


add("leakage.huge.1M_identical_train", "huge",
    lambda ctx: Run(["leakage", "--train", ctx.cached("train-1M-identical.csv", _identical_rows(1_000_000, "tr")),
                     "--test", ctx.cached("test-1k-identical.csv", _identical_rows(1000, "te")), "--format", "json"],
                    {1}, timeout=90), "1M identical training rows, 1k copies of them in test (was an abort)")
add("leakage.huge.100k_identical_both", "huge",
    lambda ctx: Run(["leakage", "--train", ctx.cached("train-100k-identical.csv", _identical_rows(100_000, "tr")),
                     "--test", ctx.cached("test-100k-identical.csv", _identical_rows(100_000, "te")), "--format", "json"],
                    {1}, timeout=60), "100k identical rows in both splits: one bucket (was 1.5 GB and an abort)")
add("leakage.huge.100k_near_identical_train", "huge",
    lambda ctx: Run(["leakage", "--train", ctx.cached("train-100k-near.csv", _near_identical_train),
                     "--test", ctx.put("test.csv", split_csv(split_rows(10, 4, "te") + [["te-x", SAME + " at the shop number 7", "pos"]])),
                     "--format", "json"], {1}, timeout=90), "100k near-identical training rows: one LSH bucket")
add("leakage.huge.text_cell_5MB", "huge",
    lambda ctx: Run(["leakage", "--train", ctx.put("train.csv", split_csv(split_rows(50, 3, "tr"))),
                     "--test", ctx.put("test.csv", split_csv(split_rows(5, 4, "te") + [["big", sentence(rng(9), 1_000_000), "pos"]])),
                     "--format", "json"], {0, 1, 2}, [names_file("test.csv"), LIMIT], timeout=60))


# --- gzip bombs (3.5 GiB decompressed) ----------------------------------------------------------------------------

def _bomb_run(argv_fn, kind, expect=frozenset({2}), extra=(), timeout=60):
    def build(ctx):
        p = bomb(ctx, kind)
        name = os.path.basename(p)
        return Run(argv_fn(p), set(expect), [names_file(name), LIMIT, *extra], timeout=timeout)

    return build


J = ["--format", "json"]
add("metrics.bomb.rows", "bomb", _bomb_run(lambda p: ["metrics", p, *J], "pred_rows.csv.gz"), "3.5 GiB of rows")
add("metrics.bomb.cell", "bomb", _bomb_run(lambda p: ["metrics", p, *J], "pred_cell.csv.gz"), "one 3.5 GiB cell")
add("metrics.bomb.jsonl_cell", "bomb", _bomb_run(lambda p: ["metrics", p, *J], "pred_cell.jsonl.gz"))
add("metrics.bomb.json_array", "bomb", _bomb_run(lambda p: ["metrics", p, *J], "pred_rows.json.gz"))
add("metrics.bomb.parquet", "bomb", _bomb_run(lambda p: ["metrics", p, *J], "zeros.parquet.gz"))
add("metrics.bomb.gold", "bomb",
    lambda ctx: (lambda b: Run(["metrics", ctx.put("p.csv", "label,pred\nspam,spam\n"), "--gold", b, *J], {2},
                               [names_file(b), LIMIT], timeout=60))(bomb(ctx, "pred_rows.csv.gz")))
add("compare.bomb.candidate", "bomb",
    lambda ctx: (lambda b: Run(["compare", ctx.put("base.csv", "label,pred\nspam,spam\n"), b, *J], {2},
                               [names_file(b), LIMIT], timeout=60))(bomb(ctx, "pred_cell.csv.gz")))
add("rank.bomb.second", "bomb",
    lambda ctx: (lambda b: Run(["rank", ctx.put("a.csv", "label,pred\nspam,spam\n"), b, *J], {2},
                               [names_file(b), LIMIT], timeout=60))(bomb(ctx, "pred_rows.csv.gz")))
add("curves.bomb.rows", "bomb", _bomb_run(lambda p: ["curves", p, *J], "log_rows.csv.gz"))
add("curves.bomb.cell", "bomb", _bomb_run(lambda p: ["curves", p, *J], "log_cell.json.gz"))
add("leakage.bomb.train_rows", "bomb",
    lambda ctx: (lambda b: Run(["leakage", "--train", b, "--test", ctx.put("test.csv", split_csv(split_rows(5, 4, "te"))), *J], {2},
                               [names_file(b), LIMIT], timeout=60))(bomb(ctx, "split_rows.csv.gz")))
add("leakage.bomb.test_cell", "bomb",
    lambda ctx: (lambda b: Run(["leakage", "--train", ctx.put("train.csv", split_csv(split_rows(5, 4, "tr"))), "--test", b, *J], {2},
                               [names_file(b), LIMIT], timeout=60))(bomb(ctx, "split_cell.csv.gz")))
add("check.bomb.candidate", "bomb",
    lambda ctx: (lambda b: Run(["check", ctx.project(PROJECT_TOML.replace('"candidate.csv"', json.dumps(b))), *J], {2},
                               [names_file(b), LIMIT], timeout=60))(bomb(ctx, "pred_cell.csv.gz")))


def _init_bomb(ctx):
    b = bomb(ctx, "pred_cell.csv.gz")
    os.symlink(b, ctx.path("predictions.csv.gz"))
    return Run(["init", "."], {0, 2}, [names_file("predictions.csv.gz"), LIMIT], timeout=60)


add("init.bomb.predictions", "bomb", _init_bomb, "init looks at a folder holding a one-cell bomb")
add("metrics.unbounded.dev_zero", "bomb",
    lambda ctx: Run(["metrics", "/dev/zero", "--input-format", "csv", *J], {2}, [r"/dev/zero", LIMIT], timeout=60),
    "an endless single cell")
add("metrics.unbounded.stdin_zero", "bomb",
    lambda ctx: Run(["metrics", "-", "--input-format", "csv", *J], {2}, [r"(?i)stdin|standard input", LIMIT], stdin="/dev/zero",
                    timeout=60))
add("curves.unbounded.dev_zero", "bomb",
    lambda ctx: Run(["curves", "/dev/zero", "--log-format", "jsonl", *J], {2}, [r"/dev/zero", LIMIT], timeout=60))


# --- deeply nested cells (100k deep) --------------------------------------------------------------------------------

DEEP = 100_000


def _deep_csv(header, good, bad):
    return csv_text(header, [good, good, bad])


add("metrics.deep.multilabel_label", "deep",
    lambda ctx: Run(["metrics", ctx.put("ml.csv", _deep_csv(["label", "pred"], ["['a', 'b']", "['a']"], [deep_list(DEEP), "['b']"])),
                     *J], {2}, [names_file("ml.csv"), at_line(4), DEPTH]), "a multilabel gold cell 100k lists deep")
add("metrics.deep.multilabel_pred", "deep",
    lambda ctx: Run(["metrics", ctx.put("mlp.csv", _deep_csv(["label", "pred"], ["['a', 'b']", "['a']"], ["['b']", deep_list(DEEP)])),
                     *J], {2}, [names_file("mlp.csv"), at_line(4), DEPTH]))
add("metrics.deep.score_list", "deep",
    lambda ctx: Run(["metrics", ctx.put("probs.csv", _deep_csv(["label", "pred", "probs"], ["a", "a", "[0.9, 0.1]"], ["b", "b", deep_list(DEEP)])),
                     *J], {2}, [names_file("probs.csv"), at_line(4), DEPTH]))
add("metrics.deep.dict_scores", "deep",
    lambda ctx: Run(["metrics", ctx.put("dict.csv", _deep_csv(["label", "pred", "probs"], ["a", "a", "{'a': 0.9, 'b': 0.1}"],
                                                               ["b", "b", deep_dict_py(DEEP)])),
                     *J], {2}, [names_file("dict.csv"), at_line(4), DEPTH]))
add("metrics.deep.jsonl_string_cell", "deep",
    lambda ctx: Run(["metrics", ctx.put("s.jsonl", "".join(json.dumps({"label": v, "pred": "['a']"}) + "\n"
                                                           for v in ["['a', 'b']", "['a']", deep_list(DEEP)])),
                     *J], {2}, [names_file("s.jsonl"), r"\bline 3\b", DEPTH]), "a JSONL string holding a 100k-deep list literal")
add("metrics.deep.jsonl_native", "deep",
    lambda ctx: Run(["metrics", ctx.put("n.jsonl", '{"label": "a", "pred": "a"}\n{"label": ' + deep_list(DEEP) + ', "pred": "a"}\n'),
                     *J], {2}, [names_file("n.jsonl"), r"\bline 2\b"]))
add("metrics.deep.json_file", "deep",
    lambda ctx: Run(["metrics", ctx.put("deep.json", deep_list(DEEP)), *J], {2}, [names_file("deep.json")]))
add("metrics.deep.generation_references", "deep",
    lambda ctx: Run(["metrics", ctx.put("gen.csv", csv_text(["id", "prediction", "references"],
                                                            [[0, "paris", "['paris', 'the city of paris']"],
                                                             [1, "london", "['london']"], [2, "rome", deep_list(DEEP)]])),
                     *J], {2}, [names_file("gen.csv"), at_line(4), DEPTH]), "a references list cell 100k deep")
add("metrics.deep.ner_tokens", "deep",
    lambda ctx: Run(["metrics", ctx.put("ner.csv", csv_text(["tokens", "labels", "predictions"],
                                                            [["['a', 'b']", "['O', 'B-PER']", "['O', 'B-PER']"],
                                                             [deep_list(DEEP), "['O']", "['O']"]])),
                     *J], {0, 2}, [names_file("ner.csv"), at_line(3)]), "CSV holds no NER (read as multilabel): a deep token cell")
add("compare.deep.candidate_probs", "deep",
    lambda ctx: Run(["compare", ctx.put("a.csv", csv_text(["id", "label", "pred", "probs"], [[1, "a", "a", "[0.9, 0.1]"], [2, "b", "b", "[0.2, 0.8]"]])),
                     ctx.put("b.csv", csv_text(["id", "label", "pred", "probs"], [[1, "a", "a", "[0.9, 0.1]"], [2, "b", "b", deep_list(DEEP)]])),
                     *J], {2}, [names_file("b.csv"), at_line(3), DEPTH]))
add("curves.deep.trainer_state", "deep",
    lambda ctx: Run(["curves", ctx.put("trainer_state.json", '{"log_history": [{"step": 1, "loss": 0.5, "x": ' + deep_list(DEEP) + "}]}"),
                     *J], {0, 2}, [names_file("trainer_state.json"), DEPTH]))
add("curves.deep.jsonl", "deep",
    lambda ctx: Run(["curves", ctx.put("log.jsonl", jsonl_log(5) + '{"step": 60, "loss": ' + deep_list(DEEP) + "}\n"), *J], {0, 2},
                    [names_file("log.jsonl"), r"\bline 6\b"]))
add("leakage.deep.messages_csv", "deep",
    lambda ctx: Run(["leakage", "--train", ctx.put("train.csv", split_csv(split_rows(20, 3, "tr"))),
                     "--test", ctx.put("test.csv", csv_text(["id", "messages", "label"], [[1, "[{'role': 'user', 'content': 'hi there'}]", "pos"],
                                                                                         [2, deep_list(DEEP), "neg"]])), *J],
                    {0, 1, 2}, [names_file("test.csv"), at_line(3)]), "a chat cell 100k deep")
add("leakage.deep.messages_jsonl", "deep",
    lambda ctx: Run(["leakage", "--train", ctx.put("train.csv", split_csv(split_rows(20, 3, "tr"))),
                     "--test", ctx.put("test.jsonl", '{"id": 1, "messages": [{"role": "user", "content": "hi"}]}\n{"id": 2, "messages": '
                                       + deep_list(DEEP) + "}\n"), *J], {0, 1, 2}, [names_file("test.jsonl"), r"\bline 2\b"]))
add("check.deep.config", "deep",
    lambda ctx: Run(["check", ctx.project(PROJECT_TOML + "\n[deep]\nx = " + deep_list(DEEP) + "\n"), *J], {2},
                    [names_file("fteval.toml")]), "fteval.toml with an array 100k deep")


# --- escape sequences in labels, column names, texts, file names ----------------------------------------------------

EVIL = f"sp{PAYLOAD}am"


def _evil_binary(n=60):
    rows = binary_rows(n, 3, ("ham", EVIL))
    return csv_text(["id", "label", "pred", "prob"], rows)


for fmt in ["terminal", "markdown"]:
    add(f"metrics.escape.labels.{fmt}", "escape",
        lambda ctx, fmt=fmt: Run(["metrics", ctx.put("evil.csv", _evil_binary()), "--positive", EVIL, "--format", fmt], {0}, clean=True),
        "labels holding clear-screen and window-title sequences")
    add(f"compare.escape.ids.{fmt}", "escape",
        lambda ctx, fmt=fmt: Run(["compare", ctx.put("a.csv", csv_text(["id", "label", "pred"], [[f"id{PAYLOAD}{i}", y, p] for i, y, p, _ in binary_rows(80, 3)])),
                                  ctx.put("b.csv", csv_text(["id", "label", "pred"], [[f"id{PAYLOAD}{i}", y, y] for i, y, p, _ in binary_rows(80, 3)])),
                                  "--format", fmt], {0, 1}, clean=True), "ids with escapes, shown as flips")
    add(f"leakage.escape.texts.{fmt}", "escape",
        lambda ctx, fmt=fmt: Run(["leakage", "--train", ctx.put("train.csv", split_csv([[i, f"{t} {PAYLOAD}", l] for i, t, l in split_rows(30, 3, "tr")])),
                                  "--test", ctx.put("test.csv", split_csv([[i, f"{t} {PAYLOAD}", l] for i, t, l in split_rows(30, 3, "tr")[:5]] + split_rows(5, 4, "te"))),
                                  "--format", fmt], {0, 1}, clean=True), "leaked texts with escapes, shown as examples")
    add(f"curves.escape.metric_names.{fmt}", "escape",
        lambda ctx, fmt=fmt: Run(["curves", ctx.put("trainer_state.json", trainer_state(20, {f"eval_acc{PAYLOAD}": 0.5})), "--format", fmt],
                                 {0}, clean=True))
    add(f"check.escape.labels.{fmt}", "escape",
        lambda ctx, fmt=fmt: Run(["check", ctx.project(PROJECT_TOML.replace('profile = "fraud"', f'positive = {json.dumps(EVIL)}'),
                                                       **{"candidate.csv": _evil_binary(200), "baseline.csv": _evil_binary(200),
                                                          "candidate_train.csv": _evil_binary(300)}),
                                  "--format", fmt], {0, 1}, clean=True))
add("rank.escape.file_names.terminal", "escape",
    lambda ctx: Run(["rank", ctx.put(f"a{PAYLOAD}.csv", binary_csv(100, 1)), ctx.put(f"b{PAYLOAD}.csv", binary_csv(100, 1, model=1)), "--format", "terminal"],
                    {0, 1}, clean=True), "file names with escapes in the leaderboard")
add("metrics.escape.file_name.terminal", "escape",
    lambda ctx: Run(["metrics", ctx.put(f"p{PAYLOAD}.csv", binary_csv()), "--format", "terminal"], {0}, clean=True))
add("metrics.escape.file_name.error", "escape",
    lambda ctx: Run(["metrics", ctx.put(f"p{PAYLOAD}.xlsx", "x"), "--format", "json"], {2}, [r"xlsx"], clean=True))
add("metrics.escape.column_names.error", "escape",
    lambda ctx: Run(["metrics", ctx.put("cols.csv", csv_text([f"lab{PAYLOAD}el", f"pr{PAYLOAD}ed"], [["a", "a"]])), "--format", "json"], {2},
                    [names_file("cols.csv")], clean=True), "column names with escapes, listed in the error")
add("metrics.escape.column_names.terminal", "escape",
    lambda ctx: Run(["metrics", ctx.put("cols.csv", csv_text(["label", "pred", "prob_ham", f"prob_{EVIL}"],
                                                 [[y, p, f"{1 - float(s):.4f}", s] for _, y, p, s in binary_rows(60, 3, ("ham", EVIL))])),
                     "--positive", EVIL, "--format", "terminal"], {0}, clean=True), "score columns named after labels with escapes")
add("metrics.escape.positive_error", "escape",
    lambda ctx: Run(["metrics", ctx.put("evil.csv", _evil_binary()), "--positive", "nope", "--format", "json"], {2},
                    [r"--positive", "nope"], clean=True), "the error lists labels with escapes")
add("metrics.escape.cell_error", "escape",
    lambda ctx: Run(["metrics", ctx.put("p.csv", binary_csv(20) + csv_text([], [["ex-x", "spam", "spam", f"0.5{PAYLOAD}"]])[1:]), "--format", "json"], {2},
                    [names_file("p.csv"), at_line(22)], clean=True), "a bad number with escapes, quoted in the error")
add("metrics.escape.ner_tags.terminal", "escape",
    lambda ctx: Run(["metrics", ctx.put("evil.conll", conll_text(30).replace("B-LOC", f"B-LO{PAYLOAD_WORD}C").replace("I-ORG", "I-ORG")),
                     "--format", "terminal"], {0}, clean=True))
add("metrics.escape.generation.terminal", "escape",
    lambda ctx: Run(["metrics", ctx.put("gen.csv", generation_csv(evil=PAYLOAD)), "--format", "terminal"],
                    {0}, clean=True))
add("compare.escape.gold_disagree", "escape",
    lambda ctx: Run(["compare", ctx.put("a.csv", csv_text(["id", "label", "pred"], [[f"x{PAYLOAD}", "a", "a"], ["y", "b", "b"]])),
                     ctx.put("b.csv", csv_text(["id", "label", "pred"], [[f"x{PAYLOAD}", "b", "a"], ["y", "b", "b"]])),
                     "--format", "json"], {2}, [r"\bid\b"], clean=True), "the first disagreeing id has escapes")
add("curves.escape.keras_columns.terminal", "escape",
    lambda ctx: Run(["curves", ctx.put("log.csv", keras_csv(accuracy=f"acc{PAYLOAD}")), "--format", "terminal"], {0},
                    clean=True))
add("check.escape.config_key", "escape",
    lambda ctx: Run(["check", ctx.project(PROJECT_TOML.replace('profile = "fraud"', 'profile = "fraud"\n"\\u001b[2J\\u001b]0;x\\u0007" = 1')),
                     "--format", "json"], {2}, [names_file("fteval.toml"), r"\bline 3\b"], clean=True),
    "an unknown fteval.toml key holding escapes")
add("check.escape.config_value", "escape",
    lambda ctx: Run(["check", ctx.project(PROJECT_TOML.replace('profile = "fraud"', 'profile = "\\u001b[2Jfraud"')),
                     "--format", "json"], {2}, [names_file("fteval.toml"), r"\bline 2\b", "profile"], clean=True))
add("init.escape.labels", "escape",
    lambda ctx: (ctx.put("candidate.csv", _evil_binary(100)), ctx.put("baseline.csv", _evil_binary(100)),
                 Run(["init", "."], {0}, clean=True))[-1])


# --- outputs pointed at inputs ---------------------------------------------------------------------------------------

def _alias(ctx, target: str, mode: str, out_name: str) -> str:
    """The output path naming `target` (a file in the case folder) by `mode`."""
    if mode == "same":
        return target
    if mode == "spelled":
        return os.path.join(".", "sub", "..", target)
    if mode == "symlink":
        os.symlink(target, ctx.path(out_name))
        return out_name
    if mode == "hardlink":
        os.link(ctx.path(target), ctx.path(out_name))
        return out_name
    raise ValueError(mode)


def _write_over(command_fn, out_flag, target, ext):
    def build(ctx, mode):
        os.makedirs(ctx.path("sub"), exist_ok=True)
        argv, targets = command_fn(ctx)
        out = _alias(ctx, targets[target], mode, "out_link" + ext)
        return Run(argv + [out_flag, out], {2}, [flag(out_flag), "(" + names_file(out) + "|" + names_file(targets[target]) + ")"],
                   timeout=30)

    return build


def _metrics_inputs(ctx):
    p = ctx.put("preds.csv", "id,pred,prob\n" + "".join(f"{i},{p},{s}\n" for i, _, p, s in binary_rows()))
    g = ctx.put("gold.csv", "id,label\n" + "".join(f"{i},{y}\n" for i, y, _, _ in binary_rows()))
    return ["metrics", p, "--gold", g, "--format", "json"], {"FILE": p, "--gold": g}


def _compare_inputs(ctx):
    a, b = ctx.put("base.csv", binary_csv(200, 1)), ctx.put("cand.csv", binary_csv(200, 1, model=1))
    c = ctx.put("settings.toml", "margin = 0.0\n")
    return ["compare", a, b, "--config", c, "--format", "json"], {"BASELINE": a, "CANDIDATE": b, "--config": c}


def _rank_inputs(ctx):
    a, b = ctx.put("a.csv", binary_csv(200, 1)), ctx.put("b.csv", binary_csv(200, 1, model=1))
    return ["rank", a, b, "--format", "json"], {"FILE1": a, "FILE2": b}


def _curves_inputs(ctx):
    lg = ctx.put("trainer_state.json", trainer_state())
    return ["curves", lg, "--format", "json"], {"LOG": lg}


def _leakage_inputs(ctx):
    tr = ctx.put("train.csv", split_csv(split_rows(300, 3, "tr")))
    te = ctx.put("test.csv", split_csv(split_rows(300, 3, "tr")[:10] + split_rows(200, 4, "te")))
    return ["leakage", "--train", tr, "--test", te, "--format", "json"], {"--train": tr, "--test": te}


def _check_inputs(ctx):
    cfg = ctx.project()
    files = {"CONFIG": cfg, "baseline": "baseline.csv", "candidate": "candidate.csv", "train_predictions": "candidate_train.csv",
             "train": "train.csv", "test": "test.csv", "logs": "trainer_state.json"}
    return ["check", cfg, "--format", "json"], files


WRITE_OVER = [
    ("metrics", _metrics_inputs, ["--output"], ["FILE", "--gold"], ".csv"),
    ("compare", _compare_inputs, ["--output"], ["BASELINE", "CANDIDATE", "--config"], ".csv"),
    ("rank", _rank_inputs, ["--output"], ["FILE1", "FILE2"], ".csv"),
    ("curves", _curves_inputs, ["--output"], ["LOG"], ".json"),
    ("leakage", _leakage_inputs, ["--output", "--write-clean"], ["--train", "--test"], ".csv"),
    ("check", _check_inputs, ["--output", "--junit"], ["CONFIG", "baseline", "candidate", "train_predictions", "train", "test", "logs"], ".csv"),
]
for command, inputs_fn, out_flags, targets, ext in WRITE_OVER:
    for out_flag in out_flags:
        for target in targets:
            for mode in ["same", "spelled", "symlink", "hardlink"]:
                if mode == "spelled" and command not in ("metrics", "leakage", "check"):
                    continue
                b = _write_over(inputs_fn, out_flag, target, ext)
                add(f"{command}.write_over.{out_flag.lstrip('-')}={target.lstrip('-')}.{mode}", "write-over",
                    lambda ctx, b=b, mode=mode: b(ctx, mode), f"{command} {out_flag} naming {target} ({mode})")


def _leakage_clean_is_output(ctx):
    argv, _ = _leakage_inputs(ctx)
    return Run(argv + ["--output", "both.csv", "--write-clean", "both.csv"], {2}, [r"--output|--write-clean"])


add("leakage.write_over.output=write-clean", "write-over", _leakage_clean_is_output, "two outputs naming one file")
add("metrics.output.is_folder", "write-over",
    lambda ctx: (os.makedirs(ctx.path("folder")), Run(["metrics", ctx.put("p.csv", binary_csv()), "--output", "folder", *J], {2},
                                                      [flag("--output"), "folder"]))[-1])
add("metrics.output.missing_folder", "write-over",
    lambda ctx: Run(["metrics", ctx.put("p.csv", binary_csv()), "--output", "no/such/dir/r.json", *J], {2},
                    [flag("--output"), r"no/such/dir"]))


def _demo_over_user_file(user_file, content):
    def build(ctx):
        ctx.put(os.path.join("proj", user_file), content)
        return Run(["demo", "--out", "proj", "--bootstrap", "200"], {0, 2}, [names_file(user_file)], timeout=60)

    return build


add("demo.out.user_baseline", "write-over", _demo_over_user_file("baseline.csv", binary_csv(50, 9)),
    "demo --out DIR where DIR holds the user's baseline.csv")
add("demo.out.user_config", "write-over", _demo_over_user_file("fteval.toml", 'profile = "spam"\n'))
add("demo.out.is_file", "write-over",
    lambda ctx: Run(["demo", "--out", ctx.put("afile", "mine\n")], {2}, [r"--out|afile"]))


def _init_dangling(ctx):
    target = ctx.path("elsewhere/created-by-init.toml")
    os.makedirs(os.path.dirname(target))
    os.symlink(target, ctx.path("fteval.toml"))
    ctx.put("candidate.csv", binary_csv())

    def post(_ctx, _res):
        return "init wrote through the dangling symlink" if os.path.exists(target) else None

    return Run(["init", "."], {2}, [names_file("fteval.toml")], post=post)


add("init.dangling_symlink", "write-over", _init_dangling, "init where fteval.toml is a dangling symlink")


def _init_symlink_force(ctx):
    ctx.put("elsewhere/precious.txt", "precious\n")
    os.symlink(os.path.join("elsewhere", "precious.txt"), ctx.path("fteval.toml"))
    ctx.put("candidate.csv", binary_csv())
    return Run(["init", ".", "--force"], {0, 2}, [names_file("fteval.toml")])


add("init.symlink_force", "write-over", _init_symlink_force, "init --force where fteval.toml links to another file")


# A write that fails halfway (RLIMIT_FSIZE: EFBIG, as on a full disk) leaves the previous report in place.

def _atomic(argv_fn, out_name, stdout="file", fsize=2048):
    """`stdout="null"` when the report also goes to stdout: RLIMIT_FSIZE limits every file written, and the
    stdout report would fail first; `fsize` below the size of the file written."""

    def build(ctx):
        argv = argv_fn(ctx)
        ctx.put(out_name, "PREVIOUS GOOD REPORT\n")
        return Run(argv, {2}, [names_file(out_name)], stdout=stdout, fsize=fsize, timeout=30)

    return build


add("metrics.atomic.output", "atomic",
    _atomic(lambda ctx: ["metrics", ctx.put("p.csv", binary_csv()), "--output", "report.json", *J], "report.json"),
    "a report write that fails halfway leaves the previous report")
add("compare.atomic.output", "atomic",
    _atomic(lambda ctx: ["compare", ctx.put("a.csv", binary_csv(200, 1)), ctx.put("b.csv", binary_csv(200, 1, model=1)),
                         "--output", "report.md", "--format", "markdown"], "report.md"))
add("leakage.atomic.write_clean", "atomic",
    _atomic(lambda ctx: _leakage_inputs(ctx)[0] + ["--write-clean", "clean.csv"], "clean.csv"))
add("check.atomic.junit", "atomic",
    _atomic(lambda ctx: ["check", ctx.project(), "--junit", "junit.xml", *J], "junit.xml", stdout="null", fsize=256))
add("check.atomic.output", "atomic",
    _atomic(lambda ctx: ["check", ctx.project(), "--output", "report.html", "--format", "html"], "report.html"))


# --- named pipes, process substitution, stdin ---------------------------------------------------------------------

def _fifo_case(argv_fn, expect=frozenset({0})):
    """argv_fn(ctx) makes the named pipes with ctx.fifo; stderr on exit 2 names the first one."""

    def build(ctx):
        argv = argv_fn(ctx)
        return Run(argv, set(expect), [names_file(ctx.fifos[0])], timeout=15)

    return build


def _gold_split(rows):
    return ("id,pred\n" + "".join(f"{i},{p}\n" for i, _, p, _ in rows), "id,label\n" + "".join(f"{i},{y}\n" for i, y, _, _ in rows))


FIFO_CASES = [
    ("metrics.fifo.csv", lambda ctx: ["metrics", ctx.fifo("preds.csv", binary_csv()), *J], "a named pipe, written once"),
    ("metrics.fifo.jsonl", lambda ctx: ["metrics", ctx.fifo("preds.jsonl", binary_jsonl()), *J], ""),
    ("metrics.fifo.csv_gz", lambda ctx: ["metrics", ctx.fifo("preds.csv.gz", _gzip(binary_csv().encode())), *J], ""),
    ("metrics.fifo.conll", lambda ctx: ["metrics", ctx.fifo("ner.conll", conll_text()), *J], ""),
    ("metrics.fifo.ner_jsonl", lambda ctx: ["metrics", ctx.fifo("ner.jsonl", ner_jsonl()), *J], ""),
    ("metrics.fifo.generation", lambda ctx: ["metrics", ctx.fifo("gen.csv", generation_csv()), *J], ""),
    ("metrics.fifo.gold", lambda ctx: ["metrics", ctx.put("p.csv", _gold_split(binary_rows())[0]),
                                       "--gold", ctx.fifo("gold.csv", _gold_split(binary_rows())[1]), *J], "--gold from a named pipe"),
    ("compare.fifo.candidate", lambda ctx: ["compare", ctx.put("a.csv", binary_csv(200, 1)),
                                            ctx.fifo("b.csv", binary_csv(200, 1, model=1)), *J], ""),
    ("rank.fifo.both", lambda ctx: ["rank", ctx.fifo("a.csv", binary_csv(200, 1)), ctx.fifo("b.csv", binary_csv(200, 1, model=1)), *J], ""),
    ("curves.fifo.trainer_state", lambda ctx: ["curves", ctx.fifo("trainer_state.json", trainer_state()), *J], ""),
    ("curves.fifo.keras", lambda ctx: ["curves", ctx.fifo("log.csv", keras_csv()), *J], ""),
    ("leakage.fifo.both", lambda ctx: ["leakage", "--train", ctx.fifo("train.csv", split_csv(split_rows(100, 3, "tr"))),
                                       "--test", ctx.fifo("test.csv", split_csv(split_rows(30, 4, "te"))), *J], ""),
]
for name, argv_fn, doc in FIFO_CASES:
    add(name, "fifo", _fifo_case(argv_fn), doc)
add("check.fifo.config", "fifo",
    _fifo_case(lambda ctx: (ctx.project(), ["check", ctx.fifo("piped.toml", PROJECT_TOML), *J])[1], {0, 1}), "the config from a named pipe")


def _init_fifo(ctx):
    name = ctx.fifo("predictions.csv", binary_csv())
    return Run(["init", "."], {0, 2}, [names_file(name)], timeout=15)


add("init.fifo.predictions", "fifo", _init_fifo, "init in a folder where predictions.csv is a named pipe")


def _procsub(script, expect={0}):
    def build(ctx, script=script):
        ctx.put("preds.csv", binary_csv())
        ctx.put("trainer_state.json", trainer_state())
        ctx.put("ner.conll", conll_text())
        return Run(["-c", script], expect, [r"/dev/fd|fteval"], shell=True, timeout=15)

    return build


add("metrics.procsub.csv", "fifo", _procsub('exec "$FTEVAL" metrics <(cat preds.csv) --input-format csv --format json'),
    "process substitution <(...) as the input")
add("metrics.procsub.gold", "fifo",
    _procsub('exec "$FTEVAL" metrics <(cut -d, -f1,3,4 preds.csv) --gold <(cut -d, -f1,2 preds.csv) --input-format csv --format json'))
add("metrics.procsub.conll", "fifo", _procsub('exec "$FTEVAL" metrics <(cat ner.conll) --input-format conll --format json'))
add("curves.procsub.trainer_state", "fifo",
    _procsub('exec "$FTEVAL" curves <(cat trainer_state.json) --log-format huggingface --format json'))
add("metrics.stdin.csv", "fifo", lambda ctx: Run(["metrics", "-", "--input-format", "csv", *J], {0}, stdin=binary_csv().encode()))
add("metrics.stdin.conll", "fifo", lambda ctx: Run(["metrics", "-", "--input-format", "conll", *J], {0}, stdin=conll_text().encode()))
add("curves.stdin.jsonl", "fifo", lambda ctx: Run(["curves", "-", "--log-format", "jsonl", *J], {0}, stdin=jsonl_log().encode()))


# --- full stdout and closed pipes -----------------------------------------------------------------------------------

STDOUT_ERR = r"(?i)(stdout|standard output|no space|write)"


def _std_commands(ctx, fmt):
    """Each command on small valid inputs, with --format fmt (None: the command takes no --format)."""
    F = ["--format", fmt]
    return {
        "metrics": ["metrics", ctx.put("p.csv", binary_csv()), *F],
        "compare": ["compare", ctx.put("a.csv", binary_csv(200, 1)), ctx.put("b.csv", binary_csv(200, 1, model=1)), *F],
        "rank": ["rank", ctx.put("a.csv", binary_csv(200, 1)), ctx.put("b.csv", binary_csv(200, 1, model=1)), *F],
        "curves": ["curves", ctx.put("trainer_state.json", trainer_state()), *F],
        "leakage": ["leakage", "--train", ctx.put("train.csv", split_csv(split_rows(100, 3, "tr"))),
                    "--test", ctx.put("test.csv", split_csv(split_rows(30, 4, "te"))), *F],
        "check": ["check", ctx.project(), *F],
    }


for command in ["metrics", "compare", "rank", "curves", "leakage", "check"]:
    add(f"{command}.stdout_full.json", "stdout",
        lambda ctx, c=command: Run(_std_commands(ctx, "json")[c], {2}, [STDOUT_ERR], stdout="full"), "stdout is /dev/full")
    add(f"{command}.closed_pipe.json", "stdout",
        lambda ctx, c=command: Run(_std_commands(ctx, "json")[c], {0, 1} if c == "check" else {0}, stdout="closed"),
        "a JSON report into a pipe whose reader has gone")
for fmt in ["terminal", "markdown", "html"]:
    add(f"metrics.closed_pipe.{fmt}", "stdout", lambda ctx, fmt=fmt: Run(_std_commands(ctx, fmt)["metrics"], {0}, stdout="closed"))
add("metrics.stdout_full.terminal", "stdout", lambda ctx: Run(_std_commands(ctx, "terminal")["metrics"], {2}, [STDOUT_ERR], stdout="full"))
add("demo.stdout_full", "stdout", lambda ctx: Run(["demo", "--out", "d", "--bootstrap", "200"], {0, 2}, [STDOUT_ERR], stdout="full", timeout=60))
add("init.stdout_full", "stdout",
    lambda ctx: (ctx.put("candidate.csv", binary_csv()), Run(["init", "."], {0, 2}, [STDOUT_ERR], stdout="full"))[-1])
add("demo.closed_pipe", "stdout", lambda ctx: Run(["demo", "--out", "d", "--bootstrap", "200"], {0, 1}, stdout="closed", timeout=60))
add("init.closed_pipe", "stdout", lambda ctx: (ctx.put("candidate.csv", binary_csv()), Run(["init", "."], {0}, stdout="closed"))[-1])
add("help.stdout_full", "stdout", lambda ctx: Run(["metrics", "--help"], {0, 2}, [STDOUT_ERR], stdout="full"))


# --- flags out of range ---------------------------------------------------------------------------------------------

def _flag_case(command, flag_name, value, extra_expect=()):
    def build(ctx):
        argv = _std_commands(ctx, "json").get(command)
        if command == "demo":
            argv = ["demo", "--out", "d"]
        return Run(argv + [flag_name, value], {2, *extra_expect}, [flag(flag_name)], timeout=20)

    return build


FLAGS = [
    ("metrics", "--bootstrap", "-1"), ("compare", "--bootstrap", "-1"), ("rank", "--bootstrap", "-1"), ("check", "--bootstrap", "-1"),
    ("demo", "--bootstrap", "-1"), ("metrics", "--bootstrap", "4000000000"), ("check", "--bootstrap", "4000000000"),
    ("metrics", "--seed", "-1"), ("compare", "--seed", "-1"), ("rank", "--seed", "-1"), ("curves", "--seed", "-1"),
    ("leakage", "--seed", "-1"), ("check", "--seed", "-1"), ("demo", "--seed", "-1"), ("metrics", "--seed", "18446744073709551616"),
    ("curves", "--classes", "0"), ("curves", "--classes", "-1"), ("curves", "--classes", "1"),
    ("leakage", "--num-perm", "4000000000"), ("leakage", "--num-perm", "10000000"), ("leakage", "--num-perm", "0"),
    ("leakage", "--num-perm", "-1"), ("leakage", "--threshold", "1.5"), ("leakage", "--threshold", "-0.1"),
    ("leakage", "--threshold", "nan"), ("leakage", "--ngram", "0"), ("leakage", "--ngram", "-1"), ("leakage", "--max-leak", "-1"),
    ("leakage", "--max-leak", "nan"), ("metrics", "--ci", "0"), ("metrics", "--ci", "1"), ("metrics", "--ci", "nan"),
    ("metrics", "--ci", "-0.5"), ("compare", "--margin", "-1"), ("compare", "--margin", "nan"), ("compare", "--margin", "inf"),
    ("compare", "--examples", "-1"), ("compare", "--min-recall", "2"), ("rank", "--min-precision", "-0.5"),
    ("compare", "--cost", "fp=-1,fn=2"), ("compare", "--cost", "fp=nan,fn=1"),
]
for command, flag_name, value in FLAGS:
    # `--classes 1`: ln(1) = 0 is no chance level; refusing it or reading it are both fine, crashing is not.
    extra = (0,) if (flag_name, value) == ("--classes", "1") else ()
    add(f"{command}.flag.{flag_name.lstrip('-')}={value}", "flags", _flag_case(command, flag_name, value, extra),
        f"{command} {flag_name} {value}")


# --- fteval.toml values: the key and its line -----------------------------------------------------------------------

def _set(old: str, new: str) -> Callable[[str], str]:
    return lambda text: text.replace(old, new, 1) if old in text else (_ for _ in ()).throw(KeyError(old))


def _append(more: str) -> Callable[[str], str]:
    return lambda text: text + more


P = 'profile = "fraud"'
CONFIG_CASES = [
    # (label, edit of the project config, the key the message must name, the text on the key's line)
    ("primary", _set(P, P + '\nprimary = "nope"'), "primary", "primary ="),
    ("margin_inf", _set(P, P + "\nmargin = inf"), "margin", "margin ="),
    ("margin_nan", _set(P, P + "\nmargin = nan"), "margin", "margin ="),
    ("margin_negative", _set(P, P + "\nmargin = -0.5"), "margin", "margin ="),
    ("profile_unknown", _set(P, 'profile = "nope"'), "profile", "profile ="),
    ("min_recall", _set(P, P + "\nmin_recall = 2.0"), "min_recall", "min_recall ="),
    ("positive_absent", _set(P, 'positive = "nope"'), "positive", "positive ="),
    ("cost_negative", _append("\n[cost]\nfp = -1.0\nfn = 5.0\n"), "fp", "fp ="),
    ("cost_nan", _append("\n[cost]\nfp = 1.0\nfn = nan\n"), "fn", "fn ="),
    ("column_unknown", _append('\n[columns]\nlabel = "nope"\n'), "label", 'label = "nope"'),
    ("leakage_threshold", _append("\n[leakage]\nthreshold = 5.0\n"), "threshold", "threshold ="),
    ("leakage_max_fraction", _append("\n[leakage]\nmax_leaked_fraction = -1.0\n"), "max_leaked_fraction", "max_leaked_fraction ="),
    ("overfitting_max_gap", _append("\n[overfitting]\nmax_gap = nan\n"), "max_gap", "max_gap ="),
    ("require_unknown_metric", _set('require = ["recall>=0.5"]', 'require = ["nope>=0.5"]'), "require", "require ="),
    ("max_regression_negative", _append("max_regression = { f1 = -0.1 }\n"), "max_regression", "max_regression ="),
    ("files_missing", _set('candidate = "candidate.csv"', 'candidate = "missing.csv"'), "missing.csv", "candidate ="),
    ("files_empty_path", _set('candidate = "candidate.csv"', 'candidate = ""'), "candidate", "candidate ="),
    ("logs_missing", _set('logs = ["trainer_state.json"]', 'logs = ["missing.json"]'), "missing.json", "logs ="),
]


def _config_case(edit, key, needle):
    def build(ctx):
        text = edit(PROJECT_TOML)
        line = text[: text.index(needle)].count("\n") + 1
        return Run(["check", ctx.project(text), *J], {2}, [names_file("fteval.toml"), rf"\bline {line}\b", re.escape(key)])

    return build


for label, edit, key, needle in CONFIG_CASES:
    add(f"check.config.{label}", "config", _config_case(edit, key, needle), f"fteval.toml: {key}")


def _compare_config(top, key, command="compare"):
    def build(ctx):
        cfg = ctx.put("fteval.toml", "# settings\n" + top + "\n")
        return Run([command, ctx.put("a.csv", binary_csv(200, 1)), ctx.put("b.csv", binary_csv(200, 1, model=1)), *J], {2},
                   [names_file(cfg), r"\bline 2\b", re.escape(key)])

    return build


add("compare.config.margin_inf", "config", _compare_config("margin = inf", "margin"), "./fteval.toml read by compare")
add("compare.config.primary", "config", _compare_config('primary = "nope"', "primary"))
add("rank.config.primary", "config", _compare_config('primary = "nope"', "primary", "rank"))
add("check.config.invalid_utf8", "config",
    lambda ctx: Run(["check", ctx.project(PROJECT_TOML.encode().replace(b'"fraud"', b'"fr\xffaud"')), *J], {2},
                    [names_file("fteval.toml"), r"(?i)utf-?8"]))


# --- the other messages ---------------------------------------------------------------------------------------

EMPTY_PATH = [
    ("metrics", lambda ctx: ["metrics", "", *J]),
    ("metrics.gold", lambda ctx: ["metrics", ctx.put("p.csv", binary_csv()), "--gold", "", *J]),
    ("metrics.output", lambda ctx: ["metrics", ctx.put("p.csv", binary_csv()), "--output", "", *J]),
    ("compare", lambda ctx: ["compare", "", ctx.put("b.csv", binary_csv()), *J]),
    ("rank", lambda ctx: ["rank", ctx.put("a.csv", binary_csv()), "", *J]),
    ("curves", lambda ctx: ["curves", "", *J]),
    ("leakage.train", lambda ctx: ["leakage", "--train", "", "--test", ctx.put("t.csv", split_csv(split_rows(5, 4, "te"))), *J]),
    ("leakage.write_clean", lambda ctx: _leakage_inputs(ctx)[0] + ["--write-clean", ""]),
    ("check", lambda ctx: ["check", "", *J]),
    ("check.junit", lambda ctx: ["check", ctx.project(), "--junit", "", *J]),
    ("compare.config", lambda ctx: ["compare", ctx.put("a.csv", binary_csv()), ctx.put("b.csv", binary_csv()), "--config", "", *J]),
    ("init", lambda ctx: ["init", ""]),
    ("demo.out", lambda ctx: ["demo", "--out", ""]),
]
for label, argv_fn in EMPTY_PATH:
    add(f"{label.split('.')[0]}.empty_path" + ("." + label.split(".", 1)[1] if "." in label else ""), "messages",
        lambda ctx, f=argv_fn: Run(f(ctx), {2}, [r"(?i)empty"], [r"(?i)no extension"]), "an empty path names the problem")

add("metrics.invalid_utf8.jsonl", "messages",
    lambda ctx: Run(["metrics", ctx.put("bad.jsonl", binary_jsonl(2).encode() + b'{"label": "sp\xffam", "pred": "spam", "prob": 0.9}\n'), *J],
                    {2}, [names_file("bad.jsonl"), r"\bline 3\b"]), "invalid UTF-8 on line 3")
add("metrics.invalid_utf8.csv", "messages",
    lambda ctx: Run(["metrics", ctx.put("bad.csv", binary_csv(2).encode() + b"ex-x,sp\xffam,spam,0.9\n"), *J], {0, 2},
                    [names_file("bad.csv"), at_line(4)]))
add("metrics.invalid_utf8.conll", "messages",
    lambda ctx: Run(["metrics", ctx.put("bad.conll", b"a O O\nb B-P\xffER B-PER\n\n"), *J], {0, 2}, [names_file("bad.conll"), r"\bline 2\b"]))
add("metrics.invalid_utf8.ner_jsonl", "messages",
    lambda ctx: Run(["metrics", ctx.put("bad.jsonl", ner_jsonl(2).encode() + b'{"tokens": ["a\xff"], "labels": ["O"], "predictions": ["O"]}\n'),
                     *J], {2}, [names_file("bad.jsonl"), r"\bline 3\b"]))
add("curves.invalid_utf8.jsonl", "messages",
    lambda ctx: Run(["curves", ctx.put("log.jsonl", jsonl_log(3).encode() + b'{"step": 40, "lo\xffss": 0.2}\n'), *J], {0, 2},
                    [names_file("log.jsonl"), r"\bline 4\b"]))
add("leakage.invalid_utf8.test", "messages",
    lambda ctx: Run(["leakage", "--train", ctx.put("train.csv", split_csv(split_rows(20, 3, "tr"))),
                     "--test", ctx.put("test.jsonl", b'{"id": 1, "text": "fine"}\n{"id": 2, "text": "bad \xff byte"}\n'), *J],
                    {0, 2}, [names_file("test.jsonl"), r"\bline 2\b"]))
add("metrics.ner_jsonl.tags_not_list", "messages",
    lambda ctx: Run(["metrics", ctx.put("ner.jsonl", ner_jsonl(3) + json.dumps({"tokens": ["Ann"], "labels": "B-PER", "predictions": ["B-PER"]}) + "\n"),
                     *J], {2}, [names_file("ner.jsonl"), r"\bline 4\b", "labels"]), "a tag field that is a string, not a list")
add("metrics.ner_jsonl.tags_not_list_first", "messages",
    lambda ctx: Run(["metrics", ctx.put("ner.jsonl", json.dumps({"tokens": ["Ann"], "labels": "B-PER", "predictions": ["B-PER"]}) + "\n" + ner_jsonl(3)),
                     *J], {2}, [names_file("ner.jsonl"), r"\bline 1\b", "labels"]), "the first record's tag field is a string")
add("metrics.one_label.positive_present", "messages",
    lambda ctx: Run(["metrics", ctx.put("one.csv", "label,pred\n" + "spam,spam\n" * 20), "--positive", "spam", *J], {0, 2},
                    [names_file("one.csv")], [r"(?i)(add|say|use|give|pass) --positive"]),
    "gold and predictions hold one label, the --positive one")
add("metrics.one_label.positive_absent", "messages",
    lambda ctx: Run(["metrics", ctx.put("one.csv", "label,pred\n" + "ham,ham\n" * 20), "--positive", "spam", *J], {0, 2},
                    [names_file("one.csv")], [r"(?i)(add|say|use|give|pass) --positive"]),
    "a one-label file and a --positive label it lacks")
add("metrics.probs_list.no_pred", "messages",
    lambda ctx: Run(["metrics", ctx.put("probs.jsonl", "".join(json.dumps({"label": y, "probs": [0.8, 0.1, 0.1][-i % 3:] + [0.8, 0.1, 0.1][:-i % 3]})
                                                                + "\n" for i, y in enumerate([0, 1, 2, 0, 1, 2, 0, 0, 1, 2] * 5))), *J], {0}),
    "per-class scores and no prediction column: the arg-max is the prediction")
add("metrics.probs_dict.no_pred", "messages",
    lambda ctx: Run(["metrics", ctx.put("probs.jsonl", "".join(json.dumps({"label": y, "probs": {"ham": 0.7 if y == "ham" else 0.2, "spam": 0.3 if y == "ham" else 0.8}})
                                                                + "\n" for y in ["ham", "spam", "ham", "spam", "spam", "ham"] * 10)), *J], {0}))


# ---------------------------------------------------------------------------------------------------------------
# Running


@dataclass
class Result:
    name: str
    expected: str
    got: str
    ok: bool
    rss_mb: float
    seconds: float
    why: str
    stderr: str = ""
    argv: str = ""


def snapshot(paths: list) -> dict:
    out = {}
    for p in paths:
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(st.st_mode):
            out[p] = "link:" + os.readlink(p)
        elif stat.S_ISREG(st.st_mode):
            h = hashlib.sha256()
            with open(p, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            out[p] = h.hexdigest()
        elif stat.S_ISFIFO(st.st_mode):
            out[p] = "fifo"
    return out


def tree(d: str) -> list:
    out = []
    for root, dirs, files in os.walk(d):
        out += [os.path.join(root, n) for n in files + [x for x in dirs if os.path.islink(os.path.join(root, x))]]
    return out


class Launcher:
    """Starts the runs from a small helper process. A child's ru_maxrss counts the memory of the process it was
    forked from (Linux keeps the high-water mark across exec), so forking fteval from this suite, which holds
    generated inputs, would report the suite's size as fteval's peak."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-S", os.path.abspath(__file__), "--serve-launcher"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.lock = threading.Lock()
        self.slots: dict = {}
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def run(self, request: dict) -> dict:
        event = threading.Event()
        with self.lock:
            rid = self.next_id
            self.next_id += 1
            self.slots[rid] = [event, None]
            self.proc.stdin.write((json.dumps(dict(request, id=rid)) + "\n").encode())
            self.proc.stdin.flush()
        event.wait()
        with self.lock:
            return self.slots.pop(rid)[1]

    def _read(self):
        for line in self.proc.stdout:
            msg = json.loads(line)
            with self.lock:
                slot = self.slots[msg["id"]]
            slot[1] = msg
            slot[0].set()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def spawn(req: dict) -> dict:
    """Runs one command under the limits (in the launcher process): RLIMIT_AS, no core files, RLIMIT_FSIZE with
    SIGXFSZ ignored (writes past it fail with EFBIG, as on a full disk), a wall-time cap on the process group."""
    mem_limit, fsize = req["mem_limit"], req["fsize"]

    def limits():
        if mem_limit:
            resource.setrlimit(resource.RLIMIT_AS, (mem_limit, mem_limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if fsize:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    stdin_f = open(req["stdin"], "rb")
    if req["stdout"] == "file":
        stdout_f = open(req["stdout_path"], "wb")
    elif req["stdout"] == "full":
        stdout_f = open("/dev/full", "wb")
    elif req["stdout"] == "null":
        stdout_f = open(os.devnull, "wb")
    elif req["stdout"] == "closed":  # a pipe whose reader has gone
        read_end, write_end = os.pipe()
        os.close(read_end)
        stdout_f = os.fdopen(write_end, "wb")
    else:
        raise ValueError(req["stdout"])
    stderr_f = open(req["stderr_path"], "wb")
    t0 = time.monotonic()
    proc = subprocess.Popen(req["argv"], cwd=req["cwd"], env=req["env"], stdin=stdin_f, stdout=stdout_f,
                            stderr=stderr_f, preexec_fn=limits, start_new_session=True)
    timed_out = threading.Event()

    def kill():
        timed_out.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(req["timeout"], kill)
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    timer.cancel()
    seconds = time.monotonic() - t0
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # what a shell case left running
    except (ProcessLookupError, PermissionError):
        pass
    for f in (stdin_f, stdout_f, stderr_f):
        f.close()
    return {"id": req["id"], "code": proc.returncode, "timed_out": timed_out.is_set(), "seconds": seconds,
            "maxrss_kb": usage.ru_maxrss}


def serve_launcher() -> int:
    """The launcher's loop: one JSON request a line on stdin, one JSON answer a line on stdout, runs in parallel."""
    lock = threading.Lock()

    def handle(req):
        try:
            answer = spawn(req)
        except Exception as e:  # report, never hang the suite
            answer = {"id": req["id"], "code": -1000, "timed_out": False, "seconds": 0, "maxrss_kb": 0, "error": repr(e)}
        with lock:
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()

    threads = []
    for line in sys.stdin:
        t = threading.Thread(target=handle, args=(json.loads(line),))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    return 0


def run_case(entry, binary: str, root: str, cache: Cache, mem_limit: int, keep: bool, launcher: Launcher) -> Result:
    name, group, doc, build = entry
    ctx = Ctx(root, name, cache)
    try:
        spec: Run = build(ctx)
    except Exception as e:  # a broken generator is a failure of the suite, not of fteval
        return Result(name, "?", "build error", False, 0, 0, f"could not build the case: {e!r}")
    before = snapshot(tree(ctx.dir) + list(spec.inputs) + ctx.inputs)
    env = dict(os.environ, NO_COLOR="1", TERM="dumb", FTEVAL=binary, RUST_BACKTRACE="0")
    env.pop("RUST_LOG", None)
    out_path = os.path.join(ctx.dir, ".stdout")
    err_path = os.path.join(ctx.dir, ".stderr")
    stdin_path = os.devnull
    if isinstance(spec.stdin, bytes):
        stdin_path = os.path.join(ctx.dir, ".stdin")
        with open(stdin_path, "wb") as f:
            f.write(spec.stdin)
    elif spec.stdin is not None:
        stdin_path = spec.stdin
    for t in ctx.writers:
        t.start()
    done = launcher.run({
        "argv": ["bash", *spec.argv] if spec.shell else [binary, *spec.argv], "cwd": ctx.dir, "env": env,
        "stdin": stdin_path, "stdout": spec.stdout, "stdout_path": out_path, "stderr_path": err_path,
        "timeout": spec.timeout, "mem_limit": mem_limit, "fsize": spec.fsize,
    })
    code, seconds, maxrss_kb = done["code"], done["seconds"], done["maxrss_kb"]
    timed_out = done["timed_out"]
    for t in ctx.writers:  # release writers nobody read from
        try:
            fd = os.open(t.fifo, os.O_RDONLY | os.O_NONBLOCK)
            t.join(2)
            os.close(fd)
        except OSError:
            pass
        t.join(2)
    rss_mb = maxrss_kb / 1024
    with open(err_path, "rb") as f:
        err_bytes = f.read(1 << 20)
    stderr = err_bytes.decode("utf-8", "replace")

    why = []
    if timed_out:
        got = "timeout"
        why.append(f"killed after {spec.timeout:.0f} s")
    elif code == -1000:
        got = "error"
        why.append(f"the launcher could not run it: {done.get('error')}")
    elif code < 0:
        got = signal.Signals(-code).name
        why.append(f"killed by {got}")
    else:
        got = str(code)
        if code not in spec.expect:
            why.append(f"exit {code}")
    m = CRASH.search(stderr)
    if m:
        why.append(f"stderr says {m.group(0)!r}")
    if not timed_out and code == 2:
        if not stderr.strip():
            why.append("exit 2 with an empty stderr")
        for rx in spec.stderr:
            if not re.search(rx, stderr):
                why.append(f"stderr lacks /{rx}/")
    for rx in spec.stderr_not:
        if re.search(rx, stderr):
            why.append(f"stderr has /{rx}/")
    if mem_limit and maxrss_kb * 1024 > mem_limit:
        why.append(f"peak RSS {rss_mb:.0f} MB over the limit")
    after = snapshot(list(before))
    changed = [os.path.relpath(p, ctx.dir) if p.startswith(ctx.dir) else p for p in before if after.get(p) != before[p]]
    if changed:
        why.append("changed inputs: " + ", ".join(changed))
    if spec.clean:
        texts = {"stderr": stderr}
        if spec.stdout == "file":
            with open(out_path, "rb") as f:
                texts["stdout"] = f.read(16 * MiB).decode("utf-8", "replace")
        for where, text in texts.items():
            m = CONTROL.search(text)
            if m:
                why.append(f"raw control character {m.group(0)!r} in {where}")
    if spec.max_stdout is not None and spec.stdout == "file" and os.path.getsize(out_path) > spec.max_stdout:
        why.append(f"stdout {os.path.getsize(out_path) / MiB:.0f} MiB > {spec.max_stdout / MiB:.0f} MiB")
    if spec.post and not timed_out:
        msg = spec.post(ctx, code)
        if msg:
            why.append(msg)
    if not keep:
        shutil.rmtree(ctx.dir, ignore_errors=True)
    shown = " ".join(repr(a) if (not a or any(c in a for c in " \x1b\x07")) else a for a in spec.argv)
    return Result(name, "/".join(str(c) for c in sorted(spec.expect)), got, not why, rss_mb, seconds, "; ".join(why),
                  stderr, shown)


def visible(s: str) -> str:
    return CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", s)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary", nargs="?", default=os.path.join(REPO, "target", "release", "fteval"))
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--only", action="append", default=[], metavar="CASE", help="run only cases matching this name or glob (repeatable)")
    ap.add_argument("--jobs", type=int, default=2, help="cases run at once (default 2)")
    ap.add_argument("--mem-limit", type=float, default=2.0, help="RLIMIT_AS of each run in GiB (default 2; 0 turns it off)")
    ap.add_argument("--verbose", "-v", action="store_true", help="print the command and stderr of failed cases")
    ap.add_argument("--keep", action="store_true", help="keep the generated inputs (printed folder)")
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = ap.parse_args()

    names = [c[0] for c in CASES]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        print(f"duplicate case names: {sorted(dupes)}", file=sys.stderr)
        return 2
    if args.list:
        for name, group, doc, _ in CASES:
            print(f"{name:60} {group:11} {visible(doc)}")
        return 0
    chosen = [c for c in CASES if not args.only or any(fnmatch.fnmatchcase(c[0], p) or c[0] == p for p in args.only)]
    if not chosen:
        print(f"no case matches {args.only}; see --list", file=sys.stderr)
        return 2
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        print(f"{binary}: not an executable; build it with `cargo build --release` or pass its path", file=sys.stderr)
        return 2
    mem_limit = int(args.mem_limit * GiB)
    root = tempfile.mkdtemp(prefix="fteval-hostile-")
    cache = Cache(root)
    t0 = time.monotonic()
    # The limit must not break ordinary runs (mimalloc and rayon reserve address space): check that first.
    launcher = Launcher()
    probe = run_case(next(c for c in CASES if c[0] == "ok.metrics.csv"), binary, root, cache, mem_limit, False, launcher)
    if not probe.ok:
        print(f"a normal run fails under RLIMIT_AS={args.mem_limit} GiB ({probe.why}); the suite cannot judge memory this way:\n"
              f"{probe.stderr}", file=sys.stderr)
        return 2
    results: list = [None] * len(chosen)
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futures = {pool.submit(run_case, c, binary, root, cache, mem_limit, args.keep, launcher): i
                   for i, c in enumerate(chosen)}
        for fut in concurrent.futures.as_completed(futures):
            results[futures[fut]] = fut.result()
    wall = time.monotonic() - t0
    launcher.close()

    w = max(len(r.name) for r in results)
    print(f"{'case':{w}}  {'expected':8}  {'got':8}  {'result':6}  {'peak RSS':>9}  {'seconds':>7}  why")
    for r in results:
        print(f"{r.name:{w}}  {r.expected:8}  {r.got:8}  {'pass' if r.ok else 'FAIL':6}  {r.rss_mb:7.0f}MB  {r.seconds:7.2f}  {r.why}")
    failed = [r for r in results if not r.ok]
    if args.verbose:
        for r in failed:
            print(f"\n--- {r.name}: fteval {visible(r.argv)}\n{visible(r.stderr[:3000])}")
    print(f"\n{len(results) - len(failed)} of {len(results)} cases pass; {len(failed)} fail; {wall:.0f} s wall, "
          f"RLIMIT_AS {args.mem_limit:g} GiB, binary {binary}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump([r.__dict__ for r in results], f, indent=1)
    if args.keep:
        print(f"inputs kept in {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(serve_launcher() if sys.argv[1:] == ["--serve-launcher"] else main())
