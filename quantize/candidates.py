"""A variant as the hardware-profile selection sees it (quantize/select.py): its measured figures,
and why it was chosen or rejected as a code with the numbers behind it.

Why codes and not sentences: the selection used to keep candidates as dicts whose ``why`` was the
only record of a decision, and later steps (the suggestions after a failure) decided by searching
that text. Now every decision is a ``Reason`` plus its facts; the sentence in the report and the
table is made from them here, in one place, and nothing reads it back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

Status = Literal["chosen", "rejected"]


class Reason(str, Enum):
    """Why a candidate was chosen or rejected (its ``reason`` in build-report.json)."""

    CHOSEN = "chosen"  # in the set that won
    NOT_ALLOWED = "not-allowed"  # the profile does not list it
    REFERENCE_ONLY = "reference-only"  # not allowed; measured as the accuracy reference (fp32)
    NOT_BUILT = "not-built"  # the build left it out: failed parity or a missing dependency
    NOT_MEASURED = "not-measured"  # measuring it alone failed
    TOO_LOSSY = "too-lossy"  # loses more than the profile's tolerance for the task
    TOO_SLOW = "too-slow"  # misses the latency target that another variant meets
    OUTRANKED = "outranked"  # in a set that fits, but the chosen set is smaller or as good
    OVER_BUDGET = "over-budget"  # its smallest set measured together is over a budget
    OVER_BUDGET_ALONE = "over-budget-alone"  # over a budget on its own: no set was run
    MEMBER_OVER_BUDGET = "member-over-budget"  # every set with it has another member over alone
    NOT_MEASURED_TOGETHER = "not-measured-together"  # its sets could not be measured
    LESS_ACCURATE = "less-accurate"  # every set with it loses too much to be worth measuring


@dataclass(frozen=True)
class Over:
    """A figure over a budget: the models' share (``process=False``) or the whole process."""

    process: bool
    mb: float
    limit: float

    def __str__(self) -> str:
        if self.process:
            return f"process {self.mb:.0f} MB > process budget {self.limit:g} MB"
        return f"models {self.mb:.0f} MB > {self.limit:g} MB"


def over_budget(
    models_mb: float, process_mb: float, budget: float, process_budget: float | None
) -> list[Over]:
    """What a measured figure (a set's or a candidate's) is over; [] when it fits both budgets."""
    over = []
    if models_mb > budget:
        over.append(Over(False, models_mb, budget))
    if process_budget is not None and process_mb > process_budget:
        over.append(Over(True, process_mb, process_budget))
    return over


def pts(loss: float) -> str:
    """A loss in words: a quantized variant can score above fp32 on a finite eval set."""
    return f"loses {loss:.2f} pts" if loss >= 0 else f"gains {-loss:.2f} pts"


def mem(models: float, peak: float, baseline: float) -> str:
    """A measured figure in words: the models' share, then where it comes from."""
    return f"models {models:.0f} MB (process peak {peak:.0f} - runtime baseline {baseline:.0f})"


def _untried(f: dict) -> str:
    limit = f.get("untried_over")
    return (
        ""
        if limit is None
        else f"; its other sets lose over {limit:.2f} pts in total (not measured)"
    )


def _chosen(f: dict) -> str:
    if f["loss"] > f["top"] + f["eps"]:
        lead = (
            f"smallest set that fits within the {f['min_gain']:g}-pt min gain of the most "
            f"accurate one that fits ({f['loss']:.2f} vs {f['top']:.2f} pts lost in total)"
        )
    elif f["others"]:
        lead = (
            f"most accurate set that fits, and the smallest of the {f['others'] + 1} within min "
            "gain"
        )
    else:
        lead = "most accurate set that fits"
    cap = f["process_budget"]
    process = f"; process {f['peak']:.0f} <= {cap:g} MB" if cap else ""
    return (
        f"{lead}: {mem(f['models'], f['peak'], f['baseline'])} <= {f['budget']:g} MB{process}; "
        f"{pts(f['own_loss'])} vs fp32 (tolerance {f['tolerance']:g})"
    )


def _outranked(f: dict) -> str:
    mine, theirs, gain = f["models"], f["chosen_models"], f["gain"]
    head = f"fits (models {mine:.0f} MB together)"
    if gain > f["eps"]:  # more accurate, but by less than the margin (else it would have won)
        return (
            f"{head}, {gain:.2f} pts more accurate in total, within the {f['min_gain']:g}-pt min "
            f"gain: the chosen set is smaller ({theirs:.0f} MB)"
        )
    size = "smaller" if theirs < mine else "the same size"
    if gain < -f["eps"]:
        return f"{head} but the chosen set is {-gain:.2f} pts more accurate and {size}"
    return f"{head} but the chosen set is as accurate and {size} ({theirs:.0f} MB)"


