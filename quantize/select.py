"""Choose, per task, the variant a hardware profile should ship, from measured figures.

Why measure instead of reading file sizes: resident memory includes the sessions, arenas and the
activations of a batch, and differs per format (llama.cpp mmaps its file). Each candidate is
measured alone in a fresh process (``python -m edge.measurement together``: import the runtime,
load, one batch of the profile's typical input, VmHWM; then single-text latency), and its
accuracy and batched latency come from ``evaluate_artifact`` on the task's labelled records.

What ``memory_budget_mb`` is checked against: the models' share, ``models_rss_mb`` =
``process_peak_rss_mb`` (the fresh process's peak) - ``runtime_baseline_mb`` (the same process's
RSS once the interpreter, numpy, tokenizers, edge and the members' backends, onnxruntime and/or
llama.cpp, are imported, before any model is loaded; 65-100 MB on x86-64 Linux, ~30 of it
onnxruntime). The profile budgets the models, as the issue puts it; the interpreter and libraries
are the app's cost whatever variant ships. ``process_budget_mb``, when a profile sets it, caps
the whole process too. The figure is the one of the whole set, every task's model loaded in ONE
fresh process and each running its batch: two models share one onnxruntime and one tokenizers.

Each task's loss against its fp32 variant (the merged model within 1e-3, by parity) must stay
within the profile's tolerance, and its single-text p95 within the profile's latency target for
the task when any variant meets that target. Sets are tried most accurate first (fewest points
lost in total, then the smallest sum of the members' own shares). Once one fits, the sets that
lose at most ``min_gain_points`` more are measured too, and the smallest models' share among
those that fit wins: a set more accurate by less than that margin does not beat a smaller one
(on a 1,000-record sample a few records decide such a difference; see
``edge.profiles.DEFAULT_MIN_GAIN_POINTS``).
A set with a member over a budget alone cannot fit together and is not run.
"""

from __future__ import annotations

import itertools
import json
import math
import tempfile
from collections.abc import Callable
from pathlib import Path

from edge.errors import BuildError, EdgeError
from edge.manifest import read_manifest
from edge.profiles import HardwareProfile
from edge.variants import smaller_quants
from quantize.candidates import Candidate, Over, Reason, mem, over_budget

MB = 2**20
EPS = 1e-9  # points: two sets this close in loss are equally accurate
LATENCY_TEXTS = 20  # single-text latency is the p95 of at least this many typical texts
SMALL_VARIANTS = smaller_quants()  # what to suggest allowing, smallest first

# progress(description, completed, total): the caller draws it (rich in profile_build).
Progress = Callable[[str, int, int], None]


def _no_progress(desc: str, completed: int, total: int) -> None:
    return None


def typical_texts(artifact: Path, profile: HardwareProfile) -> list[str]:
    """The profile's typical input for this artifact: ``typical_batch`` texts (at least
    LATENCY_TEXTS for timing) of ``typical_input`` length, cut with the artifact's tokenizer."""
    from edge.measurement import build_workload

    n = max(profile.typical_batch, LATENCY_TEXTS)
    workload = build_workload(Path(artifact), read_manifest(Path(artifact)), per_bucket=n)
    return workload.texts[profile.typical_input]


def measure_together(
    members: list[tuple[Path, str, list[str]]],
    threads: int,
    *,
    batch: int | None = None,
    latency: bool = False,
) -> dict:
    """Memory (MiB) of ``(artifact, variant, texts)`` members loaded in one fresh process: its
    peak RSS, its runtime baseline (RSS after the members' libraries are imported, before any
    model) and the models' share (the difference, what a profile's budget is checked against).

    Each member runs one batch of its first ``batch`` texts (all of them if None); with
    ``latency`` the child also times every text alone. Raises ChildError (an EdgeError) if the
    process fails.
    """
    from edge.measurement import spawn

    subjects = []
    for artifact, variant, texts in members:
        name = f"{read_manifest(Path(artifact)).task.name}:{variant}"
        desc = {"kind": "edge", "artifact": str(artifact), "variant": variant, "name": name}
        subjects.append(
            {"subject": desc, "texts": texts[: batch or len(texts)], "latency_texts": texts}
        )
    spec = {"threads": threads, "latency": latency, "subjects": subjects}
    with tempfile.TemporaryDirectory(prefix="edge-select-") as tmp:
        path = Path(tmp) / "together.json"
        path.write_text(json.dumps(spec), encoding="utf-8")
        res = spawn("edge.measurement", ["together", str(path)], threads=threads)
    peak, baseline = res["peak_rss_bytes"] / MB, res["runtime_baseline_bytes"] / MB
    return {
        "models_rss_mb": peak - baseline,
        "process_peak_rss_mb": peak,
        "runtime_baseline_mb": baseline,
        "runtime_imports": res["runtime_imports"],
        "rss_after_load_mb": res["rss_after_load_bytes"] / MB,
        "subjects": res["subjects"],
    }


