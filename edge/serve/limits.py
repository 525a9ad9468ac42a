"""Request limits and reading a capped JSON body.

Every limit answers with a JSON error naming the limit and its value, so a client can split its
request instead of guessing: body bytes and texts per request → 413, characters per text → 422.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Starlette is imported by the routes, while the models load
    from starlette.requests import Request


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 1_000_000
    max_texts: int = 64
    max_chars: int = 20_000
    max_queue: int = 256
    """Texts waiting per model before new requests get 503 + Retry-After."""
    timeout: float = 30.0
    """Seconds a request may wait for its result (504 past it)."""
    max_batch: int = 32
    max_wait_ms: float = 2.0


class HTTPError(Exception):
    """An error answer: status, message, and extra JSON fields (the limit that was hit)."""

    def __init__(self, status: int, message: str, headers: dict | None = None, **extra):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.extra = extra


async def read_json(request: Request, limits: Limits) -> object:
    """The request body as JSON, refusing bodies over ``max_body_bytes`` before reading them
    all (a declared Content-Length is checked first; a chunked body is counted as it comes)."""
    declared = request.headers.get("content-length")
    cap = limits.max_body_bytes
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise _too_big(int(declared), cap)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise _too_big(len(body), cap)
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise HTTPError(400, f"request body is not valid JSON ({e})") from None


def limit_error(status: int, what: str, name: str, value: float, remedy: str) -> HTTPError:
    """``what`` ("request body is 2,000,000 bytes"), the limit by its option name, a remedy."""
    option = "--" + name.replace("_", "-")
    return HTTPError(
        status,
        f"{what}, the limit is {value:,} ({option}); {remedy}",
        limit={"name": name, "value": value},
    )


def _too_big(size: int, cap: int) -> HTTPError:
    what = f"request body is {size:,} bytes"
    return limit_error(413, what, "max_body_bytes", cap, "send fewer or shorter texts")


def check_texts(texts: object, limits: Limits, field: str = "texts") -> list[str]:
    """A list of non-empty strings within the count and length limits."""
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, list) or not texts:
        raise HTTPError(422, f'"{field}" must be a non-empty list of strings')
    if len(texts) > limits.max_texts:
        what = f"{len(texts)} texts in one request"
        raise limit_error(413, what, "max_texts", limits.max_texts, "split the request")
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise HTTPError(422, f"{field}[{i}] is {type(t).__name__}, expected a string")
        if not t.strip():
            raise HTTPError(422, f"{field}[{i}] is empty: nothing to analyse")
        if len(t) > limits.max_chars:
            what = f"{field}[{i}] is {len(t):,} characters"
            raise limit_error(422, what, "max_chars", limits.max_chars, "split the text")
        try:
            t.encode("utf-8")
        except UnicodeEncodeError:
            raise HTTPError(422, f"{field}[{i}] holds an unpaired surrogate") from None
    return texts
