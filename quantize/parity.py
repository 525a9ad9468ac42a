"""Parity: every exported variant is compared with the merged PyTorch model it came from.

The llama.cpp BERT classifier trap (no pooler) showed that a conversion can change logits with no
error, so the build measures instead of trusting: max |Δlogit| and argmax agreement over the probe
set, on exactly the token ids the runtime will feed.
"""

from __future__ import annotations

import random

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


def _units(logits: np.ndarray, n: int) -> np.ndarray:
    """The logits that decide a sequence's answer: its tokens ([CLS]/[SEP] off) or its row."""
    return logits[1 : n - 1] if logits.ndim == 2 else logits


def batch_invariance(
    encoder: TextEncoder, texts: list[str], backend: Backend, seed: int = 0
) -> tuple[float, float]:
    """Each text alone (batch of one, no padding) against the same text inside shuffled batches
    of mixed lengths: (share of texts whose argmax labels are all identical, max |Δlogit|).

    Why at build time: dynamic int8 computes activation scales over the whole batch tensor,
    padding included, so a neighbour's text moved another text's answer (issue 19); a privacy
    tool must give the same text the same answer, so the build measures it per variant.
    """
    sequences = encoder.truncated(encoder.tokenize(texts))
    alone = [backend.logits(*encoder.pad([s]))[0] for s in sequences]
    order = list(range(len(sequences)))
    random.Random(seed).shuffle(order)
    same, max_diff = 0, 0.0
    for b in range(0, len(order), BATCH):
        idx = order[b : b + BATCH]
        got = backend.logits(*encoder.pad([sequences[i] for i in idx]))
        for row, i in enumerate(idx):
            n = len(sequences[i])
            a = _units(alone[i][:n] if alone[i].ndim == 2 else alone[i], n)
            g = _units(got[row][:n] if got.ndim == 3 else got[row], n)
            if a.size:
                max_diff = max(max_diff, float(np.abs(a - g).max()))
            same += bool(np.array_equal(a.argmax(-1), g.argmax(-1)))
    return (same / len(sequences) if sequences else 1.0), max_diff


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
            r, g = _units(ref[row], n), _units(got[row], n)
            max_diff = max(max_diff, float(np.abs(r - g).max()) if r.size else 0.0)
            ra, ga = r.argmax(-1), g.argmax(-1)
            agree += int(np.sum(ra == ga))
            total += int(np.size(ra))
    agreement = agree / total if total else 1.0
    invariance, batch_diff = batch_invariance(encoder, texts, backend)
    th = spec.thresholds_for(variant)
    passed = (
        agreement >= th.min_argmax_agreement
        and (th.max_abs_logit_diff is None or max_diff <= th.max_abs_logit_diff)
        and (invariance == 1.0 or not th.batch_invariant)
    )
    return ParityRecord(
        probe_texts=len(texts),
        probe_units=total,
        max_abs_logit_diff=max_diff,
        argmax_agreement=agreement,
        thresholds={
            "max_abs_logit_diff": th.max_abs_logit_diff,
            "min_argmax_agreement": th.min_argmax_agreement,
            "batch_invariant": th.batch_invariant,
        },
        batch_invariance=invariance,
        batch_max_abs_logit_diff=batch_diff,
        passed=passed,
    )
