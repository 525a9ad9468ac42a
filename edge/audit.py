"""Append-only audit log of every routing decision (JSONL), readable by the device owner only.

Why: "nothing left the device" must be checkable after the fact, and so must every time
something did. One line per decision, whether or not anything was sent. The entry type has no
field for the input text: what is recorded is the sha256 of the *redacted* text that was sent
(a hash of the raw text would let anyone holding the log confirm a guessed name or number), and
the redacted text itself only where the policy allows it. The file is opened with O_APPEND (each
line lands whole at the end, even with several writers) and created with mode 0600.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

FILE_MODE = 0o600


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class AuditEntry:
    """One decision. ``decision``: ``local`` (no fallback wanted), ``blocked`` (wanted, nothing
    sent: offline, cap, no key, redaction failed) or ``sent`` (at least one request went out)."""

    task: str
    policy: str
    decision: str
    reason: str
    outcome: str
    source: str
    degraded: bool
    local_label: str | None = None
    local_confidence: float | None = None
    cloud_label: str | None = None
    cloud_confidence: float | None = None
    endpoint: str | None = None
    sent_sha256: str | None = None
    redacted_text: str | None = None
    pii_redacted: dict[str, int] = field(default_factory=dict)
    attempts: int = 0
    latency_ms: float | None = None
    time: str = field(default_factory=utc_now)

    def to_dict(self) -> dict:
        d = asdict(self)
        return {"time": d.pop("time"), **d}


def append_line(path: Path, line: str) -> None:
    """Append one line with O_APPEND to a file created 0600 (and tightened to 0600 if an older
    file was looser)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, FILE_MODE)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:
            os.fchmod(fd, FILE_MODE)
        data = line.encode("utf-8")
        while data:
            n = os.write(fd, data)
            data = data[n:]
    finally:
        os.close(fd)


class AuditLog:
    """Where a router writes its decisions."""

    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser()

    def write(self, entry: AuditEntry) -> None:
        append_line(self.path, json.dumps(entry.to_dict(), ensure_ascii=False) + "\n")

    def state_path(self) -> Path:
        """The rate/budget state file beside the log (``audit.jsonl`` → ``audit.state.json``)."""
        return self.path.with_suffix(".state.json")
