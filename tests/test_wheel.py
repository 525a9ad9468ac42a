"""The package installs as a wheel: built from the working tree, installed into a fresh venv (no
``-e``), it carries every data file the code reads and ``edge demo`` runs from it outside the
repository.

Why a fresh venv that borrows the test venv's site-packages: installing torch and the rest again
would cost minutes of CI for nothing this test checks. The wheel goes in with ``--no-deps``; the
borrowed folder is added by a ``.pth`` line, which puts it on ``sys.path`` without running the
``.pth`` files inside it, so the test venv's editable install of edge stays out and every import
of ``edge``, ``quantize`` and ``benchmarks`` comes from the wheel (the script checks where they
come from). The full install (``pip install edge[build]`` into a bare venv) is in the README.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from edge.cli import main
from edge.errors import ArtifactError
from edge.resources import package_path
from edge.specs import load_task_spec, specs_dir

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("edge", "quantize", "benchmarks")  # pyproject's [tool.setuptools.packages.find]

# Runs in the wheel's venv, from a folder outside the repository: reads every kind of shipped
# data through the installed packages and prints what it found, as JSON.
READ_EVERYTHING = r"""
import json, sys
from pathlib import Path

import benchmarks, edge, quantize
from benchmarks.data import handwritten, independent
from edge.policy import load_policy
from edge.profiles import load_hardware_profile
from edge.specs import load_task_spec, specs_dir
from quantize.datasets import data_dir, load_dataset
from quantize.defaults import DEFAULT_MODELS, default_adapter, default_probes
from quantize.sources import open_adapter

loaders = {"tasks": load_task_spec, "policies": load_policy, "hardware": load_hardware_profile}
specs = {
    kind: sorted(p.stem for p in (specs_dir() / kind).glob("*.toml") if load(p.stem))
    for kind, load in loaders.items()
}
folders = (specs_dir(), data_dir(), default_adapter("pii"), handwritten.HERE, independent.HERE)
print(json.dumps({
    "prefix": sys.prefix,
    "modules": [m.__file__ for m in (edge, quantize, benchmarks)],
    "folders": [str(p) for p in folders],
    "specs": specs,
    "adapters": {n: open_adapter(default_adapter(n)).sha256() for n in DEFAULT_MODELS},
    "clinc150_val": len(load_dataset("clinc150", "val")),
    "intent_probes": len(default_probes("intent")),
    "handwritten": len(handwritten.load()),
    "independent_dev": len(independent.load("dev")),
}))
"""


def _run(cmd: list[str], *, timeout: float, **kw) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    assert res.returncode == 0, f"{cmd}: exit {res.returncode}\n{res.stdout}\n{res.stderr}"
    return res


def _source_files() -> list[str]:
    """What a fresh clone of this working tree holds: tracked and new files, not ignored ones."""
    if not (ROOT / ".git").exists() or not shutil.which("git"):
        pytest.skip("not a git checkout: the wheel is built from the files git lists")
    out = _run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, timeout=60).stdout
    return sorted(f for f in set(out.split("\0")) if f and (ROOT / f).is_file())


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> tuple[Path, list[str]]:
    """The wheel built by pip, in an isolated build env, from a copy of the working tree (a stale
    ``build/`` folder of a clone cannot leak into it), and the files it was built from."""
    root = tmp_path_factory.mktemp("wheel")
    files = _source_files()
    for f in files:
        (root / "src" / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, root / "src" / f)
    pip = [sys.executable, "-m", "pip"]
    _run(
        [*pip, "wheel", "--no-deps", "-q", "-w", str(root / "dist"), str(root / "src")], timeout=600
    )
    (whl,) = (root / "dist").glob("edge-*.whl")
    return whl, files


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed (no ``-e``), borrowing the test venv's dependencies."""
    whl, _ = wheel
    env = tmp_path_factory.mktemp("venv") / "v"
    _run([sys.executable, "-m", "venv", "--without-pip", str(env)], timeout=120)
    python = env / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    _run([*pip, "install", "-q", "--no-deps", "--no-index", str(whl)], timeout=300)
    site = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        timeout=60,
    ).stdout.strip()
    borrowed = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (Path(site) / "_borrowed_test_venv.pth").write_text("\n".join(borrowed) + "\n")
    return env


