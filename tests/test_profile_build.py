"""`edge build --profile` on the tiny models: real builds, real onnxruntime, real child processes.

Every figure here is measured (peak RSS in fresh processes, accuracy on labelled records); the
tests assert what the selection must do with whatever the figures are.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import edge
from edge.cli import main
from edge.errors import BuildError
from edge.manifest import read_manifest
from edge.profiles import load_hardware_profile
from edge.specs import ParityThresholds
from quantize.profile_build import REPORT_NAME, TaskSource, build_profile

PROFILE = """
name = "{name}"
memory_budget_mb = {budget}
{extra}
threads = 1
backends = ["cpu"]
formats = ["onnx"]
variants = {variants}
tasks = {tasks}
typical_input = "short"
typical_batch = 4
[accuracy_tolerance]
{tolerance}
"""

INTENT_TEXTS = [
    "book a table for two at 7 pm tonight in paris",
    "what's the weather like tomorrow",
    "play some jazz music",
    "transfer money from checking to savings",
    "cancel my subscription",
    "Hi, I'm Maria Garcia and my email is maria.garcia@example.com.",
    "Server 192.168.10.24 rejected the login",
    "book a table and play some music",
    "what's the weather in paris at 7 pm",
    "call me at +1 (415) 555-0132 after 6pm",
    "my card number is 4111 1111 1111 1111",
    "Jürgen Müller from Siemens AG visited São Paulo",
]
PII_RECORDS = [
    {"text": "Hi, I'm Maria Garcia and my email is maria.garcia@example.com.", "spans": []},
    {"text": "Call me at +1 (415) 555-0132 after 6pm.", "spans": []},
    {"text": "book a table for two at 7 pm tonight in paris", "spans": []},
    {"text": "My IBAN is DE89 3704 0044 0532 0130 00.", "spans": []},
]


def write_profile(
    tmp_path: Path, name: str, *, budget: float, variants, tasks, tol, extra: str = ""
) -> Path:
    tolerance = "\n".join(f"{t} = {tol}" for t in tasks)
    text = PROFILE.format(
        name=name,
        budget=budget,
        extra=extra,
        variants=json.dumps(variants),
        tasks=json.dumps(tasks),
        tolerance=tolerance,
    )
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def int4_intent_spec(intent_spec):
    """The random tiny model has near-ties; int4 is held to a loose agreement so it is built."""
    parity = dict(intent_spec.parity)
    parity["int4"] = ParityThresholds(min_argmax_agreement=0.5)
    return intent_spec.model_copy(update={"parity": parity})


@pytest.fixture(scope="module")
def sources(
    tiny_base, pii_adapter, intent_adapter, random_pii_spec, int4_intent_spec, tmp_path_factory
):
    """Tiny PII + intent sources whose candidates are built once (cache_dir) for the module.

    Intent records are labelled by the merged model's own argmax, so fp32 scores 100% and any
    flip a quantized variant makes is a measured loss."""
    from quantize.evaluate import torch_task_model

    torch_model = torch_task_model(tiny_base, intent_adapter, int4_intent_spec)
    labels = [r.top_k[0][0] for r in torch_model.classify(INTENT_TEXTS, top_k=1)]
    pairs = zip(INTENT_TEXTS, labels, strict=True)
    intent_records = [{"text": t, "label": lbl} for t, lbl in pairs]
    cache = tmp_path_factory.mktemp("candidates")
    return {
        "pii": TaskSource(
            "pii",
            tiny_base,
            pii_adapter,
            random_pii_spec,
            PII_RECORDS,
            "tiny pii",
            cache_dir=cache / "pii",
        ),
        "intent": TaskSource(
            "intent",
            tiny_base,
            intent_adapter,
            int4_intent_spec,
            intent_records,
            "tiny intent, labelled by the merged model",
            cache_dir=cache / "intent",
        ),
    }


@pytest.fixture(scope="module")
def generous(sources, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("generous")
    prof = write_profile(
        tmp,
        "roomy",
        budget=100_000,
        variants=["int8", "int4", "fp32"],
        tasks=["pii", "intent"],
        tol=100,
    )
    out = tmp / "out"
    report = build_profile(prof, out, sources=sources, quiet=True)
    return report, out


def test_generous_budget_picks_a_set_and_reports_every_candidate(generous, sources):
    report, out = generous
    saved = json.loads((out / REPORT_NAME).read_text(encoding="utf-8"))
    assert saved["chosen"] == report["chosen"] and set(saved["chosen"]) == {"pii", "intent"}
    for task in ("pii", "intent"):
        rows = {r["variant"]: r for r in saved["candidates"][task]}
        assert {"fp32", "int8", "int4"} <= set(rows)
        assert sum(r["status"] == "chosen" for r in rows.values()) == 1
        assert rows[saved["chosen"][task]]["status"] == "chosen"
        for r in rows.values():
            assert r["status"] in ("chosen", "rejected") and r["why"]
            if "failed parity" in r["why"]:  # never built: nothing measured
                continue
            assert r["size_mb"] > 0 and 0 <= r["accuracy"] <= 1
            assert r["models_rss_mb"] > 0 and r["latency_ms_per_text"] > 0
            base = r["runtime_baseline_mb"]
            assert r["process_peak_rss_mb"] == pytest.approx(r["models_rss_mb"] + base)
            assert r["latency_ms_p95"] >= r["latency_ms_p50"] > 0
    # a variant that misses parity is a finding, not a failed build: the random tiny PII model's
    # near-ties flip under int4 (agreement ~0.86 < the default 0.965), so it is reported unbuilt
    pii_int4 = {r["variant"]: r for r in saved["candidates"]["pii"]}["int4"]
    assert pii_int4["status"] == "rejected"
    assert pii_int4["why"].startswith("failed parity: argmax agreement 0.")
    assert "< 0.965" in pii_int4["why"] and "accuracy" not in pii_int4
    intent_int4 = {r["variant"]: r for r in saved["candidates"]["intent"]}["int4"]
    assert intent_int4["parity_argmax_agreement"] >= 0.5 and intent_int4["accuracy"] >= 0
    # the winner loses no more than any other measured set; the fp32 reference loses nothing
    assert saved["loss_points"] <= min(s["loss_points"] for s in saved["sets"]) + 1e-9
    assert {r["variant"]: r for r in saved["candidates"]["intent"]}["fp32"]["loss_points"] == 0
    # the figure checked against the budget is the set's models' share, measured together: the
    # process's peak minus its RSS once the runtime's libraries were imported (no model yet)
    best = next(s for s in saved["sets"] if s["variants"] == saved["chosen"])
    assert best["measured"] and best["fits"] and best["over"] == []
    assert saved["models_rss_mb"] == best["models_rss_mb"] > 0
    assert saved["process_peak_rss_mb"] == pytest.approx(
        saved["models_rss_mb"] + saved["runtime_baseline_mb"]
    )
    assert {"numpy", "tokenizers", "edge", "onnxruntime"} <= set(best["runtime_imports"])
    # onnxruntime and the interpreter are in the baseline, not the models' share
    assert saved["runtime_baseline_mb"] > saved["models_rss_mb"]
    # the whole process is still smaller than the members' own processes added up
    alone = {t: {r["variant"]: r for r in rows} for t, rows in saved["candidates"].items()}
    summed = sum(alone[t][v]["process_peak_rss_mb"] for t, v in saved["chosen"].items())
    assert saved["process_peak_rss_mb"] < summed
    assert saved["memory_budget_mb"] == 100_000 and saved["process_budget_mb"] is None
    assert saved["min_gain_points"] == 0.5 and "models_rss_mb" in saved["memory"]


def test_output_keeps_only_the_chosen_variants_and_loads(generous):
    report, out = generous
    assert sorted(p.name for p in out.iterdir()) == sorted([REPORT_NAME, "intent", "pii"])
    for task, variant in report["chosen"].items():
        m = read_manifest(out / task)
        assert [v.name for v in m.variants] == [variant] and m.default_variant == variant
        onnx_files = sorted(p.name for p in (out / task).glob("*.onnx"))
        assert onnx_files == [m.variants[0].model.file]
        model = edge.load(out / task)  # verifies every file's sha256
        assert model.variant == variant
    assert edge.load(out / "intent").classify("book a table").label
    assert not list(out.parent.glob(".*")), "temporary folders left behind"


def test_nothing_fits_fails_cleanly_with_smallest_figure(sources, tmp_path):
    prof = write_profile(
        tmp_path,
        "tiny",
        budget=1,
        variants=["int8", "int4"],
        tasks=["pii", "intent"],
        tol=100,
    )
    with pytest.raises(BuildError) as e:
        build_profile(prof, tmp_path / "out", sources=sources, quiet=True)
    msg = str(e.value)
    assert "\n" not in msg
    assert "smallest measured: " in msg and "vs budget 1 MB" in msg
    rows = [r for rows in e.value.report["candidates"].values() for r in rows]
    smallest = min(r["models_rss_mb"] for r in rows if "models_rss_mb" in r)
    # the figure named is the smallest models' share measured, with where it comes from
    assert f"models {smallest:.0f} MB (process peak " in msg and "- runtime baseline" in msg
    for r in rows:
        if "models_rss_mb" in r:
            assert r["status"] == "rejected" and r["why"].startswith("over budget alone: models")
    assert "fewer tasks" in msg and "smaller base" in msg
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.toml"]


def test_tolerance_rejects_a_lossy_variant(tiny_base, pii_adapter, random_pii_spec, tmp_path):
    """Tolerance 0: a variant that loses any point is out, and the chosen one lost none.

    The random tiny PII model has near-ties that int4 flips (parity is relaxed so it is built);
    the records are labelled by the fp32 variant's own spans, so fp32 scores 1.0 exactly."""
    from quantize.profile_build import build_candidates

    parity = dict(random_pii_spec.parity)
    parity["int4"] = ParityThresholds(min_argmax_agreement=0.5)
    spec = random_pii_spec.model_copy(update={"parity": parity})
    texts = [r["text"] for r in PII_RECORDS] + [
        "Jürgen Müller from Siemens AG visited São Paulo on 3 March 2024.",
        "My card number is 4111 1111 1111 1111 and my IBAN is DE89 3704 0044 0532 0130 00.",
        "Server 192.168.10.24 rejected the login; see https://docs.example.org/guide?id=42",
    ]
    src = TaskSource("pii", tiny_base, pii_adapter, spec, [], "", cache_dir=tmp_path / "cand")
    assert build_candidates(src, ["fp32", "int4", "int8"], src.cache_dir, quiet=True) == {}
    fp32 = edge.load(src.cache_dir, variant="fp32")
    # the headline scores the model's own spans (before the rule fusion), where it has them
    own = getattr(fp32, "model_spans", None)
    gold = own(texts) if own else [r.spans for r in fp32.detect(texts)]
    records = [
        {"text": t, "spans": [{"start": x.start, "end": x.end, "label": x.label} for x in spans]}
        for t, spans in zip(texts, gold, strict=True)
    ]
    src = TaskSource("pii", tiny_base, pii_adapter, spec, records, "", cache_dir=src.cache_dir)
    prof_path = write_profile(
        tmp_path, "strict", budget=100_000, variants=["int4", "int8", "fp32"], tasks=["pii"], tol=0
    )
    report = build_profile(prof_path, tmp_path / "out", sources={"pii": src}, quiet=True)
    rows = {r["variant"]: r for r in report["candidates"]["pii"]}
    assert rows["fp32"]["accuracy"] == 1.0 and rows["fp32"]["loss_points"] == 0
    assert rows["int4"]["loss_points"] > 0, "int4 of the random tiny model should flip a span"
    for r in rows.values():
        if r["loss_points"] > 0:
            assert r["status"] == "rejected" and "pts vs fp32 > 0" in r["why"]
    assert rows[report["chosen"]["pii"]]["loss_points"] == 0
    assert report["tolerance_points"] == {"pii": 0}


