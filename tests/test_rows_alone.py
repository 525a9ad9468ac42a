"""The int8 graph specialised for one unpadded row (quantize/rows_alone.py): fewer nodes, the
same logits as the graph quantize_dynamic writes, and refusal where it would not be exact."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from edge.manifest import read_manifest
from edge.variants import VARIANTS
from quantize.onnx_export import quantize_int8
from quantize.rows_alone import specialise


def _session(path: Path):
    import onnxruntime as ort

    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def _non_constant(path: Path) -> int:
    return sum(n.op_type != "Constant" for n in onnx.load(str(path)).graph.node)


def _plain_int8(fp32: Path, out: Path) -> Path:
    settings = {k: v for k, v in VARIANTS["int8"].quantizer.items() if k != "graph"}
    assert quantize_int8(fp32, out, settings) == settings  # no graph key: left as exported
    return out


@pytest.mark.parametrize("artifact", ["pii_artifact", "intent_artifact"])
def test_built_int8_is_specialised_and_gives_the_same_logits(artifact, request, tmp_path):
    art = request.getfixturevalue(artifact)
    int8 = read_manifest(art).variant("int8")
    assert int8.quantization["graph"] == "rows-alone"
    plain = _plain_int8(art / "model.fp32.onnx", tmp_path / "plain.onnx")
    assert _non_constant(art / int8.model.file) < _non_constant(plain)
    special, exported = _session(art / int8.model.file), _session(plain)
    names = {i.name for i in exported.get_inputs()}
    rng = np.random.default_rng(0)
    for length in (1, 2, 7, 30, 64):
        ids = rng.integers(0, 100, size=(1, length), dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        (a,) = exported.run(None, feeds)
        (b,) = special.run(None, feeds)
        np.testing.assert_array_equal(a, b)


def test_the_record_says_what_was_done(pii_artifact, tmp_path):
    plain = _plain_int8(pii_artifact / "model.fp32.onnx", tmp_path / "plain.onnx")
    record = specialise(plain, tmp_path / "special.onnx")
    assert record["graph"] == "rows-alone"
    assert record["mask_bias_adds_removed"] >= 1  # one per layer
    before, after = record["nodes"]
    assert before == _non_constant(plain) and after == _non_constant(tmp_path / "special.onnx")
    assert after < before


def test_a_graph_it_does_not_understand_is_refused_and_kept(tmp_path):
    """No lookup of input_ids: nothing to specialise; the maker keeps the exported graph."""
    x = helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, "T"])
    y = helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, "T"])
    graph = helper.make_graph(
        [helper.make_node("Cast", ["input_ids"], ["logits"], to=1)], "g", [x], [y]
    )
    src = tmp_path / "odd.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), str(src))
    with pytest.raises(ValueError, match="input_ids"):
        specialise(src, tmp_path / "out.onnx")
    assert not (tmp_path / "out.onnx").exists()
    with pytest.warns(UserWarning, match="kept as exported"):
        record = quantize_int8(src, tmp_path / "q.onnx", VARIANTS["int8"].quantizer)
    assert record["graph"] == "as-exported"
