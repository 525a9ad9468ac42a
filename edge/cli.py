"""The `edge` command: thin over the Python API (edge.load, quantize.build, quantize.train).

Exit codes: 0 success; 1 other edge error; 2 usage error; 3 bad input text; 4 bad spec;
5 bad or missing artifact; 6 build failed (incl. parity); 7 optional backend missing;
8 bad data file; 130 interrupted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from edge.errors import EdgeError, InputError
from edge.textinput import decode_utf8


class EdgeGroup(click.Group):
    """Turns every EdgeError into one clear line on stderr and its exit code, no traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except EdgeError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


@click.group(cls=EdgeGroup)
@click.version_option(package_name="edge")
def main() -> None:
    """edge: private PII detection and intent classification on the device."""


def read_texts(texts: tuple[str, ...], file: str | None) -> list[str]:
    """TEXT arguments, else --file (one text per line, or JSONL with "text"), else stdin."""
    if texts and file:
        raise click.UsageError("give TEXT arguments or --file, not both")
    if texts:
        return list(texts)
    if file:
        if file == "-":
            data, source = sys.stdin.buffer.read(), "stdin"
        else:
            path = Path(file)
            if not path.is_file():
                raise InputError(f"--file {file}: no such file")
            data, source = path.read_bytes(), str(path)
    elif not sys.stdin.isatty():
        data, source = sys.stdin.buffer.read(), "stdin"
    else:
        raise click.UsageError("give a TEXT, --file FILE, or pipe text on stdin")
    out = []
    for n, line in enumerate(decode_utf8(data, source).splitlines(), 1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(
                    f"{source}:{n}: line looks like JSON but is not ({e.msg})"
                ) from None
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise InputError(f'{source}:{n}: JSONL lines need a "text" string')
            out.append(obj["text"])
        else:
            out.append(line)
    if not out:
        raise InputError(f"{source} holds no text")
    return out


def model_options(f):
    f = click.option("--threads", type=click.IntRange(1, 256), help="CPU threads (default: all).")(
        f
    )
    f = click.option("--variant", help="Variant in the artifact (default: its default, int8).")(f)
    f = click.option("--json", "as_json", is_flag=True, help="One JSON object per text (JSONL).")(f)
    f = click.option(
        "--file", "file", help="Read texts from FILE (one per line or JSONL), - = stdin."
    )(f)
    f = click.option(
        "--model", "model", help="Artifact folder (default: the built default model)."
    )(f)
    return f


def _load(model: str | None, task: str, variant: str | None, threads: int | None):
    import edge
    from edge.defaults import resolve_model

    loaded = edge.load(resolve_model(model, task), variant=variant, threads=threads)
    expected = {"pii": "token-classification", "intent": "sequence-classification"}[task]
    if loaded.task.kind != expected:
        raise InputError(
            f"{loaded.artifact_dir} is a {loaded.task.kind} model; `edge {task}` needs {expected}"
        )
    return loaded


@main.command()
@click.argument("texts", nargs=-1)
@model_options
def pii(texts, model, file, as_json, variant, threads) -> None:
    """Find PII in TEXT and print it redacted, with the spans found."""
    items = read_texts(texts, file)
    detector = _load(model, "pii", variant, threads)
    for res in detector.detect(items):
        if as_json:
            click.echo(json.dumps(res.to_dict(), ensure_ascii=False))
            continue
        click.echo(res.redacted)
        for s in res.spans:
            click.echo(f"  {s.label:<15} {s.start:>5}-{s.end:<5} {s.score:.2f}  {s.text!r}")


@main.command()
@click.argument("texts", nargs=-1)
@model_options
@click.option("--top-k", default=3, show_default=True, type=click.IntRange(1, 1000))
def intent(texts, model, file, as_json, variant, threads, top_k) -> None:
    """Classify the intent of TEXT (or say it is out of scope)."""
    items = read_texts(texts, file)
    classifier = _load(model, "intent", variant, threads)
    for res in classifier.classify(items, top_k=top_k):
        if as_json:
            click.echo(json.dumps(res.to_dict(), ensure_ascii=False))
            continue
        scope = "" if res.in_scope else "  (out of scope)"
        click.echo(f"{res.label}  {res.confidence:.3f}{scope}  <- {res.text}")
        if top_k > 1:
            click.echo("  " + ", ".join(f"{lbl} {p:.3f}" for lbl, p in res.top_k))


@main.command()
@click.argument("artifact", type=click.Path())
def info(artifact) -> None:
    """Show an artifact's manifest: task, variants, sizes and parity."""
    from edge.manifest import read_manifest

    m = read_manifest(Path(artifact))
    click.echo(f"task {m.task.name} ({m.task.kind}), {len(m.labels)} labels")
    click.echo(f"base {m.base_model.name} sha256 {m.base_model.sha256[:12]}")
    click.echo(f"adapter {m.adapter.name} sha256 {m.adapter.sha256[:12]}")
    for v in m.variants:
        p = v.parity
        mark = "*" if v.name == m.default_variant else " "
        click.echo(
            f"{mark} {v.name:<6} {v.format:<5} {v.model.size_bytes / 1e6:8.1f} MB  "
            f"argmax agreement {p.argmax_agreement:.4f}  max|Δlogit| {p.max_abs_logit_diff:.2e}"
        )


@main.command()
@click.option("--base", required=True, help="Base model folder, or all-MiniLM-L6-v2 (packaged).")
@click.option("--adapter", required=True, type=click.Path(), help="peft LoRA adapter folder.")
@click.option("--task", required=True, help="Task spec name (specs/tasks/NAME.toml) or path.")
@click.option("--out", required=True, type=click.Path(), help="Artifact folder to write.")
@click.option("--variants", default="fp32,int8", show_default=True, help="Comma-separated.")
@click.option("--probe-file", type=click.Path(), help="Parity probe texts (lines or JSONL).")
@click.option("--force", is_flag=True, help="Replace an existing artifact folder.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def build(base, adapter, task, out, variants, probe_file, force, quiet) -> None:
    """Merge a LoRA adapter into a base, export ONNX fp32/int8, check parity, write an artifact."""
    from quantize.build import build as run_build
    from quantize.probes import load_probes

    probes = load_probes(probe_file) if probe_file else None
    chosen = tuple(v.strip() for v in variants.split(",") if v.strip())
    manifest = run_build(
        base, adapter, task, out, variants=chosen, probe_texts=probes, force=force, quiet=quiet
    )
    for v in manifest.variants:
        click.echo(
            f"{v.name:<5} {v.model.size_bytes / 1e6:7.1f} MB  argmax agreement "
            f"{v.parity.argmax_agreement:.4f}  max|Δlogit| {v.parity.max_abs_logit_diff:.2e}"
        )
    click.echo(f"wrote {out} in {manifest.build_seconds:.1f} s")


if __name__ == "__main__":  # pragma: no cover
    main()
