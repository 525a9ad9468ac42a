"""Synthetic PII NER data: deterministic, template-based, with exact character-offset spans.

Why: there is no licensable real PII corpus for fine-tuning, so the model is trained on rendered
templates; ``split="heldout"`` uses disjoint templates to measure generalisation honestly.
"""

from __future__ import annotations

from .generator import Record, generate, iter_generate, templates, write_jsonl
from .values import ENTITY_TYPES

__all__ = [
    "ENTITY_TYPES",
    "Record",
    "generate",
    "iter_generate",
    "templates",
    "write_jsonl",
]
