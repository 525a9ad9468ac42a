"""The one interface every inference backend implements (ONNX Runtime now, llama.cpp next).

A backend turns padded token ids into logits; everything task-specific (windows, BIO decoding,
softmax) lives above it, so a new format only has to implement ``open`` and ``logits``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from edge.manifest import Variant

if TYPE_CHECKING:
    from edge.platform_select import Selection


class Backend(ABC):
    format: ClassVar[str]
    # What one ``logits`` call costs beyond its tokens, in tokens: how much padding a batch may
    # add before running its rows apart is cheaper (``edge.runtime.plan_batches``).
    run_overhead_tokens: ClassVar[float] = 4.0
    # At most this many rows per ``logits`` call are worth padding together (None: any); a
    # backend that runs rows one by one anyway says 1, so no padding is ever made for it.
    max_rows: int | None = None

    @classmethod
    @abstractmethod
    def open(
        cls,
        artifact_dir: Path,
        variant: Variant,
        *,
        threads: int | None = None,
        placement: Selection | None = None,
        keep_optimized: bool = True,
    ) -> Backend:
        """Load the variant's files (already hash-checked by the caller). ``placement`` is the
        hardware profile's choice of execution provider / GPU offload; None means CPU.
        ``keep_optimized``: a backend that can keep an optimized form of the model on disk
        for later loads (ONNX: ``edge.backends.onnx_cache``) does so; a caller that opens a
        variant only once, like the build's checks, says False."""

    @abstractmethod
    def logits(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """[batch, seq] int64 → [batch, seq, labels] (token tasks) or [batch, labels] float32."""
