"""Parity: every exported variant is compared with the merged PyTorch model it came from.

The llama.cpp BERT classifier trap (no pooler) showed that a conversion can change logits with no
error, so the build measures instead of trusting: max |Δlogit| and argmax agreement over the probe
set, on exactly the token ids the runtime will feed.
"""

from __future__ import annotations

import numpy as np

from edge.backends import Backend
from edge.manifest import ParityRecord
from edge.specs import TaskSpec
from edge.tokenization import TextEncoder

BATCH = 16


def probe_batches(encoder: TextEncoder, texts: list[str]):
    sequences = encoder.truncated(encoder.tokenize(texts))
    for b in range(0, len(sequences), BATCH):
        chunk = sequences[b : b + BATCH]
        yield encoder.pad(chunk), [len(s) for s in chunk]


def torch_logits(model, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    import torch

    with torch.inference_mode():
        out = model(
            input_ids=torch.from_numpy(ids),
            attention_mask=torch.from_numpy(mask),
            token_type_ids=torch.zeros_like(torch.from_numpy(ids)),
        )
    return out.logits.float().numpy()


def measure(
    spec: TaskSpec,
    variant: str,
    texts: list[str],
    encoder: TextEncoder,
    reference,
    backend: Backend,
) -> ParityRecord:
    """``reference`` is the merged torch model; units are tokens (PII) or texts (intent)."""
    max_diff = 0.0
    agree = total = 0
    for (ids, mask), lengths in probe_batches(encoder, texts):
        ref = torch_logits(reference, ids, mask)
        got = backend.logits(ids, mask)
        if ref.shape != got.shape:
            raise ValueError(f"logit shapes differ: torch {ref.shape}, {variant} {got.shape}")
        for row, n in enumerate(lengths):
            r, g = (
                (ref[row, 1 : n - 1], got[row, 1 : n - 1])
                if ref.ndim == 3
                else (ref[row], got[row])
            )
            max_diff = max(max_diff, float(np.abs(r - g).max()) if r.size else 0.0)
            ra, ga = r.argmax(-1), g.argmax(-1)
            agree += int(np.sum(ra == ga))
            total += int(np.size(ra))
    agreement = agree / total if total else 1.0
    th = spec.thresholds_for(variant)
    passed = agreement >= th.min_argmax_agreement and (
        th.max_abs_logit_diff is None or max_diff <= th.max_abs_logit_diff
    )
    return ParityRecord(
        probe_texts=len(texts),
        probe_units=total,
        max_abs_logit_diff=max_diff,
        argmax_agreement=agreement,
        thresholds={
            "max_abs_logit_diff": th.max_abs_logit_diff,
            "min_argmax_agreement": th.min_argmax_agreement,
        },
        passed=passed,
    )
