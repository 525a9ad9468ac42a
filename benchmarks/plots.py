"""The report's PNG plots, drawn from report.json's figures only (so they can be redrawn later).

matplotlib with the Agg backend: no display is needed and nothing depends on the machine's GUI
toolkit. One file per plot and model, named ``<model>-<plot>.png``.
"""

from __future__ import annotations

from pathlib import Path

from edge.measurement import LENGTHS

PLOTS = ("latency", "seqlen", "throughput", "memory", "accuracy")
DPI = 110


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _ok(model: dict) -> list[dict]:
    return [s for s in model["subjects"] if s["status"] == "ok"]


def _colors(model: dict) -> dict[str, str]:
    """A fixed colour per subject across all of one model's plots."""
    names = [s["name"] for s in model["subjects"]]
    palette = [f"C{i}" for i in range(10)]
    return {n: palette[i % len(palette)] for i, n in enumerate(names)}


def _no_minor_x(ax) -> None:
    """Only the measured points (batch sizes, length buckets) as x ticks."""
    from matplotlib.ticker import NullLocator

    ax.xaxis.set_minor_locator(NullLocator())


def _plain_log(axis) -> None:
    """Log-scale tick labels as plain numbers (3, 10, 30), not 3×10^0."""
    from matplotlib import ticker

    plain = ticker.FuncFormatter(lambda v, _: f"{v:g}")
    axis.set_major_formatter(plain)
    axis.set_minor_formatter(plain)
    axis.set_tick_params(which="minor", labelsize=7)


def _empty(ax, why: str) -> None:
    ax.text(0.5, 0.5, why, transform=ax.transAxes, ha="center", va="center", color="grey")


def _title(model: dict, what: str) -> str:
    return f"{model['task']} · {what}"


def _per_thread_axes(plt, model: dict, width: float):
    threads = [str(t) for t in model["settings"]["threads"]]
    fig, axes = plt.subplots(
        1, len(threads), figsize=(width * len(threads) + 1, 4.6), sharey=True, squeeze=False
    )
    return fig, list(zip(axes[0], threads, strict=True))


def latency_distribution(model: dict, plt, path: Path) -> None:
    bucket = model["headline"]["bucket"]
    colors = _colors(model)
    subjects = _ok(model)
    fig, panels = _per_thread_axes(plt, model, max(4.5, 1.1 * len(subjects) + 1.5))
    for ax, t in panels:
        shown = [s for s in subjects if s["samples_ms"].get(t, {}).get(bucket)]
        data = [s["samples_ms"][t][bucket] for s in shown]
        if data:
            parts = ax.violinplot(data, showextrema=False)
            for body, s in zip(parts["bodies"], shown, strict=True):
                body.set_facecolor(colors[s["name"]])
                body.set_alpha(0.35)
            ax.boxplot(data, widths=0.15, showfliers=True, flierprops={"markersize": 2})
            for i, s in enumerate(shown, 1):
                p95 = s["latency_ms"][t][bucket]["p95"]
                ax.annotate(
                    f"p95 {p95:.2f}",
                    (i, p95),
                    xytext=(6, 0),
                    textcoords="offset points",
                    fontsize=8,
                )
            ax.set_xticks(range(1, len(shown) + 1), [s["name"] for s in shown], rotation=20)
            ax.set_yscale("log")
            _plain_log(ax.yaxis)
        ax.set_title(f"{t} thread(s)")
        ax.grid(axis="y", alpha=0.3, which="both")
    panels[0][0].set_ylabel("ms per text (log)")
    fig.suptitle(
        _title(model, f"latency per text, {bucket} (~{LENGTHS[bucket]} tokens), one text per call")
    )
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)


def _log_log_panel(ax, ticks: list, labels: list[str], threads) -> None:
    """One thread count's panel on log2 x / log10 y axes with plain-number ticks."""
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    _plain_log(ax.yaxis)
    ax.set_xticks(ticks, labels)
    _no_minor_x(ax)
    ax.set_title(f"{threads} thread(s)")
    ax.grid(alpha=0.3, which="both")


def latency_vs_length(model: dict, plt, path: Path) -> None:
    colors = _colors(model)
    buckets = [b for b in LENGTHS if b in model["workload"]]
    xs = [model["workload"][b]["tokens_mean"] for b in buckets]
    labels = []
    for b, x in zip(buckets, xs, strict=True):
        run = model["workload"][b]["model_tokens_mean"]  # intent truncates, PII windows
        labels.append(
            f"{b}\n{x:.0f} tok" + (f"\n({run:.0f} run)" if round(run) != round(x) else "")
        )
    fig, panels = _per_thread_axes(plt, model, 5.0)
    for ax, t in panels:
        for s in _ok(model):
            lat = s["latency_ms"].get(t, {})
            if not all(b in lat for b in buckets):
                continue
            p50 = [lat[b]["p50"] for b in buckets]
            p95 = [lat[b]["p95"] for b in buckets]
            ax.plot(xs, p50, marker="o", color=colors[s["name"]], label=s["name"])
            ax.fill_between(xs, p50, p95, color=colors[s["name"]], alpha=0.12)
        _log_log_panel(ax, xs, labels, t)
    panels[0][0].set_ylabel("ms per text (log); line p50, band to p95")
    panels[-1][0].legend(fontsize=8)
    fig.suptitle(_title(model, "latency vs text length"))
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)


