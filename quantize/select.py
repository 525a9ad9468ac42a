"""Choose, per task, the variant a hardware profile should ship, from measured figures.

Why measure instead of reading file sizes: peak RSS includes the runtime, the tokenizer and the
activations of a batch, and differs per format (llama.cpp mmaps its file). Each candidate is
measured alone in a fresh process (``benchmarks.child together``: load + one batch of the
profile's typical input, VmHWM; then single-text latency), and its accuracy and batched latency
come from ``evaluate_artifact`` on the task's labelled records. The figure checked against
``memory_budget_mb`` is the one of the whole set, every task's model loaded in ONE fresh process
and each running its batch: adding up the tasks' own peaks would count the interpreter,
onnxruntime and tokenizers once per task (a pair that fits in 150 MB would read as 160).

Each task's loss against its fp32 variant (the merged model within 1e-3, by parity) must stay
within the profile's tolerance. Sets are tried most accurate first (fewest points lost in total,
then the smallest sum of the members' own peaks); the first set whose measured figure fits wins,
after the other sets exactly as accurate were measured too (the smallest of those wins). A set
whose largest member alone is over the budget cannot fit together and is not run.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from edge.errors import BuildError, EdgeError
from edge.manifest import read_manifest
from edge.profiles import HardwareProfile

KIND_TASK = {"token-classification": "pii", "sequence-classification": "intent"}
MB = 2**20
EPS = 1e-9  # points: two sets this close in loss are equally accurate
LATENCY_TEXTS = 20  # single-text latency is the p95 of at least this many typical texts
SMALL_VARIANTS = ("int4", "gguf-q4_0", "int8", "gguf-q8_0")  # what to suggest, smallest first

# progress(description, completed, total): the caller draws it (rich in profile_build).
Progress = Callable[[str, int, int], None]


def _no_progress(desc: str, completed: int, total: int) -> None:
    return None


def typical_texts(artifact: Path, profile: HardwareProfile) -> list[str]:
    """The profile's typical input for this artifact: ``typical_batch`` texts (at least
    LATENCY_TEXTS for timing) of ``typical_input`` length, cut with the artifact's tokenizer."""
    from benchmarks.workload import build_workload

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
    """Peak RSS (MiB) of ``(artifact, variant, texts)`` members loaded in one fresh process.

    Each member runs one batch of its first ``batch`` texts (all of them if None); with
    ``latency`` the child also times every text alone. Raises ChildError (an EdgeError) if the
    process fails.
    """
    from benchmarks.hardware import spawn

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
        res = spawn(["together", str(path)], threads=threads)
    return {
        "peak_rss_mb": res["peak_rss_bytes"] / MB,
        "rss_after_imports_mb": res["rss_after_imports_bytes"] / MB,
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
    """Size, accuracy and ms/text of one variant, and (``memory``) its own peak RSS in a fresh
    process plus its single-text latency on ``texts`` (default: the first 16 records' texts).
    A failure is recorded as ``error``, not raised: one broken variant must not stop the rest."""
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
            row["peak_rss_mb"] = alone["peak_rss_mb"]
            row["latency_ms_p50"] = alone["subjects"][0]["latency_ms_p50"]
            row["latency_ms_p95"] = alone["subjects"][0]["latency_ms_p95"]
    except EdgeError as e:
        row["error"] = str(e).splitlines()[0]
    return row


def _pts(loss: float) -> str:
    """A loss in words: a quantized variant can score above fp32 on a finite eval set."""
    return f"loses {loss:.2f} pts" if loss >= 0 else f"gains {-loss:.2f} pts"


def _reject(row: dict, why: str) -> dict:
    row.update(status="rejected", why=why)
    return row


def _task_rows(
    profile: HardwareProfile,
    task: str,
    artifact: Path,
    records: list[dict],
    threads: int,
    rejected: dict[str, str],
    tick: Callable[[str], None],
) -> tuple[list[dict], dict]:
    """Every variant of one task's artifact measured and judged alone; plus the reference."""
    names = [v.name for v in read_manifest(artifact).variants]
    texts = typical_texts(artifact, profile)
    rows: dict[str, dict] = {}
    for name in names:
        if not profile.allows(name) and name != "fp32":
            rows[name] = _reject({"variant": name}, "not allowed by the profile")
            continue
        tick(f"measuring {task} {name}")
        row = measure_candidate(
            artifact,
            name,
            records,
            threads,
            texts=texts,
            batch=profile.typical_batch,
            memory=profile.allows(name),
        )
        if not profile.allows(name):
            _reject(row, "not allowed by the profile (measured as the accuracy reference)")
        elif "error" in row:
            _reject(row, f"not measured: {row['error']}")
        rows[name] = row
    measured = [r for r in rows.values() if "accuracy" in r]
    if "fp32" in rows and "accuracy" in rows["fp32"]:
        ref = {"variant": "fp32", "accuracy": rows["fp32"]["accuracy"]}
    elif measured:  # no fp32 to compare with: the best variant measured stands in for it
        best = max(measured, key=lambda r: r["accuracy"])
        ref = {"variant": best["variant"], "accuracy": best["accuracy"], "note": "no fp32"}
    else:
        ref = {"variant": None, "accuracy": None}
    tol = profile.tolerance(task)
    for row in measured:
        row["loss_points"] = 100 * (ref["accuracy"] - row["accuracy"])
        if "status" not in row and row["loss_points"] > tol + EPS:
            _reject(row, f"loses {row['loss_points']:.2f} pts vs {ref['variant']} > {tol:g}")
    for name, why in rejected.items():  # parity failures, missing backends: never built
        if name not in rows and (profile.allows(name) or name == "fp32"):
            rows[name] = _reject({"variant": name}, why)
    order = {v: i for i, v in enumerate(["fp32", *profile.variants])}
    return sorted(rows.values(), key=lambda r: order.get(r["variant"], len(order))), ref


def _set_name(members: dict[str, dict]) -> str:
    return " + ".join(f"{t} {r['variant']}" for t, r in members.items())


def _try_sets(
    profile: HardwareProfile,
    ok: dict[str, list[dict]],
    artifacts: dict[str, Path],
    texts: dict[str, list[str]],
    threads: int,
    progress: Progress,
) -> tuple[list[dict], dict | None]:
    """Sets measured together, most accurate first, until the best fitting one is known."""
    tasks = profile.tasks
    combos = [dict(zip(tasks, c, strict=True)) for c in itertools.product(*(ok[t] for t in tasks))]

    def loss(c: dict) -> float:
        return sum(r["loss_points"] for r in c.values())

    combos.sort(key=lambda c: (round(loss(c), 6), sum(r["peak_rss_mb"] for r in c.values())))
    sets: list[dict] = []
    best: dict | None = None
    tried = 0
    for i, combo in enumerate(combos):
        if best is not None and loss(combo) > best["loss_points"] + EPS:
            break
        tried = i + 1
        entry: dict = {
            "variants": {t: r["variant"] for t, r in combo.items()},
            "loss_points": loss(combo),
            "sum_of_alone_mb": sum(r["peak_rss_mb"] for r in combo.values()),
        }
        biggest = max(combo.values(), key=lambda r: r["peak_rss_mb"])
        if biggest["peak_rss_mb"] > profile.memory_budget_mb:
            entry.update(measured=False, fits=False, lower_bound_mb=biggest["peak_rss_mb"])
            sets.append(entry)
            continue
        progress(f"measuring {_set_name(combo)} together", i, len(combos))
        if len(tasks) == 1:  # one model: the set is the candidate, already measured alone
            entry["peak_rss_mb"] = biggest["peak_rss_mb"]
        else:
            members = [(artifacts[t], r["variant"], texts[t]) for t, r in combo.items()]
            try:
                res = measure_together(members, threads, batch=profile.typical_batch)
            except EdgeError as e:
                entry.update(measured=False, fits=False, error=str(e).splitlines()[0])
                sets.append(entry)
                continue
            entry["peak_rss_mb"] = res["peak_rss_mb"]
            entry["rss_after_imports_mb"] = res["rss_after_imports_mb"]
            entry["loaded"] = [s["name"] for s in res["subjects"]]
        entry["measured"] = True
        entry["fits"] = entry["peak_rss_mb"] <= profile.memory_budget_mb
        sets.append(entry)
        if entry["fits"] and (best is None or entry["peak_rss_mb"] < best["peak_rss_mb"]):
            best = entry
    progress(f"sets measured: {tried} of {len(combos)}", tried, tried)
    return sets, best


def _explain(profile: HardwareProfile, rows: dict, sets: list[dict], best: dict | None) -> None:
    """A ``why`` for every candidate still open, from the sets it was (or was not) part of."""
    budget = profile.memory_budget_mb
    for task in profile.tasks:
        for r in rows[task]:
            if "status" in r:
                continue
            mine = [s for s in sets if s["variants"][task] == r["variant"]]
            measured = [s for s in mine if s["measured"]]
            if measured:
                r["set_peak_rss_mb"] = min(s["peak_rss_mb"] for s in measured)
            if best is not None and best["variants"][task] == r["variant"]:
                r.update(
                    status="chosen",
                    why=f"most accurate set that fits: {best['peak_rss_mb']:.0f} MB together "
                    f"<= {budget:g} MB; {_pts(r['loss_points'])} vs fp32 (tolerance "
                    f"{profile.tolerance(task):g})",
                )
                r["set_peak_rss_mb"] = best["peak_rss_mb"]
                continue
            r["status"] = "rejected"
            fitting = [s for s in measured if s["fits"]]
            if fitting:
                s = min(fitting, key=lambda s: s["peak_rss_mb"])
                assert best is not None  # a set fitted, so one was chosen
                better = "more accurate" if s["loss_points"] > best["loss_points"] + EPS else None
                r["why"] = (
                    f"fits ({s['peak_rss_mb']:.0f} MB together) but the chosen set is "
                    f"{better or 'as accurate and smaller'}"
                )
            elif measured:
                r["why"] = f"over budget: {r['set_peak_rss_mb']:.0f} MB together > {budget:g} MB"
            elif mine and all("lower_bound_mb" in s for s in mine):
                r["why"] = f"over budget: {r['peak_rss_mb']:.0f} MB alone > {budget:g} MB"
            elif errors := [s["error"] for s in mine if "error" in s]:
                r["why"] = f"not measured together: {errors[0]}"
            elif best is not None:  # every set with it loses more than the chosen one
                v = best["variants"][task]
                c = next(x for x in rows[task] if x["variant"] == v)
                r["why"] = (
                    f"less accurate than the chosen {v}: {_pts(r['loss_points'])} vs fp32, "
                    f"{v} {_pts(c['loss_points'])}"
                )
            else:
                r["why"] = "not measured together"


def _suggestions(profile: HardwareProfile, rows: dict) -> str:
    tips = []
    smaller = [v for v in SMALL_VARIANTS if v not in profile.variants]
    if smaller:
        tips.append(f"a smaller quant (allow {' or '.join(smaller[:2])} in the profile's variants)")
    lossy = [
        f"{t} {r['variant']}"
        for t in profile.tasks
        for r in rows[t]
        if "pts vs" in r.get("why", "")
    ]
    if lossy:
        tips.append(f"a larger accuracy_tolerance ({', '.join(lossy)} lost too much)")
    if len(profile.tasks) > 1:
        tips.append(f"fewer tasks (the profile runs {', '.join(profile.tasks)})")
    tips.append("a smaller base model")
    tips.append("a larger memory_budget_mb")
    return "; try " + ", ".join(tips)


def _failure(profile: HardwareProfile, rows: dict, ok: dict, sets: list[dict]) -> str:
    """One line: the smallest figure measured and what would help."""
    budget = profile.memory_budget_mb
    measured = [s for s in sets if s["measured"]]
    if measured:
        s = min(measured, key=lambda s: s["peak_rss_mb"])
        names = " + ".join(f"{t} {v}" for t, v in s["variants"].items())
        what = f"smallest measured: {names} together {s['peak_rss_mb']:.0f} MB"
    else:
        alone = [(t, r) for t in profile.tasks for r in rows[t] if "peak_rss_mb" in r]
        if alone:
            t, r = min(alone, key=lambda x: x[1]["peak_rss_mb"])
            what = f"smallest measured: {t} {r['variant']} alone {r['peak_rss_mb']:.0f} MB"
        else:
            what = "nothing could be measured"
    empty = [t for t in profile.tasks if not ok[t]]
    none_ok = f"; no {' or '.join(empty)} variant within tolerance" if empty else ""
    return (
        f"no variant set fits hardware profile {profile.name!r}: {what} vs budget {budget:g} MB"
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
    line: the smallest measured figure and what would help) when no set of variants fits; the
    report so far is on the exception as ``report``.
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
        kind_task = KIND_TASK[read_manifest(art).task.kind]
        if kind_task != task:
            raise BuildError(f"{art} is a {kind_task} model, given for the profile's {task} task")
    rows: dict[str, list[dict]] = {}
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
    ok = {t: [r for r in rows[t] if "status" not in r] for t in profile.tasks}
    texts = {t: typical_texts(arts[t], profile) for t in profile.tasks}
    sets, best = _try_sets(profile, ok, arts, texts, threads, progress)
    _explain(profile, rows, sets, best)
    report: dict = {
        "profile": profile.name,
        "budget_mb": profile.memory_budget_mb,
        "threads": threads,
        "profile_threads": profile.threads,
        "typical_input": {"length": profile.typical_input, "batch": profile.typical_batch},
        "tolerance_points": {t: profile.tolerance(t) for t in profile.tasks},
        "reference": refs,
        "records": {t: len(records[t]) for t in profile.tasks},
        "candidates": rows,
        "sets": sets,
    }
    if best is None:
        err = BuildError(_failure(profile, rows, ok, sets))
        err.report = report  # type: ignore[attr-defined]
        raise err
    report["chosen"] = dict(best["variants"])
    report["total_peak_rss_mb"] = best["peak_rss_mb"]
    report["sum_of_alone_mb"] = best["sum_of_alone_mb"]
    report["loss_points"] = best["loss_points"]
    return report


def print_report(report: dict, console=None) -> None:
    """A rich table, one row per candidate; the chosen set's together figure below it."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    title = (
        f"profile {report['profile']}: budget {report['budget_mb']:g} MB, "
        f"{report['threads']} thread(s), {report['typical_input']['batch']} "
        f"{report['typical_input']['length']} texts per batch"
    )
    table = Table(title=title, caption="RSS: peak in a fresh process (load + one batch)")
    cols = ("task", "variant", "size MB", "RSS alone", "RSS set", "accuracy", "loss pts")
    for col in (*cols, "ms/text", "p95 ms", "", "why"):
        table.add_column(col, justify="right" if col not in ("task", "variant", "why") else "left")
    for task, rows in report["candidates"].items():
        for r in rows:

            def f(key: str, fmt: str, r: dict = r) -> str:
                return format(r[key], fmt) if r.get(key) is not None else "-"

            table.add_row(
                task,
                r["variant"],
                f("size_mb", ".1f"),
                f("peak_rss_mb", ".0f"),
                f("set_peak_rss_mb", ".0f"),
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
        console.print(
            f"chosen: {names}: {report['total_peak_rss_mb']:.0f} MB together (the models "
            f"alone: {report['sum_of_alone_mb']:.0f} MB summed) <= {report['budget_mb']:g} MB"
        )
