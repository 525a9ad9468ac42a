"""Texts marked up by hand (``⟦Maria Garcia|PERSON⟧``): parse, compute offsets, check.

Why a source file with inline marks: offsets typed by hand are where hand-labelled sets go wrong;
a person writes ``⟦Maria Garcia|PERSON⟧`` and the offsets are computed. Records keep each span's
text beside its offsets so that :func:`validate` can prove, without the source, that every
``text[start:end]`` is what the labeller meant. Used by the hand-written evaluation sets
(``benchmarks.data``) and the hand-written training texts (``quantize.pii_written``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from edge.errors import DataError
from edge.specs import load_task_spec

# the PII task's entity types: hand-marked texts use the same labels as our own data
LABELS = tuple(load_task_spec("pii").entities or ())
NOT_AN_ENTITY = "O"
_MARK_RE = re.compile(r"⟦([^⟦⟧|]+)\|([A-Z_]+|O)⟧")
_ESCAPES = {"n": "\n", "\\": "\\", "t": "\t"}


def _unescape(s: str) -> str:
    return re.sub(r"\\([n\\t])", lambda m: _ESCAPES[m[1]], s)


def parse_line(line: str, where: str) -> dict:
    """``ID<TAB>marked text`` → ``{"id", "text", "spans": [{start, end, label, text}]}``."""
    rid, sep, marked = line.rstrip("\n").partition("\t")
    if not sep or not rid.strip():
        raise DataError(f"{where}: expected 'ID<TAB>text'")
    text, spans, pos = [], [], 0
    length = 0
    for m in _MARK_RE.finditer(marked):
        plain = _unescape(marked[pos : m.start()])
        text.append(plain)
        length += len(plain)
        value, label = _unescape(m[1]), m[2]
        if label != NOT_AN_ENTITY:
            if label not in LABELS:
                raise DataError(f"{where}: unknown label {label!r}; use one of {LABELS}")
            spans.append({"start": length, "end": length + len(value), "label": label})
            spans[-1]["text"] = value
        text.append(value)
        length += len(value)
        pos = m.end()
    text.append(_unescape(marked[pos:]))
    full = "".join(text)
    if "⟦" in full or "⟧" in full:
        raise DataError(f"{where}: unbalanced or malformed ⟦value|LABEL⟧ mark")
    return {"id": rid.strip(), "text": full, "spans": spans}


def parse_source(path: Path) -> list[dict]:
    """Every record of a marked-up source file (`ID<TAB>text` lines; `#` starts a comment)."""
    records = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        records.append(parse_line(line, f"{path.name}:{n}"))
    return records


def validate(records: Iterable[dict]) -> list[str]:
    """Every problem found (empty when the set is sound): ids unique, labels known, each span's
    ``text[start:end]`` equal to its recorded text, no whitespace at a span's edges, spans in
    bounds, sorted and not overlapping."""
    problems: list[str] = []
    seen: set[str] = set()
    for rec in records:
        rid = rec.get("id", "?")
        if rid in seen:
            problems.append(f"{rid}: duplicate id")
        seen.add(rid)
        text = rec.get("text")
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{rid}: empty or missing text")
            continue
        prev_end = 0
        for s in rec.get("spans", []):
            start, end, label = s.get("start"), s.get("end"), s.get("label")
            if label not in LABELS:
                problems.append(f"{rid}: unknown label {label!r}")
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
                problems.append(f"{rid}: bad offsets {start}-{end}")
                continue
            if end > len(text):
                problems.append(f"{rid}: span {start}-{end} beyond the text ({len(text)})")
                continue
            value = text[start:end]
            if value != s.get("text"):
                problems.append(f"{rid}: text[{start}:{end}] is {value!r}, not {s.get('text')!r}")
            if value != value.strip():
                problems.append(f"{rid}: span {value!r} has whitespace at an edge")
            if start < prev_end:
                problems.append(f"{rid}: span {value!r} overlaps or precedes the previous one")
            prev_end = end
    return problems
