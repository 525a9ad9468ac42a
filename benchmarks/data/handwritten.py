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
import sys
from pathlib import Path

from edge.errors import DataError
from edge.resources import package_path
from quantize.marked import LABELS, parse_line, validate  # noqa: F401  (this module's API)
from quantize.marked import parse_source as _parse_source

HERE = package_path("benchmarks", "data")  # package data: a wheel install reads it too
SOURCE = HERE / "handwritten_pii.src.txt"
JSONL = HERE / "handwritten_pii.jsonl"


def parse_source(path: Path = SOURCE) -> list[dict]:
    """The records of a marked-up source (this set's by default), offsets computed."""
    return _parse_source(path)


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
