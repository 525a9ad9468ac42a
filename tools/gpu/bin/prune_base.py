"""A BERT base cut to its first k layers with a narrower feed-forward block (issue 17).

Why: one MiniLM layer misses `pii-fast`'s F1 bar and two miss its speed bar (fourteenth round:
x4.7 Presidio's speed on dev); the feed-forward products are two thirds of a layer's
multiply-adds, so two layers with half the feed-forward width cost about 0.5 ms less a text.
Which neurons stay is fixed by the weights alone: each intermediate neuron's importance is the
product of the norms of its input row (intermediate.dense) and its output column (output.dense),
and the top N are kept in their original order. The indices are written once, from the fp32
base, and read on the GPU machine, so its fp16 copy is cut at the same neurons.

usage: python3 prune_base.py --src BASE_DIR --layers 2 --ffn 768 --indices IDX.json --out DIR
       (IDX.json is written when missing, read when present)
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

SMALL = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")


def importance(weights: dict[str, np.ndarray], layer: int) -> np.ndarray:
    w_in = weights[f"encoder.layer.{layer}.intermediate.dense.weight"].astype(np.float64)
    w_out = weights[f"encoder.layer.{layer}.output.dense.weight"].astype(np.float64)
    return np.linalg.norm(w_in, axis=1) * np.linalg.norm(w_out, axis=0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", type=Path, required=True)
    ap.add_argument("--layers", type=int, required=True)
    ap.add_argument("--ffn", type=int, required=True)
    ap.add_argument("--indices", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    config = json.loads((args.src / "config.json").read_text())
    weights = load_file(str(args.src / "model.safetensors"))
    if args.indices.is_file():
        keep = {int(k): v for k, v in json.loads(args.indices.read_text()).items()}
    else:
        keep = {}
        for layer in range(args.layers):
            top = np.argsort(-importance(weights, layer), kind="stable")[: args.ffn]
            keep[layer] = sorted(int(i) for i in top)
        args.indices.write_text(json.dumps({str(k): v for k, v in keep.items()}))
    out: dict[str, np.ndarray] = {}
    for key, value in weights.items():
        parts = key.split(".")
        if parts[0] == "encoder" and int(parts[2]) >= args.layers:
            continue
        if parts[0] == "encoder":
            idx = np.array(keep[int(parts[2])])
            if key.endswith("intermediate.dense.weight"):
                value = value[idx, :]
            elif key.endswith("intermediate.dense.bias"):
                value = value[idx]
            elif key.endswith("output.dense.weight") and "attention" not in key:
                value = value[:, idx]
        out[key] = np.ascontiguousarray(value)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in SMALL:
        if (args.src / name).is_file():
            shutil.copy2(args.src / name, args.out / name)
    config = {**config, "num_hidden_layers": args.layers, "intermediate_size": args.ffn}
    (args.out / "config.json").write_text(json.dumps(config, indent=2))
    save_file(out, str(args.out / "model.safetensors"), metadata={"format": "pt"})
    print(f"{args.out}: {args.layers} layers, feed-forward {args.ffn}, {len(out)} tensors")


if __name__ == "__main__":
    main()