def _over_budget(f: dict) -> str:
    where = f" together with {f['with']}" if f["with"] else ""
    return f"over budget{where}: {'; '.join(map(str, f['over']))}{_untried(f)}"


def _member_over(f: dict) -> str:
    return (
        f"every set with it has a member over budget: {f['task']} {f['variant']} alone: "
        f"{f['over']}{_untried(f)}"
    )


def _less_accurate(f: dict) -> str:
    v = f["chosen"]
    return (
        f"less accurate than the chosen {v}: {pts(f['loss'])} vs fp32, {v} "
        f"{pts(f['chosen_loss'])}; every set with it loses over {f['limit']:.2f} pts in total "
        "(not measured)"
    )


PROSE: dict[Reason, Callable[[dict], str]] = {
    Reason.CHOSEN: _chosen,
    Reason.NOT_ALLOWED: lambda f: "not allowed by the profile",
    Reason.REFERENCE_ONLY: lambda f: (
        "not allowed by the profile (measured as the accuracy reference)"
    ),
    Reason.NOT_BUILT: lambda f: f["detail"],  # the build's own line (quantize/profile_build)
    Reason.NOT_MEASURED: lambda f: f"not measured: {f['error']}",
    Reason.TOO_LOSSY: lambda f: (
        f"loses {f['loss']:.2f} pts vs {f['reference']} > {f['tolerance']:g}"
    ),
    Reason.TOO_SLOW: lambda f: f"single-text p95 {f['p95']:.1f} ms > {f['target']:g} ms",
    Reason.OUTRANKED: _outranked,
    Reason.OVER_BUDGET: _over_budget,
    Reason.OVER_BUDGET_ALONE: lambda f: (
        f"over budget alone: {'; '.join(map(str, f['over']))}{_untried(f)}"
    ),
    Reason.MEMBER_OVER_BUDGET: _member_over,
    Reason.NOT_MEASURED_TOGETHER: lambda f: (
        f"not measured together: {f['error']}" if f.get("error") else "not measured together"
    ),
    Reason.LESS_ACCURATE: _less_accurate,
}


@dataclass
class Candidate:
    """One variant of one task: ``figures`` as ``select.measure_candidate`` measured them (kept
    as they are in the report), the loss against the reference, its sets' figures, and the
    decision (``status``, ``reason`` and the ``facts`` its sentence quotes)."""

    variant: str
    figures: dict[str, Any] = field(default_factory=dict)
    loss_points: float | None = None
    set_models_rss_mb: float | None = None
    set_process_peak_rss_mb: float | None = None
    status: Status | None = None
    reason: Reason | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def measured(cls, figures: dict[str, Any]) -> Candidate:
        rest = dict(figures)
        return cls(variant=rest.pop("variant"), figures=rest)

    @property
    def open(self) -> bool:
        """Still in the running (no decision yet)."""
        return self.status is None

    @property
    def accuracy(self) -> float | None:
        return self.figures.get("accuracy")

    @property
    def error(self) -> str | None:
        return self.figures.get("error")

    @property
    def models_rss_mb(self) -> float | None:
        return self.figures.get("models_rss_mb")

    @property
    def process_peak_rss_mb(self) -> float | None:
        return self.figures.get("process_peak_rss_mb")

    @property
    def runtime_baseline_mb(self) -> float | None:
        return self.figures.get("runtime_baseline_mb")

    @property
    def latency_ms_p95(self) -> float | None:
        return self.figures.get("latency_ms_p95")

    def reject(self, reason: Reason, **facts: Any) -> Candidate:
        self.status, self.reason, self.facts = "rejected", reason, facts
        return self

    def choose(self, **facts: Any) -> Candidate:
        self.status, self.reason, self.facts = "chosen", Reason.CHOSEN, facts
        return self

    @property
    def why(self) -> str | None:
        """The decision in words, made from ``reason`` and ``facts``."""
        return PROSE[self.reason](self.facts) if self.reason is not None else None

    def row(self) -> dict[str, Any]:
        """The report's row: the figures, then the decision (absent values left out)."""
        extra = {
            "loss_points": self.loss_points,
            "set_models_rss_mb": self.set_models_rss_mb,
            "set_process_peak_rss_mb": self.set_process_peak_rss_mb,
            "status": self.status,
            "reason": self.reason.value if self.reason else None,
            "why": self.why,
        }
        out = {"variant": self.variant, **self.figures}
        out.update({k: v for k, v in extra.items() if v is not None})
        return out
