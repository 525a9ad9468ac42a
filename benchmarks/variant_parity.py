"""How close each variant of a default model stays to the merged PyTorch model, and how big its
file is: the figures behind ``edge/variants.py``'s default parity and size ranks.

``python -m benchmarks.variant_parity TASK [--variants A,B] [--sizes] [--texts N]`` merges the
committed adapter of TASK (pii, intent) into the MiniLM base, makes each variant the way the build
does (the table's maker, or llama.cpp's quantizer) and prints its argmax agreement with PyTorch on
N validation texts (seed 0; tokens for PII, texts for intent), the measure the build's parity
check uses (without its batch check), with the tensor types llama.cpp wrote. ``--sizes`` adds the
file size of every other variant of the table. Why its own tool and not ``edge build``: a build
stops at the first variant under its threshold, and the threshold is what is being chosen here.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from edge.backends import get_backend
from edge.backends.gguf_keys import HEAD_FILE
from edge.manifest import Variant, file_entry
from edge.specs import TASK_ALIASES, load_task_spec, task_data
from edge.tokenization import TextEncoder
from edge.variants import VARIANTS
from quantize.build import write_tokenizer
from quantize.datasets import load_dataset
from quantize.defaults import DEFAULT_BASE, default_adapter
from quantize.gguf_export import describe, quantize, write_gguf
from quantize.merge import merge
from quantize.onnx_export import export_fp32, make_variant
from quantize.parity import _units, probe_batches, torch_logits
from quantize.sources import open_adapter, open_base


def make(name: str, merged, spec, tmp: Path, extras: list) -> tuple[Path, dict]:
    """The variant's file in ``tmp`` (as the build makes it) and its quantization record."""
    row = VARIANTS[name]
    if row.format == "onnx":
        export = tmp / "_export.onnx"
        if not export.exists():
            export_fp32(merged, spec.kind, export)
        return make_variant(name, export, tmp)
    target = tmp / row.file
    if row.quantizer["ftype"] == 0:  # f32: the export itself
        target.write_bytes((tmp / "_export.f32.gguf").read_bytes())
        return target, describe(target, name)
    return target, quantize(tmp / "_export.f32.gguf", target, name, threads=1)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("task", choices=sorted(TASK_ALIASES.values()))
    ap.add_argument("--variants", default="gguf-q8_0,gguf-q5_1,gguf-q5_0,gguf-q4_0")
    ap.add_argument("--sizes", action="store_true", help="also every other variant's file size")
    ap.add_argument("--texts", type=int, default=1000)
    args = ap.parse_args(argv)
    checked = [v for v in args.variants.split(",") if v]
    unknown = [v for v in checked if v not in VARIANTS]
    if unknown:
        ap.error(f"unknown variants {unknown}; known: {', '.join(VARIANTS)}")
    sized = [v for v in VARIANTS if v not in checked] if args.sizes else []
    spec = load_task_spec(args.task)
    probes = task_data(spec).probes or ""  # the task spec's [data]: its validation set
    dataset, _, split = probes.partition(":")
    texts = [r["text"] for r in load_dataset(dataset, split)]
    texts = random.Random(0).sample(texts, min(args.texts, len(texts)))
    started = time.perf_counter()

    def say(line: str) -> None:
        print(f"[{time.perf_counter() - started:5.0f}s] {line}", flush=True)

    base = open_base(DEFAULT_BASE)
    merged = merge(base, open_adapter(default_adapter(args.task)), spec)
    with tempfile.TemporaryDirectory(prefix="edge-variant-parity-") as name:
        tmp = Path(name)
        special = write_tokenizer(base.path, tmp / "tokenizer.json")
        encoder = TextEncoder(tmp / "tokenizer.json", special, spec.max_length)
        batches = list(probe_batches(encoder, texts))
        refs = [torch_logits(merged, ids, mask) for (ids, mask), _ in batches]
        say(f"PyTorch reference: {len(texts)} {probes} texts")
        written = write_gguf(
            merged, spec, tmp / "tokenizer.json", tmp / "_export.f32.gguf", tmp / HEAD_FILE
        )
        extras = [file_entry(tmp, written.head_file)] if written.head_file else []
        for variant in [*checked, *sized]:
            row = VARIANTS[variant]
            target, record = make(variant, merged, spec, tmp, extras)
            size = f"{args.task} {variant:<12} {target.stat().st_size / 1e6:6.1f} MB"
            if variant not in checked:
                say(size)
                continue
            partial = Variant.model_construct(
                name=variant,
                format=row.format,
                model=file_entry(tmp, target),
                extra_files=extras if row.format == "gguf" else [],
                quantization=record,
            )
            backend = get_backend(row.format).open(tmp, partial, threads=1)
            agree = total = 0
            for ((ids, mask), lengths), ref in zip(batches, refs, strict=True):
                got = backend.logits(ids, mask)
                for r, n in enumerate(lengths):
                    a, b = _units(ref[r], n).argmax(-1), _units(got[r], n).argmax(-1)
                    agree += int(np.sum(a == b))
                    total += int(np.size(a))
            say(
                f"{size}  argmax agreement {agree / total:.4f} ({agree}/{total})  "
                f"{record.get('tensor_types', record.get('method'))}"
            )


if __name__ == "__main__":
    main()
