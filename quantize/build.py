"""``edge build``: base + LoRA adapter + task spec → a verified artifact folder.

Nothing half-written: everything is made in a temporary sibling folder and renamed into place
only after every variant passed parity; a failure leaves the old artifact (if any) untouched.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

import edge
from edge.backends import get_backend
from edge.errors import BuildError, ParityError
from edge.fsutil import open_atomic, replace_dir, staged_dir
from edge.manifest import (
    MANIFEST_NAME,
    Manifest,
    SourceRecord,
    Variant,
    file_entry,
)
from edge.specs import TaskSpec, load_task_spec
from edge.tokenization import TextEncoder, load_tokenizer, show_line_breaks
from edge.variants import VARIANTS, default_build
from quantize import parity
from quantize.gguf_build import build_gguf_variants
from quantize.merge import merge
from quantize.onnx_export import export_fp32, make_variant
from quantize.probes import BUILTIN_PROBES, load_probes
from quantize.sources import check_compatible, open_adapter, open_base

SPECIAL_TOKENS = {"cls": "[CLS]", "sep": "[SEP]", "pad": "[PAD]"}

# `edge build --format F` without --variants builds the rows marked ``default_build`` in
# edge.variants. ONNX int4 (MatMulNBits) is built by name (`--variants int4`) or by `edge build
# --profile` where a profile allows it; it is not in the onnx default because on intent it agrees
# with PyTorch a point less than int8 does.
FORMAT_VARIANTS: dict[str, tuple[str, ...]] = {
    "onnx": default_build("onnx"),
    "gguf": default_build("gguf"),
}
FORMAT_VARIANTS["all"] = FORMAT_VARIANTS["onnx"] + FORMAT_VARIANTS["gguf"]


def write_tokenizer(base_dir: Path, out_file: Path) -> dict[str, int]:
    """Copy the base tokenizer with truncation and padding off (the runtime windows itself) and
    line breaks shown to the model (``show_line_breaks``, as in training)."""
    tok = show_line_breaks(load_tokenizer(base_dir / "tokenizer.json", BuildError))
    ids = {}
    for key, token in SPECIAL_TOKENS.items():
        tid = tok.token_to_id(token)
        if tid is None:
            raise BuildError(f"{base_dir / 'tokenizer.json'} has no {token} token (not BERT?)")
        ids[key] = tid
    tok.save(str(out_file))
    return ids


def write_json_atomic(path: Path, data: dict) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    with open_atomic(path, 0o666) as fh:  # as open() would: the umask narrows it
        fh.write(text.encode("utf-8"))


def publish(tmp_dir: Path, out_dir: Path, force: bool) -> None:
    """Move the finished folder into place; with ``force`` the old one goes only after."""
    if out_dir.exists() and not force:
        raise BuildError(f"{out_dir} exists; pass --force to replace it")
    replace_dir(tmp_dir, out_dir)


def step_bar(console: Console, quiet: bool) -> Progress:
    """The build's bar (description, bar, n/total, elapsed); edge build --profile's too."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
    )


@contextmanager
def steps(console: Console, total: int, quiet: bool):
    progress = step_bar(console, quiet)
    with progress:
        task = progress.add_task("build", total=total)

        def advance(desc: str) -> None:
            progress.update(task, description=desc)

        def done() -> None:
            progress.advance(task)

        yield advance, done


def default_variant(variants: list[str]) -> str:
    """The variant ``edge.load`` opens when none is named: int8 when built, else the first."""
    return "int8" if "int8" in variants else variants[0]


def build_onnx_variants(
    merged,
    spec: TaskSpec,
    tmp_dir: Path,
    variants: list[str],
    encoder: TextEncoder,
    texts: list[str],
    *,
    progress: tuple[Callable[[str], None], Callable[[], None]],
) -> list[Variant]:
    """ONNX fp32 export, then each ONNX variant with its parity record."""
    advance, done = progress
    advance("exporting ONNX fp32")
    export_file = tmp_dir / "_export.onnx"
    export_fp32(merged, spec.kind, export_file)
    done()
    built: list[Variant] = []
    try:
        for name in variants:
            advance(f"making {name}")
            target, settings = make_variant(name, export_file, tmp_dir)
            done()
            advance(f"parity {name} vs PyTorch")
            entry = file_entry(tmp_dir, target)
            partial = Variant.model_construct(
                name=name, format="onnx", model=entry, quantization=settings
            )
            # The variant `edge.load` opens by default keeps its optimized graph, so the first
            # start after a build is as quick as the next ones; the others are opened only here.
            backend = get_backend("onnx").open(
                tmp_dir, partial, threads=None, keep_optimized=name == default_variant(variants)
            )
            record = parity.measure(spec, name, texts, encoder, merged, backend)
            built.append(
                Variant(
                    name=name,
                    format="onnx",
                    model=entry,
                    quantization=settings,
                    parity=record,
                )
            )
            done()
    finally:
        export_file.unlink(missing_ok=True)
    return built


