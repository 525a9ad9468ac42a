from pathlib import Path

import pytest

from edge.errors import SpecError
from edge.specs import load_task_spec


def write(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "task.toml"
    p.write_text(body)
    return p


def test_shipped_pii_spec_has_bio_labels():
    spec = load_task_spec("pii")
    assert spec.kind == "token-classification"
    assert spec.model_labels[0] == "O"
    assert "B-EMAIL_ADDRESS" in spec.model_labels and "I-EMAIL_ADDRESS" in spec.model_labels
    assert len(spec.model_labels) == 1 + 2 * len(spec.entities)


def test_unknown_spec_name_lists_known_ones():
    with pytest.raises(SpecError, match=r"no tasks spec named 'nope'.*known: .*pii"):
        load_task_spec("nope")


def test_missing_spec_path():
    with pytest.raises(SpecError, match="spec file not found"):
        load_task_spec("/nonexistent/task.toml")


def test_unknown_key_names_file_and_key(tmp_path):
    p = write(
        tmp_path, 'name = "x"\nkind = "sequence-classification"\nlabels = ["a"]\nlabelz = 1\n'
    )
    with pytest.raises(SpecError) as e:
        load_task_spec(p)
    assert str(p) in str(e.value) and "labelz" in str(e.value) and "unknown key" in str(e.value)


def test_bad_kind_says_what_is_allowed(tmp_path):
    p = write(tmp_path, 'name = "x"\nkind = "ner"\nlabels = ["a"]\n')
    with pytest.raises(SpecError, match=r"kind: .*token-classification.*'ner'"):
        load_task_spec(p)


def test_invalid_toml(tmp_path):
    p = write(tmp_path, "name = \n")
    with pytest.raises(SpecError, match="not valid TOML"):
        load_task_spec(p)


def test_labels_must_fit_kind(tmp_path):
    p = write(tmp_path, 'name = "x"\nkind = "token-classification"\nlabels = ["a"]\n')
    with pytest.raises(SpecError, match="entities"):
        load_task_spec(p)


def test_stride_must_leave_room(tmp_path):
    p = write(
        tmp_path,
        'name = "x"\nkind = "token-classification"\nentities = ["A"]\n'
        "max_length = 16\nstride = 14\n",
    )
    with pytest.raises(SpecError, match="stride"):
        load_task_spec(p)
