"""ONNX Runtime backend (CPU everywhere; the provider list is where CoreML plugs in)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort

from edge.backends.base import Backend
from edge.backends.onnx_cache import open_session
from edge.errors import ArtifactError
from edge.manifest import Variant
from edge.platform_select import Selection

# Quantization methods whose activation scales are computed at run time over the whole input
# tensor (onnxruntime's DynamicQuantizeLinear is per tensor): rows must run alone and unpadded.
PER_TENSOR_DYNAMIC = ("dynamic",)


class OnnxBackend(Backend):
    format = "onnx"

    def __init__(self, session: ort.InferenceSession, *, rows_alone: bool = False):
        """``rows_alone``: run each row by itself, cut to its mask, whatever batch is passed in.

        Why: dynamic int8 computes one activation scale over the whole batch tensor, padding
        included, so a text's answer moved with its neighbours and its padding (issue 19:
        15% of 600 outside texts changed spans between alone and a batch of 16). Run alone and
        unpadded, a text's input tensor is its own, so its answer is the same in any call.
        The cost: no padded batching for these variants. For the 6-layer model that was about
        free (issue 19: 336 texts/s alone against 297 in length-sorted batches of 16, one
        thread); for the one-layer pii-fast, length-sorted batches of 16 were 4-16% faster per
        text than one text per run (quiet runs): its run is compute-bound. The README's "Same
        text, same answer" lists the invariant graphs tried (MatMulNBits 8/4-bit, static QDQ,
        per-token dynamic) and why each lost to this one.
        """
        self._session = session
        self.rows_alone = rows_alone
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
        keep_optimized: bool = True,
    ) -> OnnxBackend:
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        path = Path(artifact_dir) / variant.model.file
        try:
            session = open_session(
                path,
                variant.model.sha256,
                opts,
                placement.onnx_providers if placement else ["CPUExecutionProvider"],
                keep=keep_optimized,
            )
        except Exception as e:  # onnxruntime raises its own untyped errors on bad files
            raise ArtifactError(f"ONNX Runtime cannot load {path}: {e}; rebuild it") from None
        q = variant.quantization
        # a graph specialised for one unpadded row (quantize/rows_alone.py) must run so too
        alone = q.get("method") in PER_TENSOR_DYNAMIC or q.get("graph") == "rows-alone"
        return cls(session, rows_alone=alone)

    @property
    def max_rows(self) -> int | None:  # type: ignore[override]
        return 1 if self.rows_alone else None

    def _run(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        feeds = {"input_ids": input_ids, "attention_mask": attention_mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        (out,) = self._session.run(["logits"], feeds)
        return out

    def logits(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        if not self.rows_alone or (len(input_ids) == 1 and attention_mask[0, -1]):
            return self._run(input_ids, attention_mask)  # a lone row with no padding runs as is
        lengths = attention_mask.sum(axis=1)
        rows = [
            self._run(input_ids[r : r + 1, :n], attention_mask[r : r + 1, :n])[0]
            for r, n in enumerate(lengths.tolist())
        ]
        if rows[0].ndim == 1:  # one vector per sequence: nothing to pad
            return np.stack(rows)
        out = np.zeros((len(rows), input_ids.shape[1], rows[0].shape[-1]), dtype=rows[0].dtype)
        for r, row in enumerate(rows):
            out[r, : len(row)] = row
        return out
