"""Prometheus text-format metrics for the service (``GET /metrics``).

Written here rather than with prometheus_client: the service needs four families, and
prometheus_client's process-global default registry would mix the metrics of several apps in one
process (the tests start many); a per-app object of ~80 lines has neither problem.
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict
from collections.abc import Callable

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)


def _labels(pairs: dict[str, str]) -> str:
    if not pairs:
        return ""
    esc = {
        k: str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        for k, v in pairs.items()
    }
    return "{" + ",".join(f'{k}="{v}"' for k, v in esc.items()) + "}"


class _Histogram:
    def __init__(self, buckets: tuple[float, ...]):
        self.buckets = buckets
        self.counts = [0] * (len(buckets) + 1)
        self.total = 0.0
        self.n = 0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.buckets, value)] += 1
        self.total += value
        self.n += 1

    def lines(self, name: str, labels: dict[str, str]) -> list[str]:
        out, cum = [], 0
        for bound, c in zip((*self.buckets, float("inf")), self.counts, strict=True):
            cum += c
            le = "+Inf" if bound == float("inf") else repr(bound)
            out.append(f"{name}_bucket{_labels({**labels, 'le': le})} {cum}")
        out.append(f"{name}_sum{_labels(labels)} {self.total}")
        out.append(f"{name}_count{_labels(labels)} {self.n}")
        return out


class Metrics:
    """Counters and histograms updated from the loop and the batch workers (one lock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.latency: dict[str, _Histogram] = {}
        self.batch_texts: dict[str, _Histogram] = {}
        self.inference: dict[str, _Histogram] = {}
        self.in_flight = 0
        self.models: dict[str, dict[str, str]] = {}
        self.queue_depth: dict[str, Callable[[], int]] = {}

    def request_done(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(method, route, status)] += 1
            self.latency.setdefault(route, _Histogram(LATENCY_BUCKETS)).observe(seconds)

    def batch_done(self, model: str, texts: int, seconds: float) -> None:
        with self._lock:
            self.batch_texts.setdefault(model, _Histogram(BATCH_BUCKETS)).observe(texts)
            self.inference.setdefault(model, _Histogram(LATENCY_BUCKETS)).observe(seconds)

    def render(self) -> str:
        with self._lock:
            lines = [
                "# HELP edge_requests_total HTTP requests answered, by route and status.",
                "# TYPE edge_requests_total counter",
            ]
            for (method, route, status), n in sorted(self.requests.items()):
                lab = {"method": method, "route": route, "status": str(status)}
                lines.append(f"edge_requests_total{_labels(lab)} {n}")
            families = [
                ("edge_request_duration_seconds", "Time from request to response.", "route",
                 self.latency),
                ("edge_batch_size_texts", "Texts per model call (micro-batches).", "model",
                 self.batch_texts),
                ("edge_inference_seconds", "Time of one model call on a batch.", "model",
                 self.inference),
            ]  # fmt: skip
            for name, help_text, key, hists in families:
                lines += [f"# HELP {name} {help_text}", f"# TYPE {name} histogram"]
                for value, h in sorted(hists.items()):
                    lines += h.lines(name, {key: value})
            lines += [
                "# HELP edge_queue_depth_texts Texts waiting for a model's worker.",
                "# TYPE edge_queue_depth_texts gauge",
            ]
            for model, depth in sorted(self.queue_depth.items()):
                lines.append(f"edge_queue_depth_texts{_labels({'model': model})} {depth()}")
            lines += [
                "# HELP edge_in_flight_requests Requests received and not yet answered.",
                "# TYPE edge_in_flight_requests gauge",
                f"edge_in_flight_requests {self.in_flight}",
                "# HELP edge_model_info The models served: name, task, variant, artifact.",
                "# TYPE edge_model_info gauge",
            ]
            for name, info in sorted(self.models.items()):
                lines.append(f"edge_model_info{_labels({'model': name, **info})} 1")
        return "\n".join(lines) + "\n"
