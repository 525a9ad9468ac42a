"""Generate labelled documents: ``{"text": str, "spans": [{start, end, label}]}``.

Why: a record is a document of one register (e-mail thread, chat, ticket, note, form, table,
JSON/YAML, log, invoice, shipping label, meeting notes, CRM record, prose) or a document with no
PII at all, sized to fit the model's 128-token training window, with document-level noise (all
lower or upper case, typos, dropped punctuation). Every choice comes from one
``random.Random`` seeded by (split, seed), so (split, n, seed) always gives the same records;
"val" and "test" draw their wording from phrase pools disjoint from "train"'s.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from . import values as V
from .compose import Doc
from .phrases import SPLITS
from .registers import REGISTERS, negative

NEGATIVE_RATE = 0.12  # documents with no PII (look-alikes only)
SECOND_RATE = 0.15  # documents that continue with a second register when there is room
_SEPARATORS = ("\n\n", "\n", "\n---\n", " ", "\n\n====\n")
_REG_NAMES = tuple(REGISTERS)
_REG_WEIGHTS = tuple(w for w, _ in REGISTERS.values())
# How noisy a register's text usually is: (lower-case share, typo share, no-punctuation share).
# Machine-written registers (logs, JSON, tables...) get none: a typo there is not realistic.
_NOISE = {
    "chat": (0.45, 0.35, 0.4),
    "email": (0.04, 0.08, 0.05),
    "ticket": (0.08, 0.1, 0.08),
    "note": (0.06, 0.12, 0.1),
    "prose": (0.05, 0.1, 0.05),
    "meeting": (0.1, 0.08, 0.1),
    "crm": (0.05, 0.06, 0.05),
    "form": (0.03, 0.03, 0.0),
}
_DEFAULT_NOISE = (0.0, 0.0, 0.0)

Record = dict[str, object]


def _check_split(split: str) -> str:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    return split


def _record(rng: random.Random, split: str) -> Record:
    locale = V.pick_locale(rng)
    budget = rng.choice((40, 60, 80, 100, 110, 120))
    d = Doc(rng, split, locale, budget)
    if rng.random() < NEGATIVE_RATE:
        negative(d)
        return _finish(d)
    name = rng.choices(_REG_NAMES, weights=_REG_WEIGHTS)[0]
    lower, typo, nopunct = _NOISE.get(name, _DEFAULT_NOISE)
    r = rng.random()
    d.case = "lower" if r < lower else "upper" if lower and r < lower + 0.015 else "keep"
    if rng.random() < typo:
        d.typo_rate = rng.choice((0.03, 0.06, 0.1))
    d.drop_punct = rng.random() < nopunct
    if name in _NOISE and rng.random() < 0.08:
        d.wrap = rng.choice((0.05, 0.1))
    REGISTERS[name][1](d)
    if d.room(30) and rng.random() < SECOND_RATE:
        d.lit(rng.choice(_SEPARATORS))
        second = rng.choices(_REG_NAMES, weights=_REG_WEIGHTS)[0]
        if second not in _NOISE:  # a log or table after a chat is not re-cased or mistyped
            d.case, d.typo_rate, d.drop_punct, d.wrap = "keep", 0.0, False, 0.0
        REGISTERS[second][1](d)
    return _finish(d)


def _finish(d: Doc) -> Record:
    text = d.text()
    end = len(text.rstrip())
    if d.spans and d.spans[-1]["end"] > end:  # never: spans hold no edge whitespace
        raise AssertionError("a span ends in trailing whitespace")
    return {"text": text[:end], "spans": d.spans}


def iter_generate(n: int, *, split: str = "train", seed: int = 0) -> Iterator[Record]:
    """Yield ``n`` documents; identical (n, split, seed) always give identical records."""
    if n < 0:
        raise ValueError("n must be >= 0")
    split = _check_split(split)
    rng = random.Random(f"quantize.pii_docs/{split}/{seed}")
    for _ in range(n):
        yield _record(rng, split)


def generate(n: int, *, split: str = "train", seed: int = 0) -> list[Record]:
    """Return ``n`` documents as a list (see :func:`iter_generate`)."""
    return list(iter_generate(n, split=split, seed=seed))