def measure_candidate(
    artifact: Path,
    variant: str,
    records: list[dict],
    threads: int,
    *,
    texts: list[str] | None = None,
    batch: int | None = None,
    memory: bool = True,
) -> dict:
    """Size, accuracy and ms/text of one variant, and (``memory``) its own memory in a fresh
    process (models' share, process peak, runtime baseline) plus its single-text latency on
    ``texts`` (default: the first 16 records' texts). A failure is recorded as ``error``, not
    raised: one broken variant must not stop the rest."""
    from quantize.evaluate import evaluate_artifact

    m = read_manifest(Path(artifact))
    v = m.variant(variant)
    size = v.model.size_bytes + sum(e.size_bytes for e in v.extra_files)
    row: dict = {"variant": variant, "format": v.format, "size_mb": size / MB}
    try:
        res = evaluate_artifact(artifact, records, variant=variant, threads=threads)
        row["accuracy"] = float(res["headline"]["value"])
        row["metric"] = res["headline"]["metric"]
        row["latency_ms_per_text"] = float(res["latency_ms_per_text"])
        if memory:
            texts = texts or [r["text"] for r in records[:16]]
            alone = measure_together(
                [(Path(artifact), variant, texts)], threads, batch=batch, latency=True
            )
            for key in ("models_rss_mb", "process_peak_rss_mb", "runtime_baseline_mb"):
                row[key] = alone[key]
            row["latency_ms_p50"] = alone["subjects"][0]["latency_ms_p50"]
            row["latency_ms_p95"] = alone["subjects"][0]["latency_ms_p95"]
    except EdgeError as e:
        row["error"] = str(e).splitlines()[0]
    return row


def _task_rows(
    profile: HardwareProfile,
    task: str,
    artifact: Path,
    records: list[dict],
    threads: int,
    rejected: dict[str, str],
    tick: Callable[[str], None],
) -> tuple[list[Candidate], dict]:
    """Every variant of one task's artifact measured and judged alone; plus the reference."""
    names = [v.name for v in read_manifest(artifact).variants]
    texts = typical_texts(artifact, profile)
    rows: dict[str, Candidate] = {}
    for name in names:
        if not profile.allows(name) and name != "fp32":
            rows[name] = Candidate(name).reject(Reason.NOT_ALLOWED)
            continue
        tick(f"measuring {task} {name}")
        row = Candidate.measured(
            measure_candidate(
                artifact,
                name,
                records,
                threads,
                texts=texts,
                batch=profile.typical_batch,
                memory=profile.allows(name),
            )
        )
        if not profile.allows(name):
            row.reject(Reason.REFERENCE_ONLY)
        elif row.error is not None:
            row.reject(Reason.NOT_MEASURED, error=row.error)
        rows[name] = row
    measured = [r for r in rows.values() if r.accuracy is not None]
    if "fp32" in rows and rows["fp32"].accuracy is not None:
        ref = {"variant": "fp32", "accuracy": rows["fp32"].accuracy}
    elif measured:  # no fp32 to compare with: the best variant measured stands in for it
        best = max(measured, key=lambda r: r.accuracy or 0.0)
        ref = {"variant": best.variant, "accuracy": best.accuracy, "note": "no fp32"}
    else:
        ref = {"variant": None, "accuracy": None}
    tol = profile.tolerance(task)
    for row in measured:
        row.loss_points = 100 * (ref["accuracy"] - (row.accuracy or 0.0))
        if row.open and row.loss_points > tol + EPS:
            row.reject(
                Reason.TOO_LOSSY, loss=row.loss_points, reference=ref["variant"], tolerance=tol
            )
    target = profile.latency_ms_p95.get(task)
    eligible = [r for r in measured if r.open and r.latency_ms_p95 is not None]
    # The latency target gates only when some variant meets it: a target nothing meets is
    # reported (the table has every p95), not a reason to ship nothing.
    if target is not None and any((r.latency_ms_p95 or 0.0) <= target for r in eligible):
        for row in eligible:
            if (p95 := row.latency_ms_p95 or 0.0) > target:
                row.reject(Reason.TOO_SLOW, p95=p95, target=target)
    for name, why in rejected.items():  # parity failures, missing backends: never built
        if name not in rows and (profile.allows(name) or name == "fp32"):
            rows[name] = Candidate(name).reject(Reason.NOT_BUILT, detail=why)
    order = {v: i for i, v in enumerate(["fp32", *profile.variants])}
    return sorted(rows.values(), key=lambda r: order.get(r.variant, len(order))), ref


