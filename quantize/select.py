"""Choose, per task, the variant a hardware profile should ship, from measured figures.

Why measure instead of reading file sizes: peak RSS includes the runtime, the tokenizer and the
activations of a batch, and differs per format (llama.cpp mmaps its file). Each candidate's peak
RSS is taken in a fresh process (``benchmarks.child``: load + one batch, VmHWM), its accuracy
and batched latency from ``evaluate_artifact`` on a small labelled set. The tasks' peaks are
summed (separate processes: conservative, the interpreter is counted once per task) and must
fit ``memory_budget_mb``; each task's loss against its fp32 variant must stay within the
profile's tolerance. Among the sets that pass, the one losing the fewest points wins (then the
smaller one).
"""

from __future__ import annotations

import itertools
import json
import tempfile
from pathlib import Path

from edge.errors import BuildError, EdgeError
from edge.manifest import read_manifest
from edge.profiles import HardwareProfile

KIND_TASK = {"token-classification": "pii", "sequence-classification": "intent"}


def measure_candidate(artifact: Path, variant: str, records: list[dict], threads: int) -> dict:
    """Size, peak RSS (fresh process), accuracy and ms/text of one variant; ``error`` if not."""
    from benchmarks.hardware import spawn
    from quantize.evaluate import evaluate_artifact

    m = read_manifest(artifact)
    v = m.variant(variant)
    size = v.model.size_bytes + sum(e.size_bytes for e in v.extra_files)
    row: dict = {"variant": variant, "format": v.format, "size_mb": size / 2**20}
    try:
        res = evaluate_artifact(artifact, records, variant=variant, threads=threads)
        row["accuracy"] = float(res["headline"]["value"])
        row["metric"] = res["headline"]["metric"]
        row["latency_ms_per_text"] = float(res["latency_ms_per_text"])
        desc = {"kind": "edge", "artifact": str(artifact), "variant": variant, "name": variant}
        spec = {"subject": desc, "threads": threads, "texts": [r["text"] for r in records[:16]]}
        with tempfile.TemporaryDirectory(prefix="edge-select-") as tmp:
            path = Path(tmp) / "subject.json"
            path.write_text(json.dumps(spec), encoding="utf-8")
            row["peak_rss_mb"] = (
                spawn(["subject", str(path)], threads=threads)["peak_rss_bytes"] / 2**20
            )
    except EdgeError as e:
        row["error"] = str(e).splitlines()[0]
    return row


def select_variants(
    profile: HardwareProfile,
    artifacts: dict[str, Path],
    records: dict[str, list[dict]],
    *,
    threads: int | None = None,
) -> dict:
    """The report: every candidate with its figures and why it was chosen or rejected.

    ``artifacts`` maps task (``pii``/``intent``) to an artifact folder; ``records`` the same
    tasks to labelled records. Raises BuildError when no set of variants fits.
    """
    threads = threads or profile.threads
    missing = [t for t in profile.tasks if t not in artifacts]
    if missing:
        raise BuildError(
            f"profile {profile.name!r} runs {profile.tasks}; no artifact for {missing}"
        )
    rows: dict[str, list[dict]] = {}
    for task in profile.tasks:
        art = Path(artifacts[task])
        names = [v.name for v in read_manifest(art).variants]
        ref = measure_candidate(art, "fp32", records[task], threads) if "fp32" in names else None
        task_rows = []
        for name in names:
            if not profile.allows(name):
                task_rows.append({"variant": name, "status": "rejected", "why": "not allowed"})
                continue
            row = (
                ref
                if name == "fp32" and ref
                else measure_candidate(art, name, records[task], threads)
            )
            row = dict(row)
            if "error" in row:
                row.update(status="rejected", why=f"not measured: {row['error']}")
            elif ref is not None and "accuracy" in ref:
                row["loss_points"] = 100 * (ref["accuracy"] - row["accuracy"])
                if row["loss_points"] > profile.tolerance(task):
                    row.update(
                        status="rejected",
                        why=f"loses {row['loss_points']:.2f} pts > {profile.tolerance(task):g}",
                    )
            else:
                row["loss_points"] = 0.0
            task_rows.append(row)
        rows[task] = task_rows
    ok = {t: [r for r in rows[t] if "status" not in r] for t in profile.tasks}
    combos = [c for c in itertools.product(*(ok[t] for t in profile.tasks))]
    fits = [c for c in combos if sum(r["peak_rss_mb"] for r in c) <= profile.memory_budget_mb]
    best = min(
        fits,
        key=lambda c: (sum(r["loss_points"] for r in c), sum(r["peak_rss_mb"] for r in c)),
        default=None,
    )
    report = {"profile": profile.name, "budget_mb": profile.memory_budget_mb, "threads": threads}
    if best is not None:
        chosen = dict(zip(profile.tasks, best, strict=True))
        for task in profile.tasks:
            for r in ok[task]:
                if r is chosen[task]:
                    r.update(status="chosen", why="most accurate set within budget and tolerance")
                    continue
                others = sum(
                    min(x["peak_rss_mb"] for x in ok[o]) for o in profile.tasks if o != task
                )
                total = r["peak_rss_mb"] + others
                r["status"] = "rejected"
                r["why"] = (
                    f"with the lightest other models {total:.0f} MB > budget"
                    if total > profile.memory_budget_mb
                    else "fits, but the chosen set is more accurate or smaller"
                )
        report["chosen"] = {t: chosen[t]["variant"] for t in profile.tasks}
        report["total_peak_rss_mb"] = sum(r["peak_rss_mb"] for r in best)
    report["candidates"] = rows
    if best is None:
        measured = {
            t: min((r for r in rows[t] if "peak_rss_mb" in r), key=lambda r: r["peak_rss_mb"])
            for t in profile.tasks
            if any("peak_rss_mb" in r for r in rows[t])
        }
        smallest = " + ".join(
            f"{t} {r['variant']} {r['peak_rss_mb']:.0f} MB" for t, r in measured.items()
        )
        total = sum(r["peak_rss_mb"] for r in measured.values())
        empty = [t for t in profile.tasks if not ok[t]]
        why = f"; no variant within accuracy tolerance for {empty}" if empty else ""
        raise BuildError(
            f"no variant set fits hardware profile {profile.name!r}: smallest measured "
            f"{smallest or '(nothing measured)'} = {total:.0f} MB vs budget "
            f"{profile.memory_budget_mb:g} MB{why}; build smaller variants "
            "(--variants int8,gguf-q4_0), raise memory_budget_mb or accuracy_tolerance"
        )
    return report


def print_report(report: dict) -> None:
    """A rich table, one row per candidate."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"profile {report['profile']} (budget {report['budget_mb']:g} MB)")
    for col in ("task", "variant", "size MB", "peak RSS MB", "accuracy", "ms/text", "", "why"):
        table.add_column(col)
    for task, rows in report["candidates"].items():
        for r in rows:

            def f(key: str, fmt: str, r: dict = r) -> str:
                return format(r[key], fmt) if key in r else "-"

            table.add_row(
                task,
                r["variant"],
                f("size_mb", ".1f"),
                f("peak_rss_mb", ".0f"),
                f("accuracy", ".3f"),
                f("latency_ms_per_text", ".2f"),
                r.get("status", ""),
                r.get("why", ""),
            )
    Console().print(table)
