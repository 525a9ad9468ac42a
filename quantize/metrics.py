"""Evaluation metrics for both tasks, in plain Python and numpy (no torch), so any prediction
source (ONNX, GGUF, PyTorch, rules, a baseline) is scored by exactly the same code.

- PII is scored per entity, not per token: a span is what a user sees redacted. ``exact`` needs
  the same label and the same offsets; ``relaxed`` accepts any overlap with the same label
  (a name found without its title still hid the name), each gold and each predicted span used at
  most once so one long prediction cannot collect several gold spans.
- Intent reports in-scope accuracy and out-of-scope recall separately because CLINC-style data is
  imbalanced: a model that never says "out of scope" can still have high overall accuracy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from edge.errors import DataError

Span = dict  # {"start": int, "end": int, "label": str, ...}


def overlap(a: Span, b: Span) -> bool:
    """Two spans share at least one character (what relaxed matching, any-type recall and the
    error kinds all mean by "overlaps")."""
    return a["start"] < b["end"] and b["start"] < a["end"]


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    """Precision/recall/F1; 0.0 where a denominator is 0 (scikit-learn's zero_division=0)."""
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": p,
        "recall": r,
        "f1": f,
        "support": n_gold,
        "tp": tp,
        "fp": n_pred - tp,
        "fn": n_gold - tp,
    }


def _key(s: Span) -> tuple[int, int, str]:
    return int(s["start"]), int(s["end"]), str(s["label"])


def _exact_matches(gold: list[Span], pred: list[Span]) -> Counter:
    """Matched spans per label: the multiset intersection of (start, end, label)."""
    common = Counter(_key(s) for s in gold) & Counter(_key(s) for s in pred)
    out: Counter = Counter()
    for (_, _, label), n in common.items():
        out[label] += n
    return out


def _relaxed_matches(gold: list[Span], pred: list[Span]) -> Counter:
    """One-to-one overlap matching per label, greedy left to right.

    Spans of one label do not overlap each other (data files and the BIO decoder guarantee it),
    and for two sorted sets of disjoint intervals the greedy left-to-right matching is a maximum
    matching, so no cleverer assignment could score higher.
    """
    out: Counter = Counter()
    labels = {s["label"] for s in gold} & {s["label"] for s in pred}
    for label in labels:
        g = sorted(_key(s) for s in gold if s["label"] == label)
        p = sorted(_key(s) for s in pred if s["label"] == label)
        i = j = 0
        while i < len(g) and j < len(p):
            (gs, ge, _), (ps, pe, _) = g[i], p[j]
            if gs < pe and ps < ge:  # overlap (end exclusive)
                out[label] += 1
                i += 1
                j += 1
            elif ge <= ps:
                i += 1
            else:
                j += 1
    return out


def _span_confusions(gold: list[list[Span]], pred: list[list[Span]], top: int = 10) -> list:
    """Top (gold label, predicted label, count) errors: "O" on the gold side is a spurious span,
    "O" on the predicted side a missed one; otherwise an overlapping span of the wrong type."""
    pairs: Counter = Counter()
    for g, p in zip(gold, pred, strict=True):
        for s in g:
            over = [q["label"] for q in p if overlap(q, s)]
            if s["label"] not in over:
                pairs[(s["label"], over[0] if over else "O")] += 1
        for q in p:
            if not any(overlap(s, q) for s in g):
                pairs[("O", q["label"])] += 1
    ranked = sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))
    return [(a, b, n) for (a, b), n in ranked[:top]]


def any_type_recall(gold: list[list[Span]], pred: list[list[Span]]) -> float:
    """The share of gold spans that some predicted span of any type overlaps.

    Why beside typed F1: for redaction a mistyped span is still redacted; what no predicted span
    touches is what leaks (issue 17). 1.0 when there is no gold span."""
    total = hit = 0
    for g, p in zip(gold, pred, strict=True):
        for s in g:
            total += 1
            hit += any(overlap(q, s) for q in p)
    return hit / total if total else 1.0


