"""``pii-written``: PII training texts written by hand, not by any generator of ours.

Why: trained on what our generators render (``pii-synth``'s templates, ``pii-docs``' composed
documents), the PII models learn how those generators write; on text written otherwise they fall
far behind (issue 17). These texts were written one by one, in sixteen registers, by helper agents
of this project who read neither our generators nor any evaluation set (see README.md beside
this file). They are marked up like the evaluation sets (``⟦Maria Garcia|PERSON⟧``, offsets
computed by :mod:`quantize.marked`).

Long texts are cut at line breaks into pieces of at most :data:`PIECE_TOKENS` word pieces of the
base's tokenizer, never inside a span, so training's 128-token window loses none of their spans.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from edge.errors import DataError
from edge.resources import package_path
from quantize.marked import parse_source, validate

HERE = package_path("quantize", "pii_written")
PIECE_TOKENS = 120  # under the task's 128-token window, [CLS] and [SEP] included
TOKENIZER_BASE = "all-MiniLM-L6-v2"  # whose word pieces PIECE_TOKENS counts


def sources() -> list[Path]:
    """The source files, in name order (the order of the records)."""
    found = sorted(HERE.glob("w*.src.txt"))
    if not found:
        raise DataError(f"no pii-written sources (w*.src.txt) in {HERE}: reinstall edge")
    return found


def marked_records() -> list[dict]:
    """Every written text with its spans (``id``, ``text``, ``spans`` with each span's text),
    checked: ``DataError`` names the problems."""
    records = [r for path in sources() for r in parse_source(path)]
    problems = validate(records)
    if problems:
        raise DataError("pii-written: " + "; ".join(problems[:10]))
    return records


@cache
def _token_counter() -> Callable[[str], int]:
    from edge.errors import BuildError
    from edge.tokenization import load_tokenizer  # padding and truncation off: counts every piece
    from quantize.sources import resolve_base

    tok = load_tokenizer(resolve_base(TOKENIZER_BASE) / "tokenizer.json", BuildError)
    return lambda s: len(tok.encode(s, add_special_tokens=False).ids)


def pieces(record: dict, count_tokens: Callable[[str], int], limit: int = PIECE_TOKENS):
    """``record`` as training records of at most ``limit`` tokens each, cut after line breaks
    that no span covers: the stretches between such breaks are joined greedily while they fit.
    A stretch longer than the limit on its own stays whole (training keeps its first 128
    tokens)."""
    text, spans = record["text"], record["spans"]
    if count_tokens(text) <= limit:
        return [{"text": text, "spans": [_bare(s) for s in spans]}]
    cuts = [i + 1 for i, ch in enumerate(text) if ch == "\n" and not _inside(i, spans)]
    edges = [0, *cuts, len(text)]
    bounds, start, end = [], 0, edges[1]
    for b in edges[2:]:
        if count_tokens(text[start:b]) <= limit:
            end = b
        else:
            bounds.append((start, end))
            start, end = end, b
    bounds.append((start, end))
    out = []
    for a, b in bounds:
        piece = text[a:b].rstrip("\n")
        if piece.strip():
            kept = [s for s in spans if s["start"] >= a and s["end"] <= b]
            out.append({"text": piece, "spans": [_bare(s, a) for s in kept]})
    return out


def _inside(i: int, spans: list[dict]) -> bool:
    return any(s["start"] <= i < s["end"] for s in spans)


def _bare(span: dict, offset: int = 0) -> dict:
    return {"start": span["start"] - offset, "end": span["end"] - offset, "label": span["label"]}


def load(split: str = "train") -> list[dict]:
    """The training records (``split`` "train", the only one: the texts that measure a model are
    the evaluation sets, written apart from these)."""
    if split != "train":
        raise DataError(
            f"pii-written has one split, train (asked for {split!r}): it is training data, "
            "not a measure; for validation give --val FILE or use pii-mixw, whose val and test "
            "are pii-mix's; to measure, use the evaluation sets (benchmarks/data)"
        )
    count = _token_counter()
    return [p for r in marked_records() for p in pieces(r, count)]
