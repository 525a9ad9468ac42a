"""Every error edge raises on purpose.

One module, one hierarchy (the simonw/llm shape): callers catch ``EdgeError``; the CLI maps each
class to an exit code and prints the message, never a traceback. Messages say what to do next.
"""

from __future__ import annotations


class EdgeError(Exception):
    """Base of all deliberate edge errors. ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class InputError(EdgeError):
    """The text given to a model is unusable: empty, too long, not valid UTF-8."""

    exit_code = 3


class SpecError(EdgeError):
    """A spec file (task, hardware profile, policy) is missing or malformed."""

    exit_code = 4


class ArtifactError(EdgeError):
    """An artifact folder is missing, corrupt, truncated or fails its manifest hashes."""

    exit_code = 5


class BuildError(EdgeError):
    """The build cannot go on: bad base or adapter, failed export, failed parity."""

    exit_code = 6


class ParityError(BuildError):
    """An exported variant disagrees with the PyTorch model beyond the task's thresholds."""


class BackendUnavailableError(EdgeError):
    """A backend's optional dependency is not installed."""

    exit_code = 7


class DataError(EdgeError):
    """A training or evaluation data file is malformed."""

    exit_code = 8


class FallbackError(EdgeError):
    """A cloud fallback failed: timeout, HTTP error, bad answer, budget or rate cap, no API key.

    The router turns these into a degraded local result; they reach the caller only when it asked
    for them (``raise_on_cloud_error=True``). ``outcome`` is the audit log's word for the failure.
    """

    exit_code = 9

    def __init__(self, message: str, outcome: str = "error"):
        super().__init__(message)
        self.outcome = outcome


class MappingError(EdgeError):
    """A pseudonym mapping file is missing, open to other users, corrupt, or would be overwritten.

    Its own exit code (11) because the remedy differs from bad input text: the file holds the
    original values, so the fix is about that file (its path, its permissions), not the text.
    """

    exit_code = 11


class ChildError(EdgeError):
    """A measuring subprocess (edge.measurement.spawn) failed; reports record why and go on."""
