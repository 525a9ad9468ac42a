"""The GGUF half of ``edge build``: merged model → f32 GGUF → each requested llama.cpp type, every
one measured against the merged PyTorch model on the same probe ids as the ONNX variants.

Same contract as the ONNX builder in quantize/build.py: files go into the build's temporary folder,
each returned Variant carries its parity record, and build.py refuses the artifact if any failed.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from edge.backends.gguf_keys import HEAD_FILE
from edge.errors import BuildError
from edge.manifest import Variant, file_entry
from edge.specs import TaskSpec
from edge.tokenization import TextEncoder
from quantize import parity
from quantize.gguf_export import (
    ALL_F32,
    GGUF_VARIANTS,
    check_takes,
    describe,
    quantize,
    write_gguf,
)

EXPORT_FILE = "_export.f32.gguf"
Progress = tuple[Callable[[str], None], Callable[[], None]]


def _no_progress() -> Progress:
    return (lambda desc: None), (lambda: None)


def build_gguf_variants(
    merged_model,
    spec: TaskSpec,
    tmp_dir: Path,
    variants: list[str] | tuple[str, ...],
    encoder: TextEncoder,
    texts: list[str],
    *,
    progress: Progress | None = None,
    threads: int | None = None,
) -> list[Variant]:
    """Write, quantize and parity-check each GGUF variant; refuse types the model cannot take."""
    from edge.backends.gguf import GGUFBackend, load_llama_cpp

    load_llama_cpp()  # the optional extra is missing: say so before any work
    advance, done = progress or _no_progress()
    unknown = [v for v in variants if v not in GGUF_VARIANTS]
    if unknown:
        raise BuildError(f"unknown GGUF variants {unknown}; choose from {', '.join(GGUF_VARIANTS)}")
    for name in variants:  # before any heavy work: say which types this model cannot take
        check_takes(name, merged_model.config)
    tmp_dir = Path(tmp_dir)
    if not (tmp_dir / "tokenizer.json").is_file():  # the GGUF's vocab is the artifact's tokenizer
        raise BuildError(f"{tmp_dir} has no tokenizer.json; write it before the GGUF variants")
    export = tmp_dir / EXPORT_FILE
    head = tmp_dir / HEAD_FILE
    advance("exporting GGUF f32")
    written = write_gguf(merged_model, spec, tmp_dir / "tokenizer.json", export, head)
    extras = [file_entry(tmp_dir, written.head_file)] if written.head_file else []
    done()
    built: list[Variant] = []
    try:
        for name in variants:
            t = GGUF_VARIANTS[name]
            advance(f"making {name}")
            target = tmp_dir / t.file
            if t.ftype == ALL_F32:  # the export is the variant
                shutil.copyfile(export, target)
                settings = describe(target, name)
            else:
                settings = quantize(export, target, name, threads=threads)
            done()
            advance(f"parity {name} vs PyTorch")
            entry = file_entry(tmp_dir, target)
            partial = Variant.model_construct(
                name=name, format="gguf", model=entry, extra_files=extras
            )
            backend = GGUFBackend.open(tmp_dir, partial, threads=threads)
            try:
                record = parity.measure(spec, name, texts, encoder, merged_model, backend)
            finally:
                backend.close()
            built.append(
                Variant(
                    name=name,
                    format="gguf",
                    model=entry,
                    extra_files=extras,
                    quantization=settings,
                    parity=record,
                )
            )
            done()
    finally:
        export.unlink(missing_ok=True)
    return built