# Each format's builder (same signature): data, not ifs. Which format a variant is: edge.variants.
FORMAT_BUILDERS: dict[str, Callable[..., list[Variant]]] = {
    "onnx": build_onnx_variants,
    "gguf": build_gguf_variants,
}


def build_variants(
    base_dir,
    adapter_dir,
    spec: TaskSpec,
    tmp_dir: Path,
    variants,
    texts,
    progress,
    label="",
    labelled: list[dict] | None = None,
) -> tuple[list[Variant], dict[str, int]]:
    """Merge, write the tokenizer, and make each variant with its format's builder (parity
    recorded, not enforced: ``build`` refuses a failure, ``edge build --profile`` reports it).
    With ``labelled`` intent records, each variant is judged on its accuracy on them."""
    advance, done = progress
    advance(f"{label}merging LoRA adapter")
    merged = merge(base_dir, adapter_dir, spec)
    special = write_tokenizer(base_dir.path, tmp_dir / "tokenizer.json")
    encoder = TextEncoder(tmp_dir / "tokenizer.json", special, spec.max_length)
    done()
    built: list[Variant] = []
    for fmt, builder in FORMAT_BUILDERS.items():
        names = [v for v in variants if VARIANTS[v].format == fmt]
        if names:
            built += builder(merged, spec, tmp_dir, names, encoder, texts, progress=progress)
    if labelled:
        advance(f"{label}accuracy on {len(labelled)} labelled texts")
        built = parity.judge_on_labelled(spec, built, labelled, encoder, merged, tmp_dir)
    return built, special


def saved_validation(adapter_dir, spec: TaskSpec) -> list[dict] | None:
    """The labelled validation split `edge train` saved beside an intent adapter, if any."""
    from quantize.data import load_records
    from quantize.newtask import VALIDATION_FILE

    path = adapter_dir.path / VALIDATION_FILE
    if spec.kind != "sequence-classification" or not path.is_file():
        return None
    return load_records(path, spec)


def build(
    base: str | Path,
    adapter: str | Path,
    task: str | Path | TaskSpec,
    out_dir: str | Path,
    *,
    variants: tuple[str, ...] = ("fp32", "int8"),
    probe_texts: list[str] | None = None,
    labelled: list[dict] | None = None,
    force: bool = False,
    quiet: bool = False,
    console: Console | None = None,
) -> Manifest:
    """``labelled``: intent records each variant's accuracy is judged on (default: the
    validation split saved beside the adapter; none: argmax agreement on the probes)."""
    started = time.perf_counter()
    console = console or Console(stderr=True)
    spec = task if isinstance(task, TaskSpec) else load_task_spec(task)
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown or not variants or len(set(variants)) != len(variants):
        raise BuildError(
            f"unknown or repeated variants {unknown or list(variants)}; choose from "
            f"{', '.join(VARIANTS)}"
        )
    base_dir = open_base(base)
    adapter_dir = open_adapter(adapter)
    check_compatible(base_dir, adapter_dir, spec)
    out_dir = Path(out_dir)
    if out_dir.exists() and not force:
        raise BuildError(f"{out_dir} exists; pass --force to replace it")
    if labelled is None:
        labelled = saved_validation(adapter_dir, spec)
    if probe_texts:
        texts = probe_texts
    elif labelled and not spec.probe_file:  # the task's own texts, and the hard token paths
        texts = list(BUILTIN_PROBES) + [r["text"] for r in labelled]
    else:
        texts = load_probes(spec.probe_file)
    with staged_dir(out_dir, lambda tmp, out: publish(tmp, out, force)) as tmp_dir:
        formats = {VARIANTS[v].format for v in variants}
        with steps(console, 2 + len(formats) + 2 * len(variants), quiet) as (advance, done):
            built, special = build_variants(
                base_dir,
                adapter_dir,
                spec,
                tmp_dir,
                variants,
                texts,
                (advance, done),
                labelled=labelled,
            )
            built.sort(key=lambda v: variants.index(v.name))
            failed = [v for v in built if not v.parity.passed]
            if failed:
                lines = [parity.failure_line(v) for v in failed]
                raise ParityError(
                    "parity check failed, nothing written:\n"
                    + "\n".join(lines)
                    + "\n"
                    + parity.failure_remedy(failed)
                )
            advance("writing manifest")
            manifest = Manifest(
                edge_version=edge.__version__,
                created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                task=spec,
                labels=spec.model_labels,
                base_model=SourceRecord(name=base_dir.name, sha256=base_dir.sha256()),
                adapter=SourceRecord(
                    name=adapter_dir.path.name,
                    sha256=adapter_dir.sha256(),
                    training_data=(adapter_dir.record or {}).get("data"),
                ),
                tokenizer=file_entry(tmp_dir, tmp_dir / "tokenizer.json"),
                special_tokens=special,
                variants=built,
                default_variant=default_variant(variants),
                build_seconds=round(time.perf_counter() - started, 2),
            )
            write_json_atomic(tmp_dir / MANIFEST_NAME, manifest.model_dump(mode="json"))
            done()
    return manifest
