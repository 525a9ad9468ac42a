"""Presidio's REST bodies mapped onto edge: /analyze, /anonymize, /deanonymize.

Field by field after presidio-analyzer's ``AnalyzerRequest`` and ``RecognizerResult`` /
``AnalysisExplanation`` and presidio-anonymizer's ``OperatorConfig``, ``OperatorResult`` and
``EngineResult`` (the README's "Local service" section lists every difference). Anonymization runs
through edge's own engine (``edge.anonymize.Anonymizer``): Presidio's operators whose parameters
differ from edge's (mask, hash, encrypt, keep) are edge ``Operator`` subclasses here.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from edge.anonymize import Anonymizer, Operator, Redact, Replace
from edge.errors import InputError
from edge.serve.limits import HTTPError, limit_error
from edge.spans import merge_spans
from edge.types import Span

LANGUAGES = ("en",)
RECOGNIZER = "EdgeRecognizer"


# -- /analyze ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnalyzeRequest:
    texts: list[str]
    batch: bool
    entities: frozenset[str] | None
    score_threshold: float
    return_decision_process: bool
    allow_list: tuple[str, ...]
    allow_list_match: str
    regex_flags: int
    correlation_id: str | None


def _opt(body: dict, key: str, types: type | tuple[type, ...], what: str) -> Any:
    value = body.get(key)
    if value is not None and not isinstance(value, types):
        raise HTTPError(400, f'"{key}" must be {what}')
    return value


def parse_analyze(body: object) -> AnalyzeRequest:
    """Presidio's analyzer request, checked; errors are 400 like Presidio's (422 for what
    edge cannot do: ad-hoc recognizers)."""
    if not isinstance(body, dict):
        raise HTTPError(400, "request body must be a JSON object")
    text = body.get("text")
    if not text:
        raise HTTPError(400, "No text provided")
    batch = isinstance(text, list)
    texts = text if batch else [text]
    if not all(isinstance(t, str) for t in texts):
        raise HTTPError(400, '"text" must be a string or a list of strings')
    language = body.get("language")
    if not language:
        raise HTTPError(400, "No language provided")
    if language not in LANGUAGES:
        raise HTTPError(
            400,
            f"language {language!r} is not supported by this edge model; supported: "
            f"{', '.join(LANGUAGES)}",
        )
    if body.get("ad_hoc_recognizers"):
        raise HTTPError(
            422,
            "ad_hoc_recognizers are not supported by edge: its recognizers are built in; add "
            "fixed values with the task spec's [fusion.deny] table, or run Presidio beside edge "
            "with edge.integrations.presidio.EdgeRecognizer",
        )
    entities = _opt(body, "entities", list, "a list of entity names")
    threshold = _opt(body, "score_threshold", (int, float), "a number")
    allow = _opt(body, "allow_list", list, "a list of strings") or []
    match = body.get("allow_list_match", "exact")
    if match not in ("exact", "regex"):
        raise HTTPError(400, '"allow_list_match" must be "exact" or "regex"')
    flags = body.get("regex_flags", re.DOTALL | re.MULTILINE | re.IGNORECASE)
    if not isinstance(flags, int):
        raise HTTPError(400, '"regex_flags" must be an integer (Python re flags)')
    correlation = body.get("correlation_id")
    return AnalyzeRequest(
        texts=texts,
        batch=batch,
        entities=frozenset(entities) if entities else None,
        score_threshold=float(threshold or 0.0),
        return_decision_process=bool(body.get("return_decision_process")),
        allow_list=tuple(str(a) for a in allow),
        allow_list_match=match,
        regex_flags=flags,
        correlation_id=str(correlation) if correlation is not None else None,
    )


def _allowed(req: AnalyzeRequest) -> Any:
    if not req.allow_list:
        return lambda value: False
    if req.allow_list_match == "exact":
        values = set(req.allow_list)
        return lambda value: value in values
    try:
        pattern = re.compile("|".join(req.allow_list), flags=req.regex_flags)
    except re.error as e:
        raise HTTPError(400, f"allow_list is not a valid regular expression ({e})") from None
    return lambda value: pattern.search(value) is not None


def explanation(span: Span, model_name: str) -> dict:
    """An AnalysisExplanation dict (presidio-analyzer 2.2.366's ten fields): who found the span
    (``source``) and its score."""
    return {
        "recognizer": RECOGNIZER,
        "pattern_name": None,
        "pattern": None,
        "original_score": span.score,
        "score": span.score,
        "textual_explanation": f"Identified as {span.label} by edge model {model_name!r} "
        f"(source: {span.source})",
        "score_context_improvement": 0,
        "supportive_context_word": "",
        "validation_result": None,
        "regex_flags": None,
    }


def analyze_results(req: AnalyzeRequest, spans_per_text: list[list[Span]], model: str) -> Any:
    """Presidio's answer: a list of RecognizerResult dicts per text (a list of lists for a
    batch), keys sorted as Presidio's server sorts them."""
    allowed = _allowed(req)
    out = []
    for spans in spans_per_text:
        items = []
        for s in spans:
            if req.entities is not None and s.label not in req.entities:
                continue
            if s.score < req.score_threshold or allowed(s.text):
                continue
            item: dict[str, Any] = {
                "analysis_explanation": explanation(s, model)
                if req.return_decision_process
                else None,
                "end": s.end,
                "entity_type": s.label,
                "score": s.score,
                "start": s.start,
            }
            if req.return_decision_process:
                item["recognition_metadata"] = {
                    "recognizer_name": RECOGNIZER,
                    "recognizer_identifier": f"edge:{s.source}",
                }
            items.append(item)
        out.append(items)
    return out if req.batch else out[0]


