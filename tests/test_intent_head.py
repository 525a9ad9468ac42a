"""The mean-pooled intent head (task spec ``pooling = "mean"``): ONNX and GGUF against PyTorch,
and the build refusing an adapter trained with the other pooling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tiny

import edge
from edge.errors import BuildError, SpecError
from edge.specs import ParityThresholds, TaskSpec
from quantize.build import build
from quantize.merge import merge
from quantize.parity import torch_logits
from quantize.sources import open_adapter, open_base

TEXTS = ["book a table for two", "what's the weather in oslo", "play some jazz", "hmm", "x y z"]


@pytest.fixture(scope="module")
def mean_spec() -> TaskSpec:
    return TaskSpec(
        name="intent-mean",
        kind="sequence-classification",
        labels=["book_table", "weather", "play_music", "out_of_scope"],
        out_of_scope_label="out_of_scope",
        pooling="mean",
        parity={
            "fp32": ParityThresholds(max_abs_logit_diff=1e-3, min_argmax_agreement=1.0),
            "int8": ParityThresholds(min_argmax_agreement=0.9),
            "gguf-f32": ParityThresholds(max_abs_logit_diff=1e-2, min_argmax_agreement=0.99),
            "gguf-q8_0": ParityThresholds(min_argmax_agreement=0.9),
        },
    )


@pytest.fixture(scope="module")
def mean_adapter(tiny_base, mean_spec, tmp_path_factory) -> Path:
    return tiny.make_adapter(tiny_base, mean_spec, tmp_path_factory.mktemp("ad") / "mean")


def test_mean_head_has_no_pooler_and_averages_real_tokens(tiny_base, mean_spec, mean_adapter):
    import torch

    model = merge(open_base(tiny_base), open_adapter(mean_adapter), mean_spec)
    assert not any("pooler" in n for n, _ in model.named_parameters())
    ids = torch.tensor([[2, 10, 11, 3, 0, 0]])
    mask = torch.tensor([[1, 1, 1, 1, 0, 0]])
    padded = model(input_ids=ids, attention_mask=mask).logits
    alone = model(input_ids=ids[:, :4], attention_mask=mask[:, :4]).logits
    torch.testing.assert_close(padded, alone, atol=1e-5, rtol=0)  # padding does not count


def test_onnx_variants_match_pytorch(tiny_base, mean_spec, mean_adapter, tmp_path):
    manifest = build(
        tiny_base, mean_adapter, mean_spec, tmp_path / "art", quiet=True, variants=["fp32", "int8"]
    )
    assert all(v.parity.passed for v in manifest.variants)
    merged = merge(open_base(tiny_base), open_adapter(mean_adapter), mean_spec)
    clf = edge.load(tmp_path / "art", variant="fp32")
    ids, mask = clf.encoder.pad(clf.encoder.truncated(clf.encoder.tokenize(TEXTS)))
    ref = torch_logits(merged, ids, mask)
    got = clf.backend.logits(ids, mask)
    np.testing.assert_allclose(got, ref, atol=1e-4)
    assert [r.label for r in clf.classify(TEXTS)] == [mean_spec.labels[i] for i in ref.argmax(-1)]


def test_gguf_mean_head_matches_pytorch(tiny_base, mean_spec, mean_adapter, tmp_path):
    pytest.importorskip("llama_cpp", reason="llama-cpp-python not installed (make gguf)")
    from edge.backends.gguf_keys import HEAD_FILE

    manifest = build(
        tiny_base,
        mean_adapter,
        mean_spec,
        tmp_path / "art",
        quiet=True,
        variants=["fp32", "gguf-f32", "gguf-q8_0"],
    )
    gguf = manifest.variant("gguf-f32")
    assert [e.file for e in gguf.extra_files] == [HEAD_FILE]  # the classifier lives in numpy
    onnx = edge.load(tmp_path / "art", variant="fp32")
    llama = edge.load(tmp_path / "art", variant="gguf-f32", threads=1)
    assert llama.backend._header.head == "mean"
    ids, mask = onnx.encoder.pad(onnx.encoder.truncated(onnx.encoder.tokenize(TEXTS)))
    np.testing.assert_allclose(
        llama.backend.logits(ids, mask), onnx.backend.logits(ids, mask), atol=5e-2
    )
    assert [r.label for r in llama.classify(TEXTS)] == [r.label for r in onnx.classify(TEXTS)]


def test_adapter_pooling_must_match_the_spec(tiny_base, mean_spec, mean_adapter, intent_spec):
    cls_spec = mean_spec.model_copy(update={"pooling": "cls"})
    with pytest.raises(BuildError, match=r"pooling 'mean'.*uses pooling 'cls'"):
        build(tiny_base, mean_adapter, cls_spec, Path("/nonexistent/never-written"), quiet=True)


def test_cls_adapter_refused_for_a_mean_spec(tiny_base, intent_adapter, intent_spec, tmp_path):
    mean = intent_spec.model_copy(update={"pooling": "mean"})
    with pytest.raises(BuildError, match="pooling 'cls'"):
        build(tiny_base, intent_adapter, mean, tmp_path / "never", quiet=True)
    assert not (tmp_path / "never").exists()


def test_pooling_is_for_sequence_tasks(tmp_path):
    from edge.specs import load_task_spec

    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "bad"\nkind = "token-classification"\nentities = ["PERSON"]\npooling = "mean"\n'
    )
    with pytest.raises(SpecError, match="pooling"):
        load_task_spec(bad)
