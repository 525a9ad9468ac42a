"""A PII model's errors on a held-out set, by kind and type, with the texts behind them (issue 17).

    python -m benchmarks.pii_errors --model ~/.cache/edge/models/pii            # counts
    python -m benchmarks.pii_errors --model A --model B --show 5 --out DIR      # + examples, JSONL

Why: each round of issue 17 starts from what the models get wrong on text our generator never
wrote, counted by kind (a spurious span, a boundary, a type confusion, a miss: see
``quantize.metrics.span_errors``) and type, and read in the texts themselves; the kinds, not the
values, decide what the generator learns next. The data default is the independent set's dev
part; its test part is refused (it only reports).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from benchmarks.presidio_compare import choice_arguments, choice_records, pii_detector
from edge.errors import DataError, EdgeError
from edge.fsutil import open_atomic
from quantize.metrics import ERROR_KINDS, pii_scores, span_errors


def model_errors(detector, records: list[dict], *, rules: bool = True) -> tuple[dict, list[dict]]:
    """(scores, errors) of ``detector`` (``edge pii`` as it answers, or the model alone) on
    labelled ``records``; every error carries its record's id, its text and the span's text."""
    texts = [r["text"] for r in records]
    found = detector.detect(texts, rules=rules)
    gold = [r["spans"] for r in records]
    pred = [[{"start": s.start, "end": s.end, "label": s.label} for s in f.spans] for f in found]
    errors = []
    for i, (r, g, p) in enumerate(zip(records, gold, pred, strict=True)):
        for e in span_errors(g, p):
            t = r["text"]
            errors.append(
                {
                    "id": r.get("id", i),
                    "kind": e["kind"],
                    "label": e["label"],
                    "text": t[e["span"]["start"] : e["span"]["end"]],
                    "gold": [(s["label"], t[s["start"] : s["end"]]) for s in e["gold"]],
                    "record": t,
                }
            )
    return pii_scores(gold, pred), errors


def summary(name: str, scores: dict, errors: list[dict], show: int = 0) -> str:
    """The counts table (and ``show`` examples of each kind) as Markdown."""
    m = scores["exact"]["micro"]
    lines = [
        f"## {name}: exact P {m['precision']:.3f} R {m['recall']:.3f} F1 {m['f1']:.3f}, "
        f"any-type recall {scores['any_type_recall']:.3f}",
        "",
        "| kind | all | by type |",
        "| --- | ---: | --- |",
    ]
    for kind in ERROR_KINDS:
        per = Counter(e["label"] for e in errors if e["kind"] == kind)
        types = ", ".join(f"{lbl} {n}" for lbl, n in per.most_common())
        lines.append(f"| {kind} | {sum(per.values())} | {types} |")
    for kind in ERROR_KINDS if show else ():
        some = [e for e in errors if e["kind"] == kind][:show]
        if some:
            lines += ["", f"{kind}:"]
            lines += [f"- {e['id']}: {e['label']} {e['text']!r} gold {e['gold']}" for e in some]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    choice_arguments(ap, "PII artifact folder; repeatable", "the model alone")
    ap.add_argument("--show", type=int, default=0, help="examples of each kind to print")
    ap.add_argument("--out", type=Path, help="folder for MODEL.errors.jsonl (every error)")
    args = ap.parse_args(argv)
    try:
        names = [Path(p).name for p in args.model]
        if len(set(names)) < len(names):
            raise DataError(f"two models share a name ({', '.join(names)}); rename a folder")
        records = choice_records(args.data, "study errors")
        for path in args.model:
            detector = pii_detector(path, args.variant)
            scores, errors = model_errors(detector, records, rules=not args.no_rules)
            print(summary(Path(path).name, scores, errors, args.show))
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                with open_atomic(args.out / f"{Path(path).name}.errors.jsonl") as f:
                    f.writelines(
                        (json.dumps(e, ensure_ascii=False) + "\n").encode() for e in errors
                    )
    except EdgeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