# -- operators with Presidio's parameters ----------------------------------------------------


class PresidioMask(Operator):
    """Presidio's mask: ``chars_to_mask`` characters from the start (or ``from_end``)."""

    name = "mask"

    def __init__(self, chars_to_mask: int, masking_char: str, from_end: bool = False):
        self.chars, self.char, self.from_end = chars_to_mask, masking_char, from_end

    def apply(self, value: str, label: str) -> str:
        n = min(len(value), self.chars) if self.chars > 0 else 0
        if self.from_end:
            return value[: len(value) - n] + self.char * n
        return self.char * n + value[n:]


class PresidioHash(Operator):
    """Presidio's hash (2.2.36x): the hex digest of UTF-8 value + salt, sha256 or sha512. The
    salt is the request's ``salt`` (16 bytes or more: the same value always hashes the same), or
    32 random bytes per value when there is none (hashes cannot be joined, nor enumerated)."""

    name = "hash"

    def __init__(self, hash_type: str = "sha256", salt: bytes | None = None):
        self.hash_type, self.salt = hash_type, salt

    def apply(self, value: str, label: str) -> str:
        salt = self.salt if self.salt is not None else os.urandom(32)
        return hashlib.new(self.hash_type, value.encode("utf-8") + salt).hexdigest()

    def __repr__(self) -> str:
        return f"PresidioHash({self.hash_type}, salt=<hidden>)"


class Keep(Operator):
    """Presidio's keep: the value stays, the item is still reported."""

    name = "keep"

    def apply(self, value: str, label: str) -> str:
        return value


def _cipher() -> Any:
    try:
        from cryptography.hazmat.primitives import padding
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    except ImportError:
        raise HTTPError(
            422,
            "encrypt/decrypt need the cryptography package on the server: "
            "pip install 'edge[serve]' (or pip install cryptography)",
        ) from None
    return padding, Cipher, algorithms, modes


class Encrypt(Operator):
    """AES-CBC with PKCS7 padding and a random IV, urlsafe base64 of IV + ciphertext: the
    format of Presidio's encrypt, so its decrypt (and ours) reads it."""

    name = "encrypt"
    reversible: ClassVar[bool] = True

    def __init__(self, key: bytes):
        self.key = key

    def apply(self, value: str, label: str) -> str:
        padding, cipher_cls, algorithms, modes = _cipher()
        padder = padding.PKCS7(128).padder()
        data = padder.update(value.encode("utf-8")) + padder.finalize()
        iv = os.urandom(16)
        enc = cipher_cls(algorithms.AES(self.key), modes.CBC(iv)).encryptor()
        return base64.urlsafe_b64encode(iv + enc.update(data) + enc.finalize()).decode()


