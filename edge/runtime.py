"""Load an artifact and run its task: ``edge.load(path)`` returns a PIIDetector or an
IntentClassifier, both thin over one backend and one encoder."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import ValidationError

from edge.backends import Backend, get_backend
from edge.bio import decode_spans, redact, word_tags
from edge.errors import ArtifactError, SpecError
from edge.manifest import Manifest, read_manifest, verify_entry
from edge.platform_select import PlatformFacts, detect_facts
from edge.platform_select import select as select_platform
from edge.profiles import load_hardware_profile
from edge.specs import FusionSpec, TaskSpec, format_validation_error
from edge.textinput import check_text
from edge.tokenization import TextEncoder
from edge.types import IntentResult, PIIResult, Span

if TYPE_CHECKING:  # the rules load with the first text (edge.fusion), not with the model
    from edge.fusion import Fusion

DEFAULT_BATCH_SIZE = 16


def softmax(x: np.ndarray) -> np.ndarray:
    """Along the last axis; one new array, worked on in place (this runs once per text)."""
    e = x - x.max(axis=-1, keepdims=True)
    np.exp(e, out=e)
    e /= e.sum(axis=-1, keepdims=True)
    return e


def plan_batches(lengths: Sequence[int], max_rows: int, run_cost: float) -> list[list[int]]:
    """Cut a call's sequences into padded batches that cost least in all.

    Why: a batch is padded to its longest row, so a list of 16 texts of mixed lengths run as one
    batch paid for 16 copies of the longest (measured: 169 texts/s in lists of 16 against 336 one
    at a time, int8, one thread). With the indices sorted by length, an exact dynamic programme
    over contiguous groups minimises ``sum(run_cost + rows * width)``: ``run_cost`` is what one
    backend call costs beyond its tokens, in tokens (``Backend.run_overhead_tokens``), so a group
    forms only where the padding it adds costs less than the calls it saves, and running every
    text alone is always one of the plans weighed, so a batch is never planned slower than
    single calls. Rows per batch stay at most ``max_rows``.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    n = len(order)
    width = [lengths[i] for i in order]
    best = [0.0] + [float("inf")] * n  # best[j]: cheapest plan for the j shortest
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        for i in range(max(0, j - max_rows), j):
            cost = best[i] + run_cost + (j - i) * width[j - 1]
            if cost < best[j]:
                best[j], cut[j] = cost, i
    groups: list[list[int]] = []
    j = n
    while j > 0:
        groups.append(order[cut[j] : j])
        j = cut[j]
    return groups[::-1]


def distinct(items: list[str]) -> tuple[list[str], list[int]]:
    """The distinct texts of ``items`` (first-seen order) and, per item, its distinct index.

    Why: bulk input repeats itself (log lines, CSV columns, a stream's window), and a text's
    answer does not depend on the texts beside it (issue 19), so each distinct text of a call
    is run once and its answer given to every copy.
    """
    index: dict[str, int] = {}
    where = [index.setdefault(t, len(index)) for t in items]
    return list(index), where


def is_lowercase_word(text: str) -> bool:
    """A short lower-case stretch: a cased letter, no capital, no digit, at most three words
    (scripts without case never are; longer stretches are mostly mistyped spoken numbers or
    addresses, which redaction wants kept)."""
    return (
        any(c.islower() for c in text)
        and not any(c.isupper() or c.isdigit() for c in text)
        and len(text.split()) <= 3
    )


def above_min_score(
    spans: list[Span], min_score: dict[str, float], lowercase: dict[str, float] | None = None
) -> list[Span]:
    """The spans whose score reaches their type's ``min_score`` (a type not named: all kept)
    and, for a short lower-case span, its type's ``lowercase`` score too."""
    lowercase = lowercase or {}
    return [
        s
        for s in spans
        if s.score >= min_score.get(s.label, 0.0)
        and not (
            s.label in lowercase and s.score < lowercase[s.label] and is_lowercase_word(s.text)
        )
    ]


class TaskModel:
    """What both tasks share: manifest, backend, encoder and padded batching."""

    def __init__(
        self,
        artifact_dir: Path,
        manifest: Manifest,
        backend: Backend,
        encoder: TextEncoder,
        variant: str,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ):
        self.artifact_dir = artifact_dir
        self.manifest = manifest
        self.backend = backend
        self.encoder = encoder
        self.variant = variant
        self.batch_size = batch_size

    @property
    def task(self) -> TaskSpec:
        return self.manifest.task

    @property
    def labels(self) -> list[str]:
        return self.manifest.labels

    def _run_batches(self, sequences: Sequence[list[int]]) -> list[np.ndarray]:
        """Logits per sequence, run in padded batches of similar length (see ``plan_batches``)."""
        out: list[np.ndarray] = [np.empty(0)] * len(sequences)
        overhead = self.backend.run_overhead_tokens
        rows = min(self.batch_size, self.backend.max_rows or self.batch_size)
        if rows == 1:  # every row runs alone: no plan and no padding to build or cut away
            for i, seq in enumerate(sequences):
                ids = np.array([seq], dtype=np.int64)
                # np.ones, not np.ones_like: the same mask without ones_like's Python-level wrapping
                logits = self.backend.logits(ids, np.ones(ids.shape, dtype=np.int64))
                out[i] = logits[0, : len(seq)] if logits.ndim == 3 else logits[0]
            return out
        for idx in plan_batches([len(s) for s in sequences], rows, overhead):
            ids, mask = self.encoder.pad([sequences[i] for i in idx])
            logits = self.backend.logits(ids, mask)
            for row, i in enumerate(idx):
                out[i] = logits[row, : len(sequences[i])] if logits.ndim == 3 else logits[row]
        return out

    def _texts(self, texts: str | Iterable[str]) -> tuple[list[str], bool]:
        single = isinstance(texts, str)
        items = [texts] if single else list(texts)
        return [check_text(t, self.task.max_chars) for t in items], single


