"""edge: on-device PII detection and intent classification with small fine-tuned models.

Import cost matters on small devices: this package never imports torch, transformers or peft.
"""

from edge.errors import EdgeError
from edge.runtime import IntentClassifier, PIIDetector, load
from edge.types import IntentResult, PIIResult, Span

__version__ = "0.1.0"

__all__ = [
    "EdgeError",
    "IntentClassifier",
    "IntentResult",
    "PIIDetector",
    "PIIResult",
    "Span",
    "__version__",
    "load",
]