def _set_name(members: dict[str, Candidate]) -> str:
    return " + ".join(f"{t} {r.variant}" for t, r in members.items())


def _over(profile: HardwareProfile, models_mb: float, process_mb: float) -> list[Over]:
    """What a measured figure (a set's or a candidate's) is over; [] when it fits both budgets."""
    return over_budget(models_mb, process_mb, profile.memory_budget_mb, profile.process_budget_mb)


def _over_alone(profile: HardwareProfile, c: Candidate) -> list[Over]:
    return _over(profile, c.models_rss_mb or 0.0, c.process_peak_rss_mb or 0.0)


def _mem(fig: dict) -> str:
    """A set's measured figure in words."""
    return mem(fig["models_rss_mb"], fig["process_peak_rss_mb"], fig["runtime_baseline_mb"])


MEMORY_KEYS = ("models_rss_mb", "process_peak_rss_mb", "runtime_baseline_mb")
MEMORY_NOTE = (
    "MiB, in a fresh process (load + one typical batch): models_rss_mb = process_peak_rss_mb "
    "(VmHWM) - runtime_baseline_mb (RSS after importing the runtime's libraries, before any "
    "model); memory_budget_mb is checked against models_rss_mb, process_budget_mb (if set) "
    "against process_peak_rss_mb"
)


def _try_sets(
    profile: HardwareProfile,
    ok: dict[str, list[Candidate]],
    artifacts: dict[str, Path],
    texts: dict[str, list[str]],
    threads: int,
    progress: Progress,
) -> tuple[list[dict], dict | None]:
    """Sets measured together, most accurate first, until the best fitting one is known.

    Once a set fits (the most accurate that does: they come in that order), the sets losing at
    most ``min_gain_points`` more are measured too; the smallest models' share among the fitting
    ones wins (ties: the more accurate)."""
    tasks = profile.tasks
    combos = [dict(zip(tasks, c, strict=True)) for c in itertools.product(*(ok[t] for t in tasks))]

    def loss(c: dict[str, Candidate]) -> float:
        return sum(r.loss_points or 0.0 for r in c.values())

    def alone_mb(c: dict[str, Candidate]) -> float:
        return sum(r.models_rss_mb or 0.0 for r in c.values())

    combos.sort(key=lambda c: (round(loss(c), 6), alone_mb(c)))
    sets: list[dict] = []
    fitting: list[dict] = []
    tried = 0
    for i, combo in enumerate(combos):
        if fitting and loss(combo) > fitting[0]["loss_points"] + profile.min_gain_points + EPS:
            break
        tried = i + 1
        entry: dict = {
            "variants": {t: r.variant for t, r in combo.items()},
            "loss_points": loss(combo),
            "sum_of_alone_models_mb": alone_mb(combo),
        }
        alone = [(t, r, o) for t, r in combo.items() for o in _over_alone(profile, r)]
        if alone:  # one member over a budget on its own: the set cannot fit, not run
            entry.update(measured=False, fits=False)
            entry["over_alone"] = [f"{t} {r.variant} alone: {o}" for t, r, o in alone]
            sets.append(entry)
            continue
        progress(f"measuring {_set_name(combo)} together", i, len(combos))
        if len(tasks) == 1:  # one model: the set is the candidate, already measured alone
            entry.update({k: next(iter(combo.values())).figures[k] for k in MEMORY_KEYS})
        else:
            members = [(artifacts[t], r.variant, texts[t]) for t, r in combo.items()]
            try:
                res = measure_together(members, threads, batch=profile.typical_batch)
            except EdgeError as e:
                entry.update(measured=False, fits=False, error=str(e).splitlines()[0])
                sets.append(entry)
                continue
            entry.update({k: res[k] for k in MEMORY_KEYS})
            entry["runtime_imports"] = res["runtime_imports"]
            entry["loaded"] = [s["name"] for s in res["subjects"]]
        entry["measured"] = True
        over = _over(profile, entry["models_rss_mb"], entry["process_peak_rss_mb"])
        entry["over"] = [str(o) for o in over]
        entry["fits"] = not over
        sets.append(entry)
        if entry["fits"]:
            fitting.append(entry)
    progress(f"sets measured: {tried} of {len(combos)}", tried, tried)
    best = min(fitting, key=lambda s: (s["models_rss_mb"], s["loss_points"]), default=None)
    return sets, best