ERROR_KINDS = ("spurious", "boundary", "type", "type+boundary", "miss")


def span_errors(gold: list[Span], pred: list[Span]) -> list[dict]:
    """One text's errors by kind, the unit of an error analysis (issue 17): a predicted span that
    is no exact gold span is ``spurious`` (overlaps no gold span), ``boundary`` (overlaps a gold
    span of its type), ``type`` (same offsets, other type) or ``type+boundary``; a gold span that
    no predicted span overlaps is a ``miss`` (what leaks). Each error names its span and the gold
    spans it overlaps, so the texts behind a count can be read."""
    exact = {_key(s) for s in gold}
    out: list[dict] = []
    for q in pred:
        if _key(q) in exact:
            continue
        hits = [s for s in gold if overlap(q, s)]
        if not hits:
            kind = "spurious"
        elif any(s["label"] == q["label"] for s in hits):
            kind = "boundary"
        elif any((s["start"], s["end"]) == (q["start"], q["end"]) for s in hits):
            kind = "type"
        else:
            kind = "type+boundary"
        out.append({"kind": kind, "label": q["label"], "span": q, "gold": hits})
    for s in gold:
        if not any(overlap(q, s) for q in pred):
            out.append({"kind": "miss", "label": s["label"], "span": s, "gold": [s]})
    return out


def pii_scores(gold: list[list[Span]], pred: list[list[Span]]) -> dict:
    """Entity-level P/R/F1 per type and micro over all types, for exact and relaxed matching.

    ``gold[i]`` and ``pred[i]`` are the spans of text ``i`` (dicts with start, end, label).
    Returns ``{"exact": {"per_type": {label: scores}, "micro": scores}, "relaxed": ..., "n",
    "confusions"}``.
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold texts but {len(pred)} predicted")
    n_gold: Counter = Counter()
    n_pred: Counter = Counter()
    tp = {"exact": Counter(), "relaxed": Counter()}
    for g, p in zip(gold, pred, strict=True):
        n_gold.update(s["label"] for s in g)
        n_pred.update(s["label"] for s in p)
        tp["exact"] += _exact_matches(g, p)
        tp["relaxed"] += _relaxed_matches(g, p)
    labels = sorted(set(n_gold) | set(n_pred))
    out: dict = {
        "n": len(gold),
        "confusions": _span_confusions(gold, pred),
        "any_type_recall": any_type_recall(gold, pred),
    }
    for mode, hits in tp.items():
        out[mode] = {
            "per_type": {lbl: _prf(hits[lbl], n_pred[lbl], n_gold[lbl]) for lbl in labels},
            "micro": _prf(sum(hits.values()), sum(n_pred.values()), sum(n_gold.values())),
        }
    return out


def intent_scores(
    gold: Sequence[str], pred: Sequence[str], oos_label: str | None, *, top_confusions: int = 10
) -> dict:
    """Accuracy, in-scope accuracy, out-of-scope recall/precision, macro-F1 and top confusions.

    Figures that cannot be defined on this data (out-of-scope recall with no out-of-scope text,
    anything out-of-scope when the task has no such label) are ``None``, not 0.
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold labels but {len(pred)} predicted")
    if not gold:
        raise DataError("no records to score")
    g = np.asarray(gold, dtype=object)
    p = np.asarray(pred, dtype=object)
    correct = g == p
    is_oos = (g == oos_label) if oos_label is not None else np.zeros(len(g), dtype=bool)
    pred_oos = (p == oos_label) if oos_label is not None else np.zeros(len(p), dtype=bool)
    in_scope = ~is_oos
    f1s = []
    for label in sorted(set(gold)):
        tp = int(np.sum(correct & (g == label)))
        f1s.append(_prf(tp, int(np.sum(p == label)), int(np.sum(g == label)))["f1"])
    pairs = Counter((a, b) for a, b in zip(gold, pred, strict=True) if a != b)
    confusions = sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))
    n_oos, n_pred_oos = int(is_oos.sum()), int(pred_oos.sum())
    oos_tp = int(np.sum(is_oos & pred_oos))
    return {
        "n": len(gold),
        "n_in_scope": int(in_scope.sum()),
        "n_oos": n_oos,
        "accuracy": float(correct.mean()),
        "in_scope_accuracy": float(correct[in_scope].mean()) if in_scope.any() else None,
        "oos_recall": oos_tp / n_oos if n_oos else None,
        "oos_precision": oos_tp / n_pred_oos if n_pred_oos else (0.0 if n_oos else None),
        "macro_f1": float(np.mean(f1s)),
        "confusions": [(a, b, n) for (a, b), n in confusions[:top_confusions]],
    }


