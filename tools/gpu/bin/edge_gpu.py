"""The `edge` CLI on the GPU machine, unchanged but for two things around it:

- TF32 matmuls (torch.set_float32_matmul_precision("high")), as the shipped records' recipe says;
- with EDGE_GPU_CACHE=PATH, `--dataset pii-mixw` (splits train and val, default size and seed)
  reads the records that `--render-cache PATH` rendered earlier in this session on this machine
  with the same code (quantize.datasets.DATASETS["pii-mixw"]): the same records, without the
  ~40 s of rendering in every training call (those seconds count against the 600-s call).

usage: python3 .gpu/bin/edge_gpu.py train ...        (EDGE_GPU_CACHE=PATH to use the cache)
       python3 .gpu/bin/edge_gpu.py --render-cache PATH   (EDGE_GPU_SMOKE=NTRAIN,NVAL,NCLINC:
       only the first records of each, for a CPU smoke run: then clinc150 is cut too)
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time

import torch

torch.set_float32_matmul_precision("high")  # TF32 matmuls on the GPU


def _render(path: str) -> None:
    from quantize.data import records_sha256
    from quantize.datasets import DATASETS

    t = time.perf_counter()
    data = {split: DATASETS["pii-mixw"](split) for split in ("train", "val")}
    smoke = os.environ.get("EDGE_GPU_SMOKE")
    if smoke:
        n_train, n_val, n_clinc = (int(x) for x in smoke.split(","))
        data["train"], data["val"] = data["train"][:n_train], data["val"][:n_val]
        data["clinc150:train"] = DATASETS["clinc150"]("train")[:n_clinc]
    blob = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    with open(path, "wb") as f:
        f.write(blob)
    digest = hashlib.sha256(blob).hexdigest()
    with open(path + ".sha256", "w") as f:
        f.write(digest + "\n")
    shas = {k: records_sha256(v)[:12] for k, v in data.items()}
    sizes = {k: len(v) for k, v in data.items()}
    print(f"cache {path}: {sizes}, records_sha256 {shas}, {time.perf_counter() - t:.1f} s")


def _use(path: str) -> None:
    from quantize import datasets

    with open(path, "rb") as f:
        blob = f.read()
    with open(path + ".sha256") as f:
        want = f.read().strip()
    if hashlib.sha256(blob).hexdigest() != want:
        sys.exit(f"FATAL: {path} does not match its sha256")
    data = pickle.loads(blob)
    mixw, clinc = datasets.DATASETS["pii-mixw"], datasets.DATASETS["clinc150"]

    def pii_mixw(split, n=None, seed=None):
        if n is None and seed is None and split in data:
            return data[split]
        return mixw(split, n=n, seed=seed)

    def clinc150(split):
        return data.get(f"clinc150:{split}") or clinc(split)

    datasets.DATASETS["pii-mixw"] = pii_mixw
    if any(k.startswith("clinc150:") for k in data):  # smoke caches only
        datasets.DATASETS["clinc150"] = clinc150
    sizes = {k: len(v) for k, v in data.items()}
    print(f"edge_gpu: pii-mixw from the cache {path} {sizes}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--render-cache":
        _render(sys.argv[2])
        sys.exit(0)
    if os.environ.get("EDGE_GPU_CACHE"):
        _use(os.environ["EDGE_GPU_CACHE"])
    print(
        f"edge_gpu: torch {torch.__version__}, cuda {torch.cuda.is_available()}, "
        f"float32 matmul precision {torch.get_float32_matmul_precision()}",
        file=sys.stderr,
    )
    from edge.cli import main

    sys.argv[0] = "edge"
    main()
