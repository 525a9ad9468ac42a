"""Parity: every exported variant is compared with the merged PyTorch model it came from.

The llama.cpp BERT classifier trap (no pooler) showed that a conversion can change logits with no
error, so the build measures instead of trusting: max |Δlogit| and argmax agreement over the probe
set, on exactly the token ids the runtime will feed.
"""

from __future__ import annotations

import random

import numpy as np

from edge.backends import Backend, get_backend
from edge.manifest import AccuracyParity, ParityRecord, Variant
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
            a, g = _units(alone[i], n), _units(got[row], n)
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


# -- the accuracy gate: a variant judged on labelled texts of the task -------------------------


def predictions(encoder: TextEncoder, texts: list[str], logits_of) -> np.ndarray:
    """Each text's top label id; ``logits_of(ids, mask)`` is a model's logits."""
    return np.concatenate(
        [logits_of(ids, mask).argmax(-1) for (ids, mask), _ in probe_batches(encoder, texts)]
    )


def judge_on_labelled(
    spec: TaskSpec,
    built: list[Variant],
    labelled: list[dict],
    encoder: TextEncoder,
    reference,
    artifact_dir,
) -> list[Variant]:
    """Each variant's accuracy on ``labelled`` (intent records) beside the merged PyTorch
    model's; ``passed`` becomes: at most ``max_accuracy_drop`` points lost, where the spec
    sets one, max |Δlogit| within its limit, and the same answer alone and in a batch. Argmax
    agreement stays in the record, unjudged."""
    texts = [r["text"] for r in labelled]
    index = {lbl: i for i, lbl in enumerate(spec.model_labels)}
    gold = np.array([index[r["label"]] for r in labelled])
    ref_acc = float(
        np.mean(predictions(encoder, texts, lambda i, m: torch_logits(reference, i, m)) == gold)
    )
    judged = []
    for v in built:
        backend = get_backend(v.format).open(artifact_dir, v, threads=None, keep_optimized=False)
        acc = float(np.mean(predictions(encoder, texts, backend.logits) == gold))
        th = spec.thresholds_for(v.name)
        drop = 100 * (ref_acc - acc)
        record = AccuracyParity(
            labelled_texts=len(texts),
            reference_accuracy=ref_acc,
            accuracy=acc,
            drop_points=drop,
            max_drop_points=th.max_accuracy_drop,
            passed=drop <= th.max_accuracy_drop + 1e-9,
        )
        logits_ok = th.max_abs_logit_diff is None or (
            v.parity.max_abs_logit_diff <= th.max_abs_logit_diff
        )
        invariant = v.parity.batch_invariance == 1.0 or not th.batch_invariant
        parity = v.parity.model_copy(
            update={"accuracy": record, "passed": record.passed and logits_ok and invariant}
        )
        judged.append(v.model_copy(update={"parity": parity}))
    return judged


def failure_line(v: Variant) -> str:
    """What was measured for a variant that failed, in one line."""
    p, acc = v.parity, v.parity.accuracy
    if acc is None:
        return (
            f"  {v.name}: argmax agreement {p.argmax_agreement:.4f}, max |Δlogit| "
            f"{p.max_abs_logit_diff:.2e}, same answer alone and in a batch for "
            f"{p.batch_invariance:.4f} of texts; thresholds {p.thresholds}"
        )
    limit = p.thresholds.get("max_abs_logit_diff")
    logits = f"max |Δlogit| {p.max_abs_logit_diff:.2e}" + (f" (limit {limit:g})" if limit else "")
    return (
        f"  {v.name}: accuracy {acc.accuracy:.2%} vs PyTorch {acc.reference_accuracy:.2%} on the "
        f"{acc.labelled_texts} labelled validation texts: {acc.drop_points:.2f} points lost, at "
        f"most {acc.max_drop_points:g} allowed (one text = {100 / acc.labelled_texts:.2f} "
        f"points); {logits}"
    )


def failure_remedy(failed: list[Variant]) -> str:
    if all(v.parity.accuracy is None for v in failed):
        return "keep the failing variant out (--variants) or relax [parity] in the spec"
    names = ", ".join(v.name for v in failed)
    return (
        f"keep {names} out (--variants), or, if that loss is acceptable, raise max_accuracy_drop "
        f"in [parity.{failed[0].name}] of the task spec (task.toml beside an adapter `edge "
        "train` wrote); more validation texts (--val) measure the change more finely"
    )