def throughput(model: dict, plt, path: Path) -> None:
    colors = _colors(model)
    sizes = model["settings"]["batch_sizes"]
    fig, panels = _per_thread_axes(plt, model, 4.5)
    for ax, t in panels:
        for s in _ok(model):
            tp = s["throughput"].get(t, {})
            xs = [b for b in sizes if str(b) in tp]
            if xs:
                ys = [tp[str(b)]["texts_per_s"] for b in xs]
                ax.plot(xs, ys, marker="o", color=colors[s["name"]], label=s["name"])
        _log_log_panel(ax, sizes, [str(b) for b in sizes], t)
        ax.set_xlabel("batch size")
    panels[0][0].set_ylabel("texts/s (log), medium texts")
    panels[-1][0].legend(fontsize=8)
    fig.suptitle(_title(model, "throughput vs batch size and threads"))
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)


def memory(model: dict, plt, path: Path) -> None:
    subjects = [s for s in _ok(model) if (s.get("memory") or {}).get("peak_rss_mb")]
    colors = _colors(model)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.2 * len(subjects) + 2), 4.5))
    names = [s["name"] for s in subjects]
    peak = [s["memory"]["peak_rss_mb"] for s in subjects]
    base = [s["memory"]["rss_after_imports_mb"] for s in subjects]
    bars = ax.bar(names, peak, color=[colors[n] for n in names], alpha=0.8, label="peak RSS")
    ax.bar(names, base, color="black", alpha=0.25, width=0.5, label="after imports")
    ax.bar_label(bars, fmt="%.0f", fontsize=8)
    if not subjects:
        _empty(ax, "peak RSS not measured (see report.md)")
    ax.set_ylabel("MB")
    batch = subjects[0]["memory"]["batch_size"] if subjects else 0
    ax.set_title(_title(model, f"peak RSS: fresh process, load + one batch of {batch}"))
    ax.tick_params(axis="x", rotation=20)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)


def accuracy_vs_size(model: dict, plt, path: Path) -> None:
    colors = _colors(model)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    pts = [
        (s["size_bytes"] / 1e6, 100 * s["accuracy"]["value"], s)
        for s in _ok(model)
        if s.get("size_bytes") and (s.get("accuracy") or {}).get("value") is not None
    ]
    # The trade-off curve: the Pareto front of the artifact's own variants (each point on it is
    # the most accurate variant of at most that size); outside peers are single points.
    front, best = [], float("-inf")
    for x, y in sorted((x, y) for x, y, s in pts if s["role"] in ("reference", "variant")):
        if y > best:
            front.append((x, y))
            best = y
    if len(front) > 1:
        ax.step(
            *zip(*front, strict=True),
            where="post",
            color="grey",
            alpha=0.6,
            ls="--",
            zorder=1,
            label="best accuracy up to this size",
        )
        ax.legend(fontsize=8, loc="lower right")
    placed: list[tuple[float, float]] = []
    for x, y, s in pts:
        # Points on top of each other (fp32 and PyTorch fp32): stack their labels downwards.
        clash = sum(abs(x - px) / x < 0.05 and abs(y - py) < 0.3 for px, py in placed)
        placed.append((x, y))
        ax.scatter(x, y, color=colors[s["name"]], s=50, zorder=2)
        ax.annotate(
            s["name"], (x, y), xytext=(6, 4 - 11 * clash), textcoords="offset points", fontsize=8
        )
    if not pts:
        _empty(ax, "accuracy not measured (see report.md)")
    metric = pts[0][2]["accuracy"]["metric"] if pts else "accuracy"
    ax.set_xscale("log")
    _plain_log(ax.xaxis)
    ax.set_xlabel("model size, MB (log)")
    ax.set_ylabel(f"{metric} (%)")
    note = model.get("accuracy_data", {})
    src = note.get("source") or note.get("skipped", "not measured")
    ax.set_title(_title(model, f"accuracy vs size ({src})"), fontsize=10)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)


DRAW = {
    "latency": latency_distribution,
    "seqlen": latency_vs_length,
    "throughput": throughput,
    "memory": memory,
    "accuracy": accuracy_vs_size,
}


def draw_all(model: dict, settings: dict, out_dir: Path, stem: str) -> dict[str, str]:
    """Every plot for one model; returns plot name → file name (relative to the report)."""
    plt = _pyplot()
    model = {**model, "settings": settings}
    files = {}
    for name, fn in DRAW.items():
        file = f"{stem}-{name}.png"
        try:
            fn(model, plt, out_dir / file)
        finally:
            plt.close("all")
        files[name] = file
    return files