def apply_oos_threshold(
    top_labels: Sequence[str],
    confidences: Sequence[float],
    threshold: float | None,
    oos_label: str,
) -> list[str]:
    """The runtime's rule: out of scope when the top label is, or its confidence < threshold."""
    if threshold is None:
        return list(top_labels)
    return [
        oos_label if c < threshold else lbl for lbl, c in zip(top_labels, confidences, strict=True)
    ]


def choose_oos_threshold(
    gold: Sequence[str],
    top_labels: Sequence[str],
    confidences: Sequence[float],
    oos_label: str,
    min_oos_recall: float | None = None,
) -> float:
    """The threshold that maximises in-scope accuracy + out-of-scope recall on a validation set,
    or, with ``min_oos_recall``, the lowest one whose out-of-scope recall reaches that target.

    Why a recall target: the equal-weight sum picks an operating point, but a product has a
    requirement instead ("catch 85% of out-of-scope requests"); in-scope accuracy only falls as
    the threshold rises, so the lowest threshold that meets the target keeps the most. When no
    threshold reaches the target the highest recall wins.

    Why this objective: raising the threshold trades in-scope answers for caught out-of-scope
    texts, and out-of-scope texts are a small minority (CLINC150: ~3% of val), so overall
    accuracy would barely reward catching them; the equal-weight sum treats the two error kinds
    as equally costly whatever the class balance. Only observed confidences (and 0.0, no
    rejection) are tried: between two neighbouring observed values every threshold gives the same
    predictions on the validation set. Ties go to the lowest threshold, the one that rejects the
    fewest texts, because a rejected in-scope request is the error a user notices.
    """
    g = np.asarray(gold, dtype=object)
    top = np.asarray(top_labels, dtype=object)
    conf = np.asarray(confidences, dtype=np.float64)
    if not (len(g) == len(top) == len(conf)):
        raise ValueError("gold, top_labels and confidences differ in length")
    is_oos = g == oos_label
    if not is_oos.any() or is_oos.all():
        raise DataError(
            f"choosing an out-of-scope threshold needs validation texts both labelled "
            f"{oos_label!r} and not; got {int(is_oos.sum())} of {len(g)}"
        )
    # in-scope text counted correct iff its top label is right and it is not rejected (conf >= t)
    kept_right = np.sort(conf[~is_oos & (top == g)])
    # out-of-scope text caught iff its top label is oos, or it is rejected (conf < t)
    oos_top_other = np.sort(conf[is_oos & (top != oos_label)])
    n_oos_top = int(np.sum(is_oos & (top == oos_label)))
    candidates = np.unique(np.concatenate([[0.0], conf]))
    right = len(kept_right) - np.searchsorted(kept_right, candidates, side="left")
    caught = n_oos_top + np.searchsorted(oos_top_other, candidates, side="left")
    recall = caught / int(is_oos.sum())
    if min_oos_recall is not None:
        meets = np.flatnonzero(recall >= min_oos_recall - 1e-12)
        return float(candidates[meets[0]] if len(meets) else candidates[int(np.argmax(recall))])
    objective = right / int((~is_oos).sum()) + recall
    return float(candidates[int(np.argmax(objective))])  # argmax: first (lowest) of the ties
