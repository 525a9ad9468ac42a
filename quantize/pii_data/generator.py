"""Render templates into labelled records: ``{"text": str, "spans": [{start, end, label}]}``.

Why: offsets are computed while the string is assembled (never by searching for the value
afterwards, which breaks on repeated or overlapping values), and every random choice comes from a
single seeded ``random.Random`` so a (split, seed, n) triple always yields the same corpus. The
"dev" and "heldout" splits draw only from their own templates (never trained on) with their own
RNG streams: "dev" validates training and is where errors are studied, "heldout" is the test set
that F1 is reported on, so it measures generalisation to unseen sentence shapes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

from .templates import (
    DEV_NEGATIVE_TEMPLATES,
    DEV_TEMPLATES,
    SLOT_ALIASES,
    TEST_NEGATIVE_TEMPLATES,
    TEST_TEMPLATES,
    TRAIN_NEGATIVE_TEMPLATES,
    TRAIN_TEMPLATES,
)
from .values import ENTITY_TYPES, FILLERS, VALUE_FNS, Ctx, Value, pick_locale

Split = Literal["train", "dev", "train+dev", "heldout"]
Record = dict[str, object]

NEGATIVE_RATE = 0.17  # share of records with no PII (look-alikes only)
COMPOSE_RATE = 0.10  # share of positive records that append a second template
_SEPARATORS = (" ", "\n", "\n\n", " | ", " ... ", "\n---\n")

_SLOT_RE = re.compile(r"\{([A-Za-z_]+)(?::([a-z0-9_]+))?\}")

# A parsed template: literal strings and (kind, variant) slots, kind being a label or filler name.
Part = str | tuple[str, str | None]


def _parse(template: str) -> tuple[Part, ...]:
    parts: list[Part] = []
    pos = 0
    for m in _SLOT_RE.finditer(template):
        if m.start() > pos:
            parts.append(template[pos : m.start()])
        name, variant = m.group(1), m.group(2)
        kind = SLOT_ALIASES.get(name, name)
        if kind not in VALUE_FNS and kind not in FILLERS:
            raise ValueError(f"unknown slot {{{name}}} in template {template!r}")
        parts.append((kind, variant))
        pos = m.end()
    if pos < len(template):
        parts.append(template[pos:])
    return tuple(parts)


def _casing_bias(parts: tuple[Part, ...]) -> str:
    """'lower' / 'upper' when the template's literal text is all lower / upper case."""
    letters = "".join(p for p in parts if isinstance(p, str))
    letters = "".join(c for c in letters if c.isalpha())
    if len(letters) < 10:  # e.g. log/CSV skeletons: too little text to call it a casing style
        return "mixed"
    if letters == letters.lower():
        return "lower"
    if letters == letters.upper():
        return "upper"
    return "mixed"


