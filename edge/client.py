"""A small client for ``edge serve`` (httpx, already a dependency of the runtime).

    from edge.client import Client
    with Client() as c:                      # http://127.0.0.1:8470, token from serve.token
        c.pii(["Call Maria at +1 415 555 0132"])["results"][0]["redacted"]
        c.intent(["wake me up at 6"], top_k=3)
        c.analyze("My name is Maria")          # Presidio's /analyze answer

Errors come back as ``ServiceError`` with the service's message and status (413/422 name the
limit that was hit; 503 carries ``retry_after``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from edge.defaults import edge_home
from edge.errors import EdgeError

DEFAULT_URL = "http://127.0.0.1:8470"


class ServiceError(EdgeError):
    """The service answered with an error status."""

    def __init__(self, status: int, message: str, body: Any = None, retry_after: str | None = None):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.body = body
        self.retry_after = retry_after


class Client:
    """``url`` (or ``socket``, a Unix socket path), ``token`` (default: read from
    ``token_file``, default ``$EDGE_HOME/serve.token``)."""

    def __init__(
        self,
        url: str | None = None,
        *,
        token: str | None = None,
        token_file: str | Path | None = None,
        socket: str | Path | None = None,
        timeout: float = 60.0,
    ):
        if token is None:
            path = Path(token_file) if token_file else edge_home() / "serve.token"
            try:
                token = path.read_text(encoding="utf-8").strip()
            except OSError as e:
                raise EdgeError(
                    f"cannot read the service token {path} ({e.strerror}); start `edge serve` "
                    "once to create it, or pass token= / token_file="
                ) from None
        transport = httpx.HTTPTransport(uds=str(socket)) if socket else None
        self._http = httpx.Client(
            base_url=url or ("http://edge" if socket else DEFAULT_URL),
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, json: Any = None) -> Any:
        r = self._http.request(method, path, json=json)
        if r.status_code >= 400:
            try:
                body = r.json()
                message = body.get("error", r.text) if isinstance(body, dict) else r.text
            except ValueError:
                body, message = None, r.text
            raise ServiceError(r.status_code, message, body, r.headers.get("retry-after"))
        if r.headers.get("content-type", "").startswith("application/json"):
            return r.json()
        return r.text

    def health(self) -> str:
        return self._call("GET", "/health")

    def status(self) -> dict:
        return self._call("GET", "/v1/health")

    def pii(self, texts: list[str], **options: Any) -> dict:
        """``options``: rules, operators, default_operator, salt (see the README)."""
        return self._call("POST", "/v1/pii", {"texts": list(texts), **options})

    def intent(self, texts: list[str], top_k: int = 3) -> dict:
        return self._call("POST", "/v1/intent", {"texts": list(texts), "top_k": top_k})

    def intent_routed(self, texts: list[str]) -> dict:
        return self._call("POST", "/v1/intent/routed", {"texts": list(texts)})

    def analyze(self, text: str | list[str], language: str = "en", **fields: Any) -> Any:
        return self._call("POST", "/analyze", {"text": text, "language": language, **fields})

    def anonymize(self, text: str, analyzer_results: list[dict], **fields: Any) -> dict:
        body = {"text": text, "analyzer_results": analyzer_results, **fields}
        return self._call("POST", "/anonymize", body)

    def metrics(self) -> str:
        return self._call("GET", "/metrics")
