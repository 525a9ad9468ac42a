"""Synthetic PII documents composed from sections and fields (a second, different generator).

Why: the template generator (``quantize.pii_data``) taught the models its one-line templates;
this one composes whole documents (e-mail threads with signatures and quoted replies, chats,
tickets, notes, forms, tables, JSON/YAML, logs, invoices, shipping labels...) from fields,
sections and split-disjoint phrase pools, with values of many more shapes and hard negatives.
Same record format and labelling guidelines as ``quantize.pii_data``.
"""

from __future__ import annotations

from quantize.pii_data import ENTITY_TYPES

from .generator import generate, iter_generate

__all__ = ["ENTITY_TYPES", "generate", "iter_generate"]
