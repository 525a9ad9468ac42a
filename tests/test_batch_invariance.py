"""Issue 19's acceptance test: for every variant the default build ships, 1,000 texts give the
same spans (PII) or labels (intent) one by one and in shuffled batches of mixed lengths.

Slow: it builds the default models (as `edge demo` does) on the real MiniLM base."""

from __future__ import annotations

import random

import pytest

import edge
from benchmarks.data import handwritten, independent
from quantize.datasets import clinc150, pii_synth
from quantize.sources import resolve_base

pytestmark = pytest.mark.slow
N_TEXTS = 1000


@pytest.fixture(scope="module", autouse=True)
def _needs_base():
    resolve_base("all-MiniLM-L6-v2")


def _pii_texts() -> list[str]:
    """Mixed lengths and registers: hand-written sets, held-out templates, plain requests, and a
    few texts long enough for several windows."""
    rng = random.Random(0)
    texts = [r["text"] for r in handwritten.load() + independent.load("dev")]
    texts += [r["text"] for r in rng.sample(clinc150("test"), 200)]
    texts += [" ".join(rng.sample(texts, 12)) for _ in range(20)]  # past one 128-token window
    texts += [r["text"] for r in pii_synth("test", n=N_TEXTS - len(texts))]
    return texts


def _intent_texts() -> list[str]:
    return [r["text"] for r in random.Random(0).sample(clinc150("test"), N_TEXTS)]


def _check(model, texts, answer) -> None:
    alone = [answer(model, [t])[0] for t in texts]
    order = list(range(len(texts)))
    rng = random.Random(1)
    rng.shuffle(order)
    differ, b = [], 0
    while b < len(order):
        size = rng.choice((2, 5, 16, 33))
        chunk = order[b : b + size]
        b += size
        got = answer(model, [texts[i] for i in chunk])
        differ += [texts[i] for i, g in zip(chunk, got, strict=True) if g != alone[i]]
    assert not differ, f"{len(differ)} of {len(texts)} texts changed in a batch: {differ[:3]}"


def _spans(model, texts):
    return [[(s.label, s.start, s.end) for s in r.spans] for r in model.detect(texts)]


def _labels(model, texts):
    return [(r.label, r.in_scope) for r in model.classify(texts)]


@pytest.mark.parametrize("name", ["pii", "pii-fast", "intent"])
def test_default_model_answers_do_not_depend_on_the_batch(default_artifacts, name):
    out, manifest = default_artifacts(name)
    texts, answer = (_intent_texts(), _labels) if name == "intent" else (_pii_texts(), _spans)
    assert len(texts) == N_TEXTS
    for variant in manifest.variants:
        assert variant.parity.batch_invariance == 1.0, variant.name
        _check(edge.load(out, variant=variant.name, threads=1), texts, answer)
