"""``edge build --profile``: every variant a hardware profile allows, measured; the best set kept.

Why a separate build: ``edge build`` refuses the whole artifact when one variant misses parity,
which is right for a release but wrong for a search, where a lossy int4 is a finding to record
and reject, not a reason to stop. So the candidates are built here (same builders, same parity
check, failures kept out of the manifest and in the report), measured by ``quantize.select``
(accuracy on the task's eval set; the models' share of peak RSS, above the runtime's baseline,
alone and of the whole set in one fresh process), and only the chosen variants are copied into
``OUT/<task>`` with a manifest of their own, verified by ``edge.load``, beside
``OUT/build-report.json``. OUT appears in one rename (``replace_dir``).

Default models: the committed adapters on the packaged MiniLM base, evaluated on the held-out
set their task spec's ``[data] eval`` names (PII: pii-synth test, templates training never saw;
intent: CLINC150 test); their
candidates are cached in ``$EDGE_HOME/candidates/<task>`` and rebuilt when the base, adapter,
spec or probes change. A model of your own (``--base/--adapter/--task`` with ``--data``)
replaces the default model of its task; the profile's other tasks keep the defaults.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tempfile
import time
from dataclasses import KW_ONLY, dataclass
from pathlib import Path

from rich.console import Console

import edge
from edge.defaults import edge_home
from edge.errors import BackendUnavailableError, BuildError, DataError
from edge.fsutil import replace_dir, staged_dir
from edge.manifest import MANIFEST_NAME, Manifest, SourceRecord, Variant, file_entry, read_manifest
from edge.profiles import HardwareProfile, load_hardware_profile
from edge.specs import TaskSpec, load_task_spec, task_data
from edge.variants import VARIANTS, menu
from quantize.build import build_variants, step_bar, steps, write_json_atomic
from quantize.select import print_report, select_variants

REPORT_NAME = "build-report.json"
CANDIDATES_RECORD = "candidates.json"
# Enough records for a loss of a point to be 10 (intent) / ~30 spans (PII) flips, few enough that
# a profile of five candidates per task builds in minutes on 2 cores; --eval-limit 0 = all.
DEFAULT_EVAL_LIMIT = 1000
# What the cached default candidates hold, whatever profile asked first, so that building for
# the next profile reuses them instead of rebuilding (the ONNX and GGUF menu: the rows
# marked ``menu`` in edge.variants).
DEFAULT_MENU = menu()


@dataclass(frozen=True)
class TaskSource:
    """One task's model (base + adapter + spec), its eval records and where candidates go."""

    task: str
    base: str | Path
    adapter: Path
    spec: TaskSpec
    records: list[dict]
    eval_source: str
    _: KW_ONLY
    probes: list[str] | None = None
    cache_dir: Path | None = None  # None: build into the run's temporary folder
    menu: tuple[str, ...] = ()  # built too, whatever the profile asks (for the next profile)


def _limit(records: list[dict], limit: int | None, seed: int) -> list[dict]:
    from quantize.evaluate import subsample

    return subsample(records, limit or None, seed)


def default_source(task: str, eval_limit: int | None, seed: int = 0) -> TaskSource:
    """The default model of a task, evaluated on its held-out test split."""
    from quantize.data import labelled_records
    from quantize.defaults import DEFAULT_BASE, default_adapter, default_probes, default_task_spec

    spec = default_task_spec(task)
    source = task_data(spec).eval
    if source is None:
        raise BuildError(f"task {task!r} names no eval set: add `[data] eval = NAME:SPLIT`")
    records = labelled_records(source, spec)
    kept = _limit(records, eval_limit, seed)
    return TaskSource(
        task=task,
        base=DEFAULT_BASE,
        adapter=default_adapter(task),
        spec=spec,
        records=kept,
        eval_source=f"{source} ({len(kept)} of {len(records)}, seed {seed})",
        probes=default_probes(task),
        cache_dir=edge_home() / "candidates" / task,
        menu=DEFAULT_MENU,
    )


def custom_source(
    base: str | Path,
    adapter: str | Path,
    task: str | Path | TaskSpec,
    data: str | Path | None,
    eval_limit: int | None,
    seed: int = 0,
    probes: list[str] | None = None,
) -> TaskSource:
    """A model of your own, evaluated on ``data`` (JSONL in the README's formats)."""
    from quantize.data import labelled_records

    if not data:
        raise DataError("--adapter with --profile needs --data FILE: the labelled eval set")
    spec = task if isinstance(task, TaskSpec) else load_task_spec(task)
    records = labelled_records(data, spec)
    kept = _limit(records, eval_limit, seed)
    return TaskSource(
        task=spec.alias,
        base=base,
        adapter=Path(adapter),
        spec=spec,
        records=kept,
        eval_source=f"{data} ({len(kept)} of {len(records)}, seed {seed})",
        probes=probes,
    )


def gguf_available() -> str | None:
    """None if llama-cpp-python loads, else why not (the GGUF candidates are then rejected)."""
    try:
        from edge.backends.gguf import load_llama_cpp

        load_llama_cpp()
    except BackendUnavailableError as e:
        return str(e).splitlines()[0]
    return None


