"""``EdgeRecognizer``: edge's PII model as a recognizer inside an existing Presidio AnalyzerEngine.

    from presidio_analyzer import AnalyzerEngine
    from edge.integrations.presidio import EdgeRecognizer

    engine = AnalyzerEngine()
    engine.registry.add_recognizer(EdgeRecognizer("~/.cache/edge/models/pii"))
    engine.analyze(text, language="en")   # Presidio's recognizers and edge's, merged by Presidio

It answers Presidio's types (``RecognizerResult`` with an ``AnalysisExplanation`` and
``recognition_metadata``); Presidio's own context enhancement and de-duplication then apply as to
any recognizer. Needs presidio-analyzer (``pip install 'edge[compare]'``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edge.errors import BackendUnavailableError

try:
    from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult
except ImportError:  # pragma: no cover - depends on the environment
    raise BackendUnavailableError(
        "edge.integrations.presidio needs presidio-analyzer: pip install 'edge[compare]'"
    ) from None


class EdgeRecognizer(EntityRecognizer):
    """Runs an edge PII model (``model``: a loaded ``PIIDetector``, an artifact folder, or a
    default model name such as ``pii-fast``) and reports its spans as Presidio results.

    ``rules``: edge's own rule recognizers fused with the model (edge's hybrid detection); set
    False when Presidio's pattern recognizers already cover those types.
    """

    def __init__(
        self,
        model: Any = "pii",
        *,
        supported_entities: list[str] | None = None,
        name: str = "EdgeRecognizer",
        supported_language: str = "en",
        rules: bool = True,
        threads: int | None = 1,
        variant: str | None = None,
    ):
        self.model = _load(model, threads, variant)
        self.rules = rules
        entities = supported_entities or list(self.model.task.entities or [])
        super().__init__(
            supported_entities=entities, name=name, supported_language=supported_language
        )

    def load(self) -> None:
        """Nothing to do: the model is loaded in ``__init__`` (Presidio calls this there too)."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list:
        if not text.strip():
            return []
        wanted = set(entities or self.supported_entities)
        result = self.model.detect(text, rules=self.rules)
        out = []
        for s in result.spans:
            if s.label not in wanted:
                continue
            explanation = AnalysisExplanation(
                recognizer=self.name,
                original_score=s.score,
                textual_explanation=f"Identified as {s.label} by edge ({s.source})",
            )
            out.append(
                RecognizerResult(
                    entity_type=s.label,
                    start=s.start,
                    end=s.end,
                    score=s.score,
                    analysis_explanation=explanation,
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        "edge_source": s.source,
                    },
                )
            )
        return out


def _load(model: Any, threads: int | None, variant: str | None) -> Any:
    from edge.runtime import PIIDetector

    if isinstance(model, PIIDetector):
        return model
    import edge
    from edge.defaults import resolve_model

    where = Path(model).expanduser() if "/" in str(model) else model
    loaded = edge.load(resolve_model(where, "pii"), threads=threads, variant=variant)
    if not isinstance(loaded, PIIDetector):
        raise BackendUnavailableError(f"{model} is not a PII model; EdgeRecognizer needs one")
    return loaded
