"""A base cut to its first k layers with a narrower feed-forward block, for the GPU machine.

quantize/prune.py does the cut (`open_base("all-MiniLM-L6-v2:L2:F768")` here); this wrapper
cuts the GPU's fp16 copy at the neurons chosen on the fp32 base, which --indices carries
(written when missing, read when present), so both copies keep the same neurons.

usage: python3 prune_base.py --src BASE_DIR --layers 2 --ffn 768 --indices IDX.json --out DIR
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from quantize.prune import write_cut


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", type=Path, required=True)
    ap.add_argument("--layers", type=int, required=True)
    ap.add_argument("--ffn", type=int, required=True)
    ap.add_argument("--indices", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    keep = None
    if args.indices.is_file():
        keep = {int(k): v for k, v in json.loads(args.indices.read_text()).items()}
    keep = write_cut(args.src, args.out, args.layers, args.ffn, keep)
    if not args.indices.is_file():
        args.indices.write_text(json.dumps({str(k): v for k, v in keep.items()}))
    print(f"{args.out}: {args.layers} layers, feed-forward {args.ffn}")


if __name__ == "__main__":
    main()