def unbuildable(variants: list[str]) -> dict[str, str]:
    """{variant: why} for the candidates whose optional dependency is missing here: llama.cpp for
    every GGUF row, and an ONNX maker's own (quantize.onnx_export.MAKER_MISSING)."""
    from quantize.onnx_export import MAKER_MISSING

    out: dict[str, str] = {}
    if any(VARIANTS[v].format == "gguf" for v in variants) and (why := gguf_available()):
        out.update({v: f"not built: {why}" for v in variants if VARIANTS[v].format == "gguf"})
    for v in variants:
        probe = MAKER_MISSING.get(VARIANTS[v].maker)
        if VARIANTS[v].format == "onnx" and probe and (why := probe()):
            out[v] = f"not built: {why}"
    return out


def candidate_variants(profile: HardwareProfile) -> list[str]:
    """fp32 first (the accuracy reference, allowed or not), then the profile's variants."""
    return list(dict.fromkeys(["fp32", *profile.variants]))


def _key(src: TaskSource, base_sha: str, adapter_sha: str, probes: list[str]) -> dict:
    """What a cached candidate folder was built from; any change means rebuild."""
    h = hashlib.sha256("\n".join(probes).encode()).hexdigest()
    return {
        "edge_version": edge.__version__,
        "base_sha256": base_sha,
        "adapter_sha256": adapter_sha,
        "spec": src.spec.model_dump(mode="json"),
        "probes_sha256": h,
    }


def _parity_why(v: Variant) -> str:
    p, th = v.parity, v.parity.thresholds
    if p.argmax_agreement < (th.get("min_argmax_agreement") or 0):
        return (
            f"failed parity: argmax agreement {p.argmax_agreement:.4f} "
            f"< {th['min_argmax_agreement']:g} (vs PyTorch, {p.probe_units} probe units)"
        )
    return f"failed parity: max |Δlogit| {p.max_abs_logit_diff:.2e} > {th['max_abs_logit_diff']}"


def build_candidates(
    src: TaskSource,
    variants: list[str],
    out_dir: Path,
    *,
    quiet: bool = False,
    console: Console | None = None,
) -> dict[str, str]:
    """Build ``variants`` of one model into ``out_dir``; return {variant: why} for those left out.

    The same builders and parity check as ``edge build``; a variant that misses its thresholds is
    kept out of the manifest and reported (with its agreement) instead of failing the build. A
    cached folder built from the same sources that covers ``variants`` is reused as it is.
    """
    from quantize.probes import load_probes
    from quantize.sources import check_compatible, open_adapter, open_base

    console = console or Console(stderr=True)
    base_dir, adapter_dir = open_base(src.base), open_adapter(src.adapter)
    check_compatible(base_dir, adapter_dir, src.spec)
    probes = src.probes or load_probes(src.spec.probe_file)
    key = _key(src, base_dir.sha256(), adapter_dir.sha256(), probes)
    record_file = out_dir / CANDIDATES_RECORD
    cached: dict = {}
    if record_file.is_file() and (out_dir / MANIFEST_NAME).is_file():
        cached = json.loads(record_file.read_text(encoding="utf-8"))
        if cached.get("key") == key:
            known = set(cached["built"]) | set(cached["failed"])
            if set(variants) <= known:
                return {v: cached["failed"][v]["why"] for v in variants if v in cached["failed"]}
            variants = list(dict.fromkeys([*variants, *cached["built"], *cached["failed"]]))
    started = time.perf_counter()
    with staged_dir(out_dir) as tmp_dir:
        formats = {VARIANTS[v].format for v in variants}
        with steps(console, 2 + len(formats) + 2 * len(variants), quiet) as (advance, done):
            built, special = build_variants(
                base_dir,
                adapter_dir,
                src.spec,
                tmp_dir,
                variants,
                probes,
                (advance, done),
                label=f"{src.task}: ",
            )
            advance(f"{src.task}: writing manifest")
            passed = [v for v in built if v.parity.passed]
            failed = {
                v.name: {"why": _parity_why(v), "parity": v.parity.model_dump(mode="json")}
                for v in built
                if not v.parity.passed
            }
            if not passed:
                raise BuildError(
                    f"every {src.task} candidate failed parity ({', '.join(failed)}); check the "
                    "adapter with `edge build` and its parity report"
                )
            for v in built:
                if not v.parity.passed:
                    (tmp_dir / v.model.file).unlink(missing_ok=True)
            manifest = Manifest(
                edge_version=edge.__version__,
                created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                task=src.spec,
                labels=src.spec.model_labels,
                base_model=SourceRecord(name=base_dir.name, sha256=key["base_sha256"]),
                adapter=SourceRecord(name=adapter_dir.path.name, sha256=key["adapter_sha256"]),
                tokenizer=file_entry(tmp_dir, tmp_dir / "tokenizer.json"),
                special_tokens=special,
                variants=passed,
                default_variant=passed[0].name,
                build_seconds=round(time.perf_counter() - started, 2),
            )
            write_json_atomic(tmp_dir / MANIFEST_NAME, manifest.model_dump(mode="json"))
            record = {"key": key, "built": [v.name for v in passed], "failed": failed}
            write_json_atomic(tmp_dir / CANDIDATES_RECORD, record)
            done()
    return {v: failed[v]["why"] for v in variants if v in failed}


