"""Cloud fallback policies: typed TOML files (``edge/specs_data/policies/``) saying when text may
leave.

Why a file and not flags: what may leave the device is a decision someone reviews and signs off,
so it lives in one versioned, validated place. The defaults are the safe ones: no policy (or
``default.toml``) means ``never``; no PII type may leave; redacted text is not logged; cloud
answers are not kept. The API key is never stored here, only the *name* of the environment
variable that holds it. ``EDGE_OFFLINE=1`` wins over every policy (see :func:`offline`).
"""

from __future__ import annotations

import functools
import ipaddress
import os
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from edge.specs import _Strict, load_spec, resolve_spec_path

FallbackMode = Literal["never", "low_confidence", "error", "always"]
POLICY_FOLDER = "policies"
_TRUE = {"1", "true", "yes", "on"}


def offline() -> bool:
    """True when ``EDGE_OFFLINE`` is set to 1/true/yes/on: nothing leaves, whatever the policy.

    Read on every decision, not once, so flipping it takes effect without a restart.
    """
    return os.environ.get("EDGE_OFFLINE", "").strip().lower() in _TRUE


def is_loopback(host: str | None) -> bool:
    """localhost or a loopback IP: traffic that never leaves the machine (local LLM servers)."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Endpoint(_Strict):
    """An OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, llama.cpp, Ollama, ...)."""

    url: str = Field(description="full URL of the chat-completions route")
    model: str = Field(min_length=1)
    api_key_env: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="name of the environment variable holding the key; none = no auth header",
    )
    json_mode: bool = Field(
        default=True, description='send response_format {"type": "json_object"}'
    )
    allow_http: bool = Field(
        default=False, description="allow plain http to a host that is not loopback"
    )
    use_env_proxy: bool = Field(
        default=False, description="honour HTTP(S)_PROXY and friends (off: connect directly)"
    )

    @model_validator(mode="before")
    @classmethod
    def _no_stored_key(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in ("api_key", "key", "token", "authorization"):
                if key in data:
                    raise ValueError(
                        f"`{key}`: never store an API key in a policy; put it in an environment "
                        "variable and name that variable in `api_key_env`"
                    )
        return data

    @field_validator("url")
    @classmethod
    def _check_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"must be an http(s) URL with a host, got {url!r}")
        if parts.username or parts.password:
            raise ValueError("no credentials in the URL; use `api_key_env`")
        return url

    @model_validator(mode="after")
    def _https_off_loopback(self) -> Endpoint:
        parts = urlsplit(self.url)
        if parts.scheme == "http" and not is_loopback(parts.hostname) and not self.allow_http:
            raise ValueError(
                f"{self.url}: plain http to a remote host sends text in the clear; use https "
                "(or set allow_http = true if you really mean it)"
            )
        return self

    @property
    def host(self) -> str:
        """host[:port] only: what the audit log records (never a path or query that could hold
        a key)."""
        return urlsplit(self.url).netloc


class TaskPolicy(_Strict):
    """When one task may fall back to the cloud, where to, and within which limits."""

    fallback: FallbackMode = "never"
    threshold: float | None = Field(
        default=None, gt=0, le=1, description="low_confidence: fall back below this confidence"
    )
    endpoint: Endpoint | None = None
    timeout_s: float = Field(default=10.0, gt=0, le=300)
    retries: int = Field(default=1, ge=0, le=10, description="extra attempts after the first")
    backoff_s: float = Field(
        default=0.5, ge=0, le=60, description="first retry waits this, doubling each time"
    )
    max_requests_per_minute: int = Field(default=10, ge=1)
    max_requests_per_day: int = Field(default=200, ge=0)
    allow_pii: list[str] = Field(
        default_factory=list, description="PII types that may leave unredacted (default: none)"
    )
    log_redacted_text: bool = False
    keep_results: bool = Field(
        default=False, description="append redacted text + cloud label as training candidates"
    )

    @field_validator("allow_pii")
    @classmethod
    def _pii_types(cls, v: list[str]) -> list[str]:
        for t in v:
            if not t or not t.replace("_", "").isalnum() or t.upper() != t:
                raise ValueError(f"PII types are upper-case names like EMAIL_ADDRESS, got {t!r}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> TaskPolicy:
        if self.fallback == "low_confidence" and self.threshold is None:
            raise ValueError("fallback = 'low_confidence' needs a `threshold` (0 < t <= 1)")
        if self.fallback != "low_confidence" and self.threshold is not None:
            raise ValueError("`threshold` only applies to fallback = 'low_confidence'")
        if self.fallback != "never" and self.endpoint is None:
            raise ValueError(f"fallback = {self.fallback!r} needs an [endpoint] table")
        return self

    @property
    def may_send(self) -> bool:
        return self.fallback != "never"


class Policy(_Strict):
    """A whole policy file: one :class:`TaskPolicy` per task, and how rule redaction reads
    national phone numbers."""

    name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = ""
    phone_region: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    intent: TaskPolicy = Field(default_factory=TaskPolicy)
    pii: TaskPolicy = Field(default_factory=TaskPolicy)

    @field_validator("pii", mode="before")
    @classmethod
    def _pii_stays(cls, v: Any) -> Any:
        # Asking a cloud model to find PII means sending it the PII first: this version keeps
        # PII detection on the device. The table exists so a file can say so explicitly.
        mode = v.get("fallback", "never") if isinstance(v, dict) else getattr(v, "fallback", None)
        if mode not in (None, "never"):
            raise ValueError(
                "fallback: only 'never' is supported; PII detection does not leave the device"
            )
        return v

    def for_task(self, task: str) -> TaskPolicy:
        if task not in ("intent", "pii"):
            raise ValueError(f"unknown task {task!r}")
        return self.intent if task == "intent" else self.pii


@functools.cache
def never_policy() -> Policy:
    """The built-in never-send policy (made on first use: building a pydantic model's validator
    costs tens of milliseconds, which `edge serve` and `edge pii` need not pay at import)."""
    return Policy(name="none")


def load_policy(name_or_path: str | Path | None) -> Policy:
    """A policy by name (``policies/NAME.toml`` in the specs folder) or path; ``None`` is the
    built-in never-send policy. A file without ``name`` is named after its file."""
    if name_or_path is None:
        return never_policy()
    path = resolve_spec_path(name_or_path, POLICY_FOLDER)
    policy = load_spec(path, Policy, POLICY_FOLDER)
    if policy.name is None:
        policy = policy.model_copy(update={"name": path.stem})
    return policy
