"""Here, after the GPU calls: turn the fetched student adapters into records like the shipped ones.

usage: .venv/bin/python .gpu/post.py --fetched DIR [DIR ...] [--out .gpu/adapters]
       [--round eleventh]
       [--written-rounds five] [--data-sha SHA --val-sha SHA]   (the last two: smoke runs only)

DIR: folders holding what came back ($OUT of the teacher and students calls): pii.tgz,
fast03.tgz, fast015.tgz and teacher.tgz.00, .01, ... (the teacher's record gives its accuracy and
epochs for the note, and its adapter's sha256 is checked against the students' records).

For each student it writes OUT/<name>/ with the three files the shipped default adapters have
(adapter_config.json, adapter_model.safetensors, edge_adapter.json), and keeps the adapter as it
came back in OUT/raw/. In edge_adapter.json:
  - base_name / base_sha256: the real base here (all-MiniLM-L6-v2 59d71900..., :L1 a92896cf...),
    computed with quantize.sources.open_base and checked against those values;
  - trained_on_base_copy: {sha256 of the fp16 copy it trained on, why}; the copy's sha256 is
    recomputed here from the same fp16 rendering and must match;
  - teacher: base_name all-mpnet-base-v2, base_sha256 44244f3d... (the shipped records' value:
    sha256 of the fp16 rendering of the PyPI model, floats fp16, ints kept, metadata format=pt;
    recomputed here; open_base of the fp32 PyPI folder itself gives 5dd83f3c...), a note;
  - spec_file / validation_file dropped (the shipped records have none, nor those files);
  - recipe: the exact commands, as the shipped ones word it;
  - data_sha256 / val_sha256 checked against records_sha256 of pii-mixw train + clinc150:train
    texts / pii-mixw val rendered here.
adapter_config.json: base_model_name_or_path = the real base name.
Finally each adapter is checked against the real base (check_compatible: the sha too) and merged
and run once on it.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

from edge.manifest import sha256_file

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHIPPED_BASE = {
    "all-MiniLM-L6-v2": "59d7190004ba318d469ea82d2a667b73ef4079501840fa059aeb0b50aaaa0133",
    "all-MiniLM-L6-v2:L1": "a92896cf189364e2a90d3e9f6c01c5966e33060bbb9d8b0cf824c77e6dc1f1e7",
}
SHIPPED_COPY = {  # the fp16 copies the shipped records name in trained_on_base_copy
    "all-MiniLM-L6-v2": "9c6afaddf984f06aac8c0dc84a26f918809529e6c1f141563b890ac03be11258",
    "all-MiniLM-L6-v2:L1": "de25318be306136d57625da885c8c0eaf1d638e77f959207f3c9f531449befba",
}
TEACHER_NAME = "all-mpnet-base-v2"
TEACHER_SHA = "44244f3d0d03e9d3c2be4362bb31098d0d7a21873f2d9256b12dad78687be73e"
MPNET_DIR = ROOT / ".mpnet" / "base" / "all-mpnet-base-v2"
STUDENTS = {"pii": "pii", "fast03": "pii-fast-o0.3", "fast015": "pii-fast-o0.15"}
WHY = "GPU machine: base weights carried as fp16 (transfer limit), trained in fp32"
TEACHER_CMD = (
    "edge train --task pii --base all-mpnet-base-v2 --dataset pii-mixw --epochs {epochs} "
    "--batch-size {batch_size} --lr {lr} --lora-r {lora_r} --patience {patience} "
    "--o-weight {o_weight} --max-minutes {max_minutes}"
)
STUDENT_CMD = (
    "edge train --task pii --base {base} --dataset pii-mixw --teacher-base all-mpnet-base-v2 "
    "--teacher-adapter TEACHER --unlabelled clinc150:train --batch-size {batch_size} --lr {lr} "
    "--max-minutes {max_minutes} --distill-alpha {distill_alpha} --o-weight {o_weight} "
    "--lora-r {lora_r} --epochs {epochs} --patience {patience}"
)
# the shipped records' key order; o_logit_shift comes later, with the shift
ORDER = [
    "task",
    "kind",
    "labels",
    "base_name",
    "base_sha256",
    "data_sha256",
    "val_sha256",
    "train_records",
    "unlabelled_records",
    "val_records",
    "config",
    "oversampled_records",
    "history",
    "best",
    "teacher",
    "data",
    "seconds",
    "device",
    "created_at",
    "trained_on_base_copy",
    "recipe",
]
DROPPED = {"spec_file", "validation_file"}


def num(x: float) -> str:
    """9.0 -> 9, 0.0015 -> 0.0015, 1e-3 stays as the command had it (see TEACHER_CMD)."""
    return f"{x:g}" if x != 0.001 else "1e-3"


def fp16_copy_sha(src: Path, name_suffix: str = "", export: bool = True) -> str:
    """sha256 (open_base's) of the fp16 rendering of a base folder, as carried to the GPU."""
    from pack import write_fp16  # beside this file: the rendering pack.py carried

    from quantize.sources import open_base

    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        for f in ("config.json", "tokenizer.json"):
            shutil.copy2(src / f, t / f)
        write_fp16(src / "model.safetensors", t / "model.safetensors")
        return open_base(f"{t}{name_suffix}", export=export).sha256()


def extract(tgz_bytes: bytes, dest: Path) -> Path:
    with tarfile.open(fileobj=io.BytesIO(tgz_bytes), mode="r:gz") as tar:
        names = {m.name.split("/")[0] for m in tar.getmembers()}
        assert len(names) == 1, names
        tar.extractall(dest, filter="data")
    return dest / names.pop()


def find(dirs: list[Path], pattern: str) -> list[Path]:
    hits: list[Path] = []
    for d in dirs:
        hits += sorted(d.glob(pattern))
    return hits


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--fetched", nargs="+", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=ROOT / ".gpu" / "adapters")
    ap.add_argument("--round", default="eleventh")
    ap.add_argument("--written-rounds", default="five")
    ap.add_argument("--data-sha", help="expected data_sha256 (default: rendered here)")
    ap.add_argument("--val-sha", help="expected val_sha256 (default: rendered here)")
    args = ap.parse_args()

    import torch

    from edge.specs import load_task_spec
    from edge.tokenization import load_tokenizer
    from quantize.data import load_texts, records_sha256
    from quantize.datasets import load_dataset
    from quantize.merge import merge
    from quantize.sources import check_compatible, open_adapter, open_base, resolve_base

    spec = load_task_spec("pii")
    out = args.out
    shutil.rmtree(out, ignore_errors=True)
    (out / "raw").mkdir(parents=True)

    # the real bases, their fp16 copies, the teacher's base
    real = {n: open_base(n).sha256() for n in SHIPPED_BASE}
    for n, s in real.items():
        assert s == SHIPPED_BASE[n], (
            f"{n}: sha256 here {s} differs from the shipped {SHIPPED_BASE[n]}"
        )
    minilm = resolve_base("all-MiniLM-L6-v2")
    copy = {
        "all-MiniLM-L6-v2": fp16_copy_sha(minilm),
        "all-MiniLM-L6-v2:L1": fp16_copy_sha(minilm, ":L1"),
    }
    for n, s in copy.items():
        assert s == SHIPPED_COPY[n], f"{n}: fp16 copy sha256 {s} differs from the shipped records'"
    t_sha = fp16_copy_sha(MPNET_DIR, export=False)
    assert t_sha == TEACHER_SHA, f"MPNet fp16 rendering sha256 {t_sha} != the shipped {TEACHER_SHA}"
    print(f"bases: {real}\nfp16 copies: {copy}\nteacher base (fp16 rendering): {t_sha}")

    # the data the records must name
    if args.data_sha and args.val_sha:
        want_data, want_val = args.data_sha, args.val_sha
    else:
        train = load_dataset("pii-mixw", "train")
        want_data = records_sha256(train + load_texts("clinc150:train"))
        want_val = records_sha256(load_dataset("pii-mixw", "val"))
    print(f"data_sha256 expected {want_data}, val_sha256 {want_val}")

    # the teacher's own record
    parts = find(args.fetched, "teacher.tgz.*")
    teacher_rec, teacher_sha = None, None
    if parts:
        t_dir = extract(b"".join(p.read_bytes() for p in parts), out / "raw")
        teacher_rec = json.loads((t_dir / "edge_adapter.json").read_text())
        teacher_sha = sha256_file(t_dir / "adapter_model.safetensors")
        t_copy = teacher_rec["base_sha256"]
        print(
            f"teacher: {len(teacher_rec['history'])} epochs, best {teacher_rec['best']}, "
            f"{teacher_rec['seconds']} s, base copy {t_copy}"
        )
    else:
        print("WARNING: no teacher.tgz.* fetched: the note's accuracy comes from nowhere")

    problems = []
    for key, name in STUDENTS.items():
        tgz = find(args.fetched, f"{key}.tgz")
        if not tgz:
            print(f"{key}: not fetched, skipped")
            continue
        raw = extract(tgz[0].read_bytes(), out / "raw")
        rec = json.loads((raw / "edge_adapter.json").read_text())
        cfg = rec["config"]
        fast = rec["base_name"].endswith(":L1")
        base_name = "all-MiniLM-L6-v2:L1" if fast else "all-MiniLM-L6-v2"
        copy_sha = rec["base_sha256"]
        if copy_sha != copy[base_name]:
            problems.append(
                f"{key}: trained on a copy {copy_sha}, not the fp16 copy {copy[base_name]}"
            )
        if rec["data_sha256"] != want_data:
            problems.append(
                f"{key}: data_sha256 {rec['data_sha256']} != {want_data} (the data here)"
            )
        if rec["val_sha256"] != want_val:
            problems.append(f"{key}: val_sha256 {rec['val_sha256']} != {want_val}")
        t = dict(rec["teacher"])
        if teacher_sha and t["adapter_sha256"] != teacher_sha:
            problems.append(
                f"{key}: teacher adapter {t['adapter_sha256']} is not the fetched {teacher_sha}"
            )
        if teacher_rec and t["base_sha256"] != teacher_rec["base_sha256"]:
            problems.append(f"{key}: teacher base copy differs from the teacher's own record")
        t_epochs = len(teacher_rec["history"]) if teacher_rec else "?"
        t_acc = f"{teacher_rec['best']['val_accuracy']:.4f}" if teacher_rec else "?"
        tc = (
            teacher_rec["config"]
            if teacher_rec
            else dict(
                epochs=3,
                batch_size=64,
                lr=0.0003,
                lora_r=32,
                patience=3,
                o_weight=0.5,
                max_minutes=8.6,
            )
        )
        t_note = (
            f"{TEACHER_NAME} (sentence-transformers, Apache-2.0 model card; MPNet, Song et al. "
            f"2020) with a rank-{tc.get('lora_r', 32)} PII LoRA adapter trained on the GPU (issue "
            f"17, {args.round} round): {t_epochs} epoch{'' if t_epochs == 1 else 's'} of "
            "pii-mixw (pii-mix plus the "
            f"hand-written pii-written texts of {args.written_rounds} rounds x3), --o-weight "
            f"{num(tc.get('o_weight', 0.5))}, val token accuracy {t_acc}; its base carried as int8 "
            f"in groups of 64 with fp16 scales (transfer limit; copy sha256 {t['base_sha256']}), "
            "trained in fp32; the teacher adapter is not shipped"
        )
        teacher = {
            "base_name": TEACHER_NAME,
            "base_sha256": TEACHER_SHA,
            "adapter_sha256": t["adapter_sha256"],
            "layers": t["layers"],
            "model_type": t["model_type"],
            "token_ids": t["token_ids"],
            "note": t_note,
        }
        t_cmd = TEACHER_CMD.format(
            **{k: num(v) if isinstance(v, float) else v for k, v in tc.items()}
        )
        s_cmd = STUDENT_CMD.format(
            base=base_name, **{k: num(v) if isinstance(v, float) else v for k, v in cfg.items()}
        )
        rec.update(
            base_name=base_name,
            base_sha256=real[base_name],
            teacher=teacher,
            trained_on_base_copy={"sha256": copy_sha, "why": WHY},
            recipe=f"teacher: {t_cmd}; this adapter: {s_cmd} "
            "(three students at once on one H200, TF32 matmuls)",
        )
        unknown = set(rec) - set(ORDER) - DROPPED
        assert not unknown, f"{key}: fields the shipped records do not have: {unknown}"
        final = {k: rec[k] for k in ORDER if k in rec}
        dest = out / name
        dest.mkdir()
        shutil.copy2(raw / "adapter_model.safetensors", dest / "adapter_model.safetensors")
        acfg = json.loads((raw / "adapter_config.json").read_text())
        acfg["base_model_name_or_path"] = base_name
        (dest / "adapter_config.json").write_text(json.dumps(acfg, indent=2, sort_keys=True) + "\n")
        (dest / "edge_adapter.json").write_text(json.dumps(final, indent=2) + "\n")

        # the adapter against the real base: check_compatible (sha included), merge, one text
        base = open_base(base_name)
        adapter = open_adapter(dest)
        check_compatible(base, adapter, spec)
        model = merge(base, adapter, spec).float().eval()
        tok = load_tokenizer(base.path / "tokenizer.json", RuntimeError)
        ids = torch.tensor([tok.encode("Write to Ana Ruiz at ana.ruiz@example.org").ids])
        with torch.no_grad():
            logits = model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits
        labels = [spec.model_labels[i] for i in logits.argmax(-1)[0].tolist()]
        print(
            f"{key} -> {dest}: base {base_name} {real[base_name][:8]} (copy {copy_sha[:8]}), "
            f"{len(rec['history'])} epochs, best {rec['best']['val_accuracy']:.4f}, "
            f"{rec['seconds']} s; merged on the real base: {labels}"
        )
    if problems:
        print("PROBLEMS:")
        for p in problems:
            print("  -", p)
        sys.exit(1)
    print("post: ok")


if __name__ == "__main__":
    main()
