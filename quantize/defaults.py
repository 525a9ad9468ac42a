"""The embedded default models: committed LoRA adapters + the MiniLM base from PyPI, built into
artifacts on first use (``edge demo``), so `pip install` + one command works offline."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from edge.defaults import DEFAULT_MODEL_TASKS
from edge.errors import BuildError
from edge.manifest import Manifest
from edge.resources import package_path
from edge.specs import TaskSpec
from edge.variants import VARIANTS

DEFAULT_BASE = "all-MiniLM-L6-v2"
# package data (pyproject.toml), so a wheel install has them too
ADAPTERS_DIR = package_path("quantize", "default_adapters")


@dataclass(frozen=True)
class DefaultModel:
    """One embedded default: ``default_adapters/<name>`` on ``base``, for the task spec ``task``
    (which the runtime's ``edge.defaults.DEFAULT_MODEL_TASKS`` names)."""

    name: str
    base: str
    about: str

    @property
    def task(self) -> str:
        return DEFAULT_MODEL_TASKS[self.name]


# Two PII models because speed and accuracy pull apart: "pii" (6 layers) is the accurate one;
# "pii-fast" runs the base's first two layers with two thirds of their feed-forward neurons
# (1,024 of 1,536; distilled from "pii") and cuts of its own (its min_score.toml), for devices
# and callers where per-text latency matters more than the last points of F1 (README: PII models).
DEFAULT_MODELS: dict[str, DefaultModel] = {
    m.name: m
    for m in (
        DefaultModel("pii", DEFAULT_BASE, "PII detection, 6 layers: the accurate one"),
        DefaultModel(
            "pii-fast", f"{DEFAULT_BASE}:L2:F1024", "PII detection, 2 narrow layers: ~2x faster"
        ),
        DefaultModel("intent", DEFAULT_BASE, "intent classification"),
    )
}


def default_model(name: str) -> DefaultModel:
    if name not in DEFAULT_MODELS:
        raise BuildError(f"no default model {name!r}; there are {', '.join(DEFAULT_MODELS)}")
    return DEFAULT_MODELS[name]


def default_adapter(name: str) -> Path:
    path = ADAPTERS_DIR / name
    if not (path / "adapter_model.safetensors").is_file():
        task = DEFAULT_MODELS[name].task if name in DEFAULT_MODELS else name
        raise BuildError(
            f"no default {name} adapter in {path}; train one with "
            f"`edge train --task {task} ... --out {path}` (see README)"
        )
    return path


def default_for_adapter(sha256: str) -> DefaultModel | None:
    """The default model whose committed adapter has this digest (an artifact's origin)."""
    from quantize.sources import open_adapter

    for m in DEFAULT_MODELS.values():
        try:
            if open_adapter(default_adapter(m.name)).sha256() == sha256:
                return m
        except BuildError:
            continue
    return None


# A default model's own cut tables, beside its adapter (python -m benchmarks.thresholds
# --write-cuts): they replace the task spec's [min_score] / [lowercase_min_score] in its build.
CUTS_FILE = "min_score.toml"


def default_task_spec(name: str) -> TaskSpec:
    """The task spec default model ``name`` is built with: its task's, with the model's own cut
    tables where its adapter folder has a ``min_score.toml``. Why per model: ``pii`` and
    ``pii-fast`` share one task, but a two-layer model's scores mean other things than a
    six-layer one's, so one table would cut too much of one or too little of the other."""
    from edge.specs import load_task_spec
    from quantize.thresholds import read_cuts, with_cuts

    spec = load_task_spec(default_model(name).task)
    path = ADAPTERS_DIR / name / CUTS_FILE
    return with_cuts(spec, read_cuts(path), path) if path.is_file() else spec


def default_probes(task: str, n: int = 400) -> list[str]:
    """In-domain parity probes (validation texts, never test texts) plus the built-in hard ones."""
    import random

    from edge.specs import load_task_spec, task_data
    from quantize.data import labelled_records
    from quantize.probes import BUILTIN_PROBES

    spec = load_task_spec(task)
    source = task_data(spec).probes
    if source is None:
        raise BuildError(f"task {task!r} names no probes: add `[data] probes = NAME:SPLIT`")
    texts = [r["text"] for r in labelled_records(source, spec)]
    return list(BUILTIN_PROBES) + random.Random(0).sample(texts, min(n, len(texts)))


def build_default(name: str, out: Path, *, force: bool = False) -> Manifest:
    from quantize.build import build

    m = default_model(name)
    return build(
        m.base,
        default_adapter(name),
        default_task_spec(name),
        out,
        probe_texts=default_probes(m.task),
        force=force,
    )


def is_current(name: str, out: Path) -> bool:
    """Whether the built default artifact in ``out`` came from the committed adapter, task spec
    and int8 recipe: after an upgrade ships a retrained adapter, new spec settings (the artifact
    keeps the spec it was built with; a model's own cuts file counts as spec) or another int8
    quantization, it must be rebuilt."""
    from edge.errors import ArtifactError
    from edge.manifest import read_manifest
    from quantize.sources import open_adapter

    try:
        manifest = read_manifest(out)
    except ArtifactError:
        return False
    spec = default_task_spec(name)
    int8 = [v for v in manifest.variants if v.name == "int8"]
    recipe = dict(VARIANTS["int8"].quantizer)  # an older int8 recipe: rebuild

    def made_by(record: dict) -> dict:
        # a graph the rows-alone step tried and kept as exported was made by this recipe too:
        # rebuilding would only try again, on every start
        if record.get("graph") == "as-exported":
            return {**record, "graph": recipe.get("graph")}
        return record

    # [data] names the task's data sets, which change nothing the artifact computes
    facts = {"data"}
    return (
        manifest.adapter.sha256 == open_adapter(default_adapter(name)).sha256()
        and manifest.task.model_dump(exclude=facts) == spec.model_dump(exclude=facts)
        and all(made_by(dict(v.quantization)) == recipe for v in int8)
    )
