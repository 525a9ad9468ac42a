"""Bulk redaction on Ray Data (issue #15), on a real local Ray cluster the module starts and
stops, with the real tiny oracle artifact (tags maria/garcia as PERSON, digits as PHONE_NUMBER;
the rule recognizers add emails, cards, ...)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from edge.cli import main
from edge.errors import InputError, MappingError

ray = pytest.importorskip("ray", reason="needs the ray extra: pip install 'edge[ray]'")
pa = pytest.importorskip("pyarrow")

TEXTS = [
    "Hi, I'm Maria Garcia and my email is maria.garcia@example.com.",
    "Call me at +1 (415) 555-0132 after 6pm, or write to bob@mail.org.",
    "book a table for two at 7 pm tonight in paris",
    "maria said garcia would call 555 0199 tomorrow",
    "My card number is 4111 1111 1111 1111, thanks",
    "   ",
    "nothing to see here",
]


@pytest.fixture(scope="module")
def cluster():
    """A real local Ray cluster: 2 CPUs (CI's), no dashboard, a small object store."""
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=96 * 1024 * 1024,
        log_to_driver=False,
        configure_logging=False,
    )
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield
    ray.shutdown()


def write_jsonl(path: Path, n: int, start: int = 0) -> list[dict]:
    rows = [{"id": i, "text": TEXTS[i % len(TEXTS)], "n": i * 2} for i in range(start, start + n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return rows


def read_parts(out: Path, suffix: str = ".jsonl") -> list[dict]:
    rows = []
    for p in sorted(out.glob(f"part-*{suffix}")):
        rows += [json.loads(line) for line in p.read_text().splitlines()]
    return rows


def errors_of(out: Path) -> dict[str, str]:
    lines = (out / "_errors.jsonl").read_text().splitlines()
    return {json.loads(x)["id"]: json.loads(x)["error"] for x in lines}


def test_redact_without_engine_does_not_import_ray(oracle_artifact):
    code = (
        "import sys\n"
        "from edge.cli import main\n"
        "try:\n"
        f"    main(['redact', '--model', {str(oracle_artifact)!r}, 'call maria garcia'])\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "assert 'ray' not in sys.modules, 'ray was imported'\n"
        "assert 'pyarrow' not in sys.modules, 'pyarrow was imported'\n"
        "print('no ray')\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=os.environ
    )
    assert res.returncode == 0, res.stderr
    assert "<PERSON>" in res.stdout and "no ray" in res.stdout


def test_same_redactions_as_one_process(cluster, oracle_artifact, tmp_path):
    """Parity with `edge redact --file` on the default variant (int8): a text's answer does not
    depend on its batch (issue 19), so any two batchings agree."""
    src = tmp_path / "in.jsonl"
    rows = write_jsonl(src, 60)
    single = tmp_path / "single.jsonl"
    args = ["redact", "--model", str(oracle_artifact), "--file", str(src)]
    res = CliRunner().invoke(main, [*args, "--out", str(single), "--quiet"])
    assert res.exit_code == 0, res.output
    expected = {json.loads(x)["id"]: json.loads(x) for x in single.read_text().splitlines()}

    from edge.batch import redact_dataset

    out = tmp_path / "ray-out"
    result = redact_dataset(src, out, model=oracle_artifact, actors=2, batch_size=7, spans="spans")
    got = {r["id"]: r for r in read_parts(out)}
    assert result.rows == len(rows) == len(got) and result.errors == 0
    assert {i: r["text"] for i, r in got.items()} == {i: r["text"] for i, r in expected.items()}
    assert any("<PERSON>" in r["text"] for r in got.values())  # the model did redact
    assert all(got[r["id"]]["n"] == r["n"] for r in rows)  # other fields kept
    for r in got.values():  # spans point at the replacements in the redacted text
        for s in r["spans"]:
            put = r["text"][s["start"] : s["end"]]
            assert put == f"<{s['label']}>" if s["operator"] == "replace" else "*" in put
    summary = json.loads((out / "_edge.json").read_text())
    assert summary["rows"] == len(rows) and summary["errors"] == 0
    assert not list(tmp_path.glob(".ray-out.tmp-*"))  # staging folder gone


def _kill_one_actor(killed: list, done: threading.Event) -> None:
    """SIGKILL the first redaction actor seen running a task (Ray titles its process
    `ray::MapWorker(MapBatches(RedactWorker)).submit` while it works on a block)."""
    import psutil

    while not done.is_set() and not killed:
        for proc in psutil.process_iter(["pid", "cmdline"]):
            cmd = " ".join(proc.info["cmdline"] or [])
            if "RedactWorker" in cmd and ".submit" in cmd and proc.pid != os.getpid():
                os.kill(proc.pid, signal.SIGKILL)
                killed.append(proc.pid)
                return
        time.sleep(0.01)


def test_killed_actor_loses_and_duplicates_nothing(cluster, oracle_artifact, tmp_path):
    from edge.batch import redact_dataset

    src = tmp_path / "in"
    src.mkdir()
    n = 0
    for k in range(3):
        n += len(write_jsonl(src / f"f{k}.jsonl", 600, start=n))
    out = tmp_path / "out"
    killed: list[int] = []
    done = threading.Event()
    killer = threading.Thread(target=_kill_one_actor, args=(killed, done))
    killer.start()
    try:
        result = redact_dataset(src, out, model=oracle_artifact, actors=2, batch_size=10)
    finally:
        done.set()
        killer.join()
    assert killed, "no actor was killed: the test did not test anything"
    ids = [r["id"] for r in read_parts(out)]
    assert sorted(ids) == list(range(n))  # every input id exactly once
    assert result.rows == n and result.errors == 0


def test_malformed_rows_go_to_the_errors_file(cluster, oracle_artifact, tmp_path):
    from edge.batch import redact_dataset

    src = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": 1, "text": "call maria"}).encode(),
        b'{"id": 2, "text": "bad \xff\xfe byte"}',
        json.dumps({"id": 3, "body": "no text field"}).encode(),
        json.dumps({"id": 4, "text": "x" * 100_001}).encode(),
        b"{not json",
        json.dumps({"id": 6, "text": 42}).encode(),
        json.dumps({"id": 7, "text": "garcia again"}).encode(),
    ]
    src.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out"
    result = redact_dataset(src, out, model=oracle_artifact, actors=1)
    good = {r["id"]: r["text"] for r in read_parts(out)}
    assert good == {1: "call <PERSON>", 7: "<PERSON> again"}
    errors = errors_of(out)
    p = str(src.resolve())
    assert set(errors) == {f"{p}:{n}" for n in (2, 3, 4, 5, 6)}
    assert "UTF-8" in errors[f"{p}:2"]
    assert "missing field 'text'" in errors[f"{p}:3"]
    assert "100,001 characters" in errors[f"{p}:4"]
    assert "not JSON" in errors[f"{p}:5"]
    assert "int, not text" in errors[f"{p}:6"]
    assert (result.rows, result.errors) == (2, 5)


def test_csv_folder_and_parquet_glob_keep_their_format(cluster, oracle_artifact, tmp_path):
    import pyarrow.parquet as pq

    from edge.batch import redact_dataset

    folder = tmp_path / "csv"
    folder.mkdir()
    for k in range(2):
        with (folder / f"p{k}.csv").open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["key", "body"])
            w.writerows([[f"{k}-{i}", f"maria wrote,\n line {i}"] for i in range(5)])
    out = tmp_path / "csv-out"
    res = redact_dataset(folder, out, model=oracle_artifact, field="body", actors=1)
    rows = []
    for p in sorted(out.glob("part-*.csv")):
        with p.open(newline="") as fh:
            rows += list(csv.DictReader(fh))
    assert res.rows == 10 and len(rows) == 10
    assert {r["key"] for r in rows} == {f"{k}-{i}" for k in range(2) for i in range(5)}
    assert all(r["body"].startswith("<PERSON> wrote,\n line ") for r in rows)

    for k in range(2):
        pq.write_table(
            pa.table({"id": [k * 10 + i for i in range(4)], "text": ["call garcia"] * 4}),
            tmp_path / f"t{k}.parquet",
        )
    out = tmp_path / "pq-out"
    res = redact_dataset(
        str(tmp_path / "t*.parquet"), out, model=oracle_artifact, spans="spans", actors=1
    )
    table = pa.concat_tables(pq.read_table(p) for p in sorted(out.glob("part-*.parquet")))
    assert sorted(table.column("id").to_pylist()) == [0, 1, 2, 3, 10, 11, 12, 13]
    assert set(table.column("text").to_pylist()) == {"call <PERSON>"}
    assert table.schema.field("id").type == pa.int64()  # column types kept
    spans = table.column("spans").to_pylist()[0]
    assert spans == [{"label": "PERSON", "operator": "replace", "start": 5, "end": 13}]