class _Compiled:
    __slots__ = ("bias", "labels", "parts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.parts = _parse(text)
        self.bias = _casing_bias(self.parts)
        self.labels = frozenset(p[0] for p in self.parts if isinstance(p, tuple)) & set(
            ENTITY_TYPES
        )


def _compile(templates: Iterable[str]) -> tuple[_Compiled, ...]:
    return tuple(_Compiled(t) for t in templates)


_POOLS: dict[str, tuple[tuple[_Compiled, ...], tuple[_Compiled, ...]]] = {
    "train": (_compile(TRAIN_TEMPLATES), _compile(TRAIN_NEGATIVE_TEMPLATES)),
    "dev": (_compile(DEV_TEMPLATES), _compile(DEV_NEGATIVE_TEMPLATES)),
    "heldout": (_compile(TEST_TEMPLATES), _compile(TEST_NEGATIVE_TEMPLATES)),
}
# The shipped model's training data: once the number of epochs was chosen on "dev", the dev
# templates join training (more sentence shapes); "heldout" stays unseen.
_POOLS["train+dev"] = (_POOLS["train"][0] + _POOLS["dev"][0], _POOLS["train"][1] + _POOLS["dev"][1])
for _split, (_pos, _neg) in _POOLS.items():
    for _t in _pos:
        if not _t.labels:
            raise ValueError(f"{_split} positive template has no entity slot: {_t.text!r}")
    for _t in _neg:
        if _t.labels:
            raise ValueError(f"{_split} negative template has entity slots: {_t.text!r}")


def templates(split: Split = "train", *, negatives: bool = True) -> tuple[str, ...]:
    """The raw template strings of a split (positives first, then negatives if requested)."""
    pos, neg = _POOLS[_check_split(split)]
    return tuple(t.text for t in pos + (neg if negatives else ()))


def _check_split(split: str) -> str:
    if split not in _POOLS:
        raise ValueError(f"split must be one of {', '.join(_POOLS)}, got {split!r}")
    return split


def _apply_case(s: str, mode: str) -> str:
    if mode == "lower":
        return s.lower()
    if mode == "upper":
        return s.upper()
    return s


class _Builder:
    """Accumulates text pieces and spans; offsets come from the running length."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.pos = 0
        self.spans: list[dict[str, object]] = []

    def add(self, s: str) -> None:
        if s:
            self.pieces.append(s)
            self.pos += len(s)

    def add_entity(self, text: str, label: str) -> None:
        # Whitespace never belongs to a span: push it outside.
        stripped = text.strip()
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()) :]
        if not stripped:
            raise ValueError(f"empty {label} value")
        self.add(lead)
        start = self.pos
        self.add(stripped)
        self.spans.append({"start": start, "end": self.pos, "label": label})
        self.add(trail)

    def text(self) -> str:
        return "".join(self.pieces)


def _render(tpl: _Compiled, ctx: Ctx, b: _Builder) -> None:
    rng = ctx.rng
    r = rng.random()
    # Literal casing: occasionally the whole record is typed in lower / upper case.
    lit_mode = "lower" if r < 0.04 else "upper" if r < 0.055 else "keep"
    if lit_mode != "keep":
        val_mode = lit_mode
    elif tpl.bias == "lower":
        val_mode = "lower" if rng.random() < 0.6 else "keep"
    elif tpl.bias == "upper":
        val_mode = "upper" if rng.random() < 0.85 else "keep"
    else:
        val_mode = "lower" if rng.random() < 0.03 else "keep"
    for part in tpl.parts:
        if isinstance(part, str):
            b.add(_apply_case(part, lit_mode))
            continue
        kind, variant = part
        if kind in VALUE_FNS:
            v: Value = VALUE_FNS[kind](ctx, variant)
            b.add(_apply_case(v.pre, val_mode))
            b.add_entity(_apply_case(v.text, val_mode), kind)
            b.add(_apply_case(v.post, val_mode))
        else:
            b.add(_apply_case(FILLERS[kind](rng), val_mode))


def _record(rng: random.Random, split: str) -> Record:
    pos, neg = _POOLS[split]
    ctx = Ctx(rng=rng, locale=pick_locale(rng))
    b = _Builder()
    if rng.random() < NEGATIVE_RATE:
        _render(rng.choice(neg), ctx, b)
    else:
        _render(rng.choice(pos), ctx, b)
        if rng.random() < COMPOSE_RATE:
            b.add(rng.choice(_SEPARATORS))
            _render(rng.choice(pos + neg), ctx, b)
    return {"text": b.text(), "spans": b.spans}


def iter_generate(n: int, *, split: Split = "train", seed: int = 0) -> Iterator[Record]:
    """Yield ``n`` records; identical (n, split, seed) always give identical records."""
    if n < 0:
        raise ValueError("n must be >= 0")
    split = _check_split(split)  # type: ignore[assignment]
    rng = random.Random(f"quantize.pii_data/{split}/{seed}")
    for _ in range(n):
        yield _record(rng, split)


def generate(n: int, *, split: Split = "train", seed: int = 0) -> list[Record]:
    """Return ``n`` records as a list (see :func:`iter_generate`)."""
    return list(iter_generate(n, split=split, seed=seed))


def write_jsonl(records: Iterable[Record], path: str | os.PathLike[str]) -> int:
    """Write records as JSON lines atomically (``edge.fsutil.open_atomic``); returns the count."""
    from edge.fsutil import open_atomic

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open_atomic(path, 0o600) as f:  # 0600 as mkstemp made it before
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False).encode("utf-8") + b"\n")
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate synthetic PII NER data as JSONL.")
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--split", choices=list(_POOLS), default="train")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    count = write_jsonl(iter_generate(args.n, split=args.split, seed=args.seed), args.out)
    print(f"wrote {count} records to {args.out} in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
