"""PyTorch → ONNX (optimum) and ONNX fp32 → int8 (onnxruntime dynamic quantization).

Variants are a data table: name → how to make it from the fp32 export. Adding int4 later is a row.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from edge.errors import BuildError

OPTIMUM_TASKS = {
    "token-classification": "token-classification",
    "sequence-classification": "text-classification",
}


def export_fp32(model, kind: str, out_file: Path) -> None:
    """Export with optimum, keeping only the .onnx file (the artifact has its own manifest)."""
    from optimum.exporters.onnx import onnx_export_from_model

    with tempfile.TemporaryDirectory(prefix="edge-onnx-") as tmp:
        try:
            onnx_export_from_model(
                model, tmp, task=OPTIMUM_TASKS[kind], do_validation=False, opset=18
            )
        except Exception as e:  # optimum wraps many export failures in plain exceptions
            raise BuildError(f"ONNX export failed: {e}") from e
        shutil.move(str(Path(tmp) / "model.onnx"), out_file)


def quantize_int8(fp32_file: Path, out_file: Path) -> dict:
    """Dynamic int8, per-channel weights: no calibration data needed, best size/accuracy here."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    settings = {"method": "dynamic", "weight_type": "QInt8", "per_channel": True}
    # onnxruntime logs a "consider pre-processing" hint on the root logger at WARNING level.
    logging.getLogger().setLevel(logging.ERROR)
    quantize_dynamic(
        model_input=str(fp32_file),
        model_output=str(out_file),
        per_channel=True,
        weight_type=QuantType.QInt8,
    )
    return settings


def make_fp32(fp32_file: Path, out_file: Path) -> dict:
    shutil.copyfile(fp32_file, out_file)
    return {"method": "none", "dtype": "float32"}


# variant name -> (file name, maker from the fp32 export)
ONNX_VARIANTS: dict[str, tuple[str, Callable[[Path, Path], dict]]] = {
    "fp32": ("model.fp32.onnx", make_fp32),
    "int8": ("model.int8.onnx", quantize_int8),
}
