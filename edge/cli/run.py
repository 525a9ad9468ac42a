"""Running the models: ``edge pii``, ``edge intent`` (local, or routed by a cloud policy) and
``edge info`` (what an artifact holds). Thin over ``edge.load`` and ``edge.router``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from edge.cli.common import accuracy_note, load_model, model_options, read_texts


@click.command()
@click.argument("texts", nargs=-1)
@model_options
@click.option(
    "--rules/--no-rules",
    default=None,
    help="Hybrid: fuse the model with the rule recognizers [the task spec's fusion.enabled, "
    "on by default]; --no-rules: the model's spans only.",
)
@click.option("--region", help="Phone region for national numbers, e.g. GB [fusion.phone_region].")
def pii(texts, model, file, as_json, variant, threads, rules, region) -> None:
    """Find PII in TEXT and print it redacted, with the spans found and who found them."""
    items = read_texts(texts, file)
    detector = load_model(model, "pii", variant, threads)
    if region:
        detector.configure_fusion(phone_region=region.upper())
    for res in detector.detect(items, rules=rules):
        if as_json:
            click.echo(json.dumps(res.to_dict(), ensure_ascii=False))
            continue
        click.echo(res.redacted)
        for s in res.spans:
            click.echo(
                f"  {s.label:<15} {s.start:>5}-{s.end:<5} {s.score:.2f}  {s.source:<13} {s.text!r}"
            )


@click.command()
@click.argument("texts", nargs=-1)
@model_options
@click.option("--top-k", default=3, show_default=True, type=click.IntRange(1, 1000))
@click.option(
    "--policy", help="Cloud fallback policy: a shipped NAME (edge/specs_data) or a .toml path."
)
@click.option("--pii-model", help="PII artifact that redacts before any fallback (with --policy).")
@click.option("--audit-log", type=click.Path(), help="With --policy: $EDGE_HOME/audit.jsonl.")
def intent(
    texts, model, file, as_json, variant, threads, top_k, policy, pii_model, audit_log
) -> None:
    """Classify the intent of TEXT (or say it is out of scope)."""
    items = read_texts(texts, file)
    classifier = load_model(model, "intent", variant, threads)
    if policy or pii_model or audit_log:
        return _routed_intent(
            classifier, items, policy, pii_model, audit_log, threads, top_k, as_json
        )
    for res in classifier.classify(items, top_k=top_k):
        if as_json:
            click.echo(json.dumps(res.to_dict(), ensure_ascii=False))
            continue
        scope = "" if res.in_scope else "  (out of scope)"
        click.echo(f"{res.label}  {res.confidence:.3f}{scope}  <- {res.text}")
        if top_k > 1:
            click.echo("  " + ", ".join(f"{lbl} {p:.3f}" for lbl, p in res.top_k))


def _routed_intent(classifier, items, policy, pii_model, audit_log, threads, top_k, as_json):
    """`edge intent --policy`: local first, the cloud only where the policy allows, audited."""
    from edge.defaults import edge_home
    from edge.policy import load_policy
    from edge.router import Router

    if not policy:
        raise click.UsageError("--pii-model and --audit-log go with --policy")
    pol = load_policy(policy)
    pii = None
    if pol.intent.may_send:
        pii = load_model(pii_model, "pii", None, threads)
    audit = Path(audit_log) if audit_log else edge_home() / "audit.jsonl"
    with Router(classifier, pii, pol, audit_path=audit, top_k=top_k) as router:
        for res in router.classify(items):
            if as_json:
                click.echo(json.dumps(res.to_dict(), ensure_ascii=False))
                continue
            conf = "  n/a" if res.confidence is None else f"{res.confidence:.3f}"
            note = f"  [{res.source}: {res.reason}, {res.outcome}]"
            note += "  (degraded)" if res.degraded else ""
            click.echo(f"{res.label}  {conf}{note}  <- {res.text}")


@click.command()
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
            f"{mark} {v.name:<11} {v.format:<5} {v.model.size_bytes / 1e6:8.1f} MB  "
            f"argmax agreement {p.argmax_agreement:.4f}  max|Δlogit| {p.max_abs_logit_diff:.2e}"
            + accuracy_note(p)
        )
