"""Every model variant edge knows, in one table that the runtime, the build, hardware profiles and
the selection all read.

Why one table: a variant's facts (the format that runs it, its file, how the build makes it, the
parity it must keep unless a spec says otherwise, how small it is) used to be spread over seven
modules, so a new quantization was seven edits. Now it is one row here, plus its maker when no
existing one fits: ONNX makers are looked up by ``maker`` in ``quantize/onnx_export.py``; every
GGUF type goes through llama.cpp's quantizer with the row's ``ftype``, so a GGUF row needs no
code. Plain data without torch, onnx or gguf imports (the way gguf-py keeps its format tables,
``GGML_QUANT_SIZES`` and ``LlamaFileType``), so the light runtime can read it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Format = Literal["onnx", "gguf"]
FORMATS: tuple[Format, ...] = ("onnx", "gguf")
Setting = str | int | float | bool


@dataclass(frozen=True)
class VariantInfo:
    """One variant: what the build makes and the runtime loads under ``name``.

    ``quantizer``: the maker's settings. ONNX rows: recorded in the manifest as they are (the
    maker reads its parameters from them). GGUF rows: llama.h's ``enum llama_ftype`` value
    (``ftype``, plain ints so the table needs no gguf package), the row width a tensor needs to
    take the type (``block``) and the ggml type most tensors get (``type_name``).
    ``parity``: default thresholds (``edge.specs.ParityThresholds`` fields) for a spec whose
    ``[parity]`` does not name the variant. ``weight_bits``: nominal bits per quantized weight,
    scales included. ``size_rank``: order of the files' sizes on the default MiniLM-L6 models
    (1: smallest; equal ranks: the same size to 0.1 MB), which is not the order of
    ``weight_bits``: int4 quantizes the word embeddings too, while llama.cpp keeps them at q6_K or
    better, which on MiniLM's 384-wide rows falls back to q8_0 (half the model's weights), and
    k-quants fall back on every matrix but the FFN-down ones. ``default_build``: made by ``edge
    build --format FORMAT``; ``menu``: cached by ``edge build --profile`` whatever the profile
    asks.
    """

    name: str
    format: Format
    file: str
    maker: str
    quantizer: Mapping[str, Setting]
    parity: Mapping[str, float]
    weight_bits: float
    size_rank: int
    default_build: bool = False
    menu: bool = False

    def __post_init__(self) -> None:  # read-only tables: a caller must not edit the defaults
        object.__setattr__(self, "quantizer", MappingProxyType(dict(self.quantizer)))
        object.__setattr__(self, "parity", MappingProxyType(dict(self.parity)))

    @property
    def quantized(self) -> bool:
        """Integer weights (not a float copy): what "a smaller quant" means to the selection."""
        return self.weight_bits < 16


def _gguf(
    suffix: str, type_name: str, ftype: int, block: int, bits: float, rank: int, **kw
) -> VariantInfo:
    """A llama.cpp type (``gguf-SUFFIX``), made by ``llama_model_quantize`` from the f32 export."""
    quant = {"ftype": ftype, "block": block, "type_name": type_name}
    return VariantInfo(
        f"gguf-{suffix}",
        "gguf",
        f"model.{suffix}.gguf",
        "llama.cpp",
        quant,
        weight_bits=bits,
        size_rank=rank,
        **kw,
    )


def _agree(x: float) -> dict[str, float]:
    return {"min_argmax_agreement": x}


# Default parity: argmax agreement with the merged PyTorch model, measured on the default
# MiniLM-L6 adapters (PII: 12,645 tokens of held-out synthetic text / intent: 1,000 CLINC150 val
# texts; ONNX int8 for scale 0.992 / 0.991): gguf f32 0.9999 / 1.000, f16 0.9999 / 1.000, q8_0
# 0.9986 / 0.996, q6_k 0.9984 / 0.995, q5_k_m 0.9963 / 0.984, q5_0 0.9931 / 0.990, q4_k_m
# 0.9939 / 0.987, q4_0 0.9878 / 0.977. Each default sits about a point under the lower of its
# pair; even the loosest catches a broken conversion (the pooler-less intent head agrees 0.015).
# GGUF f32 cannot be held to 1e-3: llama.cpp's CPU GELU is the tanh form read from an f16 table
# (ggml-cpu/vec.h, GGML_GELU_FP16), so exact f32 weights still move the default models' logits by
# up to 0.053 (PII) / 0.028 (intent); tests/test_gguf.py shows the conversion itself is exact
# against a PyTorch model given that same GELU.
# ONNX int4 (MatMulNBits blocks of 32, embeddings included), same measure on 29,766 PII
# validation tokens / 1,000 CLINC150 val texts: 0.9997 / 0.976 (int8 on the same texts 0.9998 /
# 0.984); on the build's own probes (val texts + the hard built-in ones) 0.9987 / 0.968 with the
# CLS-pooled intent adapter, 0.9992 / 0.979 with the mean-pooled one.
# Sizes (size_rank), the default PII model's files in MB (`python -m benchmarks.variant_parity
# pii --sizes`): int4 14.3, gguf q4_0 20.0, q5_0 21.3, q4_k_m 21.3, q5_k_m 22.0, int8 23.0, q6_k
# 24.4, q8_0 25.3, f16 46.2, fp32 90.4.
# gguf-q5_1 (5-bit blocks of 32 with a scale and a minimum), added as one row, measured with
# today's default adapters beside q5_0 (`python -m benchmarks.variant_parity pii --texts 400`:
# 12,971 PII tokens of 400 val texts / `... intent`: 1,000 CLINC150 val texts): q5_1 1.0000 /
# 0.995, q5_0 1.0000 / 0.995, q8_0 1.0000 / 0.998, q4_0 1.0000 / 0.990; 22.0 MB. Its default is
# q5_0's, which it matched.
_ROWS: tuple[VariantInfo, ...] = (
    VariantInfo(
        "fp32",
        "onnx",
        "model.fp32.onnx",
        "copy",
        {"method": "none", "dtype": "float32"},
        {"max_abs_logit_diff": 1e-3, "min_argmax_agreement": 1.0},
        weight_bits=32,
        size_rank=9,
        default_build=True,
        menu=True,
    ),
    # Why reduce_range (7-bit weights): on x86 without VNNI (AVX2 only) onnxruntime multiplies u8
    # activations by s8 weights in pairs summed into int16 (vpmaddubsw), which saturates;
    # full-range weights lost the tiny test model's int8 parity on such a CPU (agreement 0.87).
    # graph "rows-alone": dynamic int8 runs one unpadded row at a time, so the graph is
    # specialised for that (quantize/rows_alone.py: no mask bias, shapes as constants).
    VariantInfo(
        "int8",
        "onnx",
        "model.int8.onnx",
        "onnx-dynamic",
        {
            "method": "dynamic",
            "weight_type": "QInt8",
            "per_channel": True,
            "reduce_range": True,
            "graph": "rows-alone",
        },
        _agree(0.99),
        weight_bits=8,
        size_rank=5,
        default_build=True,
        menu=True,
    ),
    VariantInfo(
        "int4",
        "onnx",
        "model.int4.onnx",
        "onnx-matmulnbits",
        {
            "method": "weight-only blockwise (MatMulNBits, GatherBlockQuantized)",
            "weight_bits": 4,
            "block_size": 32,
            "symmetric": True,
            "ops": "MatMul,Gather",
            "activations": "float32",
        },
        _agree(0.965),
        weight_bits=4.5,
        size_rank=1,
        menu=True,
    ),
    _gguf(
        "f32",
        "f32",
        0,
        1,
        32,
        9,
        parity={"max_abs_logit_diff": 0.1, "min_argmax_agreement": 0.999},
    ),
    _gguf("f16", "f16", 1, 1, 16, 8, parity=_agree(0.99), default_build=True, menu=True),
    _gguf("q8_0", "q8_0", 7, 32, 8.5, 7, parity=_agree(0.99), default_build=True, menu=True),
    _gguf("q6_k", "q6_k", 18, 256, 6.5625, 6, parity=_agree(0.99)),
    _gguf("q5_k_m", "q5_k", 17, 256, 5.5, 4, parity=_agree(0.975)),
    _gguf("q5_1", "q5_1", 9, 32, 6, 4, parity=_agree(0.98)),
    _gguf("q5_0", "q5_0", 8, 32, 5.5, 3, parity=_agree(0.98)),
    _gguf("q4_k_m", "q4_k", 15, 256, 4.5, 3, parity=_agree(0.975)),
    _gguf("q4_0", "q4_0", 2, 32, 4.5, 2, parity=_agree(0.965), default_build=True, menu=True),
)

VARIANTS: Mapping[str, VariantInfo] = MappingProxyType({v.name: v for v in _ROWS})


def variant_info(name: str) -> VariantInfo | None:
    return VARIANTS.get(name)


def variant_format(name: str) -> Format | None:
    """The format whose backend runs ``name`` (None: no such variant)."""
    v = VARIANTS.get(name)
    return v.format if v else None


def names(fmt: Format | None = None) -> tuple[str, ...]:
    """Variant names in table order (ONNX first, then GGUF from the largest type down)."""
    return tuple(v.name for v in _ROWS if fmt is None or v.format == fmt)


def default_build(fmt: Format) -> tuple[str, ...]:
    """What ``edge build --format FMT`` makes when no ``--variants`` are given."""
    return tuple(v.name for v in _ROWS if v.format == fmt and v.default_build)


def menu() -> tuple[str, ...]:
    """The candidates ``edge build --profile`` caches for every profile (the issue's menu)."""
    return tuple(v.name for v in _ROWS if v.menu)


def smaller_quants() -> tuple[str, ...]:
    """The menu's integer-quantized variants, smallest file first: what the selection suggests
    allowing when nothing fits."""
    small = [v for v in _ROWS if v.menu and v.quantized]
    return tuple(v.name for v in sorted(small, key=lambda v: v.size_rank))