def _explain(
    profile: HardwareProfile,
    rows: dict[str, list[Candidate]],
    ok: dict[str, list[Candidate]],
    sets: list[dict],
    best: dict | None,
) -> None:
    """A decision for every candidate still open, from the sets it was (or was not) part of."""
    limit = None  # sets losing more than this were not measured (they cannot win)
    fits = [s for s in sets if s.get("fits")]
    if best is not None:
        limit = min(s["loss_points"] for s in fits) + profile.min_gain_points
    for task in profile.tasks:
        n_sets = math.prod(len(ok[t]) for t in profile.tasks if t != task)
        for r in rows[task]:
            if not r.open:
                continue
            mine = [s for s in sets if s["variants"][task] == r.variant]
            measured = [s for s in mine if s["measured"]]
            if measured:
                low = min(measured, key=lambda s: s["models_rss_mb"])
                r.set_models_rss_mb = low["models_rss_mb"]
                r.set_process_peak_rss_mb = low["process_peak_rss_mb"]
            if best is not None and best["variants"][task] == r.variant:
                r.choose(
                    loss=best["loss_points"],
                    top=min(s["loss_points"] for s in fits),
                    others=len(fits) - 1,
                    eps=EPS,
                    min_gain=profile.min_gain_points,
                    models=best["models_rss_mb"],
                    peak=best["process_peak_rss_mb"],
                    baseline=best["runtime_baseline_mb"],
                    budget=profile.memory_budget_mb,
                    process_budget=profile.process_budget_mb,
                    own_loss=r.loss_points,
                    tolerance=profile.tolerance(task),
                )
                r.set_models_rss_mb = best["models_rss_mb"]
                r.set_process_peak_rss_mb = best["process_peak_rss_mb"]
                continue
            untried = limit if limit is not None and len(mine) < n_sets else None
            fitting = [s for s in measured if s["fits"]]
            if fitting:
                assert best is not None  # a set fitted, so one was chosen
                s = min(fitting, key=lambda s: s["models_rss_mb"])
                r.reject(
                    Reason.OUTRANKED,
                    models=s["models_rss_mb"],
                    chosen_models=best["models_rss_mb"],
                    gain=best["loss_points"] - s["loss_points"],
                    min_gain=profile.min_gain_points,
                    eps=EPS,
                )
            elif measured:
                low = min(measured, key=lambda s: s["models_rss_mb"])
                with_ = " + ".join(f"{t} {v}" for t, v in low["variants"].items() if t != task)
                over = _over(profile, low["models_rss_mb"], low["process_peak_rss_mb"])
                r.reject(Reason.OVER_BUDGET, over=over, untried_over=untried, **{"with": with_})
            elif mine and all("over_alone" in s for s in mine):
                if own := _over_alone(profile, r):
                    r.reject(Reason.OVER_BUDGET_ALONE, over=own, untried_over=untried)
                else:
                    t, v, o = next(
                        (t, c.variant, o)
                        for t, v in mine[0]["variants"].items()
                        for c in rows[t]
                        if c.variant == v
                        for o in _over_alone(profile, c)
                    )
                    r.reject(
                        Reason.MEMBER_OVER_BUDGET, task=t, variant=v, over=o, untried_over=untried
                    )
            elif errors := [s["error"] for s in mine if "error" in s]:
                r.reject(Reason.NOT_MEASURED_TOGETHER, error=errors[0])
            elif limit is not None and best is not None:  # every set with it loses too much
                v = best["variants"][task]
                c = next(x for x in rows[task] if x.variant == v)
                r.reject(
                    Reason.LESS_ACCURATE,
                    chosen=v,
                    loss=r.loss_points,
                    chosen_loss=c.loss_points,
                    limit=limit,
                )
            else:
                r.reject(Reason.NOT_MEASURED_TOGETHER)


