"""The `edge` command: thin over the Python API, one module per group of commands.

Exit codes: 0 success; 1 other edge error; 2 usage error; 3 bad input text; 4 bad spec;
5 bad or missing artifact; 6 build failed (incl. parity); 7 optional backend missing;
8 bad data file; 11 pseudonym mapping file missing, unsafe or corrupt; 130 interrupted.

Where the commands live follows the layers (``edge`` <- ``quantize`` <- ``benchmarks``, each
importing only downward; tests/test_layers.py checks it): running the models here
(edge/cli/run.py, anonymize.py, serve.py); building, training and scoring them in the build
package (quantize/cli/); ``edge bench`` in benchmarks/cli.py. Those are attached to this group
by name (``ATTACHED``) and imported only when asked for, so the runtime never imports the layers
above it, and an install without the build extra answers "pip install 'edge[build]'" instead of
a traceback (click's documented lazy-subcommand pattern).
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass

# numpy's OpenBLAS starts (and spins) a thread per core when numpy is imported, before any
# command runs. edge's numpy work is small (softmax, argmax); the models run in onnxruntime
# with their own --threads. One BLAS thread saves about 0.1 s of CPU per start and leaves the
# cores to onnxruntime (measured on `edge serve`'s start). A value the user set wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import click

from edge.cli import anonymize, run, serve
from edge.errors import BackendUnavailableError, EdgeError


@dataclass(frozen=True)
class Attached:
    """A command defined in a layer above the runtime: where it is, and the extras it needs."""

    target: str  # "module:attribute" of the click command
    extras: str  # pip install 'edge[EXTRAS]' when its package or a dependency is missing

    def missing(self, name: str, module: str | None) -> BackendUnavailableError:
        top = (module or "").partition(".")[0]  # quantize.cli missing: the quantize package
        what = f"{top} is not installed" if top else "it is not installed"
        return BackendUnavailableError(
            f"edge {name} needs the {self.extras} extra ({what}): pip install 'edge[{self.extras}]'"
        )


ATTACHED: dict[str, Attached] = {
    "build": Attached("quantize.cli.build:build", "build"),
    "demo": Attached("quantize.cli.build:demo", "build"),
    "train": Attached("quantize.cli.train:train", "build"),
    "eval": Attached("quantize.cli.evaluation:eval_", "build"),
    "calibrate": Attached("quantize.cli.evaluation:calibrate", "build"),
    "bench": Attached("benchmarks.cli:bench", "build,bench"),
}


class EdgeGroup(click.Group):
    """Turns every EdgeError into one clear line on stderr and its exit code, no traceback; loads
    the ``ATTACHED`` commands on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *ATTACHED})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        attached = ATTACHED.get(cmd_name)
        if attached is None:
            return super().get_command(ctx, cmd_name)
        module, _, attr = attached.target.partition(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError as e:  # the build package itself is not installed
            return _unavailable(cmd_name, attached.missing(cmd_name, e.name))

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name, cmd, rest = super().resolve_command(ctx, args)
        ctx.meta["edge.command"] = name
        return name, cmd, rest

    def invoke(self, ctx: click.Context):
        try:
            try:
                return super().invoke(ctx)
            except ModuleNotFoundError as e:  # a build or bench dependency (torch, ...) missing
                name = ctx.meta.get("edge.command")
                if name not in ATTACHED:
                    raise
                raise ATTACHED[name].missing(name, e.name) from None
        except EdgeError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


def _unavailable(name: str, error: EdgeError) -> click.Command:
    """A stand-in for a command whose package is missing: any arguments, the error on use."""

    def fail(**_) -> None:
        raise error

    return click.Command(
        name,
        callback=fail,
        help=f"(unavailable: {error})",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )


@click.group(cls=EdgeGroup)
@click.version_option(package_name="edge")
def main() -> None:
    """edge: private PII detection and intent classification on the device."""


for _command in (
    run.pii,
    run.intent,
    run.info,
    anonymize.redact,
    anonymize.deanonymize,
    serve.serve,
):
    main.add_command(_command)
