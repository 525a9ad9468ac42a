"""The layers hold: ``edge`` (runtime) <- ``quantize`` (build) <- ``benchmarks``, each importing
only downward.

Why an AST walk rather than importing the modules and reading ``sys.modules``: most upward
imports were lazy (inside a function, run only by one command), so only reading the source finds
them all, and it needs none of the optional extras installed. What counts as naming a module:
an ``import``/``from`` statement anywhere (module level, function bodies, ``TYPE_CHECKING``
blocks; relative ones resolved), an ``importlib.import_module``/``__import__`` call with a
literal name, and a string that is exactly an upper module's dotted name (``python -m
benchmarks.x`` in a subprocess, ``spawn("benchmarks.child", ...)``): a process started on an
upper layer's module depends on it as much as an import does.

The one sanctioned way the runtime names an upper layer is ``edge.cli.ATTACHED``: the build's and
the bench's commands, as ``"module:attribute"`` strings loaded only when that command runs (and
answering "pip install 'edge[build]'" when they cannot be); the last tests check that table.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("edge", "quantize", "benchmarks")  # bottom first: each may import those before it


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules_of(root: Path) -> dict[str, Path]:
    """Every module of the layered packages under ``root``, by dotted name."""
    out = {}
    for layer in LAYERS:
        for path in sorted((root / layer).rglob("*.py")):
            out[module_name(path, root)] = path
    return out


def named_modules(path: Path, name: str, known: set[str]) -> list[tuple[int, str]]:
    """(line, module) for every module the file at ``path`` (module ``name``) names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against this module's package
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((node.lineno, base))
            # `from quantize import cli` names the module quantize.cli as well
            found += [(node.lineno, f"{base}.{a.name}") for a in node.names if a.name != "*"]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            arg = node.args[0]
            literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            if fname in ("import_module", "__import__") and literal:
                found.append((node.lineno, arg.value))
        elif isinstance(node, ast.Constant) and node.value in known:
            found.append((node.lineno, node.value))  # "-m benchmarks.child", spawn("quantize.x")
    return found


def upward_imports(root: Path) -> list[str]:
    """``file:line: module (layer) imports target (layer above)`` for every upward reference."""
    modules = modules_of(root)
    known = {m for m in modules if "." in m} | set(LAYERS[1:])
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    bad = {}
    for name, path in modules.items():
        mine = rank[name.partition(".")[0]]
        for line, target in named_modules(path, name, known):
            top = target.partition(".")[0]
            where = f"{path.relative_to(root)}:{line}"
            if rank.get(top, -1) > mine and where not in bad:  # one finding per line
                bad[where] = f"{where}: {name} ({LAYERS[mine]}) names {target} ({top})"
    return sorted(bad.values())


def test_no_layer_imports_upward():
    bad = upward_imports(ROOT)
    assert not bad, "upward imports (edge <- quantize <- benchmarks):\n" + "\n".join(bad)


def test_the_walk_sees_every_layer():
    """Guards the test itself: a walk that found no modules would pass on anything."""
    modules = modules_of(ROOT)
    for layer, at_least in (("edge", 30), ("quantize", 20), ("benchmarks", 10)):
        assert sum(m.partition(".")[0] == layer for m in modules) >= at_least, layer
    assert {"edge.cli", "edge.measurement", "quantize.select", "benchmarks.harness"} <= set(modules)


INJECTED = {
    "module level": "from quantize.build import build\n",
    "lazy, in a function": "def f():\n    from benchmarks.harness import run_bench\n",
    "plain import": "def f():\n    import benchmarks.child\n",
    "package attribute": "from quantize import select\n",
    "import_module": "import importlib\nimportlib.import_module('benchmarks.child')\n",
    "a subprocess on an upper module": "cmd = ['python', '-m', 'benchmarks.child']\n",
    "type checking only": "from typing import TYPE_CHECKING\n"
    "if TYPE_CHECKING:\n    from quantize.select import Candidate\n",
}


