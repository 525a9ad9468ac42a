"""ONNX Runtime backend (CPU everywhere; the provider list is where CoreML plugs in)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort

from edge.backends.base import Backend
from edge.errors import ArtifactError
from edge.manifest import Variant
from edge.platform_select import Selection


class OnnxBackend(Backend):
    format = "onnx"

    def __init__(self, session: ort.InferenceSession):
        self._session = session
        self._inputs = {i.name for i in session.get_inputs()}
        missing = {"input_ids", "attention_mask"} - self._inputs
        if missing:
            raise ArtifactError(f"ONNX model lacks inputs {sorted(missing)}; rebuild it")

    @classmethod
    def open(
        cls,
        artifact_dir: Path,
        variant: Variant,
        *,
        threads: int | None = None,
        placement: Selection | None = None,
    ) -> OnnxBackend:
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        path = Path(artifact_dir) / variant.model.file
        try:
            session = ort.InferenceSession(
                str(path),
                sess_options=opts,
                providers=placement.onnx_providers if placement else ["CPUExecutionProvider"],
            )
        except Exception as e:  # onnxruntime raises its own untyped errors on bad files
            raise ArtifactError(f"ONNX Runtime cannot load {path}: {e}; rebuild it") from None
        return cls(session)

    def logits(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        feeds = {"input_ids": input_ids, "attention_mask": attention_mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        (out,) = self._session.run(["logits"], feeds)
        return out
