"""The report folder: report.json (every figure), report.md (the summary) and the PNG plots.

Nothing half-written: the folder is built in a temporary sibling and renamed into place, and an
existing folder is replaced only if it is a previous report (never someone's other files).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from edge.errors import InputError
from edge.fsutil import staged_dir
from edge.measurement import LENGTHS

REPORT_JSON = "report.json"
REPORT_MD = "report.md"


def check_out_dir(out: Path) -> None:
    """Refuse, before any work, an output folder that holds anything but an earlier report."""
    out = Path(out).resolve()
    if out.exists() and (
        not out.is_dir() or (any(out.iterdir()) and not (out / REPORT_JSON).is_file())
    ):
        raise InputError(
            f"--out {out} exists and is not an edge bench report; pick a new or empty folder"
        )


def _stems(models: list[dict]) -> list[str]:
    stems: list[str] = []
    for m in models:
        stem = re.sub(r"[^a-z0-9_-]+", "-", m["task"].lower()) or "model"
        stems.append(stem if stem not in stems else f"{stem}-{len(stems) + 1}")
    return stems


def write_report(report: dict, out: Path) -> Path:
    out = Path(out).resolve()  # "." has no name to build the temporary sibling's from
    check_out_dir(out)
    with staged_dir(out) as tmp:
        try:
            from benchmarks.plots import draw_all

            for model, stem in zip(report["models"], _stems(report["models"]), strict=True):
                model["plots"] = draw_all(model, report["settings"], tmp, stem)
        except ImportError as e:
            report["plots_skipped"] = (
                f"{e.name} not installed: no plots (pip install -e '.[bench]')"
            )
        (tmp / REPORT_JSON).write_text(
            json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        (tmp / REPORT_MD).write_text(markdown(report), encoding="utf-8")
    return out


# --- Markdown ---------------------------------------------------------------------------------


def _n(x: float | None, fmt: str = ".2f", none: str = "–") -> str:
    return none if x is None else format(x, fmt)


def _ratio(x: float | None) -> str:
    return "–" if x is None else f"×{x:.2f}"


def _table(header: list[str], rows: list[list[str]], align: str | None = None) -> list[str]:
    align = align or "l" + "r" * (len(header) - 1)
    sep = ["---:" if a == "r" else "---" for a in align]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _machine(report: dict) -> list[str]:
    m, s = report["machine"], report["settings"]
    peaks = ", ".join(
        f"{t} thread(s) {_n(p.get('gflops'), '.1f', 'n/a')}" for t, p in m["peak_gflops"].items()
    )
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)
    blas = next((p["blas"] for p in m["peak_gflops"].values() if p.get("blas")), None)
    if blas:
        peaks += f" ({blas})"
    return [
        f"- machine: {m['cpu_model']}, {m['cpus_usable']} usable CPUs, "
        f"{m['memory_mb']} MB RAM, {m['platform']}",
        f"- float32 matmul peak (numpy, GFLOP/s): {peaks}",
        f"- software: Python {m['python']}, {versions}",
        f"- run: {report['created_at']}, {report['duration_s']} s; {s['iterations']} timed calls "
        f"per figure after {s['warmup']} warm-up; threads {s['threads']}; batch sizes "
        f"{s['batch_sizes']}; {s['cold_starts']} cold start(s)"
        + ("; **quick run: figures are rough**" if s["quick"] else ""),
        f"- load average at start: {m['load_average']}",
    ]


def _headline_table(model: dict) -> list[str]:
    h = model["headline"]
    key, bucket, b = str(h["threads"]), h["bucket"], str(h["batch_size"])
    sizes = sorted({int(x) for s in model["subjects"] for x in s["throughput"].get(key, {})})
    header = [
        "variant",
        "backend",
        "MB",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        f"p50 vs {model['reference']}",
    ]
    header += [f"texts/s b={x}" for x in sizes]
    header += [f"texts/s vs {model['reference']}", "cold start s", "peak RSS MB"]
    header += ["GFLOP/s (% peak)", "accuracy %"]
    rows = []
    for s in model["subjects"]:
        if s["status"] != "ok":
            continue
        lat = s["latency_ms"][key][bucket]
        vs = s.get("vs_reference") or {}
        gf = (s.get("gflops") or {}).get(key, {}).get("throughput", {}).get(b)
        gf_txt = "–"
        if gf:
            frac = gf["fraction_of_peak"]
            gf_txt = f"{gf['achieved']:.1f}" + (f" ({100 * frac:.0f} %)" if frac else "")
        acc = (s.get("accuracy") or {}).get("value")
        name = f"**{s['name']}**" if s["role"] == "reference" else s["name"]
        row = [name, s["backend"], _n(s.get("size_mb"), ".1f")]
        row += [_n(lat["p50"]), _n(lat["p95"]), _n(lat["p99"]), _ratio(vs.get("latency_p50"))]
        row += [_n(s["throughput"][key].get(str(x), {}).get("texts_per_s"), ".1f") for x in sizes]
        row += [_ratio(vs.get("throughput"))]
        row += [_n((s.get("cold_start") or {}).get("median_s"))]
        row += [_n((s.get("memory") or {}).get("peak_rss_mb"), ".0f"), gf_txt]
        row += [_n(None if acc is None else 100 * acc, ".1f")]
        rows.append(row)
    return _table(header, rows, "ll" + "r" * (len(header) - 2))


def _by_length(model: dict) -> list[str]:
    w = model["workload"]
    header = ["variant", "threads"]
    for b in (b for b in LENGTHS if b in w):
        toks, run = w[b]["tokens_mean"], w[b]["model_tokens_mean"]
        # PII runs overlapping windows, intent truncates: say what the model really ran
        header.append(
            f"{b} (~{toks:.0f} tok" + (f", {run:.0f} run)" if round(run) != round(toks) else ")")
        )
    rows = []
    for s in model["subjects"]:
        for t, per in s["latency_ms"].items():
            cells = [
                f"{per[b]['p50']:.2f} / {per[b]['p95']:.2f} / {per[b]['p99']:.2f}"
                for b in LENGTHS
                if b in per
            ]
            rows.append([s["name"], t, *cells])
    return _table(header, rows)


def _throughput(model: dict) -> list[str]:
    sizes = sorted({int(x) for s in model["subjects"] for v in s["throughput"].values() for x in v})
    header = ["variant", "threads"] + [f"b={x}" for x in sizes]
    rows = []
    for s in model["subjects"]:
        for t, per in s["throughput"].items():
            rows.append(
                [s["name"], t] + [_n(per.get(str(x), {}).get("texts_per_s"), ".1f") for x in sizes]
            )
    return _table(header, rows)


def _compute(model: dict, formula: str) -> list[str]:
    f = model["flops"]
    if "error" in f:
        return [f"FLOPs not counted: {f['error']}"]
    per = ", ".join(f"{b} {g:.3f}" for b, g in f.get("gflop_per_text_mean", {}).items())
    return [
        f"Counted from {f['source']}: hidden {f['hidden']}, {f['layers']} layers, feed-forward "
        f"{f['ffn']}, {f['layer_params']:,} layer weights, {f['head_params']:,} head weights.",
        f"GFLOP per text (mean, real tokens only): {per}.",
        f"Formula: `{formula}`.",
        "Achieved GFLOP/s = model FLOPs of the texts / wall time; % peak is against the float32 "
        "matmul peak (numpy's BLAS) at the same thread count. Over 100 %: the runtime's kernels "
        "beat numpy's BLAS here (int8 dot-product instructions, or wider vectors than the BLAS "
        "uses). The figure includes tokenization and decoding: a lower bound on the kernels.",
    ]


def markdown(report: dict) -> str:
    lines = ["# edge bench report", "", *_machine(report), ""]
    if report.get("plots_skipped"):
        lines += [f"> {report['plots_skipped']}", ""]
    for model in report["models"]:
        h, data = model["headline"], model["accuracy_data"]
        acc = data.get("source") or data.get("skipped")
        acc += f", {data['n']} records." if "n" in data else "."
        lines += [f"## {model['task']} ({model['kind']}) — `{model['artifact']}`", ""]
        lines += [
            f"Headline: medium texts (~{LENGTHS[h['bucket']]} tokens) one at a time, "
            f"{h['threads']} thread(s); throughput on medium texts; ratios against "
            f"**{model['reference']}** (×2.00 = twice the reference's figure). Accuracy: {acc}",
            "",
            *_headline_table(model),
            "",
        ]
        notes = [s for s in model["subjects"] if s["status"] == "ok" and s.get("note")]
        lines += [f"- {s['name']}: {s['note']}" for s in notes]
        lines += [""] if notes else []
        off = [s for s in model["subjects"] if s["status"] != "ok"]
        if off:
            lines += ["Not measured:", ""]
            lines += [f"- {s['name']}: {s['status']}: {s['reason']}" for s in off]
            lines += [""]
        lines += ["### Latency by length (ms per text, p50 / p95 / p99)", "", *_by_length(model)]
        lines += ["", "### Throughput (texts/s, medium texts)", "", *_throughput(model), ""]
        lines += ["### Compute", "", *_compute(model, report["flops_formula"]), ""]
        for name, file in (model.get("plots") or {}).items():
            lines += [f"![{model['task']} {name}]({file})", ""]
    prof = report.get("profile")
    if prof:
        verdict = "**passed**" if prof["passed"] else "**missed**"
        lines += [f"## Profile `{prof['name']}`: {verdict}", "", f"From `{prof['path']}`.", ""]
        rows = [
            [
                c["task"],
                c["variant"],
                f"{c['metric']} ({c['what']})",
                _n(c["value"], ".1f", "not measured"),
                f"{c['target']:g}",
                "pass" if c["passed"] else "**MISS**",
            ]
            for c in prof["checks"]
        ]
        lines += _table(["task", "variant", "metric", "value", "target", ""], rows, "lllrrl")
        lines += [""]
    return "\n".join(lines)