def test_hash_is_the_same_on_every_worker(cluster, oracle_artifact, tmp_path):
    from edge.batch import redact_dataset

    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": "call garcia"}) + "\n" for i in range(40)))
    out = tmp_path / "out"
    res = redact_dataset(
        src, out, model=oracle_artifact, operator="hash", salt="s3cret", actors=2, batch_size=4
    )
    want = hmac.new(b"s3cret", b"garcia", hashlib.sha256).hexdigest()
    texts = {r["text"] for r in read_parts(out)}
    assert texts == {f"call {want}"}
    assert res.salt == "s3cret" and not res.salt_generated


def test_pseudonymize_per_record_restarts_and_maps_by_id(cluster, oracle_artifact, tmp_path):
    from edge.anonymize import read_mapping
    from edge.batch import redact_dataset

    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"text": t}) + "\n" for t in ["maria", "garcia and maria"]))
    mapping = tmp_path / "map.json"
    res = redact_dataset(
        src, tmp_path / "out", model=oracle_artifact, operator="pseudonymize", mapping=mapping
    )
    texts = sorted(r["text"] for r in read_parts(tmp_path / "out"))
    assert texts == ["<PERSON_1>", "<PERSON_1> and <PERSON_2>"]  # numbering restarts per record
    loaded = read_mapping(mapping)
    p = str(src.resolve())
    assert loaded.scope == "record" and loaded.key == "id"
    assert loaded.tables == {
        f"{p}:1": {"<PERSON_1>": "maria"},
        f"{p}:2": {"<PERSON_1>": "garcia", "<PERSON_2>": "maria"},
    }
    assert res.mapping == mapping and stat.S_IMODE(mapping.stat().st_mode) == 0o600


