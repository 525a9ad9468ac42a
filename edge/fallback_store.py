"""Cloud answers kept as training candidates, only where the policy says ``keep_results = true``.

Why: a fallback is the local model admitting it does not know; the cloud's label for that text is
exactly the example it lacked. Records are the intent training format
(``{"text": ..., "label": ...}``), so ``edge train --task intent --data FILE`` (alias
``--from-fallbacks FILE``) takes the file as it is. The text is the *redacted* text that was sent
(placeholders like ``<PERSON>`` included), never the original: the store holds nothing the cloud
did not already see. Review the file before training on it: the cloud can be wrong.
"""

from __future__ import annotations

import json
from pathlib import Path

from edge.audit import append_line


class FallbackStore:
    """An append-only JSONL file (O_APPEND, mode 0600, like the audit log)."""

    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser()

    def add(self, redacted_text: str, label: str) -> None:
        record = {"text": redacted_text, "label": label}
        append_line(self.path, json.dumps(record, ensure_ascii=False) + "\n")

    def __len__(self) -> int:
        if not self.path.is_file():
            return 0
        with self.path.open(encoding="utf-8") as f:
            return sum(1 for line in f if line.strip())
