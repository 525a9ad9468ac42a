"""Where the default models live on this device (built once by `edge demo`/`make demo`)."""

from __future__ import annotations

import os
from pathlib import Path

from edge.errors import ArtifactError


def edge_home() -> Path:
    return Path(os.environ.get("EDGE_HOME", Path.home() / ".cache" / "edge"))


def default_model_dir(task: str) -> Path:
    return edge_home() / "models" / task


def resolve_model(model: str | Path | None, task: str) -> Path:
    """``--model`` if given, else the default artifact for the task, with a remedy if missing."""
    if model:
        return Path(model)
    path = default_model_dir(task)
    if not (path / "manifest.json").is_file():
        raise ArtifactError(
            f"no default {task} model at {path}; build it with `make demo` (or `edge build`), "
            "or pass --model ARTIFACT_DIR"
        )
    return path
