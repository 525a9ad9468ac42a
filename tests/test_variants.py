"""The variant table (edge/variants.py): every reader derives from it, and each row is something
its maker and its runtime know."""

from __future__ import annotations

import pytest

from edge import variants
from edge.backends.gguf import GGML_SIZES
from edge.specs import ParityThresholds, TaskSpec
from edge.variants import VARIANTS


def test_every_reader_takes_its_list_from_the_table():
    from edge.profiles import HardwareProfile
    from quantize.build import FORMAT_VARIANTS
    from quantize.gguf_export import GGUF_VARIANTS
    from quantize.profile_build import DEFAULT_MENU
    from quantize.select import SMALL_VARIANTS

    spec = TaskSpec(name="t", kind="sequence-classification", labels=["a", "b"])
    assert list(spec.parity) == list(VARIANTS)  # default parity: one entry per row
    assert set(GGUF_VARIANTS) == {n for n, v in VARIANTS.items() if v.format == "gguf"}
    assert FORMAT_VARIANTS["all"] == FORMAT_VARIANTS["onnx"] + FORMAT_VARIANTS["gguf"]
    assert set(FORMAT_VARIANTS["all"]) == {n for n, v in VARIANTS.items() if v.default_build}
    assert set(DEFAULT_MENU) == {n for n, v in VARIANTS.items() if v.menu}
    # what the selection suggests: the menu's integer quants, smallest file first
    assert SMALL_VARIANTS == ("int4", "gguf-q4_0", "int8", "gguf-q8_0")
    ranks = [VARIANTS[v].size_rank for v in SMALL_VARIANTS]
    assert ranks == sorted(ranks)
    with pytest.raises(ValueError, match="unknown"):  # profiles know exactly the table's names
        HardwareProfile(
            name="p",
            memory_budget_mb=1,
            threads=1,
            backends=["cpu"],
            formats=["onnx"],
            variants=["int3"],
            tasks=["pii"],
        )


@pytest.mark.parametrize("name", list(VARIANTS))
def test_each_row_is_complete(name):
    v = VARIANTS[name]
    assert v.format in variants.FORMATS and v.file.endswith(f".{v.format}")
    ParityThresholds(**v.parity)  # the default thresholds are valid thresholds
    with pytest.raises(TypeError):  # read-only: a caller cannot edit the defaults
        v.parity["min_argmax_agreement"] = 0  # type: ignore[index]
    if v.format == "onnx":
        from quantize.onnx_export import MAKERS

        assert v.maker in MAKERS
    else:
        assert v.name == f"gguf-{v.file.split('.')[1]}"
        assert v.quantizer["block"] >= 1 and v.quantizer["type_name"]


def test_files_are_distinct():
    files = [v.file for v in VARIANTS.values()]
    assert len(set(files)) == len(files)


def test_gguf_rows_are_llama_cpp_types_the_runtime_can_read():
    """ftype is llama.h's enum (gguf-py's LlamaFileType mirrors it) and the type's blocks are in
    the runtime's own size table, so a new row's files pass read_header."""
    gguf = pytest.importorskip("gguf")
    for v in VARIANTS.values():
        if v.format != "gguf":
            continue
        ftype = gguf.LlamaFileType(v.quantizer["ftype"])
        qtype = gguf.GGMLQuantizationType[str(v.quantizer["type_name"]).upper()]
        assert qtype.value in GGML_SIZES, v.name
        assert GGML_SIZES[qtype.value] == gguf.GGML_QUANT_SIZES[qtype]
        stem = str(v.quantizer["type_name"]).upper()
        assert ftype.name in ("ALL_F32", f"MOSTLY_{stem}") or ftype.name.startswith(
            f"MOSTLY_{stem}_"
        ), (v.name, ftype.name)
        assert v.quantizer["block"] == gguf.GGML_QUANT_SIZES[qtype][0]  # its row block
