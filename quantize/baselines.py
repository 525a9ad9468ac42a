"""Baselines that need no fine-tuning, the bar a fine-tuned model has to clear to be worth it.

- PII: the deterministic recognizers (regex + checksums) the runtime already ships. They find
  fixed-shape entities; of names and organisations only what a layout proves (a chat's
  non-Latin speakers, a bank beside an IBAN), places and addresses not at all, which is the
  point.
- Intent: nearest centroid over the base model's mean-pooled sentence embeddings, from ``k``
  examples per label: what one gets from the base model with a handful of examples and no training.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from edge.errors import DataError
from edge.recognizers import RECOGNIZERS, build_recognizers, find_all
from edge.specs import TaskSpec
from quantize.sources import BaseModelDir, open_base

EMBED_MAX_TOKENS = 128


def rule_labels(spec: TaskSpec) -> list[str]:
    """The task's entity types that a rule recognizer exists for."""
    have = {cls.label for cls in RECOGNIZERS.values()}
    return [e for e in spec.entities or [] if e in have]


def rules_pii_baseline(texts: Sequence[str], spec: TaskSpec) -> list[list[dict]]:
    """Spans the rule recognizers find, restricted to the task's entity types."""
    recognizers = build_recognizers(rule_labels(spec))
    if not recognizers:
        return [[] for _ in texts]
    return [
        [{"start": s.start, "end": s.end, "label": s.label} for s in find_all(t, recognizers)]
        for t in texts
    ]


class CentroidIntentBaseline:
    """Nearest centroid (cosine) over L2-normalised, mean-pooled base-model embeddings.

    Mean pooling because that is how all-MiniLM-L6-v2 was trained as a sentence encoder; the
    centroid of ``k`` normalised examples per label is the simplest few-shot classifier.
    """

    def __init__(self, base: str | Path | BaseModelDir, k: int = 10, *, batch_size: int = 32):
        if k < 1:
            raise ValueError("k must be at least 1")
        self.base = base if isinstance(base, BaseModelDir) else open_base(base)
        self.k = k
        self.batch_size = batch_size
        self.labels: list[str] = []
        self.centroids: np.ndarray | None = None
        self.fitted_indices: list[int] = []
        self._model = None
        self._tokenizer = None

    def _load(self):
        if self._model is None:
            from tokenizers import Tokenizer
            from transformers import AutoModel
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()  # a sentence-transformers folder has no pooler
            tok = Tokenizer.from_file(str(self.base.path / "tokenizer.json"))
            max_pos = int(self.base.config.get("max_position_embeddings", 512))
            tok.enable_truncation(max_length=min(EMBED_MAX_TOKENS, max_pos))
            tok.enable_padding(pad_id=tok.token_to_id("[PAD]") or 0, pad_token="[PAD]")
            self._tokenizer = tok
            self._model = AutoModel.from_pretrained(
                str(self.base.path),
                num_hidden_layers=self.base.config["num_hidden_layers"],
                use_safetensors=True,
            )
            self._model.eval()
        return self._model, self._tokenizer

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """[n, hidden] float32, L2-normalised; padding excluded from the mean."""
        import torch

        model, tok = self._load()
        out = []
        with torch.inference_mode():
            for b in range(0, len(texts), self.batch_size):
                encs = tok.encode_batch(list(texts[b : b + self.batch_size]))
                ids = torch.tensor([e.ids for e in encs], dtype=torch.long)
                mask = torch.tensor([e.attention_mask for e in encs], dtype=torch.long)
                hidden = model(
                    input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)
                ).last_hidden_state
                m = mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)
                out.append(torch.nn.functional.normalize(pooled, dim=-1).float().numpy())
        if not out:
            return np.zeros((0, int(self.base.config["hidden_size"])), dtype=np.float32)
        return np.concatenate(out)

    def fit(self, records: Sequence[dict], seed: int = 0) -> CentroidIntentBaseline:
        """Take ``k`` records per label (seeded sample; fewer if a label has fewer)."""
        by_label: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(records):
            by_label[r["label"]].append(i)
        if not by_label:
            raise DataError("the baseline needs training records with labels")
        rng = random.Random(seed)
        self.labels = sorted(by_label)
        chosen: list[list[int]] = []
        for label in self.labels:
            idx = by_label[label]
            chosen.append(sorted(rng.sample(idx, min(self.k, len(idx)))))
        self.fitted_indices = sorted(i for c in chosen for i in c)
        emb = self.embed([records[i]["text"] for c in chosen for i in c])
        centroids, start = [], 0
        for c in chosen:
            centroids.append(emb[start : start + len(c)].mean(0))
            start += len(c)
        cent = np.stack(centroids)
        self.centroids = cent / np.maximum(np.linalg.norm(cent, axis=1, keepdims=True), 1e-12)
        return self

    def predict(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """Nearest label per text and its cosine similarity (the baseline's "confidence")."""
        if self.centroids is None:
            raise RuntimeError("call fit() before predict()")
        sims = self.embed(texts) @ self.centroids.T
        best = sims.argmax(1) if len(texts) else np.zeros(0, dtype=np.int64)
        scores = sims[np.arange(len(best)), best] if len(texts) else np.zeros(0)
        return [self.labels[int(i)] for i in best], scores.astype(np.float64)
