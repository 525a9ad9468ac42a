"""The embedded default models: committed LoRA adapters + the MiniLM base from PyPI, built into
artifacts on first use (``edge demo``), so `pip install` + one command works offline."""

from __future__ import annotations

from pathlib import Path

from edge.errors import BuildError
from edge.manifest import Manifest

DEFAULT_BASE = "all-MiniLM-L6-v2"
ADAPTERS_DIR = Path(__file__).resolve().parent / "default_adapters"


def default_adapter(task: str) -> Path:
    path = ADAPTERS_DIR / task
    if not (path / "adapter_model.safetensors").is_file():
        raise BuildError(
            f"no default {task} adapter in {path}; train one with "
            f"`edge train --task {task} ... --out {path}` (see README)"
        )
    return path


def default_probes(task: str, n: int = 400) -> list[str]:
    """In-domain parity probes (validation texts, never test texts) plus the built-in hard ones."""
    import random

    from quantize.datasets import load_dataset
    from quantize.probes import BUILTIN_PROBES

    dataset = {"intent": "clinc150", "pii": "pii-synth"}[task]
    texts = [r["text"] for r in load_dataset(dataset, "val")]
    return list(BUILTIN_PROBES) + random.Random(0).sample(texts, min(n, len(texts)))


def build_default(task: str, out: Path, *, force: bool = False) -> Manifest:
    from quantize.build import build

    return build(
        DEFAULT_BASE,
        default_adapter(task),
        task,
        out,
        probe_texts=default_probes(task),
        force=force,
    )


def is_current(task: str, out: Path) -> bool:
    """Whether the built default artifact in ``out`` came from the committed adapter: after an
    upgrade ships a retrained adapter, the cached artifact is stale and must be rebuilt."""
    from edge.errors import ArtifactError
    from edge.manifest import read_manifest
    from quantize.sources import open_adapter

    try:
        manifest = read_manifest(out)
    except ArtifactError:
        return False
    return manifest.adapter.sha256 == open_adapter(default_adapter(task)).sha256()
