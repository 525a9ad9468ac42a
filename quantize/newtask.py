"""A new classification task's spec, written from its labelled data (``edge train --task NEW``).

Why: a user with a CSV of texts and labels should not copy 77 label names into a TOML file by
hand, nor guess ``max_length``. The spec is written beside the adapter (``task.toml``), where
``edge build`` and ``edge eval`` find it without flags, and stays an ordinary spec to edit.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

import numpy as np

from edge.errors import BuildError
from edge.specs import ParityThresholds, TaskSpec
from edge.tokenization import load_tokenizer, show_line_breaks
from edge.variants import VARIANTS

SPEC_FILE = "task.toml"
VALIDATION_FILE = "validation.jsonl"  # the training run's held-out split, labelled
# Labels that mean "none of the above": the runtime's out-of-scope rule applies to them.
OUT_OF_SCOPE_NAMES = (
    "oos", "out_of_scope", "out-of-scope", "outofscope", "other", "none", "unknown",
    "no_intent", "fallback",
)  # fmt: skip
COVERAGE = 0.99  # max_length covers this share of the training texts, in the base's tokens
MIN_LENGTH, MAX_LENGTH = 16, 512


def token_lengths(base_dir, texts: list[str]) -> list[int]:
    """Tokens per text as the model sees them ([CLS] + text + [SEP]), the training tokenizer's."""
    tok = show_line_breaks(load_tokenizer(base_dir.path / "tokenizer.json", BuildError))
    return [len(e.ids) + 2 for e in tok.encode_batch(texts, add_special_tokens=False)]


def covering_length(lengths: list[int], coverage: float, limit: int) -> int:
    """The smallest multiple of 8 holding ``coverage`` of the texts whole, within [16, limit]."""
    need = int(np.quantile(np.asarray(lengths), coverage, method="inverted_cdf"))
    return max(MIN_LENGTH, min(limit, 8 * math.ceil(need / 8)))


def infer_spec(name: str, records: list[dict], base_dir, *, source: str = "the data") -> tuple:
    """(spec, comment lines): labels in sorted order with the out-of-scope one (if any) last,
    ``max_length`` covering 99% of texts, mean pooling (how MiniLM-style sentence encoders were
    trained; quantize/heads.py), and parity thresholds for fp32 and int8."""
    counts = Counter(r["label"] for r in records)
    oos = next((lbl for lbl in sorted(counts) if lbl.lower() in OUT_OF_SCOPE_NAMES), None)
    labels = sorted(lbl for lbl in counts if lbl != oos) + ([oos] if oos else [])
    if len(labels) < 2:
        raise BuildError(f"{source} has one label ({labels[0]!r}); a classifier needs two or more")
    lengths = token_lengths(base_dir, [r["text"] for r in records])
    limit = min(MAX_LENGTH, int(base_dir.config.get("max_position_embeddings", MAX_LENGTH)))
    max_length = covering_length(lengths, COVERAGE, limit)
    # fp32 as the default table; int8's argmax agreement only counts without labelled texts
    parity = {
        "fp32": ParityThresholds(**VARIANTS["fp32"].parity),
        "int8": ParityThresholds(min_argmax_agreement=0.97),
    }
    spec = TaskSpec(
        name=name,
        kind="sequence-classification",
        labels=labels,
        max_length=max_length,
        pooling="mean",
        out_of_scope_label=oos,
        parity=parity,
    )
    fewest = min(counts.values())
    whole = sum(n <= max_length for n in lengths) / len(lengths)
    comments = [
        f"Written by `edge train --task {name}` from {source}: {len(records)} labelled texts, "
        f"{len(labels)} labels ({fewest} to {max(counts.values())} texts each).",
        f"max_length {max_length} holds {whole:.1%} of the texts whole (longest "
        f"{max(lengths)} tokens with [CLS]/[SEP]); longer ones are cut.",
        "out_of_scope_label: "
        + (f"{oos!r}, found in the data." if oos else "none (no oos/other/... label found)."),
        "[parity]: each built variant may lose at most max_accuracy_drop points of accuracy",
        "against the PyTorch model on the validation split saved with the adapter.",
    ]
    return spec, comments


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return repr(v)


def _table(data: dict, prefix: str, out: list[str]) -> None:
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict) and v is not None}
    if prefix and scalars:
        out.append(f"\n[{prefix}]")
    for k, v in scalars.items():
        if k == "labels" and len(v) > 4:  # one label a line: diffs and reviews read easily
            out.append("labels = [\n" + "".join(f"  {_value(x)},\n" for x in v) + "]")
        else:
            out.append(f"{_key(k)} = {_value(v)}")
    for k, v in data.items():
        if isinstance(v, dict):
            _table(v, f"{prefix}.{_key(k)}" if prefix else _key(k), out)


def spec_toml(spec: TaskSpec, comments: list[str] = ()) -> str:
    """The spec as TOML that ``load_task_spec`` reads back to the same spec. Written here
    because the standard library reads TOML but does not write it, and a spec is only
    scalars, lists and tables."""
    out = [f"# {c}" for c in comments]
    data = spec.model_dump(mode="json", exclude_none=True)
    fresh = TaskSpec.model_fields
    keep = {"name", "kind", "labels", "entities", "max_length", "pooling", "parity"}
    for key in list(data):  # leave out what equals the default, so the file says what matters
        default = fresh[key].get_default(call_default_factory=True)
        if key not in keep and data[key] == default:
            del data[key]
    _table(data, "", out)
    return "\n".join(out) + "\n"


def adapter_spec(adapter: str | Path) -> Path | None:
    """The spec kept beside an adapter by `edge train`, if there is one."""
    path = Path(adapter) / SPEC_FILE
    return path if path.is_file() else None
