"""Backends by artifact format, imported only when used (llama.cpp is an optional extra).

Kept as a data table, like gguf-py's name maps: adding a format is one line here plus a module.
"""

from __future__ import annotations

import importlib

from edge.backends.base import Backend
from edge.errors import ArtifactError

BACKENDS: dict[str, str] = {
    "onnx": "edge.backends.onnx:OnnxBackend",
    "gguf": "edge.backends.gguf:GGUFBackend",
}


def get_backend(fmt: str) -> type[Backend]:
    try:
        target = BACKENDS[fmt]
    except KeyError:
        raise ArtifactError(
            f"unknown model format {fmt!r}; this edge knows: {', '.join(BACKENDS)}"
        ) from None
    module_name, cls_name = target.split(":")
    return getattr(importlib.import_module(module_name), cls_name)


__all__ = ["BACKENDS", "Backend", "get_backend"]
