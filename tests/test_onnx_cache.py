"""The on-disk cache of onnxruntime's optimized graphs (edge.backends.onnx_cache)."""

from __future__ import annotations

import os

import numpy as np
import onnxruntime as ort
import pytest

import edge
from edge.backends import onnx_cache

TEXTS = ["call maria garcia at 555 0100", "nothing here", "maria " * 30]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "onnx-cache"
    monkeypatch.setenv(onnx_cache.CACHE_ENV, str(folder))
    return folder


def _graphs(folder):
    return sorted(folder.glob("*.onnx")) if folder.exists() else []


def _probs(model):
    _, probs = model.token_probs(TEXTS)
    return probs


def _sessions_opened(monkeypatch):
    """Every (path, optimization level) an InferenceSession is made from."""
    opened = []
    real = ort.InferenceSession

    def spy(path, sess_options=None, **kw):
        opened.append((path, sess_options.graph_optimization_level))
        return real(path, sess_options=sess_options, **kw)

    monkeypatch.setattr(onnx_cache.ort, "InferenceSession", spy)
    return opened


def test_second_load_uses_the_cached_graph_with_identical_outputs(pii_artifact, cache, monkeypatch):
    first = edge.load(pii_artifact, threads=1)
    (graph,) = _graphs(cache)
    assert graph.with_suffix(".sha256").read_text().strip() == onnx_cache.sha256_file(graph)
    opened = _sessions_opened(monkeypatch)
    second = edge.load(pii_artifact, threads=1)
    assert opened == [(str(graph), ort.GraphOptimizationLevel.ORT_DISABLE_ALL)]
    monkeypatch.setenv(onnx_cache.CACHE_ENV, "off")
    uncached = edge.load(pii_artifact, threads=1)
    for a, b, c in zip(_probs(first), _probs(second), _probs(uncached), strict=True):
        assert np.array_equal(a, b) and np.array_equal(a, c)


def test_each_variant_has_its_own_graph(pii_artifact, cache):
    edge.load(pii_artifact, variant="int8")
    edge.load(pii_artifact, variant="fp32")
    assert len(_graphs(cache)) == 2


def test_damaged_graph_is_made_again_not_loaded(pii_artifact, cache, monkeypatch):
    edge.load(pii_artifact)
    (graph,) = _graphs(cache)
    good = graph.read_bytes()
    graph.write_bytes(good[: len(good) // 2])
    opened = _sessions_opened(monkeypatch)
    model = edge.load(pii_artifact)
    assert opened == [
        (str(pii_artifact / "model.int8.onnx"), ort.GraphOptimizationLevel.ORT_ENABLE_ALL)
    ]
    assert graph.read_bytes() == good
    assert model.detect("maria garcia").text == "maria garcia"


def test_off_writes_nothing(pii_artifact, tmp_path, monkeypatch):
    monkeypatch.setenv("EDGE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv(onnx_cache.CACHE_ENV, "off")
    assert onnx_cache.cache_dir() is None
    edge.load(pii_artifact)
    assert not (tmp_path / "home").exists()


def test_default_folder_is_under_edge_home(tmp_path, monkeypatch):
    monkeypatch.setenv("EDGE_HOME", str(tmp_path))
    monkeypatch.delenv(onnx_cache.CACHE_ENV, raising=False)
    assert onnx_cache.cache_dir() == tmp_path / "cache" / "onnx"


def test_unwritable_cache_still_loads(pii_artifact, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(onnx_cache.CACHE_ENV, str(blocker / "cache"))
    model = edge.load(pii_artifact)
    assert model.detect("maria garcia").text == "maria garcia"
    assert not list(tmp_path.glob("**/*.tmp"))


def test_least_recently_used_graphs_are_pruned(cache, monkeypatch):
    cache.mkdir()
    for i in range(onnx_cache.KEEP + 3):
        f = cache / f"old{i}.onnx"
        f.write_bytes(b"x")
        f.with_suffix(".sha256").write_text("y")
        os.utime(f, (1000 + i, 1000 + i))
    onnx_cache._prune(cache)
    kept = _graphs(cache)
    assert len(kept) == onnx_cache.KEEP
    assert cache / "old0.onnx" not in kept and cache / f"old{onnx_cache.KEEP + 2}.onnx" in kept
    assert len(list(cache.glob("*.sha256"))) == onnx_cache.KEEP


def test_key_names_the_model_and_onnxruntime():
    key = onnx_cache.cache_key("ab" * 32)
    assert key.startswith("ab" * 16) and ort.__version__ in key
    assert onnx_cache.cache_key("cd" * 32) != key


def test_a_build_keeps_only_its_default_variants_graph(
    tiny_base, pii_adapter, random_pii_spec, tmp_path, cache
):
    from quantize.build import build

    out = tmp_path / "art"
    build(tiny_base, pii_adapter, random_pii_spec, out, quiet=True)
    manifest = edge.load(out).manifest
    default = manifest.variant(None)
    assert default.name == "int8" and len(manifest.variants) > 1
    (graph,) = _graphs(cache)
    assert graph.name.startswith(default.model.sha256[:32])
