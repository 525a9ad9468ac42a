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


def test_task_facts_come_from_the_spec(tmp_path):
    """Alias, kind, data sets and the out-of-scope answer are read from the task spec alone:
    the shipped specs name their data, an artifact's older spec (no [data]) finds its shipped
    namesake's, a user's own task has none, and `edge pii`/`edge intent` map to the kinds."""
    from edge.specs import OUT_OF_SCOPE, TASK_ALIASES, TaskData, kind_of_alias, task_data
    from quantize.datasets import DATASETS

    shipped = {t: load_task_spec(t) for t in ("pii", "intent")}
    for name, spec in shipped.items():
        assert spec.alias == name and kind_of_alias(name) == spec.kind
        data = task_data(spec)
        for ref in (data.eval, data.probes):
            assert ref.partition(":")[0] in DATASETS
        assert data.eval.endswith(":test") and data.probes.endswith(":val")
        older = spec.model_copy(update={"data": None})  # a manifest written before [data]
        assert task_data(older) == data
    from typing import get_args

    from edge.profiles import TaskName

    assert set(get_args(TaskName)) == set(TASK_ALIASES.values())  # a profile's `tasks`
    with pytest.raises(SpecError, match=r"no task kind called 'ner'.*pii, intent"):
        kind_of_alias("ner")
    assert shipped["intent"].oos_label == shipped["intent"].out_of_scope_label == "oos"
    own = load_task_spec(
        write(tmp_path, 'name = "support"\nkind = "sequence-classification"\nlabels = ["a", "b"]\n')
    )
    assert own.alias == "intent" and own.oos_label == OUT_OF_SCOPE
    assert task_data(own) == TaskData()


def test_data_names_a_split(tmp_path):
    body = 'name = "x"\nkind = "sequence-classification"\nlabels = ["a"]\n[data]\neval = "%s"\n'
    with pytest.raises(SpecError, match=r"data\.eval: String should match"):
        load_task_spec(write(tmp_path, body % "clinc150"))
    assert load_task_spec(write(tmp_path, body % "clinc150:test")).data.eval == "clinc150:test"


def test_a_parity_table_for_no_known_variant_is_an_error(tmp_path):
    """`[parity.gguf-q8_O]` would leave gguf-q8_0 at its defaults without a word."""
    p = write(
        tmp_path,
        'name = "x"\nkind = "sequence-classification"\nlabels = ["a", "b"]\n'
        "[parity.gguf-q8_O]\nmin_argmax_agreement = 0.9\n",
    )
    with pytest.raises(SpecError, match=r"parity: no variant named gguf-q8_O; known: fp32, int8"):
        load_task_spec(p)


SPEC_MODULES = ("edge.specs", "edge.policy", "edge.profiles", "benchmarks.profile")


@pytest.mark.parametrize("module", SPEC_MODULES)
def test_every_spec_model_forbids_unknown_keys(module):
    """Strict schemas everywhere: a key no model defines is an error, never silently kept."""
    import importlib
    import inspect

    from pydantic import BaseModel

    mod = importlib.import_module(module)
    models = [
        c
        for _, c in inspect.getmembers(mod, inspect.isclass)
        if issubclass(c, BaseModel) and c is not BaseModel and c.__module__ == module
    ]
    assert models
    lax = [c.__name__ for c in models if c.model_config.get("extra") != "forbid"]
    assert not lax, f"{module}: {lax} accept unknown keys"


def test_every_shipped_spec_loads():
    """Each file under specs/ loads with its folder's model (none relies on a lax schema)."""
    from edge.policy import load_policy
    from edge.profiles import load_hardware_profile
    from edge.specs import specs_dir

    loaders = {"tasks": load_task_spec, "hardware": load_hardware_profile, "policies": load_policy}
    folders = sorted(p.name for p in specs_dir().iterdir() if p.is_dir())
    assert folders == sorted(loaders)  # a new kind of spec gets a loader here
    for name, load in loaders.items():
        files = sorted((specs_dir() / name).glob("*.toml"))
        assert files, name
        for f in files:
            load(f)
