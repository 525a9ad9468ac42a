"""Pick the execution provider / backend settings for a hardware profile on this machine.

Why injected facts: the choice depends on the OS, the CPU architecture, which onnxruntime
providers this build has and whether llama.cpp was built with Metal; tests (and CI, which has no
Mac) pass those facts in instead of reading them from the machine.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field

from edge.profiles import HardwareProfile

CPU_PROVIDER = "CPUExecutionProvider"
ONNX_PROVIDERS = {"coreml": "CoreMLExecutionProvider", "nnapi": "NnapiExecutionProvider"}
ALL_GPU_LAYERS = 999  # llama.cpp clamps to the model's layer count: offload everything


@dataclass(frozen=True)
class PlatformFacts:
    """What the machine offers; ``detect_facts`` reads them, tests construct them."""

    system: str  # platform.system(): "Darwin", "Linux", "Windows"
    machine: str  # platform.machine(): "arm64", "x86_64", "aarch64"
    onnx_providers: tuple[str, ...] = (CPU_PROVIDER,)
    metal: bool = False  # llama.cpp can offload to the GPU (Metal build)
    cpu_count: int = 1

    @property
    def apple_silicon(self) -> bool:
        return self.system == "Darwin" and self.machine in ("arm64", "aarch64")


@dataclass(frozen=True)
class Selection:
    """What to open a backend with; ``reason`` says why, for logs and ``edge info``."""

    backend: str  # "coreml" | "metal" | "nnapi" | "cpu"
    threads: int
    onnx_providers: list[str] = field(default_factory=lambda: [CPU_PROVIDER])
    gguf_gpu_layers: int = 0
    reason: str = ""


def detect_facts() -> PlatformFacts:
    """Read the facts from this machine; a missing optional library means 'not available'."""
    try:
        import onnxruntime as ort

        providers = tuple(ort.get_available_providers())
    except ImportError:  # pragma: no cover - onnxruntime is a core dependency
        providers = (CPU_PROVIDER,)
    metal = False
    if platform.system() == "Darwin":  # pragma: no cover - no Mac in CI
        try:
            import llama_cpp

            metal = bool(llama_cpp.llama_supports_gpu_offload())
        except (ImportError, AttributeError, OSError):
            metal = False
    return PlatformFacts(
        system=platform.system(),
        machine=platform.machine(),
        onnx_providers=providers,
        metal=metal,
        cpu_count=os.cpu_count() or 1,
    )


def select(profile: HardwareProfile, fmt: str, facts: PlatformFacts) -> Selection:
    """First backend of the profile's list that this machine and this format can use.

    CoreML only on Apple silicon with the provider present (ONNX); Metal only on Apple silicon
    with a Metal llama.cpp (GGUF); NNAPI where onnxruntime has it; CPU always (the profile
    validator requires it). Threads come from the profile.
    """
    threads = profile.threads  # the device's figure, not this machine's (a CI box may differ)
    for backend in profile.backends:
        if backend == "cpu":
            break
        provider = ONNX_PROVIDERS.get(backend)
        if fmt == "onnx" and provider and provider in facts.onnx_providers:
            if backend == "coreml" and not facts.apple_silicon:
                continue
            return Selection(backend, threads, [provider, CPU_PROVIDER], 0, f"{provider} available")
        if fmt == "gguf" and backend == "metal" and facts.apple_silicon and facts.metal:
            return Selection("metal", threads, [CPU_PROVIDER], ALL_GPU_LAYERS, "Metal offload")
    return Selection(
        "cpu", threads, [CPU_PROVIDER], 0, f"no preferred accelerator on {facts.system}"
    )