def decrypt(key: bytes, value: str) -> str:
    padding, cipher_cls, algorithms, modes = _cipher()
    try:
        raw = base64.urlsafe_b64decode(value)
        dec = cipher_cls(algorithms.AES(key), modes.CBC(raw[:16])).decryptor()
        unpadder = padding.PKCS7(128).unpadder()
        plain = dec.update(raw[16:]) + dec.finalize()
        return (unpadder.update(plain) + unpadder.finalize()).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as e:
        raise HTTPError(422, f"Invalid input, cannot decrypt {value[:40]!r} ({e})") from None


def _aes_key(params: dict, what: str) -> bytes:
    key = params.get("key")
    if not isinstance(key, str):
        raise HTTPError(422, f"Invalid input, {what} needs key, a string")
    raw = key.encode("utf-8")
    if len(raw) * 8 not in (128, 192, 256):
        raise HTTPError(422, "Invalid input, key must be of length 128, 192 or 256 bits")
    return raw


def _need(params: dict, key: str, types: type, op: str) -> Any:
    what = types.__name__
    value = params.get(key)
    if value is None or not isinstance(value, types) or (types is int and isinstance(value, bool)):
        raise HTTPError(422, f"Invalid input, {op} needs {key} ({what})")
    return value


def operator_from_json(config: object, where: str) -> Operator:
    """One Presidio ``OperatorConfig`` JSON (``{"type": "mask", ...}``) as an edge operator."""
    if not isinstance(config, dict):
        raise HTTPError(422, f"Invalid input, {where} must be an object with a type")
    params = dict(config)
    kind = params.pop("type", None)
    if not kind:
        raise HTTPError(422, f"Invalid input, {where}: config must contain operator_name")
    if kind == "custom":
        raise HTTPError(400, "Custom type anonymizer is not supported")
    if kind == "replace":
        new_value = params.get("new_value")
        return Replace(str(new_value) if new_value else None)
    if kind == "redact":
        return Redact()
    if kind == "keep":
        return Keep()
    if kind == "mask":
        char = _need(params, "masking_char", str, "mask")
        if len(char) != 1:
            raise HTTPError(422, "Invalid input, masking_char must be a character")
        chars = _need(params, "chars_to_mask", int, "mask")
        from_end = params.get("from_end", False)
        if not isinstance(from_end, bool):
            raise HTTPError(422, "Invalid input, from_end must be a boolean")
        return PresidioMask(chars, char, from_end)
    if kind == "hash":
        hash_type = params.get("hash_type", "sha256")
        if hash_type not in ("sha256", "sha512"):
            raise HTTPError(
                422, f"Invalid input, hash_type {hash_type!r}: use sha256 or sha512 (no md5)"
            )
        salt = params.get("salt")
        if salt is not None:
            raw = salt.encode("utf-8") if isinstance(salt, str) else None
            if raw is None or len(raw) < 16:
                raise HTTPError(422, "Salt must be at least 16 bytes (128 bits).")
            return PresidioHash(hash_type, raw)
        return PresidioHash(hash_type)
    if kind == "encrypt":
        key = _aes_key(params, "encrypt")
        _cipher()
        return Encrypt(key)
    raise HTTPError(
        422,
        f"Invalid input, unknown operator {kind!r} in {where}; use replace, redact, mask, hash, "
        "encrypt or keep",
    )


def _results(data: object, text: str, key: str) -> list[Span]:
    if not isinstance(data, list):
        raise HTTPError(422, f"Invalid input, request must contain {key}")
    spans = []
    for i, r in enumerate(data):
        if not isinstance(r, dict):
            raise HTTPError(422, f"Invalid input, {key}[{i}] must be an object")
        start, end, label = r.get("start"), r.get("end"), r.get("entity_type")
        if not isinstance(start, int) or not isinstance(end, int) or not isinstance(label, str):
            raise HTTPError(422, f"Invalid input, {key}[{i}] needs start, end and entity_type")
        if not 0 <= start <= end <= len(text):
            raise HTTPError(
                422,
                f"Invalid analyzer result: {label} {start}-{end}, original text length is only "
                f"{len(text)}.",
            )
        score = r.get("score")
        spans.append(
            Span(
                label,
                start,
                end,
                float(score) if isinstance(score, int | float) else 1.0,
                text[start:end],
                "request",
            )
        )
    return spans


