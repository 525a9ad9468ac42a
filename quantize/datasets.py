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


def data_dir() -> Path:
    override = os.environ.get("EDGE_DATA_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent / "public_data"


def clinc150(split: str) -> list[dict]:
    """CLINC150 full: in-scope queries of the split plus its out-of-scope queries (label "oos")."""
    if split not in ("train", "val", "test"):
        raise DataError(f"clinc150 has splits train, val, test; not {split!r}")
    path = data_dir() / "clinc150" / "data_full.json"
    if not path.is_file():
        raise DataError(
            f"CLINC150 not found at {path}; it ships in quantize/public_data/clinc150 (restore "
            "it from the repository) or set EDGE_DATA_DIR to a folder holding clinc150/"
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


DATASETS: dict[str, Callable[..., list[dict]]] = {"clinc150": clinc150, "pii-synth": pii_synth}


def load_dataset(name: str, split: str, **kwargs) -> list[dict]:
    if name not in DATASETS:
        raise DataError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    return DATASETS[name](split, **kwargs)
