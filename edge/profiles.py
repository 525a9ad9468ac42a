"""Hardware profiles: what a target device can afford, as a typed TOML spec.

A profile is ``edge/specs_data/hardware/NAME.toml`` (or any path) and says, for a device class,
how much memory the models may use *together* (their share of the process's peak RSS, above the
interpreter and libraries; optionally a cap on the whole process too), how many threads to run,
which backends to try in order, which artifact formats/variants the device can run, and per task
the latency target and the accuracy the device may give up against the merged model. Why one
file per device: the same artifact ships to a Pi and to a laptop, and the choice of provider and
variant belongs to the device, not to the build. Validation goes through
``edge.specs.load_spec``, so errors name the file, the key and what is allowed.

``typical_input``/``typical_batch`` say what one call looks like on the device (a phone app
classifies one short message, a server batches): peak RSS includes the activations of that
batch, so ``edge build --profile`` (quantize/profile_build.py) measures memory with it.

``edge bench --profile`` gates on a hardware profile through ``HardwareProfile.gate_targets``,
or on a plain TOML file of ``[targets]`` given by its path (benchmarks/profile.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from edge.specs import _Strict, load_spec
from edge.variants import Format, names, variant_format

BackendName = Literal["coreml", "metal", "nnapi", "cpu"]
FormatName = Format
IsaHint = Literal[
    "neon",
    "dotprod",
    "i8mm",
    "fp16",
    "sve",
    "sse4_2",
    "avx",
    "avx2",
    "avx512",
    "avx512_vnni",
    "amx",
]
TaskName = Literal["pii", "intent"]  # edge.specs.TASK_ALIASES' values (a test keeps them in step)
InputLength = Literal["short", "medium", "long"]  # edge.measurement.LENGTHS: 16/64/256 tokens
# A set of variants must be this many points more accurate (summed over the tasks) to beat a set
# with a smaller models' share. Why: the build scores on a sample (1,000 records per task by
# default), where one intent record is 0.1 point and a PII point is ~30 spans; quantized variants
# of one model differ on a handful of records, so a gap under half a point is which records the
# sample drew, not a property of the variant, and should not cost the device memory.
DEFAULT_MIN_GAIN_POINTS = 0.5


class HardwareProfile(_Strict):
    """One device class. Memory is in MiB, all ``tasks`` loaded together in one process.

    ``memory_budget_mb`` is the models' share: the process's peak RSS (load + one typical batch)
    minus its RSS once the runtime's libraries are imported and before any model is loaded, so
    the interpreter, numpy, onnxruntime/llama.cpp and tokenizers (65-100 MB on x86-64 Linux, the
    same whatever variant ships) are not charged to the models. ``process_budget_mb`` (optional)
    caps the whole process's peak as well; a set must fit both.
    """

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = ""
    memory_budget_mb: float = Field(
        gt=0,
        description="memory for the models (MB): all tasks' models together, their share of the "
        "process's peak RSS above the runtime baseline (libraries imported, no model loaded)",
    )
    process_budget_mb: float | None = Field(
        default=None,
        gt=0,
        description="optional cap on the whole process's peak RSS (MB): interpreter, libraries "
        "and models; None: only memory_budget_mb is checked",
    )
    min_gain_points: float = Field(
        default=DEFAULT_MIN_GAIN_POINTS,
        ge=0,
        le=100,
        description="points (summed over tasks) a set must gain to beat one with smaller models",
    )
    threads: int = Field(ge=1, le=256)
    isa: list[IsaHint] = Field(default_factory=list)
    backends: list[BackendName] = Field(min_length=1, description="tried in order; needs cpu")
    formats: list[FormatName] = Field(min_length=1)
    variants: list[str] = Field(min_length=1, description="allowed variants, best first")
    tasks: list[TaskName] = Field(min_length=1, description="tasks that run together")
    latency_ms_p95: dict[TaskName, float] = Field(default_factory=dict)
    accuracy_tolerance: dict[TaskName, float] = Field(
        default_factory=dict, description="max loss in points vs the merged (fp32) model"
    )
    typical_input: InputLength = Field(
        default="medium", description="text length the memory measurement runs (~16/64/256 tokens)"
    )
    typical_batch: int = Field(
        default=8, ge=1, le=256, description="texts per call the memory measurement runs"
    )

    @model_validator(mode="after")
    def _consistent(self) -> HardwareProfile:
        known = names()
        bad = [v for v in self.variants if v not in known]
        if bad:
            raise ValueError(f"variants: unknown {bad}; allowed: {', '.join(known)}")
        off = [v for v in self.variants if variant_format(v) not in self.formats]
        if off:
            raise ValueError(f"variants {off} are not in formats {self.formats}")
        cap = self.process_budget_mb
        if cap is not None and cap < self.memory_budget_mb:
            raise ValueError(
                f"process_budget_mb ({cap:g}) is below memory_budget_mb "
                f"({self.memory_budget_mb:g}): the whole process holds the models and the "
                "runtime, so it cannot be smaller than the models' share; raise it or leave it out"
            )
        if "cpu" not in self.backends:
            raise ValueError("backends must include 'cpu' (the fallback every device has)")
        for key in ("latency_ms_p95", "accuracy_tolerance"):
            table: dict[str, float] = getattr(self, key)
            extra = [t for t in table if t not in self.tasks]
            if extra:
                raise ValueError(f"{key} names tasks {extra} not in tasks {self.tasks}")
            neg = [t for t, v in table.items() if v < 0 or (key == "latency_ms_p95" and v == 0)]
            if neg:
                raise ValueError(f"{key} must be positive; got {neg}")
        return self

    def tolerance(self, task: str) -> float:
        """Points of headline accuracy the task may lose; 1.0 where the profile is silent."""
        return float(self.accuracy_tolerance.get(task, 1.0))  # type: ignore[call-overload]

    def allows(self, variant: str) -> bool:
        return variant in self.variants and variant_format(variant) in self.formats

    def gate_targets(self) -> dict:
        """The ``[targets]`` table ``benchmarks.profile`` gates on: the memory budget split
        evenly over the tasks, checked against each model's share (its process's peak RSS
        minus the imported runtime's), as ``edge build --profile`` checks the set's."""
        per_task = self.memory_budget_mb / len(self.tasks)
        return {
            "memory_mb": {t: per_task for t in self.tasks},
            "memory_of": "models",
            "latency_ms_p95": dict(self.latency_ms_p95),
        }


def load_hardware_profile(name_or_path: str | Path) -> HardwareProfile:
    """``hardware/NAME.toml`` in the specs folder (edge.specs.specs_dir) or a path; SpecError
    naming file, key and allowed values."""
    return load_spec(name_or_path, HardwareProfile, "hardware")
