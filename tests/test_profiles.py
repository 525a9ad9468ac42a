"""Hardware profiles: shipped files validate, bad ones fail clearly, platform choice, selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge.errors import BuildError, SpecError
from edge.platform_select import PlatformFacts, select
from edge.profiles import HardwareProfile, load_hardware_profile
from edge.specs import specs_dir

SHIPPED = sorted(p.stem for p in (specs_dir() / "hardware").glob("*.toml"))
GOOD = """
name = "t"
memory_budget_mb = {budget}
threads = 3
backends = ["coreml", "metal", "cpu"]
formats = ["onnx"]
variants = ["int8", "fp32"]
tasks = ["pii", "intent"]
[accuracy_tolerance]
pii = 100
intent = 100
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "p.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_every_shipped_profile_validates():
    assert {"raspberry-pi-4", "android-phone", "x86-laptop", "apple-m1", "ci-2core"} <= set(SHIPPED)
    for name in SHIPPED:
        prof = load_hardware_profile(name)
        assert prof.name == name and "cpu" in prof.backends
    assert load_hardware_profile("apple-m1").backends[0] == "coreml"
    assert load_hardware_profile("ci-2core").threads == 2
    assert "int4" in load_hardware_profile("raspberry-pi-4").variants  # a known variant now
    assert load_hardware_profile("android-phone").typical_batch == 1


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        (("threads = 3", 'threads = "many"'), "threads"),
        (('formats = ["onnx"]', 'formats = ["tflite"]'), "formats"),
        (('variants = ["int8", "fp32"]', 'variants = ["int3"]'), "allowed: fp32"),
        (('backends = ["coreml", "metal", "cpu"]', 'backends = ["coreml"]'), "cpu"),
        (("threads = 3", "threads = 3\nram = 1"), "ram: unknown key"),
        (('tasks = ["pii", "intent"]', 'tasks = ["pii"]'), "accuracy_tolerance"),
        (("threads = 3", 'threads = 3\ntypical_input = "huge"'), "typical_input"),
        (("threads = 3", "threads = 3\ntypical_batch = 0"), "typical_batch"),
    ],
)
def test_bad_profiles_name_file_key_and_allowed(tmp_path, change, expect):
    path = write(tmp_path, GOOD.format(budget=100).replace(*change))
    with pytest.raises(SpecError) as e:
        load_hardware_profile(path)
    assert str(path) in str(e.value) and expect in str(e.value)


def test_unknown_profile_lists_known():
    with pytest.raises(SpecError, match="raspberry-pi-4"):
        load_hardware_profile("no-such-device")


def prof(tmp_path) -> HardwareProfile:
    return load_hardware_profile(write(tmp_path, GOOD.format(budget=100)))


def test_macos_arm64_with_coreml_goes_first(tmp_path):
    facts = PlatformFacts(
        "Darwin", "arm64", ("CoreMLExecutionProvider", "CPUExecutionProvider"), metal=True
    )
    s = select(prof(tmp_path), "onnx", facts)
    assert s.backend == "coreml" and s.onnx_providers[0] == "CoreMLExecutionProvider"
    assert s.threads == 3
    g = select(prof(tmp_path), "gguf", facts)
    assert g.backend == "metal" and g.gguf_gpu_layers > 0


def test_linux_and_intel_mac_use_cpu(tmp_path):
    for facts in (
        PlatformFacts("Linux", "x86_64", ("CPUExecutionProvider",)),
        PlatformFacts("Linux", "aarch64", ("CoreMLExecutionProvider", "CPUExecutionProvider")),
        PlatformFacts("Darwin", "x86_64", ("CoreMLExecutionProvider", "CPUExecutionProvider")),
    ):
        for fmt in ("onnx", "gguf"):
            s = select(prof(tmp_path), fmt, facts)
            assert s.backend == "cpu" and s.onnx_providers == ["CPUExecutionProvider"]
            assert s.gguf_gpu_layers == 0 and s.threads == 3


def test_load_with_profile_uses_selection(intent_artifact, tmp_path):
    import edge

    facts = PlatformFacts("Linux", "x86_64", ("CPUExecutionProvider",))
    m = edge.load(
        intent_artifact, profile=write(tmp_path, GOOD.format(budget=100)), platform_facts=facts
    )
    assert m.variant == "int8" and m.selection.backend == "cpu" and m.selection.threads == 3
    assert m.classify("book a table").label


INTENT = [
    {"text": "book a table for two tonight", "label": "book_table"},
    {"text": "weather in paris tomorrow", "label": "weather"},
    {"text": "play some jazz music", "label": "play_music"},
]
PII = [
    {"text": "Maria Garcia called 555 0132", "spans": []},
    {"text": "book a table for two", "spans": []},
]


def test_select_variants_generous_and_impossible(pii_artifact, intent_artifact, tmp_path):
    from quantize.select import select_variants

    arts = {"pii": pii_artifact, "intent": intent_artifact}
    recs = {"pii": PII, "intent": INTENT}
    good = load_hardware_profile(write(tmp_path, GOOD.format(budget=100_000)))
    report = select_variants(good, arts, recs, threads=1)
    assert set(report["chosen"]) == {"pii", "intent"}
    for rows in report["candidates"].values():
        assert {r["status"] for r in rows} <= {"chosen", "rejected"}
        assert all("peak_rss_mb" in r and "why" in r for r in rows)
    tiny = load_hardware_profile(write(tmp_path, GOOD.format(budget=1)))
    with pytest.raises(BuildError, match=r"smallest measured: .* \d+ MB vs budget 1 MB"):
        select_variants(tiny, arts, recs, threads=1)
