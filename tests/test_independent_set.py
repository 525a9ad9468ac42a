"""The independent PII evaluation set is what its sources say, split by id, and frozen."""

import hashlib

import pytest

from benchmarks.data import independent
from edge.errors import DataError


def test_parts_match_sources_and_frozen_digests():
    parts = independent.split_sources()
    for part in independent.PARTS:
        records = independent.load(part)
        assert records == parts[part]
        if part != "dev2":  # dev2 is its own sources, not a share of the first set's ids
            assert all(independent.part_of(r["id"]) == part for r in records)
        raw = independent.jsonl_path(part).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == independent.FROZEN[part]
    test = parts["test"]
    assert len(test) >= 600 and sum(len(r["spans"]) for r in test) >= 1500
    assert sum(not r["spans"] for r in test) > 0  # texts with no PII at all
    assert independent.main([]) == 0
    dev2 = parts["dev2"]
    assert len(dev2) >= 600 and not {r["id"] for r in dev2} & {r["id"] for r in test}


def test_an_edited_part_is_refused(tmp_path, monkeypatch):
    copy = tmp_path / "test.jsonl"
    copy.write_bytes(independent.jsonl_path("test").read_bytes().replace(b"a", b"b", 1))
    monkeypatch.setattr(independent, "jsonl_path", lambda part: copy)
    with pytest.raises(DataError, match="not the frozen set"):
        independent.load("test")
