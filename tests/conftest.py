"""Shared fixtures: tiny models and artifacts built once per test session (seconds)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import tiny

from edge.specs import ParityThresholds, TaskSpec, load_task_spec

ORACLE_RULES = {"maria": "I-PERSON", "garcia": "I-PERSON", "#digits": "I-PHONE_NUMBER"}


@pytest.fixture(scope="session", autouse=True)
def private_onnx_cache(tmp_path_factory):
    """Optimized graphs of the tests' models go to a folder of this session, not the user's
    cache (subprocesses inherit it through the environment)."""
    import os

    os.environ.setdefault("EDGE_ONNX_CACHE", str(tmp_path_factory.mktemp("onnx-cache")))


@pytest.fixture(scope="session")
def pii_spec() -> TaskSpec:
    return load_task_spec("pii")


@pytest.fixture(scope="session")
def intent_spec() -> TaskSpec:
    return TaskSpec(
        name="intent-test",
        kind="sequence-classification",
        labels=["book_table", "weather", "play_music", "out_of_scope"],
        out_of_scope_label="out_of_scope",
        parity={
            "fp32": ParityThresholds(max_abs_logit_diff=1e-3, min_argmax_agreement=1.0),
            "int8": ParityThresholds(min_argmax_agreement=0.9),
        },
    )


@pytest.fixture(scope="session")
def random_pii_spec(pii_spec) -> TaskSpec:
    """A random tiny model has small logit margins; int8 may flip a few near-ties."""
    parity = dict(pii_spec.parity)
    parity["int8"] = ParityThresholds(min_argmax_agreement=0.9)
    return pii_spec.model_copy(update={"parity": parity})


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory) -> Path:
    return tiny.make_base(tmp_path_factory.mktemp("tiny") / "base")


@pytest.fixture(scope="session")
def pii_adapter(tiny_base, random_pii_spec, tmp_path_factory) -> Path:
    return tiny.make_adapter(tiny_base, random_pii_spec, tmp_path_factory.mktemp("ad") / "pii")


@pytest.fixture(scope="session")
def intent_adapter(tiny_base, intent_spec, tmp_path_factory) -> Path:
    return tiny.make_adapter(tiny_base, intent_spec, tmp_path_factory.mktemp("ad") / "intent")


@pytest.fixture(scope="session")
def pii_artifact(tiny_base, pii_adapter, random_pii_spec, tmp_path_factory) -> Path:
    from quantize.build import build

    out = tmp_path_factory.mktemp("art") / "pii"
    build(tiny_base, pii_adapter, random_pii_spec, out, quiet=True)
    return out


@pytest.fixture(scope="session")
def intent_artifact(tiny_base, intent_adapter, intent_spec, tmp_path_factory) -> Path:
    from quantize.build import build

    out = tmp_path_factory.mktemp("art") / "intent"
    build(tiny_base, intent_adapter, intent_spec, out, quiet=True)
    return out


@pytest.fixture(scope="session")
def oracle_artifact(pii_spec, tmp_path_factory) -> Path:
    """PII model that tags 'maria'/'garcia' as PERSON and digits as PHONE_NUMBER, context-free."""
    from quantize.build import build

    root = tmp_path_factory.mktemp("oracle")
    base = tiny.make_oracle_base(root / "base", pii_spec.model_labels, ORACLE_RULES)
    adapter = tiny.make_identity_adapter(base, pii_spec, root / "adapter")
    spec = pii_spec.model_copy(update={"max_length": 16, "stride": 4})
    build(base, adapter, spec, root / "art", quiet=True)
    return root / "art"


@pytest.fixture(scope="session")
def default_artifacts(tmp_path_factory):
    """The shipped default models, each built as `edge demo` builds it (once per session)."""
    from quantize.defaults import build_default

    root = tmp_path_factory.mktemp("defaults")
    built: dict = {}

    def get(name: str):
        if name not in built:
            built[name] = (root / name, build_default(name, root / name))
        return built[name]

    return get
