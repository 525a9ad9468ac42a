"""`edge bench`: the report folder, its figures and plots, peers skipped with reasons, the profile
gate. No timing is asserted (CI machines are noisy); only that every figure is there and sane."""

from __future__ import annotations

import importlib.util
import json

import pytest
from click.testing import CliRunner

from benchmarks.flops import architecture
from benchmarks.presidio_peer import presidio_missing
from edge.cli import main
from edge.manifest import read_manifest

pytest.importorskip("matplotlib")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FAST = ["--quick", "--iterations", "2", "--threads", "1", "--batch-sizes", "1,4", "--quiet"]


def run(*args):
    return CliRunner().invoke(main, ["bench", *map(str, args)])


@pytest.fixture(scope="module")
def report(pii_artifact, intent_artifact, tiny_base, pii_adapter, tmp_path_factory):
    """One quick full run over both tiny artifacts, with the PyTorch peer for PII."""
    out = tmp_path_factory.mktemp("bench") / "report"
    r = run(
        "--model", pii_artifact, "--model", intent_artifact, "--out", out,
        "--base", tiny_base, "--adapter", pii_adapter, "--limit", "8", *FAST,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "wrote" in r.output
    return out


def test_report_files(report):
    assert (report / "report.json").is_file() and (report / "report.md").is_file()
    assert not list(report.parent.glob(".report.tmp-*")), "temporary folder left behind"
    md = (report / "report.md").read_text(encoding="utf-8")
    assert "| variant | backend |" in md and "**int8**" in md
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    pngs = [report / f for m in data["models"] for f in m["plots"].values()]
    assert len(pngs) == 10
    for png in pngs:
        blob = png.read_bytes()
        assert blob[:8] == PNG_MAGIC, png
        assert len(blob) > 5000, f"{png} looks empty"
        assert f"]({png.name})" in md


def test_report_json_figures(report):
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    for key in ("schema", "settings", "machine", "models", "flops_formula", "profile"):
        assert key in data
    assert data["machine"]["peak_gflops"]["1"]["gflops"] > 0
    assert [m["kind"] for m in data["models"]] == [
        "token-classification",
        "sequence-classification",
    ]
    for m in data["models"]:
        assert m["reference"] == "int8"
        assert m["flops"]["layers"] == 2 and m["flops"]["hidden"] == 32
        assert set(m["workload"]) == {"short", "medium", "long"}
        assert m["workload"]["short"]["tokens_max"] <= 16
        # Presidio (a peer when the compare extra is installed) has no FLOPs, size or reference
        # ratio: test_peers_run_or_say_why checks its figures
        ok = [s for s in m["subjects"] if s["status"] == "ok" and s["name"] != "presidio"]
        assert {"int8", "fp32"} <= {s["name"] for s in ok}
        for s in ok:
            for bucket in ("short", "medium", "long"):
                lat = s["latency_ms"]["1"][bucket]
                assert 0 < lat["p50"] <= lat["p95"] <= lat["p99"]
            for b in ("1", "4"):
                assert s["throughput"]["1"][b]["texts_per_s"] > 0
                assert s["gflops"]["1"]["throughput"][b]["achieved"] > 0
            assert s["cold_start"]["median_s"] > 0
            assert s["memory"]["peak_rss_mb"] >= s["memory"]["rss_after_imports_mb"] > 0
            assert 0 < s["memory"]["models_rss_mb"] < s["memory"]["peak_rss_mb"]
            assert s["size_bytes"] > 0
            assert s["vs_reference"]["latency_p50"] > 0
        ref = next(s for s in ok if s["name"] == "int8")
        assert ref["vs_reference"]["throughput"] == pytest.approx(1.0)


def test_peers_run_or_say_why(report):
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    pii, intent = data["models"]
    torch_pii = next(s for s in pii["subjects"] if s["name"] == "pytorch-fp32")
    assert torch_pii["status"] == "ok", torch_pii["reason"]
    assert torch_pii["latency_ms"]["1"]["medium"]["p50"] > 0
    # --adapter is the PII one: the intent artifact's peer must refuse it, not run another model
    torch_intent = next(s for s in intent["subjects"] if s["name"] == "pytorch-fp32")
    assert torch_intent["status"] == "skipped" and "sha256" in torch_intent["reason"]
    presidio = next(s for s in pii["subjects"] if s["name"] == "presidio")
    if importlib.util.find_spec("presidio_analyzer") is None:
        assert presidio["status"] == "skipped" and "presidio" in presidio["reason"]
    elif presidio_missing() is None:  # the compare extra: the comparison's peer, run for real
        assert presidio["status"] == "ok", presidio["reason"]
        assert presidio["latency_ms"]["1"]["medium"]["p50"] > 0
        assert presidio["throughput"]["1"]["4"]["texts_per_s"] > 0
        assert presidio["gflops"] == {}  # not a model of ours: no FLOPs figure
        assert presidio["cold_start"]["median_s"] > 0
        assert 0 <= presidio["accuracy"]["value"] <= 1 and presidio["accuracy"]["n"] == 8
    assert not any(s["name"] == "presidio" for s in intent["subjects"])
    # accuracy: the real PII spec fits pii-synth; the tiny intent labels do not fit CLINC150
    assert "source" in pii["accuracy_data"] or "skipped" in pii["accuracy_data"]
    assert "skipped" in intent["accuracy_data"]


def test_flops_from_the_artifact(pii_artifact, intent_artifact):
    for art, per_token in ((pii_artifact, True), (intent_artifact, False)):
        arch = architecture(art, read_manifest(art))
        assert (arch.hidden, arch.layers, arch.ffn) == (32, 2, 64)
        assert arch.per_token_head is per_token and arch.head_params > 0
        d, n, f = 32, 2, 64
        head = 2 * arch.head_params * (10 if per_token else 1)
        assert arch.flops(10) == 2 * n * (4 * d * d + 2 * d * f) * 10 + 4 * n * 100 * d + head


def _profile(tmp_path, latency, memory):
    p = tmp_path / "profile.toml"
    p.write_text(
        f'name = "test-device"\n[targets]\nmemory_mb = {memory}\n'
        f"[targets.latency_ms_p95]\npii = {latency}\n",
        encoding="utf-8",
    )
    return p


def test_profile_gate(pii_artifact, tmp_path):
    gate = [*FAST, "--no-peers", "--no-accuracy", "--model", pii_artifact]
    r = run(*gate, "--out", tmp_path / "miss", "--profile", _profile(tmp_path, 1e-6, 100000))
    assert r.exit_code == 10, r.output
    assert "latency_ms_p95" in r.output and "missed" in r.output
    data = json.loads((tmp_path / "miss" / "report.json").read_text(encoding="utf-8"))
    assert data["profile"]["passed"] is False  # the report is written even when the gate fails
    r = run(*gate, "--out", tmp_path / "pass", "--profile", _profile(tmp_path, 1e6, 1e6))
    assert r.exit_code == 0, r.output
    assert "every target met" in r.output


def test_missing_profile_fails_before_any_work(pii_artifact, tmp_path):
    out = tmp_path / "out"
    r = run(*FAST, "--model", pii_artifact, "--out", out, "--profile", tmp_path / "nope.toml")
    assert r.exit_code == 4, r.output
    assert "nope.toml" in r.output and not out.exists()
    r = run(*FAST, "--model", pii_artifact, "--out", out, "--profile", "no-such-device")
    assert r.exit_code == 4 and "no-such-device" in r.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[targets]\n", encoding="utf-8")
    r = run(*FAST, "--model", pii_artifact, "--out", out, "--profile", bad)
    assert r.exit_code == 4 and "latency_ms_p95" in r.output


@pytest.mark.parametrize(
    "text, expect",
    [
        ("[targets]\nmemory_mb = 300\nlatency_ms = 5\n", "targets.latency_ms: unknown key"),
        ('nme = "pi"\n[targets]\nmemory_mb = 300\n', "nme: unknown key"),
        ("[targets.latency_ms_p95]\nppi = 40\n", "'ppi' names no task"),
        ("[targets.memory_mb]\npii = 300\nintnet = 200\n", "'intnet' names no task"),
    ],
)
def test_a_misspelled_profile_is_a_spec_error_before_any_work(pii_artifact, tmp_path, text, expect):
    """The release gate must not pass on a typo: an unknown key, or a per-task target whose key
    names no task (it would gate nothing), stops the run with exit 4 and no report."""
    path = tmp_path / "typo.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    r = run(*FAST, "--no-peers", "--model", pii_artifact, "--out", out, "--profile", path)
    assert r.exit_code == 4, r.output
    assert expect in r.output and "typo.toml" in r.output
    assert not out.exists()


def test_per_task_keys_name_a_benched_task_its_alias_or_a_shipped_spec(tmp_path):
    """A model of a task of your own is gated by its spec name; `intent` stays valid when only
    PII is benched (a shipped spec), so one profile serves several runs."""
    from benchmarks.profile import Profile, Targets, check_task_keys
    from edge.errors import SpecError

    path = tmp_path / "p.toml"
    mine = Profile(targets=Targets(latency_ms_p95={"my-task": 5, "intent": 9}))
    check_task_keys(mine, path, [("my-task", "sequence-classification")])
    with pytest.raises(SpecError, match="'my-task' names no task; use one of intent, pii"):
        check_task_keys(mine, path, [("pii", "token-classification")])


def test_refuses_to_overwrite_other_files(pii_artifact, tmp_path):
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    r = run(*FAST, "--model", pii_artifact, "--out", tmp_path)
    assert r.exit_code == 3 and "not an edge bench report" in r.output
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_hardware_profiles_are_bench_gates():
    """`edge bench --profile ci-2core` gates on the hardware profile's own budget and targets."""
    from benchmarks.profile import load_profile
    from edge.profiles import load_hardware_profile

    hw = load_hardware_profile("ci-2core")
    profile, path = load_profile("ci-2core")
    assert path.parent.name == "hardware"
    memory = profile.targets.memory_mb
    assert sum(memory.values()) == pytest.approx(hw.memory_budget_mb)
    assert set(memory) == set(hw.tasks)
    assert profile.targets.latency_ms_p95 == dict(hw.latency_ms_p95)
    assert profile.targets.memory_of == "models"  # the budget is the models', as in the build
    same, _ = load_profile(str(path))  # by path too
    assert same.targets == profile.targets


def test_memory_gate_reads_the_models_share_for_hardware_profiles(tmp_path):
    """A hardware profile's budget is the models' (as `edge build --profile` checks it): a model
    whose process peaks at 150 MB but adds 40 MB to the runtime passes a 60 MB per-task gate."""
    from benchmarks.profile import Profile, Targets, check

    model = {
        "artifact": "a",
        "task": "pii",
        "kind": "token-classification",
        "default_variant": "int8",
        "headline": {"threads": 1},
        "subjects": [
            {
                "name": "int8",
                "status": "ok",
                "latency_ms": {},
                "memory": {"peak_rss_mb": 150.0, "models_rss_mb": 40.0},
            }
        ],
    }
    hw = Profile(name="hw", targets=Targets(memory_mb={"pii": 60}, memory_of="models"))
    plain = Profile(name="plain", targets=Targets(memory_mb={"pii": 60}))
    (got,) = check(hw, tmp_path / "hw.toml", [model])["checks"]
    assert got["passed"] and got["value"] == 40.0
    assert not check(plain, tmp_path / "p.toml", [model])["passed"]


def test_workload_texts_are_distinct(pii_artifact):
    """The runtime runs a repeated text once: a workload with repeats would time a cache."""
    from edge.measurement import LENGTHS, build_workload

    work = build_workload(pii_artifact, read_manifest(pii_artifact), per_bucket=64)
    for bucket, target in LENGTHS.items():
        texts = work.texts[bucket]
        assert len(texts) == 64 and len(set(texts)) == 64, bucket
        assert max(work.tokens[bucket]) <= target