def test_sets_are_measured_in_one_process_with_both_tasks(generous, sources, tmp_path):
    from quantize.select import measure_together, typical_texts

    report, _ = generous
    prof = load_hardware_profile(
        write_profile(tmp_path, "p", budget=500, variants=["int8"], tasks=["pii", "intent"], tol=1)
    )
    arts = {t: Path(sources[t].cache_dir) for t in ("pii", "intent")}
    chosen = report["chosen"]
    members = [(arts[t], chosen[t], typical_texts(arts[t], prof)) for t in ("pii", "intent")]
    both = measure_together(members, threads=1, batch=prof.typical_batch)
    assert sorted(s["kind"] for s in both["subjects"]) == [
        "sequence-classification",
        "token-classification",
    ]
    assert [s["variant"] for s in both["subjects"]] == [chosen["pii"], chosen["intent"]]
    assert all(s["batch_size"] == 4 for s in both["subjects"])
    alone = [measure_together([m], threads=1, batch=4) for m in members]
    peaks = [a["process_peak_rss_mb"] for a in alone]
    # one interpreter and one onnxruntime for both: more than either, less than the two summed
    assert max(peaks) < both["process_peak_rss_mb"] < sum(peaks)
    # ...and both in the baseline, which the models' share leaves out
    assert "onnxruntime" in both["runtime_imports"]
    for m in (both, *alone):
        assert m["process_peak_rss_mb"] == m["runtime_baseline_mb"] + m["models_rss_mb"]
        assert 0 < m["models_rss_mb"] < m["runtime_baseline_mb"]


