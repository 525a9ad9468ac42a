"""Hardware profiles as release gates: does this machine meet the profile's targets?

A profile is either a hardware profile (``edge/specs_data/hardware/NAME.toml``, see
edge/profiles.py: its memory budget for the models, split evenly over its tasks and checked
against each model's share of its process, peak RSS minus the imported runtime's, and its p95
latency targets become the targets), or
a plain TOML file of targets, given by its path (a bare name is a hardware profile)::

    name = "pi5"                       # optional
    [targets]
    memory_mb = 300                    # peak RSS, one number or a table per task
    [targets.latency_ms_p95]           # one number for every task, or a table per task
    pii = 40
    intent = 15

Nothing else may be in it: an unknown key is a spec error, as is a per-task key that names no
task (neither a benched model's task nor its kind's alias nor a spec in
``edge/specs_data/tasks/``), since a gate that skips a misspelled target passes a release it
should stop. A task's entry is looked up by its spec name (``pii``, ``intent``), then by kind
(``pii`` for token classification, ``intent`` for sequence classification). What is checked, per
model: the artifact's default variant (what ``edge.load`` ships), p95 per text at the medium
length (~64 tokens), one text at a time, at the largest ``--threads`` value; and its peak RSS
(load + one batch, in a fresh process).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

from pydantic import Field

from edge.errors import EdgeError, SpecError
from edge.profiles import load_hardware_profile
from edge.specs import TASK_ALIASES, _Strict, load_spec, resolve_spec_path, specs_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10 fallback
    import tomli as tomllib

GATE_BUCKET = "medium"


class TargetMissedError(EdgeError):
    """A benchmark missed a hardware profile's target (exit code 10: a failed release gate)."""

    exit_code = 10


PerTask = float | dict[str, float]


class Targets(_Strict):
    latency_ms_p95: PerTask | None = None
    memory_mb: PerTask | None = None
    # What memory_mb is checked against: the process's peak RSS, or (hardware profiles, whose
    # budget is the models') the peak above the imported runtime, as `edge build --profile` does.
    memory_of: Literal["process", "models"] = "process"


class Profile(_Strict):
    name: str | None = None
    targets: Targets = Field(...)


def _hardware_profile_path(name_or_path: str) -> Path | None:
    """The hardware profile a name or path refers to, if it is one (it has a memory budget)."""
    candidate = Path(name_or_path)
    if candidate.suffix != ".toml" and not candidate.exists():
        named = specs_dir() / "hardware" / f"{name_or_path}.toml"
        return named if named.is_file() else None
    if candidate.is_file():
        try:
            raw = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None  # load_spec below reports it properly
        return candidate if "memory_budget_mb" in raw else None
    return None


def load_profile(name_or_path: str) -> tuple[Profile, Path]:
    """The profile and its path; SpecError if missing or malformed (the gate must not pass a
    release because its profile was misspelled)."""
    hardware = _hardware_profile_path(name_or_path)
    if hardware is not None:
        hw = load_hardware_profile(hardware)
        return Profile(name=hw.name, targets=Targets(**hw.gate_targets())), hardware
    path = resolve_spec_path(name_or_path, "hardware")  # a bare name: SpecError listing them
    profile = load_spec(path, Profile, "hardware")
    t = profile.targets
    if t.latency_ms_p95 is None and t.memory_mb is None:
        raise SpecError(f"{path}: [targets] sets neither latency_ms_p95 nor memory_mb")
    return profile, path


def check_task_keys(profile: Profile, path: Path, tasks: list[tuple[str, str]]) -> None:
    """SpecError if a per-task target names no task: not one of ``tasks`` (the benched models'
    (task, kind)), their kinds' aliases, nor a task spec in ``edge/specs_data/tasks/``. Called
    before any timing, and by ``check``."""
    known = {t for t, _ in tasks} | {TASK_ALIASES[k] for _, k in tasks if k in TASK_ALIASES}
    folder = specs_dir() / "tasks"
    known |= {f.stem for f in folder.glob("*.toml")} if folder.is_dir() else set()
    for metric in ("latency_ms_p95", "memory_mb"):
        table = getattr(profile.targets, metric)
        unknown = sorted(set(table) - known) if isinstance(table, dict) else []
        if unknown:
            raise SpecError(
                f"{path}: targets.{metric}: {', '.join(map(repr, unknown))} names no task; "
                f"use one of {', '.join(sorted(known))} (a misspelled target would gate nothing)"
            )


def target_for(value: PerTask | None, task: str, kind: str) -> float | None:
    if value is None or isinstance(value, int | float):
        return value
    for key in (task, TASK_ALIASES.get(kind, "")):
        if key in value:
            return float(value[key])
    return None


def check(profile: Profile, path: Path, models: list[dict]) -> dict:
    """One check per (model, target) against the bench report's model entries."""
    check_task_keys(profile, path, [(m["task"], m["kind"]) for m in models])
    checks = []
    for m in models:
        task, kind, variant = m["task"], m["kind"], m["default_variant"]
        subj = next((s for s in m["subjects"] if s["name"] == variant), None)
        threads = str(m["headline"]["threads"])
        ok_subj = subj is not None and subj["status"] == "ok"
        lat_target = target_for(profile.targets.latency_ms_p95, task, kind)
        if lat_target is not None:
            value = None
            if ok_subj:
                value = subj["latency_ms"].get(threads, {}).get(GATE_BUCKET, {}).get("p95")
            checks.append(
                _check(m, variant, "latency_ms_p95", lat_target, value, f"{GATE_BUCKET} text")
            )
        mem_target = target_for(profile.targets.memory_mb, task, kind)
        if mem_target is not None:
            key, what = ("peak_rss_mb", "peak RSS")
            if profile.targets.memory_of == "models":
                key, what = ("models_rss_mb", "models' share")
            value = (subj.get("memory") or {}).get(key) if ok_subj else None
            checks.append(_check(m, variant, "memory_mb", mem_target, value, what))
    missed = [c for c in checks if not c["passed"]]
    return {
        "name": profile.name or path.stem,
        "path": str(path),
        "targets": profile.targets.model_dump(),
        "checks": checks,
        "passed": not missed,
    }


def _check(m: dict, variant: str, metric: str, target: float, value, what: str) -> dict:
    return {
        "artifact": m["artifact"],
        "task": m["task"],
        "variant": variant,
        "metric": metric,
        "what": what,
        "target": target,
        "value": value,
        "passed": value is not None and value <= target,
    }


def raise_if_missed(result: dict, report_dir: Path) -> None:
    missed = [c for c in result["checks"] if not c["passed"]]
    if not missed:
        return
    lines = [
        f"{c['task']} {c['variant']} {c['metric']}: "
        + ("not measured" if c["value"] is None else f"{c['value']:.1f}")
        + f" > target {c['target']:g}"
        for c in missed
    ]
    raise TargetMissedError(
        f"profile {result['name']!r}: {len(missed)} target(s) missed: "
        + "; ".join(lines)
        + f" (report in {report_dir})"
    )
