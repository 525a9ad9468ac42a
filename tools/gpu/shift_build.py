"""Here, after a students call: build a fetched student with its O logit shifted, to measure it.

usage: .venv/bin/python .gpu/shift_build.py STUDENT_DIR DELTA OUT [--base all-MiniLM-L6-v2:L2]

STUDENT_DIR is an adapter as it came back (s_NAME/ of NAME.tgz): trained on the GPU's fp16 copy
of the base, so its record names that copy. OUT/adapter gets the record pointed at the real base
(the copy's sha256 kept as trained_on_base_copy), DELTA added to the classifier bias of label O
(recorded as o_logit_shift with the trained bias), and OUT/art the fp32 + int8 build, whose
parity check decides whether the shifted student builds at all. For measuring only (pii_errors,
presidio_compare); a student that ships still goes through post.py's full record.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from safetensors.numpy import load_file, save_file

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIAS = "base_model.model.classifier.bias"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("student", type=Path)
    ap.add_argument("delta", type=float)
    ap.add_argument("out", type=Path)
    ap.add_argument("--base", default="all-MiniLM-L6-v2:L2")
    args = ap.parse_args()
    from quantize.sources import open_base

    adapter = args.out / "adapter"
    shutil.rmtree(args.out, ignore_errors=True)
    adapter.mkdir(parents=True)
    for name in ("adapter_config.json", "adapter_model.safetensors", "edge_adapter.json"):
        shutil.copy2(args.student / name, adapter / name)
    rec = json.loads((adapter / "edge_adapter.json").read_text())
    rec["trained_on_base_copy"] = {"sha256": rec["base_sha256"], "why": "GPU machine: fp16 copy"}
    rec["base_name"], rec["base_sha256"] = args.base, open_base(args.base).sha256()
    rec.pop("spec_file", None)
    rec.pop("validation_file", None)
    weights = load_file(str(adapter / "adapter_model.safetensors"))
    bias = weights[BIAS].copy()
    rec["o_logit_shift"] = {"value": args.delta, "trained_bias": float(bias[0])}
    bias[0] += args.delta
    weights[BIAS] = bias
    save_file(weights, str(adapter / "adapter_model.safetensors"), metadata={"format": "pt"})
    (adapter / "edge_adapter.json").write_text(json.dumps(rec, indent=1))
    cfg = json.loads((adapter / "adapter_config.json").read_text())
    cfg["base_model_name_or_path"] = args.base
    (adapter / "adapter_config.json").write_text(json.dumps(cfg, indent=1))
    cmd = [str(ROOT / ".venv" / "bin" / "edge"), "build", "--base", args.base, "--adapter"]
    cmd += [str(adapter), "--task", "pii", "--out", str(args.out / "art"), "--variants"]
    sys.exit(subprocess.run([*cmd, "fp32,int8", "--quiet"]).returncode)


if __name__ == "__main__":
    main()