def test_pseudonymize_per_document_key_and_mapping(cluster, oracle_artifact, tmp_path):
    from edge.anonymize import read_mapping, restore
    from edge.batch import redact_dataset

    src = tmp_path / "in"
    src.mkdir()
    texts = ["maria called", "then garcia", "maria again", "<PERSON_1> is a literal"]
    for k in range(2):  # each document's rows are spread over both files
        rows = [{"id": f"{k}-{i}", "doc": f"d{i % 2}", "text": t} for i, t in enumerate(texts)]
        (src / f"f{k}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out"
    res = redact_dataset(
        src, out, model=oracle_artifact, operator="pseudonymize", doc_key="doc", actors=2
    )
    assert res.mapping == tmp_path / "out.pseudonyms.json"
    assert stat.S_IMODE(res.mapping.stat().st_mode) == 0o600
    got = {r["id"]: r for r in read_parts(out)}
    # d0: rows 0 and 2 of both files: "maria" one pseudonym across files and workers
    d0 = {got[f"{k}-{i}"]["text"] for k in range(2) for i in (0, 2)}
    assert d0 == {"<PERSON_1> called", "<PERSON_1> again"}
    # d1 holds the literal "<PERSON_1>", so its pseudonym for garcia avoids it
    assert got["0-1"]["text"] == got["1-1"]["text"] == "then <PERSON_2>"
    loaded = read_mapping(res.mapping)
    assert loaded.scope == "document-key" and loaded.key == "doc"
    assert loaded.tables["d0"] == {"<PERSON_1>": "maria"}
    assert loaded.tables["d1"]["<PERSON_2>"] == "garcia"  # (the oracle also tags the "1")
    assert restore(got["0-1"]["text"], loaded.tables["d1"]) == "then garcia"
    assert not (out / "_mapping").exists()  # the values never sit in the output folder
    # a second run would overwrite the only way back: refused, before any work
    with pytest.raises(MappingError, match="--force"):
        redact_dataset(
            src, tmp_path / "out2", model=oracle_artifact, operator="pseudonymize",
            mapping=res.mapping,
        )  # fmt: skip
    assert not (tmp_path / "out2").exists()


def test_a_failed_job_leaves_nothing(cluster, oracle_artifact, tmp_path):
    from edge.batch import redact_dataset

    src = tmp_path / "in"
    src.mkdir()
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": ["call maria"] * 3}), src / "a.parquet")
    (src / "b.parquet").write_bytes(b"PAR1 this is not parquet")
    out = tmp_path / "out"
    with pytest.raises(Exception) as err:
        redact_dataset(src, out, model=oracle_artifact, actors=1)
    assert "parquet" in str(err.value).lower() or "Ray job failed" in str(err.value)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in"]  # no staging folder left behind
    with pytest.raises(InputError, match="no such file"):
        redact_dataset(tmp_path / "missing.jsonl", out, model=oracle_artifact)


def test_cli_engine_ray(cluster, oracle_artifact, tmp_path):
    src = tmp_path / "in.jsonl"
    text = "maria pays 4111 1111 1111 1111"
    src.write_text(json.dumps({"body": text}) + "\n" + '{"nope": 1}\n')
    out = tmp_path / "out"
    args = ["redact", "--engine", "ray", "--model", str(oracle_artifact), "--file", str(src)]
    res = CliRunner().invoke(main, [*args, "--out", str(out), "--field", "body", "--quiet"])
    assert res.exit_code == 0, res.output
    one = CliRunner().invoke(main, ["redact", "--model", str(oracle_artifact), text])
    assert read_parts(out) == [{"body": one.stdout.strip()}]  # what one process answers
    assert "<PERSON> pays" in one.stdout and "1111 1111" not in one.stdout
    assert "1 rows could not be redacted" in res.output and "_errors.jsonl" in res.output
    res = CliRunner().invoke(main, [*args, "--out", str(out), "--field", "body"])
    assert res.exit_code == 3 and "exists" in res.output  # no silent overwrite
    res = CliRunner().invoke(main, ["redact", "--actors", "2", "call maria"])
    assert res.exit_code == 2 and "--engine ray" in res.output


def test_csv_bad_bytes_stay_in_their_record():
    """A byte that is not UTF-8 makes its own CSV record an error row, not the whole file."""
    from edge.batch.formats import ERROR, ID, TEXT, parse_file

    data = b'id,text\n1,call maria\n2,bad \xff byte\n3,"two\nlines"\n4\n'
    rows = [r for t in parse_file("f.csv", data, "csv", "text", chunk=2) for r in t.to_pylist()]
    assert [r[ID] for r in rows] == ["f.csv:1", "f.csv:2", "f.csv:3", "f.csv:4"]
    assert [r[TEXT] for r in rows] == ["call maria", None, "two\nlines", None]
    assert rows[0][ERROR] is None and rows[2][ERROR] is None
    assert "UTF-8" in rows[1][ERROR]
    assert "missing field 'text'" in rows[3][ERROR]
