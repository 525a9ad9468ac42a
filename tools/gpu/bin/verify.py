"""Fail loudly unless `edge train` can run here: the carried wheels' versions are the ones
imported (they shadow the machine's), every requirement of each carried distribution and of the
project (pyproject: base + the build extra's training part) is met, and the modules import.

usage: python3 .gpu/bin/verify.py --site /tmp/site [--sim]
  --sim: a local simulation on another Python: the wheels were installed for 3.12 into --site
         but the local environment runs; checks the same things against that environment.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata as md
import sys
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    tomllib = None

PINNED = {  # what the shipped adapters were trained with (the venv here)
    "transformers": "4.57.6",
    "tokenizers": "0.22.2",
    "huggingface-hub": "0.36.2",
    "peft": "0.21.2",
    "pydantic": "2.14.4",
    "pydantic-core": "2.50.5",
    "faker": "40.63.0",
    "python-stdnum": "2.2",
}
# requirements a training run never touches: a mismatch is reported, not fatal
SOFT = {"hf-xet", "torch", "onnxruntime", "httpx"}
# pyproject's build extra: only what `edge train` uses
BUILD_FOR_TRAIN = {"transformers", "peft", "safetensors", "faker", "psutil"}
IMPORTS = [
    "numpy",
    "tokenizers",
    "transformers",
    "peft",
    "accelerate",
    "safetensors",
    "pydantic",
    "faker",
    "stdnum",
    "phonenumbers",
    "click",
    "rich",
    "yaml",
    "regex",
    "edge.cli",
    "quantize.cli.train",
    "quantize.train",
    "quantize.merge",
    "quantize.pii_data",
    "quantize.pii_docs",
    "quantize.pii_written",
]


def version(name: str) -> str | None:
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return None


def check(req: Requirement, who: str, env: dict, bad: list, soft: list) -> None:
    if req.marker is not None and not req.marker.evaluate({**env, "extra": ""}):
        return
    have = version(req.name)
    ok = have is not None and (not req.specifier or req.specifier.contains(have, prereleases=True))
    if not ok:
        line = f"{who} needs {req}, found {have or 'nothing'}"
        (soft if canonicalize_name(req.name) in SOFT else bad).append(line)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--site", required=True)
    ap.add_argument("--sim", action="store_true")
    args = ap.parse_args()
    site = Path(args.site).resolve()
    env = default_environment()
    if args.sim:
        env = {
            **env,
            "python_version": "3.12",
            "python_full_version": "3.12.3",
            "platform_machine": "x86_64",
            "sys_platform": "linux",
        }
    bad: list[str] = []
    soft: list[str] = []

    carried = []
    for info in sorted(site.glob("*.dist-info")):
        meta = md.PathDistribution(info)
        name, ver = meta.metadata["Name"], meta.version
        carried.append(f"{name} {ver}")
        if not args.sim and version(name) != ver:
            bad.append(f"{name}: carried {ver} but {version(name)} is the one found first")
        for r in meta.requires or []:
            req = Requirement(r)
            if req.marker is not None and "extra" in str(req.marker):
                continue
            check(req, f"{name} {ver}", env, bad, soft)
    print("carried:", ", ".join(carried))
    for name, want in PINNED.items():
        if version(name) != want:
            bad.append(f"{name} {version(name)} is found first, the shipped runs used {want}")

    root = Path(__file__).resolve().parents[2]
    if tomllib is not None and (root / "pyproject.toml").is_file():
        project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
        reqs = [Requirement(r) for r in project["dependencies"]]
        reqs += [
            Requirement(r)
            for r in project["optional-dependencies"]["build"]
            if canonicalize_name(Requirement(r).name) in BUILD_FOR_TRAIN
        ]
        for req in reqs:
            check(req, "pyproject", env, bad, soft)

    for mod in IMPORTS:
        try:
            m = importlib.import_module(mod)
        except Exception as e:
            bad.append(f"import {mod}: {type(e).__name__}: {e}")
            continue
        top = mod.split(".")[0]
        where = Path(getattr(m, "__file__", "") or "").resolve()
        ours = {"transformers", "peft", "tokenizers", "pydantic", "faker"}
        if not args.sim and top in ours and site not in where.parents:
            bad.append(f"{mod} imported from {where}, not from {site}")

    import torch

    cuda = torch.cuda.is_available()
    print(
        f"python {sys.version.split()[0]}, torch {torch.__version__}, cuda {cuda}"
        + (f" ({torch.cuda.get_device_name(0)})" if cuda else "")
    )
    if not args.sim and not cuda:
        bad.append("torch sees no GPU")
    for line in soft:
        print("note (not used by training):", line)
    if bad:
        print("FATAL: the environment cannot run edge train:")
        for line in bad:
            print("  -", line)
        sys.exit(2)
    print("verify: ok")


if __name__ == "__main__":
    main()
