"""Writing files and folders so that a reader never sees half of one.

One place for the two patterns the project uses everywhere: a file written to a temporary
sibling and renamed (manifests, budget state, pseudonym mappings, generated data, --out files),
and a folder filled as a temporary sibling and swapped in (artifacts, adapters, reports).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO


def replace_dir(tmp_dir: Path, out: Path) -> None:
    """Rename ``tmp_dir`` to ``out``; an existing ``out`` is removed only after the swap."""
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        os.replace(tmp_dir, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp_dir, out)


@contextlib.contextmanager
def staged_dir(out: Path, swap: Callable[[Path, Path], None] = replace_dir) -> Iterator[Path]:
    """A temporary sibling of ``out`` to fill; when the block ends without error ``swap`` moves
    it into place (default ``replace_dir``), and it is removed in every other case."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        yield tmp
        swap(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def open_atomic(path: str | Path, mode: int = 0o600) -> Iterator[BinaryIO]:
    """A binary file that appears at ``path`` only once the block finished without error.

    Created with ``os.open(..., mode)`` so it never exists with wider permissions, even for a
    moment (a chmod afterwards would leave a window); the umask can only narrow ``mode``.
    The temporary sibling is removed on error; the rename replaces any old file in one step.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(tmp, flags, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def private_file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be trusted as an owner-only secret file, or None when it can.

    "not found", "is not a regular file" or "is open to other users (mode 644)": the callers
    (pseudonym mappings, the service token) add what the file holds and the remedy.
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        return "not found"
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file"
    if os.name == "posix" and st.st_mode & 0o077:
        return f"is open to other users (mode {stat.S_IMODE(st.st_mode):o})"
    return None
