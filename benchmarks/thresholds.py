"""Choose a per-type ``min_score`` for a PII model on the held-out sets, and write it (issue 17).

    python -m benchmarks.thresholds --model ~/.cache/edge/models/pii            # print [min_score]
    python -m benchmarks.thresholds --model ... --write edge/specs_data/tasks/pii.toml  # and write
    python -m benchmarks.thresholds --model ~/.cache/edge/models/pii-fast --min-recall 0.982 \
        --write-cuts quantize/default_adapters/pii-fast/min_score.toml   # one model's own

The search is quantize.thresholds (why per type, how the cuts are tried); this command sits here
because the data it chooses on are the benchmarks' held-out sets (benchmarks/data), and the build
layer imports nothing from the benchmarks. The data default is the independent set's dev part;
its test part is refused (it only reports).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.presidio_compare import choice_arguments, choice_records, pii_detector
from edge.errors import EdgeError
from quantize.thresholds import (
    ThresholdSearch,
    join_cuts,
    search,
    toml_section,
    write_cuts,
    write_section,
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    choice_arguments(
        ap,
        "PII artifact folder; repeatable: one table for all (pii and pii-fast share the task "
        "spec), the mean F1 rising",
        "choose for the model alone",
    )
    ap.add_argument("--min-gain", type=float, default=0.001, help="F1 gain a cut must bring")
    recall = ap.add_mutually_exclusive_group()
    recall.add_argument("--max-recall-drop", type=float, default=0.0, help="type-agnostic recall")
    recall.add_argument(
        "--min-recall",
        type=float,
        help="instead: no cut may take a model's type-agnostic recall below this (e.g. 0.982)",
    )
    write = ap.add_mutually_exclusive_group()
    write.add_argument("--write", type=Path, help="task spec file to write [min_score] into")
    write.add_argument(
        "--write-cuts",
        type=Path,
        help="a default model's own cuts file to write (quantize/default_adapters/NAME/"
        "min_score.toml): they replace the task spec's tables in that model's build",
    )
    ap.add_argument(
        "--from-spec",
        action="store_true",
        help="start from the first model's spec cuts (add to them) instead of from none",
    )
    args = ap.parse_args(argv)
    try:
        records = choice_records(args.data, "choose thresholds")
        searches = []
        for path in args.model:
            detector = pii_detector(path, args.variant)
            searches.append(
                ThresholdSearch(
                    detector,
                    [r["text"] for r in records],
                    [r["spans"] for r in records],
                    rules=not args.no_rules,
                )
            )
        task = searches[0].detector.task
        start = join_cuts(task.min_score, task.lowercase_min_score) if args.from_spec else None
        chosen, fig = search(
            searches,
            min_gain=args.min_gain,
            max_recall_drop=args.max_recall_drop,
            min_recall=args.min_recall,
            start=start,
        )
    except EdgeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    how = "model alone" if args.no_rules else "model + rules"
    lines = [
        f"Per-type thresholds chosen by `python -m benchmarks.thresholds` on {args.data} "
        f"({fig['n_texts']} texts, {how}), exact micro-F1 before -> after:"
    ]
    if args.from_spec:
        lines[0] += " (starting from the spec's cuts)"
    for path, ((f0, r0), (f1, r1)) in zip(args.model, fig["per_model"], strict=True):
        lines.append(
            f"{Path(path).name}: {f0:.3f} -> {f1:.3f} (type-agnostic recall {r0:.3f} -> {r1:.3f})"
        )
    note = "\n".join(lines)
    section = toml_section(chosen, note)
    print(section, end="")
    try:
        if args.write:
            write_section(args.write, section)
        elif args.write_cuts:
            write_cuts(args.write_cuts, section, task)
    except EdgeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.write or args.write_cuts:
        print(f"wrote [min_score] into {args.write or args.write_cuts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
