"""The service's bearer token: made once, kept owner-only, checked in constant time.

Why a token on a loopback service: any local process (a browser page doing DNS rebinding, another
user's program on a shared machine) can reach 127.0.0.1; the token limits the service to whoever
can read ``$EDGE_HOME/serve.token`` (mode 0600).
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path

from edge.defaults import edge_home
from edge.errors import EdgeError
from edge.fsutil import open_atomic, private_file_problem

PUBLIC = {("GET", "/health")}
"""(method, path) pairs answered without a token: liveness probes carry no data."""


class TokenFileError(EdgeError):
    """The token file is unreadable, empty or open to other users."""

    exit_code = 11


def default_token_path() -> Path:
    return edge_home() / "serve.token"


def load_or_create_token(path: str | Path | None = None) -> tuple[str, bool]:
    """The token in ``path`` (default ``$EDGE_HOME/serve.token``), made on first use.

    Returns (token, created). A new token is 32 random bytes, URL-safe, written atomically with
    mode 0600 from creation. An existing file must be private and non-empty.
    """
    path = Path(path) if path is not None else default_token_path()
    problem = private_file_problem(path)
    if problem != "not found":
        if problem:
            raise TokenFileError(
                f"token file {path} {problem}; `chmod 600 {path}` or delete it (a new token is "
                "made on the next start)"
            )
        token = path.read_text(encoding="utf-8").strip()
        if not token:
            raise TokenFileError(f"token file {path} is empty; delete it to make a new token")
        return token, False
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    with open_atomic(path) as fh:
        fh.write(token.encode("ascii") + b"\n")
    return token, True


class TokenCheck:
    """``check(header)`` → True when the ``Authorization`` header carries the token."""

    def __init__(self, token: str):
        self._expected = f"Bearer {token}".encode()

    def check(self, header: bytes | None) -> bool:
        # compare_digest: the time taken does not depend on how much of the token matched.
        return header is not None and hmac.compare_digest(header, self._expected)
