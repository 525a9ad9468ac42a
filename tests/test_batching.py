"""Same text, same answer (issue 19): the batch planner, rows run alone for dynamic int8, and the
build's batch-invariance check, on tiny models (seconds)."""

from __future__ import annotations

import random

import numpy as np
import pytest

import edge
from edge.errors import ParityError
from edge.runtime import plan_batches

TEXTS = [
    "Call Maria Garcia at +1 415 555 0132 tomorrow",
    "hi",
    "my card 4111 1111 1111 1111 expires soon, please help me before the weekend is over",
    "send it to maria@example.com",
    "Please wire 300 EUR to DE89 3704 0044 0532 0130 00 before Friday, thanks! -- Tom",
    "ok",
    "the meeting is in room 4021, floor 3",
    "order 48213 shipped on version 1.27.4",
] * 4


def test_plan_covers_every_index_once_and_respects_max_rows():
    rng = random.Random(0)
    lengths = [rng.randint(3, 120) for _ in range(200)]
    for max_rows, cost in ((16, 4.0), (1, 4.0), (64, 0.0), (8, 1000.0)):
        groups = plan_batches(lengths, max_rows, cost)
        flat = sorted(i for g in groups for i in g)
        assert flat == list(range(len(lengths)))
        assert all(1 <= len(g) <= max_rows for g in groups)


def test_plan_pads_only_where_it_pays():
    # no run cost: every text alone (padding is pure waste); equal lengths: one full batch
    assert all(len(g) == 1 for g in plan_batches([5, 9, 30, 31], 16, 0.0))
    assert plan_batches([7] * 16, 16, 4.0) == [list(range(16))]
    # mixed lengths are never planned dearer than running them one by one
    lengths = [3, 4, 100, 101, 5, 99]
    groups = plan_batches(lengths, 16, 4.0)
    cost = sum(4.0 + len(g) * max(lengths[i] for i in g) for g in groups)
    assert cost <= sum(4.0 + n for n in lengths)
    assert {frozenset(g) for g in groups} == {frozenset({0, 1, 4}), frozenset({2, 3, 5})}


def _answers(model, texts):
    return [tuple((s.label, s.start, s.end, s.score) for s in r.spans) for r in model.detect(texts)]


@pytest.mark.parametrize("variant", ["fp32", "int8"])
def test_pii_spans_alone_equal_spans_in_shuffled_batches(pii_artifact, variant):
    model = edge.load(pii_artifact, variant=variant, threads=1)
    alone = [_answers(model, [t])[0] for t in TEXTS]
    rng = random.Random(1)
    for _ in range(3):
        order = list(range(len(TEXTS)))
        rng.shuffle(order)
        size = rng.randint(2, 12)
        for b in range(0, len(order), size):
            chunk = order[b : b + size]
            got = _answers(model, [TEXTS[i] for i in chunk])
            assert got == [alone[i] for i in chunk]


def test_dynamic_int8_backend_runs_rows_alone_and_ignores_padding(pii_artifact):
    model = edge.load(pii_artifact, variant="int8", threads=1)
    assert model.backend.rows_alone and model.backend.max_rows == 1
    assert not edge.load(pii_artifact, variant="fp32").backend.rows_alone
    seqs = model.encoder.truncated(model.encoder.tokenize(TEXTS[:6]))
    ids, mask = model.encoder.pad(seqs)
    batched = model.backend.logits(ids, mask)
    for row, s in enumerate(seqs):
        alone = model.backend.logits(*model.encoder.pad([s]))[0]
        np.testing.assert_array_equal(batched[row, : len(s)], alone)
        wide = np.concatenate([ids[row : row + 1], np.zeros((1, 7), np.int64)], axis=1)
        wide_mask = np.concatenate([mask[row : row + 1], np.zeros((1, 7), np.int64)], axis=1)
        np.testing.assert_array_equal(model.backend.logits(wide, wide_mask)[0, : len(s)], alone)


def test_intent_labels_alone_equal_labels_in_batches(intent_artifact):
    model = edge.load(intent_artifact, variant="int8", threads=1)
    alone = [model.classify(t).top_k for t in TEXTS]
    assert [r.top_k for r in model.classify(list(reversed(TEXTS)))] == alone[::-1]


def test_build_records_invariance_and_refuses_a_variant_that_lacks_it(
    tiny_base, pii_adapter, random_pii_spec, tmp_path, monkeypatch
):
    from edge.backends.onnx import OnnxBackend
    from quantize.build import build

    built = build(tiny_base, pii_adapter, random_pii_spec, tmp_path / "ok", quiet=True)
    for v in built.variants:
        assert v.parity.batch_invariance == 1.0 and v.parity.thresholds["batch_invariant"]

    # a backend whose answer moves with its batch (as dynamic int8 did over padded batches)
    real = OnnxBackend.logits

    def batch_dependent(self, ids, mask):
        out = real(self, ids, mask)
        return out + (len(ids) > 1) * np.linspace(0, 50, out.shape[-1], dtype=out.dtype)

    monkeypatch.setattr(OnnxBackend, "logits", batch_dependent)

    def spec_with(invariant: bool):
        # agreement with PyTorch left unjudged: only batch invariance decides
        parity = {
            name: th.model_copy(
                update={
                    "batch_invariant": invariant,
                    "min_argmax_agreement": 0.0,
                    "max_abs_logit_diff": None,
                }
            )
            for name, th in random_pii_spec.parity.items()
        }
        return random_pii_spec.model_copy(update={"parity": parity})

    with pytest.raises(ParityError, match="same answer alone and in a batch for 0"):
        build(tiny_base, pii_adapter, spec_with(True), tmp_path / "bad", quiet=True)
    assert not (tmp_path / "bad").exists()
    allowed = build(tiny_base, pii_adapter, spec_with(False), tmp_path / "allowed", quiet=True)
    assert all(v.parity.batch_invariance < 1.0 for v in allowed.variants)


def test_the_presidio_peer_stays_off_the_network():
    """Presidio's e-mail recognizer imports tldextract, which fetches the public suffix list on
    first use unless told otherwise when it is imported: the batching peer must set that first."""
    import subprocess
    import sys

    probe = (
        "from benchmarks.batching import presidio_config; presidio_config(); "
        "import tldextract; print(tldextract.tldextract.TLD_EXTRACTOR.suffix_list_urls)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "()"
