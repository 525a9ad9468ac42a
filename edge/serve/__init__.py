"""``edge serve``: a local HTTP service (Starlette on uvicorn) over edge's models.

Presidio-compatible routes (/analyze, /anonymize, /deanonymize, /supportedentities) and edge's
own (/v1/pii, /v1/intent, /v1/intent/routed, /v1/health, /metrics, /openapi.json), a bearer
token, micro-batching, limits and a graceful drain. Needs the ``serve`` extra; the base runtime
never imports this package.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from edge.errors import BackendUnavailableError
from edge.lazy import lazy_getattr

# Looked up, not imported: importing uvicorn and Starlette is a fifth of the time to /health,
# and `edge serve` does it while the models load (see edge.serve.server.serve).
for _needed in ("starlette", "uvicorn"):
    if importlib.util.find_spec(_needed) is None:  # pragma: no cover - depends on the install
        raise BackendUnavailableError(
            f"edge serve needs Starlette and uvicorn ({_needed} is missing): "
            "pip install 'edge[serve]'"
        )

# Exported lazily (PEP 562): `edge serve` imports edge.serve.server first and starts building
# the onnxruntime sessions before it imports the routes (edge.serve.app and what it needs), so
# the two overlap; an eager import here would put them back in sequence.
_EXPORTS: dict[str, str] = {
    "Service": "edge.serve.app",
    "create_app": "edge.serve.app",
    "default_token_path": "edge.serve.auth",
    "load_or_create_token": "edge.serve.auth",
    "Limits": "edge.serve.limits",
    "DEFAULT_PORT": "edge.serve.server",
    "Bind": "edge.serve.server",
    "ThreadedServer": "edge.serve.server",
    "build_service": "edge.serve.server",
    "load_models": "edge.serve.server",
    "serve": "edge.serve.server",
}

__all__ = [
    "DEFAULT_PORT",
    "Bind",
    "Limits",
    "Service",
    "ThreadedServer",
    "build_service",
    "create_app",
    "default_token_path",
    "load_models",
    "load_or_create_token",
    "serve",
]

if TYPE_CHECKING:
    from edge.serve.app import Service, create_app
    from edge.serve.auth import default_token_path, load_or_create_token
    from edge.serve.limits import Limits
    from edge.serve.server import (
        DEFAULT_PORT,
        Bind,
        ThreadedServer,
        build_service,
        load_models,
        serve,
    )


__getattr__ = lazy_getattr("edge.serve", _EXPORTS, globals())