def export_chosen(artifact: Path, variant: str, dest: Path) -> None:
    """Copy one variant (model, extra files, tokenizer) with a manifest naming only it."""
    m = read_manifest(artifact)
    v = m.variant(variant)
    dest.mkdir(parents=True)
    for entry in [m.tokenizer, v.model, *v.extra_files]:
        target = dest / entry.file
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(artifact / entry.file, target)
    only = m.model_copy(update={"variants": [v], "default_variant": v.name})
    write_json_atomic(dest / MANIFEST_NAME, only.model_dump(mode="json"))
    edge.load(dest, variant=variant)  # every file against its sha256, and it opens


class _Bar:
    """One rich bar for the measuring phase, driven by quantize.select's progress callback."""

    def __init__(self, console: Console, quiet: bool):
        self.progress = step_bar(console, quiet)
        self.task = self.progress.add_task("measuring", total=1)

    def __call__(self, desc: str, completed: int, total: int) -> None:
        self.progress.update(self.task, description=desc, completed=completed, total=total)


def build_profile(
    profile: str | Path | HardwareProfile,
    out: str | Path,
    *,
    sources: dict[str, TaskSource] | None = None,
    eval_limit: int | None = DEFAULT_EVAL_LIMIT,
    seed: int = 0,
    threads: int | None = None,
    force: bool = False,
    quiet: bool = False,
    console: Console | None = None,
) -> dict:
    """Build, measure and choose for one hardware profile; write OUT/<task> and the report.

    ``sources`` replaces the default model of the tasks it names (keys are free; each source's
    ``task`` decides).

    Raises BuildError (nothing written) when no set fits the budget(s) and tolerances; the table
    of what was measured is printed first unless ``quiet``.
    """
    from edge.measurement import cpu_count

    started = time.perf_counter()
    console = console or Console(stderr=True)
    prof = profile if isinstance(profile, HardwareProfile) else load_hardware_profile(profile)
    out = Path(out)
    if out.exists() and not force:
        raise BuildError(f"{out} exists; pass --force to replace it")
    given = sources or {}
    extra = [s.task for s in given.values() if s.task not in prof.tasks]
    if extra:
        raise BuildError(
            f"profile {prof.name!r} runs {', '.join(prof.tasks)}; the given model is a "
            f"{extra[0]} model (pick a profile with that task, or leave --adapter out)"
        )
    by_task = {s.task: s for s in given.values()}
    sources = {t: by_task.get(t) or default_source(t, eval_limit, seed) for t in prof.tasks}
    wanted = candidate_variants(prof)
    menus = [v for src in sources.values() for v in src.menu]
    skipped = unbuildable(list(dict.fromkeys([*wanted, *menus])))
    buildable = [v for v in wanted if v not in skipped]
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.work-", dir=out.parent))
    try:
        artifacts, rejected = {}, {}
        for task, src in sources.items():
            folder = src.cache_dir or work / "candidates" / task
            menu = [v for v in src.menu if v not in skipped]
            variants = list(dict.fromkeys([*buildable, *menu]))
            failed = build_candidates(src, variants, folder, quiet=quiet, console=console)
            artifacts[task], rejected[task] = folder, {**skipped, **failed}
        measure_threads = threads or min(prof.threads, cpu_count())
        bar = _Bar(console, quiet)
        try:
            with bar.progress:
                report = select_variants(
                    prof,
                    artifacts,
                    {t: s.records for t, s in sources.items()},
                    threads=measure_threads,
                    rejected=rejected,
                    progress=bar,
                )
        except BuildError as e:
            if not quiet and hasattr(e, "report"):
                print_report(e.report, console)
            raise
        _annotate(report, artifacts, sources)
        staging = work / "out"
        staging.mkdir()
        for task, variant in report["chosen"].items():
            export_chosen(artifacts[task], variant, staging / task)
        report["output"] = {t: str(out / t) for t in report["chosen"]}
        report["seconds"] = round(time.perf_counter() - started, 1)
        write_json_atomic(staging / REPORT_NAME, report)
        replace_dir(staging, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not quiet:
        print_report(report, console)
    return report


def _annotate(report: dict, artifacts: dict[str, Path], sources: dict[str, TaskSource]) -> None:
    """Add what the build knows and the selection does not: parity, sources, eval sets."""
    from edge.measurement import cpu_count

    for task, rows in report["candidates"].items():
        variants = {v.name: v for v in read_manifest(artifacts[task]).variants}
        for r in rows:
            if r["variant"] in variants:
                r["parity_argmax_agreement"] = variants[r["variant"]].parity.argmax_agreement
    report["machine_cpus"] = cpu_count()
    report["sources"] = {
        t: {
            "base": str(s.base),
            "adapter": str(s.adapter),
            "spec": s.spec.name,
            "eval": s.eval_source,
            "candidates": str(artifacts[t]) if s.cache_dir else "(temporary)",
        }
        for t, s in sources.items()
    }