def test_cli_build_profile(sources, tmp_path):
    spec = sources["intent"].spec
    spec_file = tmp_path / "intent-test.toml"
    parity = "\n".join(
        f'[parity."{v}"]\nmin_argmax_agreement = {t.min_argmax_agreement}'
        for v, t in spec.parity.items()
    )
    spec_file.write_text(
        f'name = "{spec.name}"\nkind = "{spec.kind}"\nlabels = {json.dumps(spec.labels)}\n'
        f'out_of_scope_label = "{spec.out_of_scope_label}"\n{parity}\n',
        encoding="utf-8",
    )
    data = tmp_path / "eval.jsonl"
    data.write_text(
        "\n".join(json.dumps(r) for r in sources["intent"].records) + "\n", encoding="utf-8"
    )
    common = [
        "build",
        "--base",
        str(sources["intent"].base),
        "--adapter",
        str(sources["intent"].adapter),
        "--task",
        str(spec_file),
        "--data",
        str(data),
        "--quiet",
    ]
    ok = write_profile(
        tmp_path, "cli", budget=100_000, variants=["int8", "fp32"], tasks=["intent"], tol=100
    )
    res = CliRunner().invoke(main, [*common, "--profile", str(ok), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "profile cli: intent " in res.stdout and "MB together" in res.stdout
    assert ", models " in res.stdout and "(process peak " in res.stdout
    report = json.loads((tmp_path / "o" / REPORT_NAME).read_text(encoding="utf-8"))
    assert report["sources"]["intent"]["eval"].startswith(str(data))
    assert edge.load(tmp_path / "o" / "intent").variant == report["chosen"]["intent"]

    bad = write_profile(tmp_path, "cli-small", budget=1, variants=["int8"], tasks=["intent"], tol=1)
    res = CliRunner().invoke(main, [*common, "--profile", str(bad), "--out", str(tmp_path / "x")])
    assert res.exit_code == BuildError.exit_code == 6
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: no variant set fits")
    assert "smallest measured: intent int8 alone, models " in lines[0]
    assert "Traceback" not in res.output
    assert not (tmp_path / "x").exists()

    res = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "y")])
    assert res.exit_code == 2 and "--profile" in res.stderr


