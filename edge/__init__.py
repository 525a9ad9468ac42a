"""edge: on-device PII detection and intent classification with small fine-tuned models.

Import cost matters on small devices: this package never imports torch, transformers or peft.
"""

# edge.anonymize stays the package (edge.anonymize.anonymize(text, spans) for one text): a
# function of the same name here would shadow it and break `import edge.anonymize.engine`.
from edge.anonymize import AnonymizedText, Anonymizer, deanonymize
from edge.errors import EdgeError
from edge.runtime import IntentClassifier, PIIDetector, load
from edge.types import IntentResult, PIIResult, Span

__version__ = "0.1.0"

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