class PIIDetector(TaskModel):
    def token_probs(self, texts: list[str]) -> tuple[list, list[np.ndarray]]:
        """Per-token label probabilities over each whole text, windows merged."""
        tokenized = self.encoder.tokenize(texts)
        windows = self.encoder.windows(tokenized, self.task.stride)
        logits = self._run_batches([w.ids for w in windows])
        if len(windows) == len(tokenized):  # one window per text: nothing to merge
            return tokenized, [
                softmax(lg[1 : 1 + w.end - w.begin]) for w, lg in zip(windows, logits, strict=True)
            ]
        merged: list[np.ndarray] = []
        best_ctx: list[np.ndarray] = []
        for t in tokenized:
            merged.append(np.zeros((len(t.ids), len(self.labels)), dtype=np.float32))
            best_ctx.append(np.full(len(t.ids), -1, dtype=np.int64))
        for w, lg in zip(windows, logits, strict=True):
            inner = lg[1 : 1 + (w.end - w.begin)]  # drop [CLS] and [SEP]
            pos = np.arange(w.begin, w.end)
            context = np.minimum(pos - w.begin, w.end - 1 - pos)
            take = context > best_ctx[w.text_index][pos]
            merged[w.text_index][pos[take]] = inner[take]
            best_ctx[w.text_index][pos[take]] = context[take]
        return tokenized, [softmax(m) for m in merged]

    _fusion: Fusion | None = None

    @property
    def fusion(self) -> Fusion:
        """The rules half of hybrid detection, from the task spec's ``[fusion]`` (built once)."""
        if self._fusion is None:
            self._fusion = self._build_fusion(self.task.fusion)
        return self._fusion

    def _build_fusion(self, spec: FusionSpec | None) -> Fusion:
        """The rules for ``spec`` (None, a spec without ``[fusion]``: Fusion's defaults)."""
        from edge.fusion import Fusion  # the recognizers load here, with the first text

        return Fusion(spec, self.task.entities or [])

    def configure_fusion(self, spec: FusionSpec | None = None, **changes) -> Fusion:
        """Replace the fusion settings, e.g. ``configure_fusion(phone_region="GB")`` or
        ``configure_fusion(enabled=False)``; ``spec`` replaces them all, ``changes`` edit fields
        (validated like the spec file)."""
        current = (
            self._fusion.spec if self._fusion is not None else self.task.fusion or FusionSpec()
        )
        base = spec or current  # not self.fusion: that would build the rules only to replace them
        try:
            new = FusionSpec.model_validate({**base.model_dump(), **changes})
        except ValidationError as e:
            raise SpecError(format_validation_error("fusion settings", e)) from None
        self._fusion = self._build_fusion(new)
        return self._fusion

    @property
    def min_score(self) -> dict[str, float]:
        """Per-type score a model span needs in ``detect`` (the spec's ``[min_score]``)."""
        return dict(self.task.min_score)

    def configure_min_score(self, min_score: dict[str, float] | None) -> dict[str, float]:
        """Replace the per-type thresholds (``{}`` or None: report every model span), validated
        like the spec file; e.g. a caller that prefers recall lowers them."""
        try:
            task = TaskSpec.model_validate({**self.task.model_dump(), "min_score": min_score or {}})
        except ValidationError as e:
            raise SpecError(format_validation_error("min_score", e)) from None
        self.manifest = self.manifest.model_copy(update={"task": task})
        return self.min_score

    def confident_spans(self, texts: list[str]) -> list[list[Span]]:
        """The model's spans that reach their type's ``min_score`` (what ``detect`` fuses)."""
        floor, lowercase = self.task.min_score, self.task.lowercase_min_score
        found = self.model_spans(texts)
        if not floor and not lowercase:
            return found
        return [above_min_score(spans, floor, lowercase) for spans in found]

    def model_spans(self, texts: list[str]) -> list[list[Span]]:
        """The model's own spans per (checked) text, before any rule is applied."""
        tokenized, probs = self.token_probs(texts)
        tags = word_tags(probs, self.labels, [tok.word_ids for tok in tokenized])
        return [
            decode_spans(text, p, self.labels, tok.offsets, tok.word_ids, tags=tg)
            for text, tok, p, tg in zip(texts, tokenized, probs, tags, strict=True)
        ]

    def detect(
        self, texts: str | Iterable[str], *, rules: bool | None = None
    ) -> PIIResult | list[PIIResult]:
        """Spans and redacted text. Hybrid (model fused with the rule recognizers, see
        ``edge.fusion``) unless ``rules=False`` or the spec says ``[fusion] enabled = false``;
        model spans under their type's ``min_score`` are left out either way."""
        items, single = self._texts(texts)
        unique, where = distinct(items)
        found = self.confident_spans(unique)
        if self.fusion.enabled if rules is None else rules:
            found = [self.fusion.fuse(t, spans) for t, spans in zip(unique, found, strict=True)]
        results = [
            PIIResult(text=text, spans=spans, redacted=redact(text, spans))
            for text, spans in zip(unique, found, strict=True)
        ]
        if len(unique) < len(items):  # each copy its own span list: a caller may edit one
            results = [replace(results[k], spans=list(results[k].spans)) for k in where]
        return results[0] if single else results

    __call__ = detect


