"""The build on tiny models: merge, export, quantize, parity, manifest, and refusals."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import tiny

from edge.errors import BuildError, ParityError
from edge.manifest import read_manifest, sha256_file
from edge.specs import ParityThresholds
from quantize.build import build


def test_manifest_records_sources_hashes_and_parity(pii_artifact, tiny_base, pii_adapter):
    m = read_manifest(pii_artifact)
    assert m.task.kind == "token-classification"
    assert [v.name for v in m.variants] == ["fp32", "int8"]
    assert m.default_variant == "int8"
    assert m.adapter.sha256 == sha256_file(pii_adapter / "adapter_model.safetensors")
    assert len(m.base_model.sha256) == 64
    for v in m.variants:
        assert v.model.sha256 == sha256_file(pii_artifact / v.model.file)
        assert v.model.size_bytes == (pii_artifact / v.model.file).stat().st_size
        assert v.parity.passed and v.parity.probe_units > 100
    fp32, int8 = m.variants
    assert fp32.parity.max_abs_logit_diff <= 1e-3
    assert fp32.parity.argmax_agreement == 1.0
    assert int8.model.size_bytes < fp32.model.size_bytes
    assert int8.quantization["per_channel"] is True
    assert not list(pii_artifact.parent.glob(".*tmp*")), "temporary build folder left behind"


def test_merged_model_differs_from_base(tiny_base, pii_adapter, random_pii_spec):
    """The merge really applies the LoRA deltas (B != 0 in the tiny adapter)."""
    import torch

    from quantize.merge import load_base_with_head, merge
    from quantize.sources import open_adapter, open_base

    base = open_base(tiny_base)
    merged = merge(base, open_adapter(pii_adapter), random_pii_spec)
    plain = load_base_with_head(base, random_pii_spec)
    q = "bert.encoder.layer.0.attention.self.query.weight"
    delta = (merged.state_dict()[q] - plain.state_dict()[q]).abs().max()
    assert float(delta) > 1e-3
    assert not any("lora" in k for k in merged.state_dict())
    assert isinstance(merged.state_dict()[q], torch.Tensor)


def test_intent_artifact_parity(intent_artifact):
    m = read_manifest(intent_artifact)
    fp32 = m.variant("fp32")
    assert fp32.parity.max_abs_logit_diff <= 1e-3 and fp32.parity.argmax_agreement == 1.0
    assert fp32.parity.probe_units == fp32.parity.probe_texts  # one unit per text


def test_failing_parity_writes_nothing(tiny_base, pii_adapter, random_pii_spec, tmp_path):
    parity = dict(random_pii_spec.parity)
    parity["int8"] = ParityThresholds(max_abs_logit_diff=1e-9, min_argmax_agreement=1.0)
    spec = random_pii_spec.model_copy(update={"parity": parity})
    with pytest.raises(ParityError, match="int8: argmax agreement"):
        build(tiny_base, pii_adapter, spec, tmp_path / "out", quiet=True)
    assert list(tmp_path.iterdir()) == []


def test_existing_output_needs_force(pii_artifact, tiny_base, pii_adapter, random_pii_spec):
    before = (pii_artifact / "manifest.json").read_text()
    with pytest.raises(BuildError, match="--force"):
        build(tiny_base, pii_adapter, random_pii_spec, pii_artifact, quiet=True)
    assert (pii_artifact / "manifest.json").read_text() == before


def test_force_replaces(tiny_base, pii_adapter, random_pii_spec, tmp_path):
    out = tmp_path / "art"
    build(tiny_base, pii_adapter, random_pii_spec, out, variants=("fp32",), quiet=True)
    build(tiny_base, pii_adapter, random_pii_spec, out, variants=("int8",), force=True, quiet=True)
    assert [v.name for v in read_manifest(out).variants] == ["int8"]
    assert not (out / "model.fp32.onnx").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["art"]


def copy_dir(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_base_missing_files(tmp_path, pii_adapter, random_pii_spec, tiny_base):
    base = copy_dir(tiny_base, tmp_path / "base")
    (base / "tokenizer.json").unlink()
    with pytest.raises(BuildError, match=r"no tokenizer\.json"):
        build(base, pii_adapter, random_pii_spec, tmp_path / "out", quiet=True)
    with pytest.raises(BuildError, match="base model not found"):
        build(tmp_path / "nope", pii_adapter, random_pii_spec, tmp_path / "out", quiet=True)


def test_pickle_only_adapter_is_refused(tmp_path, pii_adapter, random_pii_spec, tiny_base):
    ad = copy_dir(pii_adapter, tmp_path / "ad")
    (ad / "adapter_model.safetensors").rename(ad / "adapter_model.bin")
    with pytest.raises(BuildError, match="pickle"):
        build(tiny_base, ad, random_pii_spec, tmp_path / "out", quiet=True)


def test_adapter_for_other_base_is_refused(tmp_path, random_pii_spec, tiny_base):
    other = tiny.make_base(tmp_path / "other", hidden=48)
    ad = tiny.make_adapter(other, random_pii_spec, tmp_path / "ad")
    with pytest.raises(BuildError, match="hidden size 48"):
        build(tiny_base, ad, random_pii_spec, tmp_path / "out", quiet=True)


def test_adapter_with_more_layers_is_refused(tmp_path, random_pii_spec, tiny_base):
    deeper = tiny.make_base(tmp_path / "deeper", layers=3)
    ad = tiny.make_adapter(deeper, random_pii_spec, tmp_path / "ad")
    with pytest.raises(BuildError, match="targets layer 2"):
        build(tiny_base, ad, random_pii_spec, tmp_path / "out", quiet=True)


def test_labels_disagreeing_with_head(tmp_path, intent_adapter, intent_spec, tiny_base):
    fewer = intent_spec.model_copy(update={"labels": ["a", "b"], "out_of_scope_label": None})
    with pytest.raises(BuildError, match=r"4 outputs but task .* has 2 labels"):
        build(tiny_base, intent_adapter, fewer, tmp_path / "out", quiet=True)


def test_task_type_mismatch(tmp_path, pii_adapter, intent_spec, tiny_base):
    with pytest.raises(BuildError, match=r"task_type 'TOKEN_CLS'.*sequence-classification"):
        build(tiny_base, pii_adapter, intent_spec, tmp_path / "out", quiet=True)


def test_recorded_labels_must_match(tmp_path, pii_adapter, random_pii_spec, tiny_base):
    ad = copy_dir(pii_adapter, tmp_path / "ad")
    labels = list(reversed(random_pii_spec.model_labels))
    (ad / "edge_adapter.json").write_text(json.dumps({"labels": labels}))
    with pytest.raises(BuildError, match="trained with labels"):
        build(tiny_base, ad, random_pii_spec, tmp_path / "out", quiet=True)


def test_corrupt_adapter_weights(tmp_path, pii_adapter, random_pii_spec, tiny_base):
    ad = copy_dir(pii_adapter, tmp_path / "ad")
    data = (ad / "adapter_model.safetensors").read_bytes()
    (ad / "adapter_model.safetensors").write_bytes(data[: len(data) // 3])
    with pytest.raises(BuildError, match="corrupt or truncated"):
        build(tiny_base, ad, random_pii_spec, tmp_path / "out", quiet=True)


def test_int8_logits_close_to_fp32(pii_artifact):
    """Quantization error is bounded, not just argmax-equal."""
    import edge

    fp32 = edge.load(pii_artifact, variant="fp32")
    int8 = edge.load(pii_artifact, variant="int8")
    texts = ["Call Maria Garcia at 555 0132 tomorrow."]
    _, p32 = fp32.token_probs(texts)
    _, p8 = int8.token_probs(texts)
    assert np.abs(p32[0] - p8[0]).max() < 0.25


def test_default_artifact_is_stale_when_the_adapter_changes(
    intent_artifact, intent_adapter, pii_adapter, tmp_path, monkeypatch
):
    """`edge demo` rebuilds a cached default model whose adapter is no longer the committed one."""
    import edge.specs
    import quantize.defaults as defaults
    from edge.manifest import read_manifest

    built_with = read_manifest(intent_artifact).task  # the spec as the test built it
    monkeypatch.setattr(edge.specs, "load_task_spec", lambda name: built_with)
    monkeypatch.setattr(defaults, "default_adapter", lambda task: intent_adapter)
    assert defaults.is_current("intent", intent_artifact)
    monkeypatch.setattr(defaults, "default_adapter", lambda task: pii_adapter)
    assert not defaults.is_current("intent", intent_artifact)
    assert not defaults.is_current("intent", tmp_path / "missing")
    # a new spec setting (say a recalibrated threshold) makes the cached artifact stale too
    monkeypatch.setattr(defaults, "default_adapter", lambda task: intent_adapter)
    changed = built_with.model_copy(update={"oos_threshold": 0.5})
    monkeypatch.setattr(edge.specs, "load_task_spec", lambda name: changed)
    assert not defaults.is_current("intent", intent_artifact)


def test_default_artifact_stays_current_when_its_graph_was_kept_as_exported(
    intent_artifact, intent_adapter, tmp_path, monkeypatch
):
    """An int8 graph the rows-alone step kept as exported (its check refused the specialised
    one) was made by today's recipe: `edge demo` must not rebuild it on every start; an int8
    record from another recipe still makes the artifact stale."""
    import edge.specs
    import quantize.defaults as defaults
    from edge.manifest import read_manifest

    built_with = read_manifest(intent_artifact).task
    monkeypatch.setattr(edge.specs, "load_task_spec", lambda name: built_with)
    monkeypatch.setattr(defaults, "default_adapter", lambda task: intent_adapter)
    art = shutil.copytree(intent_artifact, tmp_path / "art")
    manifest = json.loads((art / "manifest.json").read_text())
    int8 = next(v for v in manifest["variants"] if v["name"] == "int8")
    for graph, current in (("as-exported", True), (None, False)):
        int8["quantization"]["graph"] = graph
        if graph is None:
            del int8["quantization"]["graph"]
        (art / "manifest.json").write_text(json.dumps(manifest))
        assert defaults.is_current("intent", art) is current, graph


def test_default_models_by_name(tmp_path, monkeypatch, pii_artifact):
    """`--model pii-fast` names a built default model; the runtime and the build agree on the
    defaults' names and tasks; a default that is not built says how to build it."""

    from edge.defaults import DEFAULT_MODEL_TASKS, resolve_model
    from edge.errors import ArtifactError
    from quantize.defaults import DEFAULT_MODELS

    assert {n: m.task for n, m in DEFAULT_MODELS.items()} == DEFAULT_MODEL_TASKS
    assert DEFAULT_MODELS["pii-fast"].base == "all-MiniLM-L6-v2:L2:F1024"
    monkeypatch.setenv("EDGE_HOME", str(tmp_path / "home"))
    with pytest.raises(ArtifactError, match=r"no default pii-fast model .*`make demo`"):
        resolve_model("pii-fast", "pii")
    shutil.copytree(pii_artifact, tmp_path / "home" / "models" / "pii-fast")
    assert resolve_model("pii-fast", "pii") == tmp_path / "home" / "models" / "pii-fast"
    assert resolve_model(str(pii_artifact), "pii") == pii_artifact
