"""Package names imported on first use (PEP 562), for ``edge`` and ``edge.serve``.

Why: importing a package should not import what its names live in (numpy, onnxruntime,
Starlette) before a caller uses one: `edge --help` needs none of them, and `edge serve`
overlaps importing its routes with building the model sessions. Kept tiny and import-free so
that a package's ``__init__`` can use it at no cost.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_getattr(package: str, exports: Mapping[str, str], namespace: dict) -> Callable:
    """A module ``__getattr__`` for ``package``: ``exports`` maps a public name to the module
    that defines it; the value is imported on first access and stored in ``namespace`` (the
    package's globals), so later lookups skip the function."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__
