"""Named data sets the default models are trained and evaluated on, read in place.

Public data ships in the package (``quantize/public_data``: CLINC150 with its CC BY 3.0 licence and
attribution), so a clone or an install anywhere finds it; ``EDGE_DATA_DIR`` points elsewhere (a
folder with the same layout). Synthetic PII data is generated on the fly from a seed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from edge.errors import DataError
from edge.resources import package_path


def data_dir() -> Path:
    override = os.environ.get("EDGE_DATA_DIR")
    if override:
        return Path(override)
    return package_path("quantize", "public_data")


def clinc150(split: str) -> list[dict]:
    """CLINC150 full: in-scope queries of the split plus its out-of-scope queries (label "oos")."""
    if split not in ("train", "val", "test"):
        raise DataError(f"clinc150 has splits train, val, test; not {split!r}")
    path = data_dir() / "clinc150" / "data_full.json"
    if not path.is_file():
        raise DataError(
            f"CLINC150 not found at {path}; it ships in the package (quantize/public_data/"
            "clinc150): reinstall edge or restore it from the repository, or set EDGE_DATA_DIR "
            "to a folder holding clinc150/"
        )
    raw = json.loads(path.read_text(encoding="utf-8"))
    items = raw[split] + raw[f"oos_{split}"]
    return [{"text": t, "label": lbl} for t, lbl in items]


def pii_synth(split: str, n: int | None = None, seed: int | None = None) -> list[dict]:
    """Synthetic PII records. "train" renders the training and dev templates, "val" the dev
    templates and "test" the held-out templates, which are never trained on.

    How the default model was made: epochs chosen on "dev" by a run that trained on the training
    templates alone (``split="train-only"``), then retrained on "train" (train + dev templates)
    for that many epochs. Use ``train-only`` when "val" must be unseen by training."""
    from quantize.pii_data import generate

    sizes = {"train": 44000, "train-only": 40000, "val": 2000, "test": 3000}
    seeds = {"train": 0, "train-only": 0, "val": 1, "test": 2}
    if split not in sizes:
        raise DataError(f"pii-synth has splits {', '.join(sizes)}; not {split!r}")
    return generate(
        n or sizes[split],
        split={"train": "train+dev", "train-only": "train", "val": "dev", "test": "heldout"}[split],
        seed=seeds[split] if seed is None else seed,
    )


def pii_docs(split: str, n: int | None = None, seed: int | None = None) -> list[dict]:
    """Synthetic PII documents (``quantize.pii_docs``): e-mail threads, chats, tickets, notes,
    forms, tables, logs, invoices, shipping labels... "val" and "test" are written from phrase
    pools disjoint from "train"'s and each other's, with their own seeds, so "test" measures
    generalisation past the training wording."""
    from quantize.pii_docs import generate

    sizes = {"train": 44000, "val": 2000, "test": 3000}
    seeds = {"train": 0, "val": 1, "test": 2}
    if split not in sizes:
        raise DataError(f"pii-docs has splits {', '.join(sizes)}; not {split!r}")
    return generate(n or sizes[split], split=split, seed=seeds[split] if seed is None else seed)


def interleave(a: list[dict], b: list[dict]) -> list[dict]:
    """Merge two lists keeping each one's order, spreading the shorter evenly through the longer
    (deterministic: no RNG), so every stretch of a training epoch sees both sources."""
    out, i, j = [], 0, 0
    while i < len(a) or j < len(b):
        # take from a while its share consumed is behind b's
        if j >= len(b) or (i < len(a) and i * len(b) <= j * len(a)):
            out.append(a[i])
            i += 1
        else:
            out.append(b[j])
            j += 1
    return out


def pii_mix(split: str, n: int | None = None, seed: int | None = None) -> list[dict]:
    """pii-synth and pii-docs together: "train" interleaves both training splits (44,000 + 44,000
    by default; ``n`` records in all, half from each), "val" is both validation splits and
    "test" both test splits (3,000 + 3,000). "train-only" takes pii-synth's "train-only" (its
    val templates left out), so "val" is unseen wording for both halves."""
    splits = {"train": "train", "train-only": "train", "val": "val", "test": "test"}
    if split not in splits:
        raise DataError(f"pii-mix has splits {', '.join(splits)}; not {split!r}")
    half = {"n": n // 2} if n else {}
    rest = {"n": n - n // 2} if n else {}
    synth = pii_synth(split, seed=seed, **half)
    return interleave(synth, pii_docs(splits[split], seed=seed, **rest))


def pii_written(split: str) -> list[dict]:
    """PII texts written by hand, not by a generator of ours (``quantize.pii_written``): training
    only."""
    from quantize import pii_written as written

    return written.load(split)


WRITTEN_REPEAT = 3  # pii-written's share of pii-mixw: 50,346 of 138,346 records (36%)


def pii_mixw(split: str, n: int | None = None, seed: int | None = None) -> list[dict]:
    """pii-mix with the hand-written texts: "train" is pii-mix's training records followed by
    ``pii-written`` repeated :data:`WRITTEN_REPEAT` times (training shuffles every epoch, so
    appending is enough); "val" and "test" are pii-mix's, so early stopping still reads
    wording no training record had."""
    mix = pii_mix(split, n=n, seed=seed)
    if split not in ("train", "train-only"):
        return mix
    return mix + pii_written("train") * WRITTEN_REPEAT


DATASETS: dict[str, Callable[..., list[dict]]] = {
    "clinc150": clinc150,
    "pii-synth": pii_synth,
    "pii-docs": pii_docs,
    "pii-mix": pii_mix,
    "pii-written": pii_written,
    "pii-mixw": pii_mixw,
}
# rendered from a seed: any number of records (pii-mixw: of its pii-mix part)
GENERATED = ("pii-synth", "pii-docs", "pii-mix", "pii-mixw")


def load_dataset(name: str, split: str, **kwargs) -> list[dict]:
    if name not in DATASETS:
        raise DataError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    return DATASETS[name](split, **kwargs)
