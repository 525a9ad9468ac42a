"""Where the default models live on this device (built once by `edge demo`/`make demo`)."""

from __future__ import annotations

import os
from pathlib import Path

from edge.errors import ArtifactError


def edge_home() -> Path:
    return Path(os.environ.get("EDGE_HOME", Path.home() / ".cache" / "edge"))


def default_model_dir(task: str) -> Path:
    return edge_home() / "models" / task


# The embedded default models by name, and the task each serves (quantize.defaults says how
# each is built). "pii-fast" is the fast PII model (two narrow layers): a name, so
# `--model pii-fast` works.
DEFAULT_MODEL_TASKS: dict[str, str] = {"pii": "pii", "pii-fast": "pii", "intent": "intent"}


def resolve_model(model: str | Path | None, task: str) -> Path:
    """``--model`` (a folder, or a default model's name such as ``pii-fast``), else the
    default artifact for the task, with a remedy if it is not built."""
    if model and (Path(model).exists() or str(model) not in DEFAULT_MODEL_TASKS):
        return Path(model)
    name = str(model or task)
    path = default_model_dir(name)
    if not (path / "manifest.json").is_file():
        raise ArtifactError(
            f"no default {name} model at {path}; build it with `make demo` (or `edge build`), "
            "or pass --model ARTIFACT_DIR"
        )
    return path