def _outside_env(home: Path) -> dict[str, str]:
    """The environment of a user of the installed wheel: no path into the repository, no
    override of the shipped specs or data, a private EDGE_HOME."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    for override in ("EDGE_SPECS_DIR", "EDGE_DATA_DIR"):
        env.pop(override, None)
    return {**env, "EDGE_HOME": str(home)}


@pytest.mark.slow
def test_wheel_carries_every_data_file_of_its_packages(wheel):
    """Every non-Python file of the packages (specs, default adapters, public data, evaluation
    sets) is in the wheel, byte for byte: a new data file without a package-data line fails."""
    whl, files = wheel
    data = [f for f in files if f.split("/")[0] in PACKAGES and not f.endswith(".py")]
    assert any(f.startswith("edge/specs_data/tasks/") for f in data)
    assert any(f.endswith("adapter_model.safetensors") for f in data)
    with zipfile.ZipFile(whl) as z:
        shipped = {n: _sha256(z.read(n)) for n in z.namelist()}
    missing = [f for f in data if f not in shipped]
    assert not missing, f"not in the wheel (add them to pyproject's package-data): {missing}"
    changed = [f for f in data if shipped[f] != _sha256((ROOT / f).read_bytes())]
    assert not changed
    # nothing the runtime reads lives outside the packages any more
    assert not [f for f in files if f.startswith("specs/")]


@pytest.mark.slow
def test_installed_wheel_reads_its_data_outside_the_repository(venv, tmp_path):
    """Specs by name, the default adapters, CLINC150 and the evaluation sets, all read from the
    installed wheel (never the repository), with the same content as the repository's."""
    from benchmarks.data import handwritten, independent
    from quantize.datasets import load_dataset
    from quantize.defaults import DEFAULT_MODELS, default_adapter
    from quantize.sources import open_adapter

    res = _run(
        [str(venv / "bin" / "python"), "-c", READ_EVERYTHING],
        cwd=tmp_path,
        env=_outside_env(tmp_path / "home"),
        timeout=300,
    )
    got = json.loads(res.stdout.strip().splitlines()[-1])
    prefix = Path(got["prefix"]).resolve()
    assert prefix == venv.resolve()
    for path in got["modules"] + got["folders"]:
        assert Path(path).resolve().is_relative_to(prefix), path
    kinds = ("tasks", "policies", "hardware")
    assert got["specs"] == {
        k: sorted(p.stem for p in (specs_dir() / k).glob("*.toml")) for k in kinds
    }
    assert got["adapters"] == {n: open_adapter(default_adapter(n)).sha256() for n in DEFAULT_MODELS}
    assert got["clinc150_val"] == len(load_dataset("clinc150", "val"))
    assert got["intent_probes"] > got["clinc150_val"] // 10
    assert got["handwritten"] == len(handwritten.load()) > 0
    assert got["independent_dev"] == len(independent.load("dev")) > 0


@pytest.mark.slow
def test_edge_demo_runs_from_the_installed_wheel(venv, default_artifacts, tmp_path):
    """The wheel's ``edge demo``, run outside the repository, finds the default models current
    (it compares them with the adapters and task specs the wheel ships) and answers as the
    repository's ``edge demo`` does. The models are the session's default builds (as `edge demo`
    builds them: other slow tests build them anyway), linked into a private EDGE_HOME."""
    home = tmp_path / "home"
    for name in ("pii", "pii-fast", "intent"):
        out, _ = default_artifacts(name)
        shutil.copytree(out, home / "models" / name, copy_function=os.link)
    res = _run(
        [str(venv / "bin" / "edge"), "demo"], cwd=tmp_path, env=_outside_env(home), timeout=600
    )
    assert "building" not in res.stdout, res.stdout  # the wheel's adapters and specs matched
    for name in ("pii", "pii-fast", "intent"):
        assert f"== {name} (" in res.stdout
    here = CliRunner().invoke(main, ["demo"], env={"EDGE_HOME": str(home)})
    assert here.exit_code == 0, here.output
    assert res.stdout == here.stdout


def test_shipped_specs_are_package_data_and_the_override_stays(tmp_path, monkeypatch):
    """Bare spec names resolve inside the installed ``edge`` package (no walk up to a repository
    root); ``EDGE_SPECS_DIR`` still replaces that folder."""
    import edge

    monkeypatch.delenv("EDGE_SPECS_DIR", raising=False)
    assert specs_dir() == Path(edge.__file__).parent / "specs_data"
    assert load_task_spec("pii").name == "pii"
    own = tmp_path / "tasks" / "pii.toml"
    own.parent.mkdir()
    own.write_text('name = "mine"\nkind = "sequence-classification"\nlabels = ["a", "b"]\n')
    monkeypatch.setenv("EDGE_SPECS_DIR", str(tmp_path))
    assert specs_dir() == tmp_path
    assert load_task_spec("pii").name == "mine"


def test_package_data_needs_an_unpacked_install(tmp_path, monkeypatch):
    """A package imported from a zip file has no folder to hand to onnxruntime or safetensors:
    an error that says how to install, not a missing file later."""
    archive = tmp_path / "zipped.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("zipped_pkg/__init__.py", "")
        z.writestr("zipped_pkg/data/x.toml", "a = 1\n")
    monkeypatch.syspath_prepend(str(archive))
    with pytest.raises(ArtifactError, match="unpacked install: pip install edge"):
        package_path("zipped_pkg", "data")
    assert package_path("edge", "specs_data", "tasks").is_dir()