class IntentClassifier(TaskModel):
    def classify(
        self, texts: str | Iterable[str], *, top_k: int = 3
    ) -> IntentResult | list[IntentResult]:
        items, single = self._texts(texts)
        unique, where = distinct(items)
        sequences = self.encoder.truncated(self.encoder.tokenize(unique))
        unique_logits = self._run_batches(sequences)
        logits = [unique_logits[k] for k in where]
        oos_label = self.task.out_of_scope_label
        threshold = self.task.oos_threshold
        results = []
        for text, lg in zip(items, logits, strict=True):
            p = softmax(lg)
            order = np.argsort(-p)[: max(1, top_k)]
            label, conf = self.labels[int(order[0])], float(p[order[0]])
            in_scope = label != oos_label
            if threshold is not None and conf < threshold:
                in_scope = False
                label = self.task.oos_label
            top = [(self.labels[int(j)], float(p[j])) for j in order]
            results.append(IntentResult(text, label, conf, top, in_scope))
        return results[0] if single else results

    __call__ = classify


TASK_CLASSES: dict[str, type[TaskModel]] = {
    "token-classification": PIIDetector,
    "sequence-classification": IntentClassifier,
}


def load(
    artifact_dir: str | Path,
    *,
    variant: str | None = None,
    threads: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    profile: str | Path | None = None,
    platform_facts: PlatformFacts | None = None,
) -> PIIDetector | IntentClassifier:
    """Open a built artifact after checking every file it needs against the manifest.

    With ``profile`` (a hardware profile name or path), the variant defaults to the first of the
    profile's allowed variants the artifact has, threads to the profile's, and the ONNX provider
    to what ``edge.platform_select`` picks for this machine (``platform_facts`` overrides the
    detected facts, for tests). The choice is kept on the model as ``selection``.
    """
    artifact_dir = Path(artifact_dir)
    manifest = read_manifest(artifact_dir)
    hw = load_hardware_profile(profile) if profile is not None else None
    if hw is not None:
        names = [v.name for v in manifest.variants]
        if variant is None:
            allowed = [v for v in hw.variants if v in names]
            if not allowed:
                raise ArtifactError(
                    f"{artifact_dir}: none of its variants ({', '.join(names)}) is allowed by "
                    f"hardware profile {hw.name!r} ({', '.join(hw.variants)}); rebuild with "
                    f"--variants {hw.variants[0]}"
                )
            default = manifest.default_variant
            variant = default if default in allowed else allowed[0]
        elif not hw.allows(variant):
            raise ArtifactError(
                f"variant {variant!r} is not allowed by hardware profile {hw.name!r}; "
                f"allowed: {', '.join(hw.variants)}"
            )
    chosen = manifest.variant(variant)
    tokenizer_path = verify_entry(artifact_dir, manifest.tokenizer)
    verify_entry(artifact_dir, chosen.model)
    for extra in chosen.extra_files:
        verify_entry(artifact_dir, extra)
    if len(manifest.labels) != len(manifest.task.model_labels):
        raise ArtifactError(f"{artifact_dir}: manifest labels disagree with its task spec")
    selection = None
    if hw is not None:
        selection = select_platform(hw, chosen.format, platform_facts or detect_facts())
        threads = threads or selection.threads
    backend = get_backend(chosen.format).open(
        artifact_dir, chosen, threads=threads, placement=selection
    )
    encoder = TextEncoder(
        tokenizer_path,
        manifest.special_tokens,
        manifest.task.max_length,
        tokenizer_sha256=manifest.tokenizer.sha256,  # verified above
    )
    cls = TASK_CLASSES[manifest.task.kind]
    model = cls(artifact_dir, manifest, backend, encoder, chosen.name, batch_size)
    model.selection = selection  # type: ignore[attr-defined]
    return model  # type: ignore[return-value]
