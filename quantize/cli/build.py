"""``edge build`` (merge, export, parity; or a hardware profile's chosen set) and ``edge demo``
(build the default models when needed, then run them). Thin over quantize.build,
quantize.profile_build and quantize.defaults."""

from __future__ import annotations

import click

from edge.cli.common import accuracy_note, load_model
from quantize.cli.shared import adapter_defaults


@click.command()
@click.option(
    "--base",
    help="Base model folder, or all-MiniLM-L6-v2 (packaged) [the one the adapter was trained on].",
)
@click.option("--adapter", type=click.Path(), help="peft LoRA adapter folder.")
@click.option(
    "--task",
    help="Task spec name (edge/specs_data/tasks/NAME.toml) or path [the adapter's task.toml].",
)
@click.option("--out", required=True, type=click.Path(), help="Artifact folder to write.")
@click.option(
    "--profile",
    help="Hardware profile (a shipped NAME in edge/specs_data or a path): build its candidates, "
    "measure, "
    "keep the most accurate set that fits (OUT/<task> + OUT/build-report.json).",
)
@click.option("--data", type=click.Path(), help="With --profile and --adapter: eval JSONL.")
@click.option(
    "--eval-limit",
    type=click.IntRange(0),
    default=1000,
    show_default=True,
    help="With --profile: a fixed sample of N eval records per task (0 = all).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["onnx", "gguf", "all"]),
    default="onnx",
    show_default=True,
    help="onnx: fp32,int8 · gguf: gguf-f16,gguf-q8_0,gguf-q4_0 (llama.cpp) · all: both.",
)
@click.option(
    "--variants", help="Comma-separated, overrides --format (e.g. int8,gguf-q8_0,gguf-q4_k_m)."
)
@click.option("--probe-file", type=click.Path(), help="Parity probe texts (lines or JSONL).")
@click.option("--force", is_flag=True, help="Replace an existing artifact folder.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def build(
    base, adapter, task, out, profile, data, eval_limit, fmt, variants, probe_file, force, quiet
) -> None:
    """Merge a LoRA adapter into a base, export ONNX and/or GGUF, check parity, write it.

    With --profile: the variants a hardware profile allows, each measured (accuracy, peak RSS,
    latency), the most accurate set that fits its memory budget kept (default models unless
    --adapter/--task/--data name your own)."""
    from quantize.build import FORMAT_VARIANTS
    from quantize.build import build as run_build
    from quantize.probes import load_probes

    probes = load_probes(probe_file) if probe_file else None
    if profile:
        return _build_profile(
            profile, out, base, adapter, task, data, eval_limit, fmt, variants, probes, force, quiet
        )
    if adapter:
        base, task = adapter_defaults(adapter, base, task)
    if not (base and adapter and task):
        raise click.UsageError("give --base, --adapter and --task (or --profile NAME)")
    if data:
        raise click.UsageError("--data goes with --profile")
    chosen = (
        tuple(v.strip() for v in variants.split(",") if v.strip())
        if variants
        else FORMAT_VARIANTS[fmt]
    )
    manifest = run_build(
        base, adapter, task, out, variants=chosen, probe_texts=probes, force=force, quiet=quiet
    )
    for v in manifest.variants:
        click.echo(
            f"{v.name:<11} {v.model.size_bytes / 1e6:7.1f} MB  argmax agreement "
            f"{v.parity.argmax_agreement:.4f}  max|Δlogit| {v.parity.max_abs_logit_diff:.2e}"
            + accuracy_note(v.parity)
        )
    click.echo(f"wrote {out} in {manifest.build_seconds:.1f} s")


def _build_profile(
    profile, out, base, adapter, task, data, eval_limit, fmt, variants, probes, force, quiet
) -> None:
    """`edge build --profile`: the profile chooses the variants, so --format/--variants do not."""
    from quantize.profile_build import REPORT_NAME, build_profile, custom_source

    if variants or fmt != "onnx":
        raise click.UsageError("--profile chooses the variants; leave out --format/--variants")
    if (base or task or data) and not adapter:
        raise click.UsageError("--base/--task/--data with --profile need --adapter")
    custom = None
    if adapter:
        if not task:
            raise click.UsageError("--adapter needs --task")
        custom = custom_source(
            base or "all-MiniLM-L6-v2", adapter, task, data, eval_limit, probes=probes
        )
    report = build_profile(
        profile,
        out,
        sources={custom.task: custom} if custom else None,
        eval_limit=eval_limit,
        force=force,
        quiet=quiet,
    )
    chosen = ", ".join(f"{t} {v}" for t, v in report["chosen"].items())
    click.echo(
        f"profile {report['profile']}: {chosen}, models {report['models_rss_mb']:.0f} MB together "
        f"<= {report['memory_budget_mb']:g} MB (process peak "
        f"{report['process_peak_rss_mb']:.0f} MB); wrote {out} ({REPORT_NAME}) in "
        f"{report['seconds']:.0f} s"
    )


DEMO_TEXTS = {
    "pii": [
        "Hi, I'm Maria Garcia. Mail me at maria.garcia@example.com or call +1 415 555 0132.",
        "Please wire 300 EUR to DE89 3704 0044 0532 0130 00 before Friday, thanks! -- Jürgen",
        "2024-03-01T12:00:01Z WARN login failed user=jdoe ip=203.0.113.42",
    ],
    "intent": [
        "wake me up at 6 tomorrow morning",
        "how much money is in my checking account",
        "book me a flight from Boston to Denver next Tuesday",
        "what's the best way to learn the violin",
    ],
}


@click.command()
@click.option("--rebuild", is_flag=True, help="Rebuild the default models even if present.")
def demo(rebuild) -> None:
    """Build the default models (PII, fast PII, intent; first run, or when their adapter
    changed) and run them on examples."""
    from edge.defaults import default_model_dir
    from quantize.defaults import DEFAULT_MODELS, build_default, is_current

    for name, default in DEFAULT_MODELS.items():
        out, task = default_model_dir(name), default.task
        if rebuild or not is_current(name, out):
            stale = (out / "manifest.json").is_file()
            what = (
                "rebuilding (adapter, spec or int8 recipe changed)"
                if stale
                else "building (first run only)"
            )
            click.echo(f"{what} the default {name} model into {out} ...")
            build_default(name, out, force=True)
        loaded = load_model(str(out), task, None, None)
        click.echo(f"\n== {name} ({out}, variant {loaded.variant}) ==")
        for text in DEMO_TEXTS[task]:
            if task == "pii":
                click.echo(loaded.detect(text).redacted)
            else:
                r = loaded.classify(text)
                scope = "" if r.in_scope else "  (out of scope)"
                click.echo(f"{r.label:<20} {r.confidence:.3f}{scope}  <- {text}")
