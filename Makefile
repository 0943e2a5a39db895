# Two commands: `make preview` and `make test`. Both create .venv when it is missing or when
# a requirements file changed since it was installed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-requirements
REQUIREMENTS := requirements.txt requirements-dev.txt policies/requirements.txt
CHECKOV_VENV := .venv-checkov
CHECKOV_INSTALLED := $(CHECKOV_VENV)/.installed-requirements.txt
STACK ?= dev

.PHONY: preview test lint render bench diagrams clean

$(INSTALLED): $(REQUIREMENTS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@cat $(REQUIREMENTS) > $(INSTALLED)

# checkov scans the rendered manifests in the tests; it lives apart, its pins clash with ours.
$(CHECKOV_INSTALLED): requirements-checkov.txt
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@cp requirements-checkov.txt $(CHECKOV_INSTALLED)

preview: $(INSTALLED)
	$(PY) -m tools.preview $(STACK)

# ruff, mypy (strict on the pure core, aksnet/) and the layer contract (tests/test_layers.py).
lint: $(INSTALLED)
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest -q tests/test_layers.py

test: lint $(CHECKOV_INSTALLED)
	$(PY) -m pytest -q -n 2

# The Kubernetes layer of a GitOps stack, into the path Flux reconciles (commit it with the change).
render: $(INSTALLED)
	$(PY) -m tools.render $(STACK)

bench: $(INSTALLED)
	$(PY) bench/preview_overhead.py
	$(PY) bench/reach_benchmark.py
	$(PY) bench/path_benchmark.py

# The diagrams in docs/diagrams and in README.md, from the stacks (a test fails when they drift).
diagrams: $(INSTALLED)
	$(PY) -m tools.preview dev --diagram docs/diagrams > /dev/null
	$(PY) -m tools.preview prod --diagram docs/diagrams > /dev/null
	$(PY) -m tools.readme_diagrams

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .pytest_cache
