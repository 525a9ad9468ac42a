"""Route intent classification: local first, the cloud only where a policy allows it.

Order of checks for each text, and why:
1. classify locally (always: it is free, private, and the answer to fall back *to*);
2. ask the policy whether this case may fall back (never / low_confidence / error / always);
3. ``EDGE_OFFLINE=1`` stops it there, whatever the policy said;
4. redact with the local PII model and the rule recognizers (no redaction, no request);
5. take one request from the rate and daily caps (persisted beside the audit log, so a restart
   does not reset the spend), before *every* attempt, retries included;
6. send; validate the answer; on any failure return the local result marked ``degraded``.
Every decision, sent or not, is one line in the audit log.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import httpx

from edge.audit import AuditEntry, AuditLog, sha256_text
from edge.cloud import CloudClient, CloudError
from edge.defaults import edge_home
from edge.errors import ArtifactError, InputError
from edge.fallback_store import FallbackStore
from edge.fsutil import open_atomic
from edge.policy import Policy, TaskPolicy, load_policy, offline
from edge.redaction import Redaction, Redactor
from edge.runtime import IntentClassifier, PIIDetector
from edge.types import IntentResult

try:  # POSIX: serialise budget updates across processes too
    import fcntl
except ImportError:  # pragma: no cover - Windows: in-process lock only
    fcntl = None  # type: ignore[assignment]


def default_audit_path() -> Path:
    return edge_home() / "audit.jsonl"


@dataclass(frozen=True)
class RoutedIntentResult:
    """An intent answer and where it came from.

    ``source``: ``local`` or ``cloud``. ``reason``: why the policy wanted a fallback or not
    (``policy_never``, ``confident``, ``no_local_error``, ``low_confidence``, ``local_error``,
    ``always``). ``outcome``: ``not_needed``, ``offline``, ``ok`` or the failure
    (``timeout``, ``http_error``, ``transport_error``, ``invalid_answer``, ``unknown_label``,
    ``rate_limited``, ``budget_exhausted``, ``no_api_key``, ``redaction_failed``,
    ``state_error``, ``internal_error``). ``degraded``: a fallback was wanted and failed, so
    this is the local answer.
    """

    text: str
    label: str
    confidence: float | None
    source: str
    reason: str
    outcome: str
    degraded: bool
    local_label: str | None
    local_confidence: float | None
    cloud_label: str | None = None
    cloud_confidence: float | None = None
    in_scope: bool = True
    attempts: int = 0
    top_k: list[tuple[str, float]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "label": self.label,
            "confidence": self.confidence,
            "in_scope": self.in_scope,
            "source": self.source,
            "degraded": self.degraded,
            "reason": self.reason,
            "outcome": self.outcome,
            "local": {"label": self.local_label, "confidence": self.local_confidence},
            "cloud": {"label": self.cloud_label, "confidence": self.cloud_confidence},
            "attempts": self.attempts,
            "top_k": [{"label": lbl, "score": s} for lbl, s in self.top_k],
        }


class RequestBudget:
    """Requests-per-minute and requests-per-day caps, in a small JSON file that outlives the
    process. A cap of 0 per day means no request at all. An unreadable state file blocks
    requests (failing open would let a corrupt file reset the spend)."""

    def __init__(
        self,
        state_path: Path,
        key: str,
        *,
        per_minute: int,
        per_day: int,
        clock: Callable[[], float] = time.time,
    ):
        self.state_path = state_path
        self.key = key
        self.per_minute = per_minute
        self.per_day = per_day
        self.clock = clock
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock:
            if fcntl is None:  # pragma: no cover
                yield
                return
            self.state_path.parent.mkdir(parents=True, exist_ok=True)
            lock_path = self.state_path.with_name(self.state_path.name + ".lock")
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # releases the flock

    def _read(self) -> dict:
        if not self.state_path.is_file():
            return {}
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        if not isinstance(data, dict):
            raise CloudError(
                f"budget state {self.state_path} is unreadable; fix or delete it", "state_error"
            )
        return data

    def _write(self, data: dict) -> None:
        with open_atomic(self.state_path, 0o600) as f:
            f.write(json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))

    def take(self) -> None:
        """Count one request, or raise CloudError (``rate_limited`` / ``budget_exhausted``;
        ``state_error`` when the state cannot be read or written: no count, no request)."""
        try:
            self._take()
        except OSError as e:
            raise CloudError(
                f"budget state {self.state_path}: {type(e).__name__}", "state_error"
            ) from None

    def _take(self) -> None:
        with self._locked():
            now = self.clock()
            today = datetime.fromtimestamp(now, timezone.utc).date().isoformat()
            data = self._read()
            entry = data.get(self.key)
            if not isinstance(entry, dict) or entry.get("day") != today:
                entry = {"day": today, "count": 0, "recent": []}
            try:
                recent = [float(t) for t in entry.get("recent", []) if now - float(t) < 60.0]
                used = int(entry.get("count", 0))
            except (TypeError, ValueError):
                raise CloudError(
                    f"budget state {self.state_path} is malformed; fix or delete it", "state_error"
                ) from None
            if used >= self.per_day:
                raise CloudError(
                    f"daily budget of {self.per_day} requests is used up", "budget_exhausted"
                )
            if len(recent) >= self.per_minute:
                raise CloudError(
                    f"rate cap of {self.per_minute} requests/minute reached", "rate_limited"
                )
            data[self.key] = {"day": today, "count": used + 1, "recent": [*recent, now]}
            self._write(data)


class Router:
    """``Router(intent_model, pii_model, policy).classify(text)`` → RoutedIntentResult.

    ``policy``: a Policy, a policy name or path, or None (nothing leaves). ``pii_model`` is needed
    only when the policy can send. Cloud failures never raise at the caller unless
    ``raise_on_cloud_error=True`` (then :class:`edge.errors.FallbackError`); a *local* model
    error under ``fallback = "error"`` with no cloud answer re-raises that local error, since there
    is no result to degrade to. ``transport``, ``clock`` and ``sleep`` are for tests.
    """

    task = "intent"

    def __init__(
        self,
        intent_model: IntentClassifier,
        pii_model: PIIDetector | None = None,
        policy: Policy | str | Path | None = None,
        *,
        audit_path: str | Path | None = None,
        fallback_store_path: str | Path | None = None,
        raise_on_cloud_error: bool = False,
        top_k: int = 3,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if not isinstance(policy, Policy):
            policy = load_policy(policy)
        self.policy = policy
        self.name = policy.name or "unnamed"
        self.rules: TaskPolicy = policy.for_task(self.task)
        self.intent_model = intent_model
        self.raise_on_cloud_error = raise_on_cloud_error
        self.top_k = top_k
        self.audit = AuditLog(audit_path if audit_path is not None else default_audit_path())
        self._transport = transport
        self._sleep = sleep
        self._client: CloudClient | None = None
        self.redactor: Redactor | None = None
        self.budget: RequestBudget | None = None
        self.store: FallbackStore | None = None
        if not self.rules.may_send:
            return
        if pii_model is None:
            raise ArtifactError(
                f"policy {self.name!r} lets intent text leave the device; give a PII model "
                "(--pii-model) so it is redacted first"
            )
        if pii_model.task.kind != "token-classification":
            raise ArtifactError(f"{pii_model.artifact_dir} is not a PII token-classification model")
        self.redactor = Redactor(
            pii_model, allow=self.rules.allow_pii, phone_region=policy.phone_region
        )
        self.budget = RequestBudget(
            self.audit.state_path(),
            f"{self.name}:{self.task}",
            per_minute=self.rules.max_requests_per_minute,
            per_day=self.rules.max_requests_per_day,
            clock=clock,
        )
        if self.rules.keep_results:
            store_path = (
                fallback_store_path
                if fallback_store_path is not None
                else self.audit.path.with_suffix(".fallbacks.jsonl")
            )
            self.store = FallbackStore(store_path)

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Router:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- decisions -------------------------------------------------------------------------

    def _wants_fallback(self, local: IntentResult | None) -> tuple[bool, str]:
        mode = self.rules.fallback
        if mode == "never":
            return False, "policy_never"
        if local is None:
            return True, "local_error"
        if mode == "always":
            return True, "always"
        if mode == "low_confidence":
            assert self.rules.threshold is not None
            if local.confidence < self.rules.threshold:
                return True, "low_confidence"
            return False, "confident"
        return False, "no_local_error"

    def _cloud(self) -> CloudClient:
        if self._client is None:
            assert self.rules.endpoint is not None
            self._client = CloudClient(
                self.rules.endpoint,
                timeout_s=self.rules.timeout_s,
                retries=self.rules.retries,
                backoff_s=self.rules.backoff_s,
                transport=self._transport,
                sleep=self._sleep,
            )
        return self._client

    def _api_key(self) -> str | None:
        """Read on every request (so a rotated key is picked up); never stored or logged."""
        assert self.rules.endpoint is not None
        env = self.rules.endpoint.api_key_env
        if env is None:
            return None
        key = os.environ.get(env, "").strip()
        if not key:
            raise CloudError(f"environment variable {env} (the API key) is not set", "no_api_key")
        return key

    def _redact(self, text: str) -> Redaction:
        assert self.redactor is not None
        try:
            return self.redactor.redact(text)
        except Exception as e:  # any failure means we cannot prove the text is clean
            raise CloudError(f"redaction failed ({type(e).__name__})", "redaction_failed") from None

    def _entry(self, **kw: object) -> AuditEntry:
        endpoint = self.rules.endpoint.host if self.rules.endpoint is not None else None
        return AuditEntry(task=self.task, policy=self.name, endpoint=endpoint, **kw)  # type: ignore[arg-type]

    def _sent_fields(self, redaction: Redaction | None, attempts: int) -> dict:
        if redaction is None:
            return {"attempts": attempts}
        logged = redaction.text if (self.rules.log_redacted_text and attempts) else None
        return {
            "attempts": attempts,
            "sent_sha256": sha256_text(redaction.text) if attempts else None,
            "redacted_text": logged,
            "pii_redacted": redaction.counts,
        }

    def classify_one(self, text: str) -> RoutedIntentResult:
        t0 = time.perf_counter()
        local: IntentResult | None = None
        local_error: Exception | None = None
        try:
            res = self.intent_model.classify(text, top_k=self.top_k)
            assert isinstance(res, IntentResult)
            local = res
        except InputError:
            raise  # the caller's text is unusable: no policy changes that
        except Exception as e:
            if self.rules.fallback != "error":
                raise
            local_error = e
        want, reason = self._wants_fallback(local)
        local_fields = {
            "local_label": local.label if local else None,
            "local_confidence": local.confidence if local else None,
        }

        def ms() -> float:
            return round((time.perf_counter() - t0) * 1000, 3)

        def local_result(outcome: str, degraded: bool, attempts: int = 0) -> RoutedIntentResult:
            if local is None:
                assert local_error is not None
                raise local_error
            return RoutedIntentResult(
                text=text,
                label=local.label,
                confidence=local.confidence,
                source="local",
                reason=reason,
                outcome=outcome,
                degraded=degraded,
                in_scope=local.in_scope,
                attempts=attempts,
                top_k=list(local.top_k),
                **local_fields,  # type: ignore[arg-type]
            )

        # Nothing is sent: no fallback wanted, or the offline switch wins over the policy.
        stay = (
            ("local", "not_needed") if not want else ("blocked", "offline") if offline() else None
        )
        if stay is not None:
            decision, outcome = stay
            self.audit.write(
                self._entry(
                    decision=decision,
                    reason=reason,
                    outcome=outcome,
                    source="local",
                    degraded=False,
                    latency_ms=ms(),
                    **local_fields,
                )
            )
            return local_result(outcome, False)
        redaction: Redaction | None = None
        assert self.budget is not None
        try:
            api_key = self._api_key()
            redaction = self._redact(text)
            answer = self._cloud().classify(
                redaction.text,
                self.intent_model.labels,
                api_key=api_key,
                before_attempt=self.budget.take,
            )
        except Exception as exc:
            # A CloudError is a policy outcome; anything else is a bug, recorded as one, and
            # still not the caller's problem unless they asked for errors.
            e = exc if isinstance(exc, CloudError) else None
            if e is None:
                e = CloudError(f"internal error ({type(exc).__name__})", "internal_error")
            self.audit.write(
                self._entry(
                    decision="sent" if e.attempts else "blocked",
                    reason=reason,
                    outcome=e.outcome,
                    source="local",
                    degraded=True,
                    latency_ms=ms(),
                    **local_fields,
                    **self._sent_fields(redaction, e.attempts),
                )
            )
            if self.raise_on_cloud_error:
                if e is exc:
                    raise
                raise e from exc
            if local is None:
                assert local_error is not None
                raise local_error from e
            return local_result(e.outcome, True, e.attempts)
        if self.store is not None:
            self.store.add(redaction.text, answer.label)
        self.audit.write(
            self._entry(
                decision="sent",
                reason=reason,
                outcome="ok",
                source="cloud",
                degraded=False,
                cloud_label=answer.label,
                cloud_confidence=answer.confidence,
                latency_ms=ms(),
                **local_fields,
                **self._sent_fields(redaction, answer.attempts),
            )
        )
        return RoutedIntentResult(
            text=text,
            label=answer.label,
            confidence=answer.confidence,
            source="cloud",
            reason=reason,
            outcome="ok",
            degraded=False,
            cloud_label=answer.label,
            cloud_confidence=answer.confidence,
            in_scope=answer.label != self.intent_model.task.oos_label,
            attempts=answer.attempts,
            top_k=list(local.top_k) if local else [],
            **local_fields,  # type: ignore[arg-type]
        )

    def classify(self, texts: str | Iterable[str]) -> RoutedIntentResult | list[RoutedIntentResult]:
        """One text → one result; an iterable → a list (each routed and audited on its own)."""
        if isinstance(texts, str):
            return self.classify_one(texts)
        return [self.classify_one(t) for t in texts]

    __call__ = classify


__all__ = ["RequestBudget", "RoutedIntentResult", "Router", "default_audit_path"]
