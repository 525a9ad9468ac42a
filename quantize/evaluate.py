"""``edge eval``: score an artifact, the merged PyTorch model or a baseline on labelled records.

Every source is run through the runtime's own task classes (windows, BIO decoding, the
out-of-scope rule), only the backend differs, so the numbers say what a user of that artifact
would get and differences between sources are the model's, not the evaluation's.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from edge.backends.base import Backend
from edge.errors import ArtifactError, DataError
from edge.manifest import Manifest, Variant
from edge.runtime import TASK_CLASSES, IntentClassifier, PIIDetector, TaskModel
from edge.specs import TaskSpec, load_task_spec
from edge.textinput import check_text
from edge.types import Span
from quantize.data import check_records
from quantize.defaults import DEFAULT_BASE
from quantize.metrics import apply_oos_threshold, choose_oos_threshold, intent_scores, pii_scores


def subsample(records: list[dict], limit: int | None, seed: int = 0) -> list[dict]:
    """A fixed seeded sample of ``limit`` records, in their original order, so a limited run still
    covers the whole file (CLINC150 lists its out-of-scope records last)."""
    if limit is None or limit >= len(records):
        return records
    keep = sorted(random.Random(seed).sample(range(len(records)), limit))
    return [records[i] for i in keep]


def headline(spec: TaskSpec, scores: dict) -> dict:
    """The one number a model is compared on.

    PII: exact micro-F1. Intent with an out-of-scope label: the mean of in-scope accuracy and
    out-of-scope recall (so ignoring out-of-scope texts cannot look good); otherwise accuracy.
    """
    if spec.kind == "token-classification":
        return {"metric": "exact micro-F1", "value": scores["exact"]["micro"]["f1"]}
    if (
        spec.out_of_scope_label
        and scores["oos_recall"] is not None
        and scores["in_scope_accuracy"] is not None
    ):
        value = (scores["in_scope_accuracy"] + scores["oos_recall"]) / 2
        return {"metric": "mean(in-scope accuracy, oos recall)", "value": value}
    return {"metric": "accuracy", "value": scores["accuracy"]}


def _result(spec: TaskSpec, source: dict, scores: dict, seconds: float, n: int, **extra) -> dict:
    return {
        "task": spec.name,
        "kind": spec.kind,
        "source": source,
        "n": n,
        "seconds": seconds,
        "latency_ms_per_text": 1000 * seconds / n if n else 0.0,
        "scores": scores,
        "headline": headline(spec, scores),
        **extra,
    }


def _span_dicts(spans: Sequence[Span]) -> list[dict]:
    return [{"start": s.start, "end": s.end, "label": s.label} for s in spans]


def evaluate_model(
    model: TaskModel,
    records: Sequence[dict],
    source: dict,
    *,
    oos_threshold: float | None = None,
    rules: bool = True,
) -> dict:
    """Run a loaded task model over the records and score it.

    ``oos_threshold`` overrides the task's ``oos_threshold`` (intent only), with the runtime's
    rule: out of scope when the top label is the out-of-scope label or its confidence is lower.

    PII: ``scores`` and ``headline`` are the model's own spans (what the fine-tuning bought, what
    the rules baseline is compared with, what differs between variants); with ``rules`` the
    result also has ``hybrid``: the same model spans fused with the rule recognizers as
    ``PIIDetector.detect`` does by default (``edge.fusion``), scored the same way, with the
    fusion's extra time.
    """
    spec = model.task
    records = check_records(list(records), spec, "records")
    texts = [r["text"] for r in records]
    started = time.perf_counter()
    if isinstance(model, PIIDetector):
        found = model.model_spans([check_text(t, spec.max_chars) for t in texts])
        seconds = time.perf_counter() - started
        gold = [r["spans"] for r in records]
        scores = pii_scores(gold, [_span_dicts(s) for s in found])
        extra = {}
        if rules:
            started = time.perf_counter()
            fused = [model.fusion.fuse(t, s) for t, s in zip(texts, found, strict=True)]
            fusion_seconds = time.perf_counter() - started
            hybrid = pii_scores(gold, [_span_dicts(s) for s in fused])
            extra["hybrid"] = {
                "scores": hybrid,
                "headline": headline(spec, hybrid),
                "seconds": seconds + fusion_seconds,
                "latency_ms_per_text": 1000 * (seconds + fusion_seconds) / len(records)
                if records
                else 0.0,
                "recognizers": [r.name for r in model.fusion.recognizers],
                "unavailable": dict(model.fusion.unavailable),
            }
        return _result(spec, source, scores, seconds, len(records), **extra)
    assert isinstance(model, IntentClassifier)
    results = model.classify(texts, top_k=1)
    seconds = time.perf_counter() - started
    threshold = spec.oos_threshold if oos_threshold is None else oos_threshold
    if oos_threshold is None:
        labels = [r.label for r in results]
    else:
        labels = apply_oos_threshold(
            [r.top_k[0][0] for r in results],
            [r.confidence for r in results],
            threshold,
            spec.oos_label,
        )
    scores = intent_scores([r["label"] for r in records], labels, spec.out_of_scope_label)
    return _result(spec, source, scores, seconds, len(records), oos_threshold=threshold)


def evaluate_artifact(
    artifact_dir: str | Path,
    records: Sequence[dict],
    *,
    variant: str | None = None,
    threads: int | None = None,
    oos_threshold: float | None = None,
    rules: bool = True,
) -> dict:
    """Metrics of one artifact variant (any backend format), plus batched latency per text."""
    import edge

    model = edge.load(artifact_dir, variant=variant, threads=threads)
    source = {
        "type": "artifact",
        "artifact": str(artifact_dir),
        "variant": model.variant,
        "format": model.manifest.variant(model.variant).format,
    }
    return evaluate_model(model, records, source, oos_threshold=oos_threshold, rules=rules)


class TorchBackend(Backend):
    """The merged PyTorch model behind the runtime's backend interface (the parity reference)."""

    format = "pytorch"

    def __init__(self, model):
        self.model = model

    @classmethod
    def open(cls, artifact_dir: Path, variant: Variant, *, threads: int | None = None) -> Backend:
        raise ArtifactError("PyTorch models are not loaded from artifacts; use evaluate_torch")

    def logits(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        from quantize.parity import torch_logits

        return torch_logits(self.model, input_ids, attention_mask)


def torch_task_model(base, adapter, spec: TaskSpec) -> TaskModel:
    """Base + adapter merged, wrapped in the runtime's task class with the build's tokenizer."""
    from edge.tokenization import TextEncoder
    from quantize.build import write_tokenizer
    from quantize.merge import merge
    from quantize.sources import check_compatible, open_adapter, open_base

    base_dir, adapter_dir = open_base(base), open_adapter(adapter)
    check_compatible(base_dir, adapter_dir, spec)
    merged = merge(base_dir, adapter_dir, spec)
    with tempfile.TemporaryDirectory() as tmp:
        special = write_tokenizer(base_dir.path, Path(tmp) / "tokenizer.json")
        encoder = TextEncoder(Path(tmp) / "tokenizer.json", special, spec.max_length)
    manifest = Manifest.model_construct(
        task=spec, labels=spec.model_labels, special_tokens=special, variants=[]
    )
    cls = TASK_CLASSES[spec.kind]
    return cls(adapter_dir.path, manifest, TorchBackend(merged), encoder, "pytorch")


def evaluate_torch(
    base: str | Path,
    adapter: str | Path,
    spec: TaskSpec | str | Path,
    records: Sequence[dict],
    *,
    oos_threshold: float | None = None,
    rules: bool = True,
) -> dict:
    """Metrics of the merged PyTorch model: what the artifacts are measured against."""
    spec = spec if isinstance(spec, TaskSpec) else load_task_spec(spec)
    model = torch_task_model(base, adapter, spec)
    source = {"type": "pytorch", "base": str(base), "adapter": str(adapter)}
    return evaluate_model(model, records, source, oos_threshold=oos_threshold, rules=rules)


def evaluate_baseline(
    spec: TaskSpec,
    records: Sequence[dict],
    *,
    base: str | Path = DEFAULT_BASE,
    train_records: Sequence[dict] | None = None,
    val_records: Sequence[dict] | None = None,
    k: int = 10,
    seed: int = 0,
) -> dict:
    """The no-fine-tuning baseline's metrics on the same records.

    Intent: centroids from ``k`` training records per label; with an out-of-scope label the
    similarity threshold is chosen on ``val_records`` (default: the training records the
    centroids did not use) by :func:`choose_oos_threshold`, as a fine-tuned model's would be.
    """
    from quantize.baselines import CentroidIntentBaseline, rule_labels, rules_pii_baseline

    records = check_records(list(records), spec, "records")
    texts = [r["text"] for r in records]
    if spec.kind == "token-classification":
        started = time.perf_counter()
        pred = rules_pii_baseline(texts, spec)
        seconds = time.perf_counter() - started
        scores = pii_scores([r["spans"] for r in records], pred)
        source = {"type": "baseline", "name": "rules", "entities_covered": rule_labels(spec)}
        return _result(spec, source, scores, seconds, len(records))
    if not train_records:
        raise DataError(
            "the intent baseline needs labelled training records (--baseline-data FILE, or a "
            "named --dataset); or run with --no-baseline"
        )
    train_records = check_records(list(train_records), spec, "baseline training records")
    model = CentroidIntentBaseline(base, k=k).fit(train_records, seed=seed)
    oos = spec.out_of_scope_label
    threshold = None
    if oos:
        if val_records:
            val = check_records(list(val_records), spec, "baseline validation records")
        else:
            used = set(model.fitted_indices)
            val = [r for i, r in enumerate(train_records) if i not in used]
        gold_val = [r["label"] for r in val]
        if oos in gold_val and any(g != oos for g in gold_val):
            top, sims = model.predict([r["text"] for r in val])
            threshold = choose_oos_threshold(gold_val, top, sims, oos, spec.oos_min_recall)
    started = time.perf_counter()
    top, sims = model.predict(texts)
    seconds = time.perf_counter() - started
    labels = apply_oos_threshold(top, sims, threshold, oos) if oos else top
    scores = intent_scores([r["label"] for r in records], labels, oos)
    source = {"type": "baseline", "name": f"centroid k={k}", "base": str(base)}
    return _result(spec, source, scores, seconds, len(records), oos_threshold=threshold)


def compare(model_metrics: dict, baseline_metrics: dict, margin_points: float = 10.0) -> dict:
    """Does the fine-tuned model beat the baseline on the headline by more than the margin?"""
    m, b = model_metrics["headline"], baseline_metrics["headline"]
    if m["metric"] != b["metric"]:
        raise ValueError(f"headlines differ: {m['metric']!r} vs {b['metric']!r}")
    diff = 100 * (m["value"] - b["value"])
    return {
        "metric": m["metric"],
        "model": m["value"],
        "baseline": b["value"],
        "difference_points": diff,
        "margin_points": margin_points,
        "beats_baseline": bool(diff > margin_points),
    }


def calibrate_oos_threshold(
    artifact: str | Path,
    records: Sequence[dict],
    *,
    variant: str | None = None,
    threads: int | None = None,
    min_oos_recall: float | None = None,
) -> dict:
    """The out-of-scope threshold for an intent artifact, chosen on labelled validation records.

    Run on the variant that will ship (int8 moves confidences a little). The rule is the task's
    (``oos_min_recall``, else the best in-scope accuracy + out-of-scope recall); the result says
    what the threshold gives on these records, to paste into the task spec.
    """
    import edge

    model = edge.load(artifact, variant=variant, threads=threads)
    spec = model.task
    oos = spec.out_of_scope_label
    if spec.kind != "sequence-classification" or not oos:
        raise DataError(f"task {spec.name!r} has no out-of-scope label to calibrate")
    records = check_records(list(records), spec, "records")
    target = spec.oos_min_recall if min_oos_recall is None else min_oos_recall
    results = model.classify([r["text"] for r in records], top_k=1)
    top = [r.top_k[0][0] for r in results]
    conf = [r.top_k[0][1] for r in results]
    gold = [r["label"] for r in records]
    threshold = choose_oos_threshold(gold, top, conf, oos, target)
    scores = intent_scores(gold, apply_oos_threshold(top, conf, threshold, oos), oos)
    return {
        "threshold": threshold,
        "rule": "max in-scope acc + oos recall" if target is None else f"oos recall >= {target}",
        "variant": model.variant,
        "records": len(records),
        "in_scope_accuracy": scores["in_scope_accuracy"],
        "oos_recall": scores["oos_recall"],
    }
