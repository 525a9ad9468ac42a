"""A base cut to its first k layers with a narrower feed-forward block ("BASE:L<k>:F<n>").

Why: one MiniLM layer misses `pii-fast`'s F1 bar and two full layers miss its speed bar
(issue 17, fourteenth round: x4.7 Presidio's speed on dev); the feed-forward products are two
thirds of a layer's multiply-adds, so two layers of 768 feed-forward neurons instead of 1,536
cost about 0.6 ms less a text (one thread) and trained as well as the full width.

Which neurons stay is fixed by the weights alone, so every machine derives the same base from
the same package: a neuron's importance is the product of the norms of its input row
(``intermediate.dense``) and its output column (``output.dense``), in float64, and the N most
important stay in their original order. The cut base is written once under
``$EDGE_HOME/bases`` (temp folder, then rename) and opened like any base folder. Written here
because pruning libraries (torch.nn.utils.prune) mask weights rather than remove them, which
saves no time at inference.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

from edge.fsutil import staged_dir

SMALL_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")


def out_of_range(config: dict, layers: int, ffn: int) -> str | None:
    """Why ``layers`` layers of ``ffn`` neurons cannot be cut from a base of this ``config``
    (None: they can); one check for ``write_cut`` and ``open_base``'s ``:L<k>:F<n>``."""
    full, width = int(config["num_hidden_layers"]), int(config["intermediate_size"])
    if 1 <= layers <= full and 1 <= ffn <= width:
        return None
    return (
        f"has {full} layers of {width} feed-forward neurons, so :L1 to :L{full} and :F1 to "
        f":F{width} can be asked for"
    )


def importance(weights: dict[str, np.ndarray], layer: int) -> np.ndarray:
    """Per intermediate neuron of ``layer``: |input row| * |output column| (float64)."""
    w_in = weights[f"encoder.layer.{layer}.intermediate.dense.weight"].astype(np.float64)
    w_out = weights[f"encoder.layer.{layer}.output.dense.weight"].astype(np.float64)
    return np.linalg.norm(w_in, axis=1) * np.linalg.norm(w_out, axis=0)


def kept_neurons(weights: dict[str, np.ndarray], layers: int, ffn: int) -> dict[int, list[int]]:
    """The ``ffn`` most important neurons of each of the first ``layers`` layers, in order."""
    keep = {}
    for layer in range(layers):
        top = np.argsort(-importance(weights, layer), kind="stable")[:ffn]
        keep[layer] = sorted(int(i) for i in top)
    return keep


def cut_weights(
    weights: dict[str, np.ndarray], layers: int, keep: dict[int, list[int]]
) -> dict[str, np.ndarray]:
    """The tensors of the first ``layers`` layers with only the ``keep`` neurons' rows/columns."""
    out: dict[str, np.ndarray] = {}
    for key, value in weights.items():
        parts = key.split(".")
        if parts[0] == "encoder":
            layer = int(parts[2])
            if layer >= layers:
                continue
            idx = np.array(keep[layer])
            if key.endswith("intermediate.dense.weight"):
                value = value[idx, :]
            elif key.endswith("intermediate.dense.bias"):
                value = value[idx]
            elif key.endswith("output.dense.weight") and "attention" not in key:
                value = value[:, idx]
        out[key] = np.ascontiguousarray(value)
    return out


def _first_wins(tmp: Path, out: Path) -> None:
    """Move the finished cut into place unless another process already did (the same bytes):
    replacing it would pull the folder from under a reader."""
    try:
        os.rename(tmp, out)  # fails when ``out`` exists and is not empty
    except OSError:
        if not (out / "model.safetensors").is_file():
            raise


def write_cut(
    src: Path, out: Path, layers: int, ffn: int, keep: dict[int, list[int]] | None = None
) -> dict[int, list[int]]:
    """Write ``src`` cut to ``layers`` layers of ``ffn`` neurons into ``out`` (atomically);
    ``keep`` (e.g. computed from an fp32 copy) overrides the neurons chosen from ``src``."""
    from safetensors.numpy import load_file, save_file

    config = json.loads((src / "config.json").read_text())
    if why := out_of_range(config, layers, ffn):
        raise ValueError(f"{src} {why}")
    weights = load_file(str(src / "model.safetensors"))
    keep = keep or kept_neurons(weights, layers, ffn)
    with staged_dir(out, swap=_first_wins) as tmp:
        for name in SMALL_FILES:
            if (src / name).is_file():
                shutil.copy2(src / name, tmp / name)
        cut = {**config, "num_hidden_layers": layers, "intermediate_size": ffn}
        (tmp / "config.json").write_text(json.dumps(cut, indent=2))
        save_file(
            cut_weights(weights, layers, keep),
            str(tmp / "model.safetensors"),
            metadata={"format": "pt"},
        )
    return keep