def test_missing_int4_dependency_rejects_int4_only(sources, tmp_path, monkeypatch):
    """onnxruntime's 4-bit quantizer needs onnx-ir, which it does not require: without it the
    int4 candidate is reported unbuilt and the rest of the profile still builds."""
    import sys

    monkeypatch.setitem(sys.modules, "onnxruntime.quantization.matmul_nbits_quantizer", None)
    src = sources["intent"]
    fresh = TaskSource(
        src.task, src.base, src.adapter, src.spec, src.records, "", cache_dir=tmp_path / "c"
    )
    prof = write_profile(
        tmp_path, "no-int4", budget=100_000, variants=["int4", "int8"], tasks=["intent"], tol=100
    )
    report = build_profile(prof, tmp_path / "out", sources={"intent": fresh}, quiet=True)
    rows = {r["variant"]: r for r in report["candidates"]["intent"]}
    assert rows["int4"]["status"] == "rejected" and "pip install onnx-ir" in rows["int4"]["why"]
    assert report["chosen"] == {"intent": "int8"}
    assert [v.name for v in read_manifest(fresh.cache_dir).variants] == ["fp32", "int8"]


def test_budget_is_the_models_share_not_the_whole_process(generous, sources, tmp_path):
    """A budget between the models' share and the whole process's peak fits: the interpreter and
    the libraries are not the models'. A process budget below that peak then fails cleanly."""
    report, _ = generous
    measured = [s for s in report["sets"] if s["measured"]]
    models = max(s["models_rss_mb"] for s in measured)
    process = min(s["process_peak_rss_mb"] for s in measured)
    assert models < process / 2, "the tiny models should be a small part of the process"
    budget = round((models + process) / 2)  # a wide gap on each side for run-to-run noise
    prof = write_profile(
        tmp_path, "mid", budget=budget, variants=["int8", "fp32"], tasks=["pii", "intent"], tol=100
    )
    fits = build_profile(prof, tmp_path / "out", sources=sources, quiet=True)
    assert fits["models_rss_mb"] <= budget < fits["process_peak_rss_mb"]
    chosen = [r for rows in fits["candidates"].values() for r in rows if r["status"] == "chosen"]
    assert len(chosen) == 2 and all(f"<= {budget} MB" in r["why"] for r in chosen)

    capped = write_profile(
        tmp_path,
        "capped",
        budget=budget,
        extra=f"process_budget_mb = {budget}",
        variants=["int8", "fp32"],
        tasks=["pii", "intent"],
        tol=100,
    )
    with pytest.raises(BuildError) as e:
        build_profile(capped, tmp_path / "out2", sources=sources, quiet=True)
    msg = str(e.value)
    assert f"vs budget {budget} MB (process budget {budget} MB)" in msg
    assert "a larger process_budget_mb" in msg and "\n" not in msg
    rows = [r for rows in e.value.report["candidates"].values() for r in rows if "why" in r]
    assert any(f"> process budget {budget} MB" in r["why"] for r in rows)
    assert not (tmp_path / "out2").exists()
