"""PyTorch → ONNX (optimum), ONNX fp32 → int8 (onnxruntime dynamic quantization) and → int4
(onnxruntime's blockwise weight-only MatMulNBits quantizer).

Which variants exist, their files and settings is ``edge.variants``; here are the makers its ONNX
rows name (``maker``), each reading its parameters from the row's ``quantizer`` settings.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path

from edge.errors import BuildError
from edge.variants import VARIANTS, Setting

OPTIMUM_TASKS = {
    "token-classification": "token-classification",
    "sequence-classification": "text-classification",
}


def export_fp32(model, kind: str, out_file: Path) -> None:
    """Export with optimum, keeping only the .onnx file (the artifact has its own manifest)."""
    from optimum.exporters.onnx import onnx_export_from_model

    with tempfile.TemporaryDirectory(prefix="edge-onnx-") as tmp, warnings.catch_warnings():
        # torch's tracer notes constants in BERT's mask code; nothing a user can act on
        warnings.simplefilter("ignore")
        try:
            if model.__class__.__module__.startswith("transformers"):
                onnx_export_from_model(
                    model, tmp, task=OPTIMUM_TASKS[kind], do_validation=False, opset=18
                )
            else:
                _export_own_head(model, kind, Path(tmp) / "model.onnx")
        except Exception as e:  # optimum wraps many export failures in plain exceptions
            raise BuildError(f"ONNX export failed: {e}") from e
        shutil.move(str(Path(tmp) / "model.onnx"), out_file)


def _export_own_head(model, kind: str, out_file: Path) -> None:
    """Heads of our own (quantize/heads.py) through optimum's BERT ONNX config.

    Why not ``onnx_export_from_model``: it infers the library from the class's module and refuses
    any class outside transformers. The config still gives the same input/output names, dynamic
    axes and dummy inputs as the transformers heads get.
    """
    from optimum.exporters.onnx.convert import export_pytorch
    from optimum.exporters.tasks import TasksManager

    make_config = TasksManager.get_exporter_config_constructor(
        "onnx",
        model_type=model.config.model_type,
        task=OPTIMUM_TASKS[kind],
        library_name="transformers",
    )
    export_pytorch(model, make_config(model.config), 18, out_file)


def quantize_int8(fp32_file: Path, out_file: Path, settings: Mapping[str, Setting]) -> dict:
    """Dynamic int8, per-channel weights: no calibration data needed, best size/accuracy here."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # onnxruntime logs a "consider pre-processing" hint on the root logger at WARNING level.
    logging.getLogger().setLevel(logging.ERROR)
    quantize_dynamic(
        model_input=str(fp32_file),
        model_output=str(out_file),
        per_channel=bool(settings["per_channel"]),
        reduce_range=bool(settings["reduce_range"]),
        weight_type=QuantType[str(settings["weight_type"])],
    )
    record = dict(settings)
    if settings.get("graph") == "rows-alone":
        from quantize.rows_alone import specialise

        try:
            specialise(out_file, out_file)
        except ValueError as e:  # a graph it does not understand runs as exported, just slower
            warnings.warn(f"int8 graph kept as exported ({e})", stacklevel=2)
            record["graph"] = "as-exported"
    return record


def int4_available() -> str | None:
    """None if onnxruntime's 4-bit quantizer imports (it needs onnx-ir, which it does not
    require), else why not: the int4 candidate is then rejected instead of failing the build."""
    try:
        from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer  # noqa: F401
    except ImportError as e:
        return f"onnxruntime's MatMulNBitsQuantizer cannot be imported ({e}); pip install onnx-ir"
    return None


def quantize_int4(fp32_file: Path, out_file: Path, settings: Mapping[str, Setting]) -> dict:
    """4-bit weight-only, symmetric blocks of 32 (like llama.cpp's q4_0), activations in fp32.

    Why the embeddings too (Gather → GatherBlockQuantized): MiniLM's word-embedding table is 45 of
    its 87 MB; with only the MatMuls in 4 bits the file stays at 52 MB, larger than int8 (22 MB).
    Blocks of 32 rather than onnxruntime's default 128: hidden 384 is 3 blocks of 128, so one
    outlier would set the scale of a third of a row. Measured on the default adapters (argmax
    agreement with PyTorch, 1,000 validation texts; CLS-pooled intent adapter): PII 0.9997 (int8
    0.9998), intent 0.976 (int8 0.984); 13.7 / 14.4 MB. The quantizer raises the opset to 21
    (int4 tensors) itself.
    """
    import numpy as np

    try:
        import onnx
        from onnxruntime.quantization import QuantFormat
        from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer
    except ImportError as e:  # onnxruntime's quantizer imports onnx-ir, which it does not require
        raise BuildError(
            f"the int4 variant needs onnxruntime's MatMulNBitsQuantizer, which cannot be imported "
            f"({e}); pip install onnx-ir, or leave int4 out (--variants)"
        ) from None
    # The module calls logging.basicConfig(level=INFO) on import and logs every node it quantizes.
    logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer").setLevel(logging.ERROR)
    logging.getLogger().setLevel(logging.ERROR)
    quantizer = MatMulNBitsQuantizer(
        onnx.load(str(fp32_file)),
        bits=int(settings["weight_bits"]),
        block_size=int(settings["block_size"]),
        is_symmetric=bool(settings["symmetric"]),
        quant_format=QuantFormat.QOperator,
        op_types_to_quantize=("MatMul", "Gather"),
        quant_axes=(("MatMul", 0), ("Gather", 1)),
    )
    try:
        with np.errstate(divide="ignore", invalid="ignore"):  # all-zero blocks: scale 0, kept 0
            quantizer.process()
        quantizer.model.save_model_to_file(str(out_file), use_external_data_format=False)
    except Exception as e:  # the quantizer asserts on shapes it cannot block
        raise BuildError(f"int4 quantization failed: {e}; leave int4 out (--variants)") from e
    return dict(settings)


def make_fp32(fp32_file: Path, out_file: Path, settings: Mapping[str, Setting]) -> dict:
    shutil.copyfile(fp32_file, out_file)
    return dict(settings)


Maker = Callable[[Path, Path, Mapping[str, Setting]], dict]
# edge.variants' ONNX ``maker`` names -> (fp32 export, output file, the row's settings) -> the
# quantization record; and, for makers with an optional dependency, why it cannot run here.
MAKERS: dict[str, Maker] = {
    "copy": make_fp32,
    "onnx-dynamic": quantize_int8,
    "onnx-matmulnbits": quantize_int4,
}
MAKER_MISSING: dict[str, Callable[[], str | None]] = {"onnx-matmulnbits": int4_available}


def make_variant(name: str, fp32_file: Path, out_dir: Path) -> tuple[Path, dict]:
    """Make the ONNX variant ``name`` (its table row) from the fp32 export into ``out_dir``."""
    row = VARIANTS[name]
    target = out_dir / row.file
    return target, MAKERS[row.maker](fp32_file, target, row.quantizer)