def _suggestions(profile: HardwareProfile, rows: dict[str, list[Candidate]]) -> str:
    tips = []
    smaller = [v for v in SMALL_VARIANTS if v not in profile.variants]
    if smaller:
        tips.append(f"a smaller quant (allow {' or '.join(smaller[:2])} in the profile's variants)")
    lossy = [
        f"{t} {r.variant}" for t in profile.tasks for r in rows[t] if r.reason is Reason.TOO_LOSSY
    ]
    if lossy:
        tips.append(f"a larger accuracy_tolerance ({', '.join(lossy)} lost too much)")
    if len(profile.tasks) > 1:
        tips.append(f"fewer tasks (the profile runs {', '.join(profile.tasks)})")
    tips.append("a smaller base model")
    tips.append("a larger memory_budget_mb")
    if profile.process_budget_mb is not None:
        tips.append("a larger process_budget_mb (or none)")
    return "; try " + ", ".join(tips)


def _failure(
    profile: HardwareProfile,
    rows: dict[str, list[Candidate]],
    ok: dict[str, list[Candidate]],
    sets: list[dict],
) -> str:
    """One line: the smallest figure measured (the models' share) and what would help."""
    budget = f"vs budget {profile.memory_budget_mb:g} MB"
    if profile.process_budget_mb is not None:
        budget += f" (process budget {profile.process_budget_mb:g} MB)"
    measured = [s for s in sets if s["measured"]]
    if measured:
        s = min(measured, key=lambda s: s["models_rss_mb"])
        names = " + ".join(f"{t} {v}" for t, v in s["variants"].items())
        what = f"smallest measured: {names} together, {_mem(s)} {budget}"
    else:
        alone = [(t, r) for t in profile.tasks for r in rows[t] if r.models_rss_mb is not None]
        if alone:
            t, r = min(alone, key=lambda x: x[1].models_rss_mb or 0.0)
            what = f"smallest measured: {t} {r.variant} alone, {_mem(r.figures)} {budget}"
        else:
            what = f"nothing could be measured {budget}"
    empty = [t for t in profile.tasks if not ok[t]]
    none_ok = f"; no {' or '.join(empty)} variant within tolerance" if empty else ""
    return (
        f"no variant set fits hardware profile {profile.name!r}: {what}"
        f"{none_ok}{_suggestions(profile, rows)}"
    )


