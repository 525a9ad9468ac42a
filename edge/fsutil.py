"""Replacing a folder without a moment where neither the old nor the new one is complete.

Shared by the build (artifact folders), training (adapter folders) and the benchmark (report
folders): each writes into a temporary sibling and calls ``replace_dir`` once it is finished.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def replace_dir(tmp_dir: Path, out: Path) -> None:
    """Rename ``tmp_dir`` to ``out``; an existing ``out`` is removed only after the swap."""
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        os.replace(tmp_dir, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp_dir, out)
