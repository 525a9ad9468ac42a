"""``edge serve``: the local HTTP service (edge.serve, the ``serve`` extra, imported only when
the command runs)."""

from __future__ import annotations

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8470, show_default=True, type=click.IntRange(0, 65535))
@click.option("--socket", "socket_path", type=click.Path(), help="Unix socket instead of TCP.")
@click.option(
    "--model",
    "models",
    multiple=True,
    help="Artifact folder or default name, repeatable, one per task [pii and intent].",
)
@click.option("--variant", help="Variant of every model, e.g. int8 (default: each one's default).")
@click.option("--threads", type=click.IntRange(1, 256), help="onnxruntime threads per model.")
@click.option("--profile", help="Hardware profile: variant, threads and provider per model.")
@click.option("--token-file", type=click.Path(), help="Bearer token file [$EDGE_HOME/serve.token].")
@click.option("--allow-remote", is_flag=True, help="Allow a non-loopback --host (needs TLS).")
@click.option("--tls-cert", type=click.Path(), help="TLS certificate (PEM).")
@click.option("--tls-key", type=click.Path(), help="TLS private key (PEM).")
@click.option("--policy", help="Cloud policy for POST /v1/intent/routed (NAME or .toml).")
@click.option("--audit-log", type=click.Path(), help="With --policy: $EDGE_HOME/audit.jsonl.")
@click.option("--max-body-bytes", default=1_000_000, show_default=True, type=click.IntRange(1))
@click.option("--max-texts", default=64, show_default=True, type=click.IntRange(1))
@click.option("--max-chars", default=20_000, show_default=True, type=click.IntRange(1))
@click.option("--max-queue", default=256, show_default=True, type=click.IntRange(1))
@click.option("--max-batch", default=32, show_default=True, type=click.IntRange(1))
@click.option("--max-wait-ms", default=2.0, show_default=True, type=click.FloatRange(0, 1000))
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0.01))
@click.option("--log-level", default="warning", show_default=True)
def serve(
    host, port, socket_path, models, variant, threads, profile, token_file, allow_remote,
    tls_cert, tls_key, policy, audit_log, max_body_bytes, max_texts, max_chars, max_queue,
    max_batch, max_wait_ms, timeout, log_level,
) -> None:  # fmt: skip
    """Serve the models over HTTP on 127.0.0.1 (or --socket): Presidio-compatible and /v1 API."""
    from edge.serve.limits import Limits
    from edge.serve.server import Bind
    from edge.serve.server import serve as run_service

    bind = Bind(host, port, socket_path, allow_remote, tls_cert, tls_key)
    limits = Limits(
        max_body_bytes=max_body_bytes,
        max_texts=max_texts,
        max_chars=max_chars,
        max_queue=max_queue,
        timeout=timeout,
        max_batch=max_batch,
        max_wait_ms=max_wait_ms,
    )

    def ready(bind, loaded, created) -> None:
        names = ", ".join(f"{k}={m.artifact_dir} ({m.variant})" for k, m in loaded.items())
        token = token_file or "$EDGE_HOME/serve.token"
        click.echo(f"edge serve: {names}", err=True)
        click.echo(
            f"listening on {bind.url}; token {'created in' if created else 'from'} {token}",
            err=True,
        )

    run_service(
        models, bind=bind, variant=variant, threads=threads, profile=profile,
        token_file=token_file, limits=limits, policy=policy, audit_log=audit_log,
        log_level=log_level, on_ready=ready,
    )  # fmt: skip
