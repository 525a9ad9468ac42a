"""``edge serve``: a local HTTP service (Starlette on uvicorn) over edge's models.

Presidio-compatible routes (/analyze, /anonymize, /deanonymize, /supportedentities) and edge's
own (/v1/pii, /v1/intent, /v1/intent/routed, /v1/health, /metrics, /openapi.json), a bearer
token, micro-batching, limits and a graceful drain. Needs the ``serve`` extra; the base runtime
never imports this package.
"""

from __future__ import annotations

from edge.errors import BackendUnavailableError

try:
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as e:  # pragma: no cover - depends on the environment
    raise BackendUnavailableError(
        f"edge serve needs Starlette and uvicorn ({e.name} is missing): pip install 'edge[serve]'"
    ) from None

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
