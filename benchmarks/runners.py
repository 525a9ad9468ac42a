"""What gets timed: an artifact variant through ``edge.load``, or a peer (merged PyTorch, Presidio).

Each subject is described by a small JSON-able dict so the same description opens it in this
process (latency, throughput, accuracy) and in a fresh child process (cold start, peak RSS, see
``benchmarks.child``). Every subject is timed through the same call a user makes on texts
(tokenize, batch, run, decode), so the figures compare what a caller would see.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from edge.errors import EdgeError
from edge.manifest import Manifest
from edge.measurement import task_call

TORCH_PEER = "pytorch-fp32"
PRESIDIO_PEER = "presidio"


class Subject:
    """An opened subject: ``run(texts, batch_size)`` is the timed call."""

    def __init__(self, desc: dict):
        self.desc = desc
        self.threads: int | None = None
        self.task_model: Any = None  # a runtime TaskModel where there is one (for accuracy)
        self.size_bytes: int | None = None
        self._call: Callable[[list[str]], Any] | None = None

    def set_threads(self, threads: int) -> None:
        raise NotImplementedError

    def run(self, texts: list[str], batch_size: int) -> Any:
        if self.task_model is not None:
            self.task_model.batch_size = batch_size
        assert self._call is not None
        return self._call(texts)


class EdgeSubject(Subject):
    """One artifact variant; ONNX Runtime and llama.cpp fix their threads at load, so reload."""

    def set_threads(self, threads: int) -> None:
        import edge

        if threads == self.threads:
            return
        self.task_model = None  # free the previous session before loading the next
        self.task_model = edge.load(
            self.desc["artifact"], variant=self.desc["variant"], threads=threads
        )
        self._call = task_call(self.task_model)
        self.threads = threads


class TorchSubject(Subject):
    """The merged PyTorch model in eager mode, inside the runtime's own task class."""

    def __init__(self, desc: dict):
        super().__init__(desc)
        import torch

        from edge.manifest import read_manifest
        from quantize.evaluate import torch_task_model

        spec = read_manifest(Path(desc["artifact"])).task
        self.task_model = torch_task_model(desc["base"], desc["adapter"], spec)
        net = self.task_model.backend.model
        self.size_bytes = sum(p.numel() * p.element_size() for p in net.parameters())
        self._call = task_call(self.task_model)
        self._torch = torch

    def set_threads(self, threads: int) -> None:
        self._torch.set_num_threads(threads)
        self.threads = threads


class PresidioSubject(Subject):
    """Presidio, set up as every benchmark sets it up (``benchmarks.presidio_peer``: spaCy
    ``en_core_web_sm``, the types that map to edge's, overlaps resolved as its anonymizer does),
    so `edge bench` and the comparison report one baseline."""

    def __init__(self, desc: dict):
        super().__init__(desc)
        from benchmarks.presidio_peer import PresidioTool

        self.tool = PresidioTool()
        self._call = self.analyze

    def analyze(self, texts: list[str]) -> list[list[dict]]:
        return [self.tool.spans(text) for text in texts]

    def set_threads(self, threads: int) -> None:
        self.threads = threads  # spaCy's pipeline here is single-threaded Python

    def run(self, texts: list[str], batch_size: int) -> Any:
        return self.analyze(texts)


def open_subject(desc: dict) -> Subject:
    kind = desc["kind"]
    if kind == "edge":
        return EdgeSubject(desc)
    if kind == "pytorch":
        return TorchSubject(desc)
    if kind == "presidio":
        return PresidioSubject(desc)
    raise ValueError(f"unknown subject kind {kind!r}")


def torch_peer_source(
    artifact_dir: Path, manifest: Manifest, base: str | None, adapter: str | None
) -> tuple[dict | None, str | None]:
    """(description, None) if the merged PyTorch model can be rebuilt, else (None, why not).

    The base and adapter must hash to what the manifest recorded, or the peer would be some
    other model. Without ``--adapter``, the task's default adapter is used when it is the one
    the artifact was built from (the default models built by ``make demo``).
    """
    missing = [m for m in ("torch", "transformers", "peft") if importlib.util.find_spec(m) is None]
    if missing:
        return None, f"{', '.join(missing)} not installed (pip install -e '.[build]')"
    from quantize.defaults import DEFAULT_BASE, default_adapter, default_for_adapter
    from quantize.sources import open_adapter, open_base

    if adapter is None:
        origin = default_for_adapter(manifest.adapter.sha256)
        if origin is None:
            return None, (
                "needs --base and --adapter: the artifact was not built from a default adapter"
            )
        adapter = str(default_adapter(origin.name))
        base = base or origin.base
    try:
        if open_adapter(adapter).sha256() != manifest.adapter.sha256:
            return None, f"adapter {adapter} is not the one this artifact was built from (sha256)"
        base = base or DEFAULT_BASE
        if open_base(base).sha256() != manifest.base_model.sha256:
            return None, f"base {base} is not the one this artifact was built from (sha256)"
    except EdgeError as e:
        return None, str(e)
    return {
        "kind": "pytorch",
        "name": TORCH_PEER,
        "artifact": str(artifact_dir),
        "base": str(base),
        "adapter": str(adapter),
    }, None


def presidio_peer_source(manifest: Manifest) -> tuple[dict | None, str | None]:
    if manifest.task.kind != "token-classification":
        return None, "Presidio detects PII only"
    from benchmarks.presidio_peer import presidio_missing

    why = presidio_missing()  # never a download from a benchmark: the model must be installed
    return (None, why) if why else ({"kind": "presidio", "name": PRESIDIO_PEER}, None)
