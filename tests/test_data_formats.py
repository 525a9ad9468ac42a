"""`--data` as users have it: JSONL, CSV, TSV, Parquet; the usual column names; bad rows named."""

from __future__ import annotations

import json
import sys

import pytest

from edge.errors import DataError
from quantize.data import load_records, load_texts, read_table

ROWS = [("book a table for two", "book_table"), ("is it raining, or not?", "weather")]


def test_csv_tsv_and_jsonl_give_the_same_records(tmp_path, intent_spec):
    want = [{"text": t, "label": lbl} for t, lbl in ROWS]
    csv_file = tmp_path / "d.csv"
    # a BOM and a quoted comma, as spreadsheets write them; "category" is a usual label name
    csv_file.write_text(
        "\ufefftext,category\n" + "".join(f'"{t}",{lbl}\n' for t, lbl in ROWS), encoding="utf-8"
    )
    tsv_file = tmp_path / "d.tsv"
    tsv_file.write_text("utterance\tintent\n" + "".join(f"{t}\t{lbl}\n" for t, lbl in ROWS))
    jsonl_file = tmp_path / "d.jsonl"
    jsonl_file.write_text("".join(json.dumps({"sentence": t, "class": b}) + "\n" for t, b in ROWS))
    assert load_records(csv_file, intent_spec) == want
    assert load_records(tsv_file, intent_spec) == want
    assert load_records(jsonl_file, intent_spec) == want
    table = read_table(csv_file)
    assert (table.format, table.text_field, table.label_field) == ("csv", "text", "category")
    assert load_texts(str(tsv_file)) == [{"text": t} for t, _ in ROWS]


def test_parquet_with_named_columns(tmp_path, intent_spec):
    """Parquet is read when pyarrow is installed (it is optional: not in any extra)."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq_file = tmp_path / "d.parquet"
    pq.write_table(pa.table({"q": [t for t, _ in ROWS], "y": [lbl for _, lbl in ROWS]}), pq_file)
    want = [{"text": t, "label": lbl} for t, lbl in ROWS]
    assert load_records(pq_file, intent_spec, text_field="q", label_field="y") == want
    pq_file.write_text("not parquet")
    with pytest.raises(DataError, match="not a readable Parquet file"):
        load_records(pq_file, intent_spec)


def test_parquet_without_pyarrow_says_what_to_install(tmp_path, intent_spec, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # import fails as if absent
    f = tmp_path / "d.parquet"
    f.write_bytes(b"PAR1")
    with pytest.raises(DataError, match=r"needs pyarrow \(pip install pyarrow\)"):
        load_records(f, intent_spec)


def test_integer_labels_become_strings(tmp_path):
    f = tmp_path / "d.jsonl"
    f.write_text('{"text": "a", "label": 3}\n{"text": "b", "label": 0}\n')
    assert [r["label"] for r in load_records(f, None)] == ["3", "0"]


@pytest.mark.parametrize(
    "name, content, kwargs, match",
    [
        ("d.csv", "text,category\nhi,weather\nbye,,\n", {}, r"d\.csv:3: 3 fields, the header"),
        ("d.csv", "text,category\nhi,weather\nbye,\n", {}, r"d\.csv:3: unknown label ''"),
        ("d.csv", "words,category\nhi,weather\n", {}, r"no text field .*--text-field.*'words'"),
        ("d.csv", "text,kind\nhi,weather\n", {}, r"no label field .*--label-field.*'kind'"),
        ("d.tsv", "text\tlabel\nhi\tweather\n", {"text_field": "body"}, r"no text field 'body'"),
        ("d.csv", "text,label\n", {}, "no records"),
        ("d.csv", "", {}, "empty; the first line must name the columns"),
    ],
)
def test_bad_rows_name_the_file_and_line(tmp_path, intent_spec, name, content, kwargs, match):
    f = tmp_path / name
    f.write_text(content)
    with pytest.raises(DataError, match=match):
        load_records(f, intent_spec, **kwargs)


def test_a_new_tasks_rows_need_a_label(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("text,label\nhi,greeting\n  ,greeting\n")
    with pytest.raises(DataError, match=r"d\.csv:3: \"text\" must be a non-empty string"):
        load_records(f, None)
    f.write_text("text,label\nhi,greeting\nbye, \n")
    with pytest.raises(DataError, match=r"d\.csv:3: the label must be a non-empty string"):
        load_records(f, None)


def test_one_loader_for_files_and_named_sets(tmp_path):
    """labelled_records takes a data file or NAME:SPLIT and checks both the same way; the
    hand-written set's checked reader parses its lines with the same JSONL reader."""
    from benchmarks.data.handwritten import checked_records
    from edge.specs import load_task_spec
    from quantize.data import labelled_records
    from quantize.datasets import load_dataset

    spec = load_task_spec("intent")
    named = labelled_records("clinc150:val", spec)
    assert [r["text"] for r in named] == [r["text"] for r in load_dataset("clinc150", "val")]
    path = tmp_path / "clinc.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in named[:5]), encoding="utf-8")
    assert labelled_records(path, spec) == named[:5]
    with pytest.raises(DataError, match=r"nope:val: no such data file, nor NAME:SPLIT.*clinc150"):
        labelled_records("nope:val", spec)
    bad = tmp_path / "hand.jsonl"
    with pytest.raises(DataError, match=r"hand\.jsonl:2: not valid JSON"):
        checked_records(bad, '{"id": "a", "text": "x", "spans": []}\n{"id": \n')
