"""Result types shared by the runtime, the rule recognizers and the CLI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Span:
    """One detected PII entity, in character offsets of the original text (``text[start:end]``)."""

    label: str
    start: int
    end: int
    score: float
    text: str
    source: str = "model"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PIIResult:
    text: str
    spans: list[Span]
    redacted: str

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "spans": [s.to_dict() for s in self.spans],
            "redacted": self.redacted,
        }


@dataclass(frozen=True)
class IntentResult:
    text: str
    label: str
    confidence: float
    top_k: list[tuple[str, float]] = field(default_factory=list)
    in_scope: bool = True

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "label": self.label,
            "confidence": self.confidence,
            "in_scope": self.in_scope,
            "top_k": [{"label": lbl, "score": s} for lbl, s in self.top_k],
        }
