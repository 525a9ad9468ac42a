"""Load an artifact and run its task: ``edge.load(path)`` returns a PIIDetector or an
IntentClassifier, both thin over one backend and one encoder."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from edge.backends import Backend, get_backend
from edge.bio import decode_spans, redact
from edge.errors import ArtifactError
from edge.manifest import Manifest, read_manifest, verify_entry
from edge.platform_select import PlatformFacts, detect_facts
from edge.platform_select import select as select_platform
from edge.profiles import load_hardware_profile
from edge.specs import TaskSpec
from edge.textinput import check_text
from edge.tokenization import TextEncoder
from edge.types import IntentResult, PIIResult

DEFAULT_BATCH_SIZE = 16


def softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


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
        """Logits per sequence, run in padded batches of similar length (less padding)."""
        order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
        out: list[np.ndarray] = [np.empty(0)] * len(sequences)
        for b in range(0, len(order), self.batch_size):
            idx = order[b : b + self.batch_size]
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

    def detect(self, texts: str | Iterable[str]) -> PIIResult | list[PIIResult]:
        items, single = self._texts(texts)
        tokenized, probs = self.token_probs(items)
        results = []
        for text, tok, p in zip(items, tokenized, probs, strict=True):
            spans = decode_spans(text, p, self.labels, tok.offsets, tok.word_ids)
            results.append(PIIResult(text=text, spans=spans, redacted=redact(text, spans)))
        return results[0] if single else results

    __call__ = detect


class IntentClassifier(TaskModel):
    def classify(
        self, texts: str | Iterable[str], *, top_k: int = 3
    ) -> IntentResult | list[IntentResult]:
        items, single = self._texts(texts)
        sequences = self.encoder.truncated(self.encoder.tokenize(items))
        logits = self._run_batches(sequences)
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
                label = oos_label or "out_of_scope"
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
    encoder = TextEncoder(tokenizer_path, manifest.special_tokens, manifest.task.max_length)
    cls = TASK_CLASSES[manifest.task.kind]
    model = cls(artifact_dir, manifest, backend, encoder, chosen.name, batch_size)
    model.selection = selection  # type: ignore[attr-defined]
    return model  # type: ignore[return-value]
