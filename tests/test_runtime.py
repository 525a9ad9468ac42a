"""The runtime on real ONNX Runtime sessions: loading checks, spans, windows, batching, intent."""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

import edge
from edge.errors import ArtifactError, InputError
from edge.tokenization import TextEncoder


def test_import_edge_does_not_import_torch():
    code = (
        "import sys, edge, edge.cli, edge.backends.onnx\n"
        "heavy = [m for m in ('torch', 'transformers', 'peft', 'optimum') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_importing_edge_and_its_cli_loads_nothing_until_used():
    """`edge --help` and `edge serve`'s start pay only for what they use: the package's names
    are imported on first access (PEP 562), and edge.serve's routes only when the service
    builds its app (after it has started loading the models)."""
    code = (
        "import sys, edge, edge.cli, edge.serve.server\n"
        "early = [m for m in ('numpy', 'onnxruntime', 'edge.runtime', 'starlette', "
        "'edge.serve.app') if m in sys.modules]\n"
        "from edge import PIIDetector, Span, load, __version__\n"
        "assert 'numpy' in sys.modules and callable(load) and Span.__name__ == 'Span'\n"
        "try:\n    edge.nothing_here\nexcept AttributeError as e:\n    print('AE', e)\n"
        "print('early:' + ','.join(early))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[-1] == "early:", out.stdout  # nothing heavy before a name was used
    assert "AE module 'edge' has no attribute 'nothing_here'" in lines
    assert set(edge.__all__) <= set(dir(edge))


def test_oracle_spans_have_exact_offsets(oracle_artifact):
    d = edge.load(oracle_artifact)
    text = "Hi, I'm Maria Garcia, call 555 0132."
    res = d.detect(text)
    got = [(s.label, s.text) for s in res.spans]
    assert got == [("PERSON", "Maria Garcia"), ("PHONE_NUMBER", "555 0132")]
    for s in res.spans:
        assert text[s.start : s.end] == s.text and 0 < s.score <= 1
    assert res.redacted == "Hi, I'm <PERSON>, call <PHONE_NUMBER>."


def test_offsets_survive_unicode_and_emoji(oracle_artifact):
    d = edge.load(oracle_artifact)
    text = "😊 Zoë — 王小明 MARÍA garcía 🙏 ☎ 4111"
    res = d.detect(text)
    spans = {s.label: s for s in res.spans}
    assert spans["PERSON"].text == "MARÍA garcía"
    assert spans["PHONE_NUMBER"].text == "4111"
    for s in res.spans:
        assert text[s.start : s.end] == s.text


def test_long_text_windows_merge_to_whole_text_result(oracle_artifact):
    """The oracle artifact has 16-token windows: a 400-token text needs ~35 windows, and each
    entity, wherever a window boundary falls, must come out whole and once."""
    d = edge.load(oracle_artifact)
    filler = "the weather is nice in paris today and "
    parts, expected = [], []
    for i in range(40):
        parts.append(filler * (i % 3 + 1))
        expected.append(("PERSON", "Maria Garcia"))
        parts.append("Maria Garcia ")
        expected.append(("PHONE_NUMBER", f"{i}0 {i}1"))
        parts.append(f"{i}0 {i}1 ")
    text = "".join(parts)
    res = d.detect(text)
    assert len(d.encoder.tokenize([text])[0].ids) > 300
    assert [(s.label, s.text) for s in res.spans] == expected
    for s in res.spans:
        assert text[s.start : s.end] == s.text


def test_window_cover_every_token_once_at_least(oracle_artifact):
    d = edge.load(oracle_artifact)
    tok = d.encoder.tokenize(["one two three " * 30])
    wins = d.encoder.windows(tok, stride=4)
    covered = set()
    for w in wins:
        assert len(w.ids) <= d.encoder.max_length
        assert w.ids[0] == d.encoder.cls_id and w.ids[-1] == d.encoder.sep_id
        covered.update(range(w.begin, w.end))
    assert covered == set(range(len(tok[0].ids)))
    for a, b in itertools.pairwise(wins):
        assert a.end - b.begin == 4  # neighbours share `stride` tokens


def _span_keys(result):
    return [(x.label, x.start, x.end) for x in result.spans]


def test_batch_equals_one_by_one(pii_artifact, oracle_artifact):
    texts = ["Maria Garcia called", "a" * 5, "Server 192.168.10.24 rejected the login", "ok"] * 2
    fp32 = edge.load(pii_artifact, variant="fp32", batch_size=3)
    batched, single = fp32.detect(texts), [fp32.detect(t) for t in texts]
    for b, s in zip(batched, single, strict=True):
        assert _span_keys(b) == _span_keys(s)
        assert [x.score for x in b.spans] == pytest.approx([x.score for x in s.spans], abs=1e-5)
    # int8 scales activations per batch (dynamic quantization): scores move a little with the
    # batch's contents. On a model with clear margins (the oracle) the spans do not move; the
    # random tiny model has near-ties that may flip, so it is not used for this half.
    texts = ["Maria Garcia called 555 0132", "ok then", "call 12 34 56 78 90 or Maria"] * 3
    int8 = edge.load(oracle_artifact, batch_size=4)
    batched, single = int8.detect(texts), [int8.detect(t) for t in texts]
    assert sum(len(b.spans) for b in batched) == 12  # 2 + 0 + 2 spans, three times
    for b, s in zip(batched, single, strict=True):
        assert _span_keys(b) == _span_keys(s)
        assert [x.score for x in b.spans] == pytest.approx([x.score for x in s.spans], abs=0.05)


def _rows_run(model) -> list[int]:
    """Counts the rows each backend call runs (a spy on the model's backend)."""
    rows: list[int] = []
    real = model.backend.logits

    def spy(ids, mask):
        rows.append(len(ids))
        return real(ids, mask)

    model.backend.logits = spy
    return rows


def test_repeated_texts_run_once_and_answer_every_copy(oracle_artifact, intent_artifact):
    pii = edge.load(oracle_artifact)
    texts = ["Maria Garcia called 555 0132", "ok then", "Maria Garcia called 555 0132"] * 3
    alone = {t: pii.detect(t) for t in set(texts)}
    rows = _rows_run(pii)
    results = pii.detect(texts)
    assert sum(rows) == 2  # two distinct texts
    assert [r.spans for r in results] == [alone[t].spans for t in texts]
    assert [r.redacted for r in results] == [alone[t].redacted for t in texts]
    assert results[0].spans is not results[2].spans  # a copy edited leaves the others
    intent = edge.load(intent_artifact)
    asks = ["book a table", "play jazz", "book a table", "book a table"]
    single = {t: intent.classify(t) for t in set(asks)}
    rows = _rows_run(intent)
    got = intent.classify(asks)
    assert sum(rows) == 2
    assert [(r.text, r.label, r.top_k) for r in got] == [
        (t, single[t].label, single[t].top_k) for t in asks
    ]


def test_intent_softmax_topk(intent_artifact):
    c = edge.load(intent_artifact, variant="fp32")
    res = c.classify(["book a table for two", "play some jazz music"], top_k=4)
    for r in res:
        assert r.label in c.labels
        assert r.top_k[0][0] == r.label and r.confidence == pytest.approx(r.top_k[0][1])
        assert sum(p for _, p in r.top_k) == pytest.approx(1.0, abs=1e-5)
        assert [p for _, p in r.top_k] == sorted((p for _, p in r.top_k), reverse=True)
        assert r.in_scope == (r.label != "out_of_scope")


def test_intent_threshold_marks_out_of_scope(intent_artifact, tmp_path):
    art = shutil.copytree(intent_artifact, tmp_path / "art")
    m = json.loads((art / "manifest.json").read_text())
    m["task"]["oos_threshold"] = 0.999
    (art / "manifest.json").write_text(json.dumps(m))
    r = edge.load(art).classify("book a table")
    assert r.label == "out_of_scope" and not r.in_scope and r.confidence < 0.999


@pytest.mark.parametrize(
    "bad, match",
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("x" * 100_001, "limit is 100,000"),
        ("a\udcff", "surrogate"),
    ],
)
def test_bad_text_is_refused(pii_artifact, bad, match):
    d = edge.load(pii_artifact)
    with pytest.raises(InputError, match=match):
        d.detect(bad)


def test_truncated_model_is_refused(pii_artifact, tmp_path):
    art = shutil.copytree(pii_artifact, tmp_path / "art")
    f = art / "model.int8.onnx"
    f.write_bytes(f.read_bytes()[:1000])
    with pytest.raises(ArtifactError, match="truncated or replaced"):
        edge.load(art)
    edge.load(art, variant="fp32")  # the intact variant still loads


def test_modified_tokenizer_is_refused(pii_artifact, tmp_path):
    art = shutil.copytree(pii_artifact, tmp_path / "art")
    t = art / "tokenizer.json"
    t.write_text(t.read_text().replace('"[UNK]"', '"[UNX]"', 1))
    with pytest.raises(ArtifactError, match=r"tokenizer\.json"):
        edge.load(art)


def test_corrupt_model_with_matching_manifest_is_refused(pii_artifact, tmp_path):
    """Even if someone updates the hashes, a broken ONNX file gives an ArtifactError."""
    from edge.manifest import file_entry

    art = shutil.copytree(pii_artifact, tmp_path / "art")
    f = art / "model.int8.onnx"
    f.write_bytes(b"\x00garbage" * 100)
    m = json.loads((art / "manifest.json").read_text())
    for v in m["variants"]:
        if v["name"] == "int8":
            v["model"] = file_entry(art, f).model_dump()
    (art / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(ArtifactError, match="ONNX Runtime cannot load"):
        edge.load(art)


@pytest.mark.parametrize("content", [None, "{not json", '{"schema_version": 99}', "{}"])
def test_bad_manifest(pii_artifact, tmp_path, content):
    art = shutil.copytree(pii_artifact, tmp_path / "art")
    if content is None:
        (art / "manifest.json").unlink()
    else:
        (art / "manifest.json").write_text(content)
    with pytest.raises(ArtifactError):
        edge.load(art)


def test_missing_artifact_and_unknown_variant(pii_artifact, tmp_path):
    with pytest.raises(ArtifactError, match="edge build"):
        edge.load(tmp_path / "nothing")
    with pytest.raises(ArtifactError, match=r"no variant 'q4'.*fp32, int8"):
        edge.load(pii_artifact, variant="q4")


def test_encoder_pads_with_mask(pii_artifact):
    d = edge.load(pii_artifact)
    enc: TextEncoder = d.encoder
    ids, mask = enc.pad([[1, 2, 3], [4]])
    assert ids.shape == (2, 3) and ids[1, 1] == enc.pad_id
    assert mask.tolist() == [[1, 1, 1], [1, 0, 0]]
    assert ids.dtype == np.int64


def test_models_shipping_one_tokenizer_file_share_it(pii_artifact, intent_artifact, tmp_path):
    """One loaded tokenizer per distinct tokenizer.json (by its verified sha256): the default
    models ship the same file, and a service loads it once. Sharing changes no token."""
    from edge.manifest import read_manifest

    sha = {a: read_manifest(a).tokenizer.sha256 for a in (pii_artifact, intent_artifact)}
    assert sha[pii_artifact] == sha[intent_artifact]  # built from one base
    copy = tmp_path / "copy"
    shutil.copytree(pii_artifact, copy)
    pii, intent, again = edge.load(pii_artifact), edge.load(intent_artifact), edge.load(copy)
    assert pii.encoder._tok is intent.encoder._tok is again.encoder._tok
    other = tmp_path / "other"  # the same tokenizer written another way: another file
    shutil.copytree(pii_artifact, other)
    tok_file = other / "tokenizer.json"
    tok_file.write_text(json.dumps(json.loads(tok_file.read_text()), indent=1))
    manifest = json.loads((other / "manifest.json").read_text())
    manifest["tokenizer"].update(
        sha256=hashlib.sha256(tok_file.read_bytes()).hexdigest(), size_bytes=tok_file.stat().st_size
    )
    (other / "manifest.json").write_text(json.dumps(manifest))
    assert edge.load(other).encoder._tok is not pii.encoder._tok
    own = TextEncoder(pii_artifact / "tokenizer.json", pii.manifest.special_tokens, 32)
    texts = ["Maria Garcia, +34 612 345 678", "line one\nline two", "naïve café 🙂"]
    assert own._tok is not pii.encoder._tok
    assert own.tokenize(texts) == pii.encoder.tokenize(texts)


def test_tidy_trims_sentence_punctuation():
    from edge.bio import tidy
    from edge.types import Span

    text = "Hi, I'm Maria Garcia. Acme Inc. (see https://x.org/a)."
    person = Span("PERSON", 8, 21, 0.9, text[8:21])
    assert tidy(text, person).text == "Maria Garcia"
    org = Span("ORGANIZATION", 22, 31, 0.9, text[22:31])
    assert tidy(text, org).text == "Acme Inc."
    url = Span("URL", 36, 54, 0.9, text[36:54])
    assert tidy(text, url).text == "https://x.org/a"
    assert tidy(text, Span("PERSON", 20, 21, 0.9, ".")) is None


def test_tidy_keeps_balanced_brackets():
    from edge.bio import tidy
    from edge.types import Span

    text = "call (647) 494-3172) or <a@b.co>, thanks"
    phone = Span("PHONE_NUMBER", 5, 20, 0.9, text[5:20])
    assert tidy(text, phone).text == "(647) 494-3172"
    email = Span("EMAIL_ADDRESS", 24, 32, 0.9, text[24:32])
    assert tidy(text, email).text == "a@b.co"
