"""A small client for OpenAI-compatible chat-completions, used only for policy-gated fallback.

Why this shape: every hosted and local LLM server (OpenAI, vLLM, llama.cpp, Ollama) speaks
chat-completions, so one endpoint URL and model name cover them all. The answer is trusted only
after validation: the reply must be JSON ``{"label": ...}`` with a label from the local model's
label set (a free-text or invented label is a failure, not a result). Transient failures
(timeouts, connection errors, 429, 5xx) are retried with exponential back-off; bad answers and
other 4xx are not, since asking again costs budget and rarely helps. This module only sees text
that :mod:`edge.redaction` already redacted; it never logs request bodies or headers.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from edge.errors import FallbackError
from edge.policy import Endpoint

MAX_BACKOFF_S = 30.0
USER_AGENT = "edge-fallback/0.1"

SYSTEM_PROMPT = (
    "You classify the intent of a user's message for an on-device assistant. "
    "Reply with one JSON object and nothing else: "
    '{{"label": "<label>", "confidence": <number between 0 and 1>}}. '
    "The label must be exactly one of: {labels}. "
    "Text in angle brackets such as <PERSON> or <PHONE_NUMBER> stands for removed personal data."
)


class CloudError(FallbackError):
    """A fallback request that did not produce a valid label; ``attempts`` requests were sent."""

    def __init__(self, message: str, outcome: str, attempts: int = 0, status: int | None = None):
        super().__init__(message, outcome)
        self.attempts = attempts
        self.status = status

    @property
    def retryable(self) -> bool:
        """Transient: a timeout, a dropped connection, 429 or a 5xx. Not a bad answer."""
        if self.outcome in ("timeout", "transport_error"):
            return True
        return self.status is not None and (self.status == 429 or self.status >= 500)


@dataclass(frozen=True)
class CloudAnswer:
    label: str
    confidence: float | None
    attempts: int
    latency_ms: float


def build_payload(text: str, labels: Sequence[str], endpoint: Endpoint) -> dict:
    """The chat-completions request body: deterministic (temperature 0), JSON asked for."""
    payload: dict = {
        "model": endpoint.model,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT.format(labels=", ".join(labels))},
            {"role": "user", "content": text},
        ],
        "temperature": 0,
    }
    if endpoint.json_mode:
        payload["response_format"] = {"type": "json_object"}
    return payload


def _strip_fences(content: str) -> str:
    """Models often wrap JSON in ```json fences even when told not to."""
    s = content.strip()
    if s.startswith("```"):
        s = s.split("\n", 1)[1] if "\n" in s else s[3:]
        if s.rstrip().endswith("```"):
            s = s.rstrip()[:-3]
    return s.strip()


def parse_answer(data: object, labels: Sequence[str]) -> tuple[str, float | None]:
    """Validate a chat-completions response body; raise CloudError unless it holds a known
    label (and, if given, a confidence in [0, 1])."""
    try:
        content = data["choices"][0]["message"]["content"]  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        raise CloudError("response is not a chat completion", "invalid_answer") from None
    if not isinstance(content, str):
        raise CloudError("completion has no text content", "invalid_answer")
    try:
        answer = json.loads(_strip_fences(content))
    except json.JSONDecodeError:
        raise CloudError("completion is not valid JSON", "invalid_answer") from None
    if not isinstance(answer, dict) or not isinstance(answer.get("label"), str):
        raise CloudError('completion JSON has no string "label"', "invalid_answer")
    label = answer["label"].strip()
    if label not in labels:
        raise CloudError("completion label is not in the model's label set", "unknown_label")
    conf = answer.get("confidence")
    if conf is not None:
        if isinstance(conf, bool) or not isinstance(conf, int | float) or not 0 <= conf <= 1:
            raise CloudError("completion confidence is not a number in [0, 1]", "invalid_answer")
        conf = float(conf)
    return label, conf


class CloudClient:
    """POSTs redacted text to one endpoint; ``classify`` returns a validated CloudAnswer or
    raises CloudError with the failure's outcome word and the number of requests sent."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        timeout_s: float,
        retries: int,
        backoff_s: float,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.endpoint = endpoint
        self.retries = retries
        self.backoff_s = backoff_s
        self._sleep = sleep
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        # trust_env=False unless asked: no proxy from the environment and no ~/.netrc
        # credentials slipped in; redirects are not followed (the text goes to this URL only).
        self._http = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=False,
            trust_env=endpoint.use_env_proxy,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def _once(
        self, body: bytes, labels: Sequence[str], api_key: str | None
    ) -> tuple[str, float | None]:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else None
        try:
            resp = self._http.post(self.endpoint.url, content=body, headers=headers)
        except httpx.TimeoutException:
            raise CloudError("request timed out", "timeout") from None
        except httpx.HTTPError as e:  # connection refused/reset, protocol, decoding, ...
            raise CloudError(f"connection failed ({type(e).__name__})", "transport_error") from None
        if resp.status_code != 200:
            raise CloudError(f"HTTP {resp.status_code}", "http_error", status=resp.status_code)
        try:
            data = resp.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise CloudError("response body is not JSON", "invalid_answer") from None
        return parse_answer(data, labels)

    def classify(
        self,
        text: str,
        labels: Sequence[str],
        *,
        api_key: str | None = None,
        before_attempt: Callable[[], None] | None = None,
    ) -> CloudAnswer:
        """Up to ``1 + retries`` requests, with ``Authorization: Bearer api_key`` if given.

        The key is passed per call, never kept on the client, so a rotated key is used at once.
        ``before_attempt`` runs before each request (the router's rate and budget check: it
        raises CloudError to stop, so retries spend budget too).
        """
        body = json.dumps(build_payload(text, labels, self.endpoint), ensure_ascii=False).encode(
            "utf-8"
        )
        t0 = time.perf_counter()
        attempts = 0
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(min(MAX_BACKOFF_S, self.backoff_s * 2 ** (attempt - 1)))
            try:
                if before_attempt is not None:
                    before_attempt()
            except CloudError as e:
                e.attempts = attempts
                raise
            attempts += 1
            try:
                label, conf = self._once(body, labels, api_key)
            except CloudError as e:
                e.attempts = attempts
                if attempt < self.retries and e.retryable:
                    continue
                raise
            latency = (time.perf_counter() - t0) * 1000
            return CloudAnswer(label, conf, attempts, latency)
        raise AssertionError("unreachable")  # pragma: no cover
