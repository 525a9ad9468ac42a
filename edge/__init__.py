"""edge: on-device PII detection and intent classification with small fine-tuned models.

Import cost matters on small devices: this package never imports torch, transformers or peft,
and importing it imports nothing at all until a name is used (PEP 562 ``__getattr__``): the
``edge`` command and ``edge serve`` decide what to load and when (``edge --help`` needs no
numpy; ``edge serve`` loads the models with the garbage collector paused, see
edge.serve.server).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from edge.lazy import lazy_getattr

__version__ = "0.1.0"

# Public name -> the module that defines it. edge.anonymize stays the package
# (edge.anonymize.anonymize(text, spans) for one text): a function of the same name here would
# shadow it and break `import edge.anonymize.engine`.
_EXPORTS: dict[str, str] = {
    "AnonymizedText": "edge.anonymize",
    "Anonymizer": "edge.anonymize",
    "deanonymize": "edge.anonymize",
    "EdgeError": "edge.errors",
    "IntentClassifier": "edge.runtime",
    "PIIDetector": "edge.runtime",
    "load": "edge.runtime",
    "IntentResult": "edge.types",
    "PIIResult": "edge.types",
    "Span": "edge.types",
}

__all__ = [
    "AnonymizedText",
    "Anonymizer",
    "EdgeError",
    "IntentClassifier",
    "IntentResult",
    "PIIDetector",
    "PIIResult",
    "Span",
    "__version__",
    "deanonymize",
    "load",
]

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ imports on use
    from edge.anonymize import AnonymizedText, Anonymizer, deanonymize
    from edge.errors import EdgeError
    from edge.runtime import IntentClassifier, PIIDetector, load
    from edge.types import IntentResult, PIIResult, Span


__getattr__ = lazy_getattr("edge", _EXPORTS, globals())


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
