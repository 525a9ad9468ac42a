"""The hand-written PII evaluation set: parse its marked-up source, check it, write the JSONL.

Why a source file with inline marks: offsets typed by hand are where hand-labelled sets go wrong;
here a person writes ``⟦Maria Garcia|PERSON⟧`` and the offsets are computed. The JSONL keeps each
span's text beside its offsets so that :func:`validate` can prove, without the source, that every
``text[start:end]`` is what the labeller meant.

    python -m benchmarks.data.handwritten           # check the JSONL against the source
    python -m benchmarks.data.handwritten --write   # rewrite the JSONL from the source
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from edge.errors import DataError
from edge.resources import package_path
from edge.specs import load_task_spec

HERE = package_path("benchmarks", "data")  # package data: a wheel install reads it too
SOURCE = HERE / "handwritten_pii.src.txt"
JSONL = HERE / "handwritten_pii.jsonl"
# the PII task's entity types: the set is labelled by the same guidelines as our own data
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


def parse_source(path: Path = SOURCE) -> list[dict]:
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


def load(path: Path = JSONL) -> list[dict]:
    """The records, checked; ``DataError`` names every problem."""
    if not path.is_file():
        raise DataError(f"{path} not found; run python -m benchmarks.data.handwritten --write")
    return checked_records(path, path.read_text(encoding="utf-8"))


def checked_records(path: Path, text: str) -> list[dict]:
    """The JSONL ``text`` of ``path`` as records; ``DataError`` names every problem. Lines are
    read by the build's one JSONL reader (``quantize.data.jsonl_rows``); :func:`validate` adds
    what a hand-labelled set needs beyond a task's records (ids, each span's own text)."""
    from quantize.data import jsonl_rows

    records = [r for _, r in jsonl_rows(path, text)]
    problems = validate(records)
    if problems:
        raise DataError(f"{path}: " + "; ".join(problems[:10]))
    return records


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite the JSONL from the source")
    args = ap.parse_args(argv)
    records = parse_source()
    problems = validate(records)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if args.write:
        JSONL.write_text(lines, encoding="utf-8")
        print(f"wrote {len(records)} records to {JSONL}")
        return 0
    if not JSONL.is_file() or JSONL.read_text(encoding="utf-8") != lines:
        print(f"{JSONL} differs from {SOURCE.name}: run with --write", file=sys.stderr)
        return 1
    load()
    n_spans = sum(len(r["spans"]) for r in records)
    print(f"ok: {len(records)} records, {n_spans} spans, every span's text matches its offsets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
