"""Choose a per-type ``min_score`` for a PII model on labelled held-out data (issue 17).

The search and the spec writing; the command that runs them on the held-out sets
(``python -m benchmarks.thresholds``) sits in benchmarks/thresholds.py, beside those sets
(benchmarks/data), since the build layer imports nothing from the benchmarks.

Why per type: the model's confidence means different things per type (a title-case heading
tagged PERSON at 0.6 is usually wrong, a date at 0.6 usually right), so one global cut either
lets the first through or loses the second. The search runs the model once, keeps its raw
spans with their scores, then for each type in turn tries every cut of a fixed grid, re-fusing
with the rules exactly as ``detect`` does, and keeps a cut only where exact micro-F1 rises by
``--min-gain`` and the type-agnostic recall (what leaks when a span is missed) does not fall by
more than ``--max-recall-drop``; two passes, since one type's cut changes what fusion does with
another's. The cloud redactor ignores these thresholds (recall first: edge/redaction.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from edge.runtime import above_min_score
from edge.specs import TaskSpec
from edge.types import Span

GRID = (0.0, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
# The name types whose short lower-case spans get a cut of their own (``[lowercase_min_score]``,
# edge.runtime.is_lowercase_word); in the search their cuts are keys "lowercase:TYPE".
LOWERCASE_TYPES = ("PERSON", "ORGANIZATION", "LOCATION")
LOWER = "lowercase:"


def split_cuts(cuts: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """The search's cuts as the spec's two tables: ``[min_score]``, ``[lowercase_min_score]``."""
    plain = {k: v for k, v in cuts.items() if not k.startswith(LOWER)}
    lower = {k.removeprefix(LOWER): v for k, v in cuts.items() if k.startswith(LOWER)}
    return plain, lower


def join_cuts(min_score: dict[str, float], lowercase: dict[str, float]) -> dict[str, float]:
    """The spec's two tables as the search's cuts (the inverse of :func:`split_cuts`)."""
    return {**min_score, **{LOWER + k: v for k, v in lowercase.items()}}


def _dicts(spans: Sequence[Span]) -> list[dict]:
    return [{"start": s.start, "end": s.end, "label": s.label} for s in spans]


class ThresholdSearch:
    """Raw model spans of ``texts``, scored against ``gold`` under any per-type cut."""

    def __init__(self, detector, texts: list[str], gold: list[list[dict]], *, rules: bool = True):
        self.detector = detector
        self.texts = texts
        self.gold = gold
        self.rules = rules
        self.raw = detector.model_spans(texts)
        self.types = list(detector.task.entities or ())

    def predict(self, min_score: dict[str, float]) -> list[list[dict]]:
        fusion = self.detector.fusion
        out = []
        for text, spans in zip(self.texts, self.raw, strict=True):
            kept = above_min_score(spans, *split_cuts(min_score))
            if self.rules and fusion.enabled:
                kept = fusion.fuse(text, kept)
            out.append(_dicts(kept))
        return out

    def score(self, min_score: dict[str, float]) -> tuple[float, float]:
        """(exact micro-F1, type-agnostic recall) under ``min_score``."""
        from quantize.metrics import pii_scores

        s = pii_scores(self.gold, self.predict(min_score))
        return s["exact"]["micro"]["f1"], s["any_type_recall"]

    def search(self, **kwargs) -> tuple[dict[str, float], dict]:
        """The best cuts for this model alone (see :func:`search`)."""
        return search([self], **kwargs)


def search(
    searches: Sequence[ThresholdSearch],
    *,
    grid: Sequence[float] = GRID,
    passes: int = 2,
    min_gain: float = 0.001,
    max_recall_drop: float = 0.0,
    min_recall: float | None = None,
    start: dict[str, float] | None = None,
) -> tuple[dict[str, float], dict]:
    """Coordinate ascent over the types; returns (min_score, before/after figures).

    Several models (one table for all): the mean of their F1s must rise, and no model's
    type-agnostic recall may fall by more than ``max_recall_drop`` or, with ``min_recall``,
    below that floor instead (the same bar for every model, however much recall it starts
    with: the issue's bar is a floor, not a drop). ``start``: cuts to begin from (e.g. the
    spec's own, to add to them), not from none."""
    types = list(dict.fromkeys(t for s in searches for t in s.types))
    types += [LOWER + t for t in LOWERCASE_TYPES if t in types]

    def scores(cuts: dict[str, float]) -> tuple[float, list[float]]:
        both = [s.score(cuts) for s in searches]
        return sum(f for f, _ in both) / len(both), [r for _, r in both]

    chosen: dict[str, float] = dict(start or {})
    f1_0, rec_0 = scores(chosen)
    floors = [r0 - max_recall_drop if min_recall is None else min_recall for r0 in rec_0]
    best_f1 = f1_0
    for _ in range(passes):
        changed = False
        for label in types:
            current = chosen.get(label, 0.0)
            for cut in grid:
                if cut == current:
                    continue
                trial = {**chosen, label: cut}
                f1, rec = scores(trial)
                if f1 >= best_f1 + min_gain and all(
                    r >= floor for r, floor in zip(rec, floors, strict=True)
                ):
                    best_f1, current, changed = f1, cut, True
                    chosen = {k: v for k, v in trial.items() if v > 0}
        if not changed:
            break
    f1_1, rec_1 = scores(chosen)
    per_model = [(s.score(dict(start or {})), s.score(chosen)) for s in searches]
    return dict(sorted(chosen.items())), {
        "f1_before": f1_0,
        "f1_after": f1_1,
        "any_type_recall_before": min(rec_0),
        "any_type_recall_after": min(rec_1),
        "per_model": per_model,
        "n_texts": len(searches[0].texts),
    }


def toml_section(cuts: dict[str, float], note: str) -> str:
    """``[min_score]`` (and ``[lowercase_min_score]`` when the search chose any) as TOML."""
    plain, lower = split_cuts(cuts)
    lines = [f"# {line}" for line in note.splitlines()]
    lines.append("[min_score]")
    lines += [f"{label} = {value:g}" for label, value in sorted(plain.items())]
    if lower:
        lines.append("[lowercase_min_score]  # a short lower-case span of a name type")
        lines += [f"{label} = {value:g}" for label, value in sorted(lower.items())]
    return "\n".join(lines) + "\n"


_SECTION = re.compile(
    r"(?ms)^(?:#[^\n]*\n)*\[min_score\]\n(?:(?!\[)[^\n]*\n)*"
    r"(?:\[lowercase_min_score\][^\n]*\n(?:(?!\[)[^\n]*\n)*)?"
)


def write_section(spec_path: Path, section: str) -> None:
    """Replace the spec's ``[min_score]`` table (the comment lines just above it and a
    ``[lowercase_min_score]`` table just after it), or append one; written atomically and
    validated before it replaces the file."""
    from pydantic import ValidationError

    from edge.errors import SpecError
    from edge.fsutil import open_atomic
    from edge.specs import TaskSpec, format_validation_error, tomllib  # 3.10: tomli

    old = spec_path.read_text(encoding="utf-8")
    if _SECTION.search(old):
        new = _SECTION.sub(lambda _: section, old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + section
    try:
        TaskSpec.model_validate(tomllib.loads(new))
    except ValidationError as e:
        raise SpecError(format_validation_error(spec_path, e)) from None
    with open_atomic(spec_path, 0o644) as f:
        f.write(new.encode("utf-8"))


CUT_TABLES = ("min_score", "lowercase_min_score")


def with_cuts(spec: TaskSpec, cuts: dict, source: str | Path = "cuts") -> TaskSpec:
    """``spec`` with its two cut tables replaced by ``cuts`` (TOML tables as parsed; a table
    the file leaves out means no cuts of that kind), validated as the whole spec is."""
    from pydantic import ValidationError

    from edge.errors import SpecError
    from edge.specs import format_validation_error

    other = sorted(set(cuts) - set(CUT_TABLES))
    if other:
        raise SpecError(
            f"{source}: only [min_score] and [lowercase_min_score] belong here, not "
            f"{', '.join(other)}; other settings go in the task spec"
        )
    tables = {name: cuts.get(name, {}) for name in CUT_TABLES}
    try:
        return TaskSpec.model_validate({**spec.model_dump(), **tables})
    except ValidationError as e:
        raise SpecError(format_validation_error(source, e)) from None


def read_cuts(path: Path) -> dict:
    """A cuts file's tables (``[min_score]``, ``[lowercase_min_score]``), parsed."""
    from edge.errors import SpecError
    from edge.specs import tomllib  # 3.10: tomli

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise SpecError(f"cannot read the cuts file {path}: {e}") from None


def write_cuts(path: Path, section: str, spec: TaskSpec) -> None:
    """Write ``section`` (:func:`toml_section`) as a model's own cuts file, after checking it
    fits ``spec``; atomically, so a failed write leaves the old file."""
    from edge.fsutil import open_atomic
    from edge.specs import tomllib  # 3.10: tomli

    with_cuts(spec, tomllib.loads(section), path)
    with open_atomic(path, 0o644) as f:
        f.write(section.encode("utf-8"))