def anonymize(body: object, max_chars: int) -> dict:
    """Presidio's /anonymize: ``text``, ``analyzer_results``, ``anonymizers`` (per entity type
    or ``DEFAULT``) → ``{"text", "items"}``, items from the end of the text to its start as
    Presidio lists them."""
    if not isinstance(body, dict) or not body:
        raise HTTPError(400, "Invalid request json")
    text = body.get("text", "")
    if not isinstance(text, str):
        raise HTTPError(422, "Invalid input, text must be a string")
    if len(text) > max_chars:
        what = f"text is {len(text):,} characters"
        raise limit_error(422, what, "max_chars", max_chars, "split the text")
    spans = _results(body.get("analyzer_results"), text, "analyzer_results")
    configs = body.get("anonymizers") or {}
    if not isinstance(configs, dict):
        raise HTTPError(422, "Invalid input, anonymizers must be an object")
    ops = {k: operator_from_json(v, f"anonymizers.{k}") for k, v in configs.items()}
    default = ops.pop("DEFAULT", Replace())
    try:
        result = Anonymizer(ops, default).anonymize(text, spans)
    except InputError as e:
        raise HTTPError(422, f"Invalid input, {e}") from None
    # The engine merged overlapping spans the same way: one item per merged span, in order.
    merged = merge_spans(spans)
    scored = any(isinstance(r.get("score"), int | float) for r in body["analyzer_results"])
    items = [
        {
            "start": it.start,
            "end": it.end,
            "entity_type": it.label,
            "text": result.text[it.start : it.end],
            "operator": it.operator,
            "score": m.score if scored else None,
        }
        for it, m in zip(reversed(result.items), reversed(merged), strict=True)
    ]
    return {"text": result.text, "items": items}


def deanonymize(body: object, max_chars: int) -> dict:
    """Presidio's /deanonymize: ``decrypt`` (or ``keep``) per entity type over the spans of
    ``anonymizer_results`` → ``{"text", "items"}``."""
    if not isinstance(body, dict) or not body:
        raise HTTPError(400, "Invalid request json")
    text = body.get("text", "")
    if not isinstance(text, str) or len(text) > max_chars:
        raise HTTPError(422, f"Invalid input, text must be a string of <= {max_chars:,} chars")
    spans = _results(body.get("anonymizer_results"), text, "anonymizer_results")
    configs = body.get("deanonymizers") or {}
    if not isinstance(configs, dict):
        raise HTTPError(422, "Invalid input, deanonymizers must be an object")

    def op_for(label: str) -> tuple[str, bytes | None]:
        cfg = configs.get(label, configs.get("DEFAULT"))
        if cfg is None:
            raise HTTPError(422, f"Invalid input, no deanonymizer for {label} and no DEFAULT")
        if not isinstance(cfg, dict) or cfg.get("type") not in ("decrypt", "keep"):
            raise HTTPError(422, f"Invalid input, deanonymizer for {label} must be decrypt or keep")
        if cfg["type"] == "keep":
            return "keep", None
        return "decrypt", _aes_key(cfg, "decrypt")

    scores = {
        (r["start"], r["end"], r["entity_type"]): r.get("score") for r in body["anonymizer_results"]
    }
    pieces, pos, found = [], 0, []
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        if s.start < pos:
            raise HTTPError(422, "Invalid input, anonymizer_results overlap")
        name, key = op_for(s.label)
        plain = decrypt(key, s.text) if key is not None else s.text
        pieces.append(text[pos : s.start])
        found.append((s.label, name, plain, scores.get((s.start, s.end, s.label))))
        pieces.append(plain)
        pos = s.end
    pieces.append(text[pos:])
    out = "".join(pieces)
    items, cursor = [], 0
    for (label, name, plain, score), before in zip(found, pieces[0::2], strict=False):
        cursor += len(before)
        items.append(
            {
                "start": cursor,
                "end": cursor + len(plain),
                "entity_type": label,
                "text": plain,
                "operator": name,
                "score": score,
            }
        )
        cursor += len(plain)
    return {"text": out, "items": list(reversed(items))}