def select_variants(
    profile: HardwareProfile,
    artifacts: dict[str, Path],
    records: dict[str, list[dict]],
    *,
    threads: int | None = None,
    rejected: dict[str, dict[str, str]] | None = None,
    progress: Progress | None = None,
) -> dict:
    """The report: every candidate with its figures and why it was chosen or rejected.

    ``artifacts`` maps task (``pii``/``intent``) to an artifact folder; ``records`` the same
    tasks to labelled records; ``rejected`` per task, variants that were never built and why
    (failed parity, missing backend), so the report still lists them. Raises BuildError (one
    line: the smallest models' share measured and what would help) when no set of variants fits;
    the report so far is on the exception as ``report``.
    """
    threads = threads or profile.threads
    progress = progress or _no_progress
    missing = [t for t in profile.tasks if t not in artifacts or t not in records]
    if missing:
        raise BuildError(
            f"profile {profile.name!r} runs {profile.tasks}; no artifact or records for {missing}"
        )
    arts = {t: Path(artifacts[t]) for t in profile.tasks}
    for task, art in arts.items():
        kind_task = read_manifest(art).task.alias
        if kind_task != task:
            raise BuildError(f"{art} is a {kind_task} model, given for the profile's {task} task")
    rows: dict[str, list[Candidate]] = {}
    refs: dict[str, dict] = {}
    total = sum(len(read_manifest(a).variants) for a in arts.values())
    done = [0]

    def tick(desc: str) -> None:
        progress(desc, done[0], total)
        done[0] += 1

    for task in profile.tasks:
        rows[task], refs[task] = _task_rows(
            profile, task, arts[task], records[task], threads, (rejected or {}).get(task, {}), tick
        )
    progress("candidates measured", total, total)
    ok = {t: [r for r in rows[t] if r.open] for t in profile.tasks}
    texts = {t: typical_texts(arts[t], profile) for t in profile.tasks}
    sets, best = _try_sets(profile, ok, arts, texts, threads, progress)
    _explain(profile, rows, ok, sets, best)
    report: dict = {
        "profile": profile.name,
        "memory_budget_mb": profile.memory_budget_mb,
        "process_budget_mb": profile.process_budget_mb,
        "memory": MEMORY_NOTE,
        "min_gain_points": profile.min_gain_points,
        "threads": threads,
        "profile_threads": profile.threads,
        "typical_input": {"length": profile.typical_input, "batch": profile.typical_batch},
        "tolerance_points": {t: profile.tolerance(t) for t in profile.tasks},
        "reference": refs,
        "records": {t: len(records[t]) for t in profile.tasks},
        "candidates": {t: [c.row() for c in rows[t]] for t in profile.tasks},
        "sets": sets,
    }
    if best is None:
        err = BuildError(_failure(profile, rows, ok, sets))
        err.report = report  # type: ignore[attr-defined]
        raise err
    report["chosen"] = dict(best["variants"])
    report.update({k: best[k] for k in MEMORY_KEYS})
    report["sum_of_alone_models_mb"] = best["sum_of_alone_models_mb"]
    report["loss_points"] = best["loss_points"]
    return report


def print_report(report: dict, console=None) -> None:
    """A rich table, one row per candidate; the chosen set's together figures below it."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    cap = report.get("process_budget_mb")
    title = (
        f"profile {report['profile']}: models' budget {report['memory_budget_mb']:g} MB"
        f"{f', process budget {cap:g} MB' if cap else ''}, {report['threads']} thread(s), "
        f"{report['typical_input']['batch']} {report['typical_input']['length']} texts per batch"
    )
    caption = (
        "models MB: peak RSS of a fresh process (load + one batch) minus its RSS after importing "
        "the runtime, before any model (checked against the budget); process MB: the whole peak"
    )
    table = Table(title=title, caption=caption)
    cols = ("task", "variant", "size MB", "models alone", "models set", "process alone")
    for col in (*cols, "accuracy", "loss pts", "ms/text", "p95 ms", "", "why"):
        table.add_column(col, justify="right" if col not in ("task", "variant", "why") else "left")
    for task, rows in report["candidates"].items():
        for r in rows:

            def f(key: str, fmt: str, r: dict = r) -> str:
                return format(r[key], fmt) if r.get(key) is not None else "-"

            table.add_row(
                task,
                r["variant"],
                f("size_mb", ".1f"),
                f("models_rss_mb", ".0f"),
                f("set_models_rss_mb", ".0f"),
                f("process_peak_rss_mb", ".0f"),
                f("accuracy", ".4f"),
                f("loss_points", ".2f"),
                f("latency_ms_per_text", ".2f"),
                f("latency_ms_p95", ".1f"),
                r.get("status", ""),
                r.get("why", ""),
            )
    console.print(table)
    if "chosen" in report:
        names = " + ".join(f"{t} {v}" for t, v in report["chosen"].items())
        process = f" <= {cap:g} MB" if cap else ""
        console.print(
            f"chosen: {names}: models {report['models_rss_mb']:.0f} MB together <= "
            f"{report['memory_budget_mb']:g} MB (process peak {report['process_peak_rss_mb']:.0f} "
            f"MB{process} - runtime baseline {report['runtime_baseline_mb']:.0f} MB; the models "
            f"measured alone: {report['sum_of_alone_models_mb']:.0f} MB summed); min gain "
            f"{report['min_gain_points']:g} pts"
        )
