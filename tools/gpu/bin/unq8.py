"""Rebuild FOLDER/model.safetensors (fp32, metadata format=pt) from FOLDER/model.q8.safetensors
(pack.py: 2-D float tensors as int8 in groups of 64 with fp16 scales, other floats fp16, ints as
they are); the q8 file is moved beside the folder, as open_base reads every *.safetensors."""

import json
import sys
from pathlib import Path

from safetensors import safe_open
from safetensors.torch import load_file, save_file

folder = Path(sys.argv[1])
src = folder / "model.q8.safetensors"
with safe_open(str(src), framework="pt") as f:
    meta = f.metadata()
assert meta.get("format") == "q8g64", meta.get("format")
quantized = json.loads(meta["quantized"])
sd = load_file(str(src))
out = {}
for k, v in sd.items():
    if k.endswith("::q") or k.endswith("::s"):
        continue
    out[k] = v.float() if v.is_floating_point() else v
for k, m in quantized.items():
    q, s = sd[k + "::q"], sd[k + "::s"]
    out[k] = (q.float() * s.float()[:, None]).reshape(m["shape"]).contiguous()
assert all(not k.endswith(("::q", "::s")) for k in out)
save_file(out, str(folder / "model.safetensors"), metadata={"format": "pt"})
src.rename(folder.parent / (folder.name + ".q8.safetensors"))
n = sum(v.numel() for v in out.values())
print(
    f"unq8: {folder}/model.safetensors, {len(out)} tensors, {n / 1e6:.1f} M values "
    f"({len(quantized)} dequantized), fp32"
)