def _tree(tmp_path: Path) -> Path:
    """A small tree with the three layers, every import downward."""
    for pkg, body in (
        ("edge", "import json\n"),
        ("quantize", "from edge import runtime\n"),
        ("benchmarks", "from quantize.build import build\nimport edge.runtime\n"),
    ):
        (tmp_path / pkg).mkdir()
        (tmp_path / pkg / "__init__.py").write_text(body)
    (tmp_path / "edge" / "runtime.py").write_text("from . import errors\n")
    (tmp_path / "edge" / "errors.py").write_text("")
    (tmp_path / "quantize" / "build.py").write_text("from .select import x\n")
    (tmp_path / "quantize" / "select.py").write_text("x = 1\n")
    (tmp_path / "benchmarks" / "harness.py").write_text("")
    (tmp_path / "benchmarks" / "child.py").write_text("")
    return tmp_path


def test_a_downward_tree_passes(tmp_path):
    assert upward_imports(_tree(tmp_path)) == []


@pytest.mark.parametrize("how", sorted(INJECTED))
def test_an_injected_upward_import_fails(tmp_path, how):
    root = _tree(tmp_path)
    (root / "edge" / "injected.py").write_text(INJECTED[how])
    bad = upward_imports(root)
    assert len(bad) >= 1 and all(b.startswith("edge/injected.py:") for b in bad), bad


def test_quantize_importing_benchmarks_fails(tmp_path):
    root = _tree(tmp_path)
    (root / "quantize" / "profile.py").write_text("from ..benchmarks import hardware\n")
    (root / "quantize" / "size.py").write_text("def f():\n    from benchmarks import hardware\n")
    bad = upward_imports(root)
    assert [b.split(":")[0] for b in bad] == ["quantize/profile.py", "quantize/size.py"], bad


def test_attached_commands_live_above_and_load():
    """The runtime's lazy table points only upward, and each entry is a real command."""
    import click

    from edge.cli import ATTACHED, main

    for name, attached in ATTACHED.items():
        module = attached.target.partition(":")[0]
        assert module.partition(".")[0] in LAYERS[1:], attached
        cmd = main.get_command(click.Context(main), name)
        assert isinstance(cmd, click.Command) and cmd.name == name
        assert cmd.callback is not None and cmd.callback.__module__ == module, (name, module)


def run_blocked(blocked: tuple[str, ...], args: list[str]) -> subprocess.CompletedProcess:
    """``edge ARGS`` in a real process where ``blocked`` cannot be imported (None in
    sys.modules), as in a base install without them, leaving this process untouched."""
    code = (
        "import sys\n"
        f"for m in {blocked!r}: sys.modules[m] = None\n"
        "from edge.cli import main\n"
        "main()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT
    )


def test_the_runtime_commands_run_without_the_upper_layers(oracle_artifact):
    """Importing edge.cli and running a runtime command needs neither quantize nor benchmarks
    (were either imported, the blocked import would fail with a traceback)."""
    res = run_blocked(("quantize", "benchmarks"), ["pii", "--model", str(oracle_artifact), "Hi"])
    assert res.returncode == 0 and res.stdout.startswith("Hi"), res.stderr
    listed = run_blocked(("quantize", "benchmarks"), ["--help"])
    assert listed.returncode == 0 and "unavailable: edge build needs" in listed.stdout


@pytest.mark.parametrize(
    ("blocked", "missing"),
    [(("torch", "transformers", "peft"), "peft"), (("quantize",), "quantize")],
)
def test_build_without_the_build_extra_says_install_it(tmp_path, blocked, missing):
    adapter = ROOT / "quantize" / "default_adapters" / "intent"
    args = ["build", "--base", "all-MiniLM-L6-v2", "--adapter", str(adapter)]
    res = run_blocked(blocked, [*args, "--task", "intent", "--out", str(tmp_path / "out")])
    assert res.returncode == 7, res.stderr
    assert "Traceback" not in res.stderr
    assert f"edge build needs the build extra ({missing} is not installed)" in res.stderr
    assert "pip install 'edge[build]'" in res.stderr
    assert not (tmp_path / "out").exists()


def test_bench_without_its_package_names_its_extras(tmp_path):
    res = run_blocked(("benchmarks",), ["bench", "--quick", "--out", str(tmp_path / "r")])
    assert res.returncode == 7 and "Traceback" not in res.stderr, res.stderr
    assert "pip install 'edge[build,bench]'" in res.stderr
    listed = run_blocked(("benchmarks",), ["--help"])
    assert listed.returncode == 0 and "bench" in listed.stdout and "unavailable" in listed.stdout
