# Two commands: `make preview` and `make test`. Both create .venv when it is missing or when
# a requirements file changed since it was installed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-requirements
REQUIREMENTS := requirements.txt requirements-dev.txt policies/requirements.txt
LOCK := requirements.lock
LOWEST := .venv-lowest
CHECKOV_VENV := .venv-checkov
CHECKOV_INSTALLED := $(CHECKOV_VENV)/.installed-requirements.txt
STACK ?= dev

.PHONY: preview test lint lock test-lowest render bench diagrams check-dates clean

# Installs exactly the versions of requirements.lock (make lock writes it from the requirement files).
$(INSTALLED): $(REQUIREMENTS) $(LOCK)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c $(LOCK)
	@cat $(REQUIREMENTS) $(LOCK) > $(INSTALLED)

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

# worksteal: a worker that runs out of tests takes queued ones from the other, so the slow tests
# near the end do not leave one core idle.
test: lint $(CHECKOV_INSTALLED)
	$(PY) -m pytest -q -n 2 --dist worksteal

# Every package pinned, for Python 3.11 to 3.13 on any platform: run after changing a requirement
# file, or monthly to take the updates the ranges allow (then make test, and commit both).
lock: $(INSTALLED)
	$(PY) -m uv pip compile --quiet --universal --python-version 3.11 --upgrade requirements-dev.txt -o $(LOCK)

# The suite on the lowest version of each direct requirement: the floors in the files are true.
test-lowest: $(INSTALLED) $(CHECKOV_INSTALLED)
	rm -rf $(LOWEST)
	$(PY) -m uv venv --quiet --python $(PYTHON) $(LOWEST)
	$(PY) -m uv pip install --quiet --python $(LOWEST)/bin/python --resolution lowest-direct -r requirements-dev.txt
	$(LOWEST)/bin/python -m pytest -q -n 2 -p no:cacheprovider

# The Kubernetes layer of a GitOps stack, into the path Flux reconciles (commit it with the change).
render: $(INSTALLED)
	$(PY) -m tools.render $(STACK)

bench: $(INSTALLED)
	$(PY) bench/preview_overhead.py
	$(PY) bench/reach_benchmark.py
	$(PY) bench/path_benchmark.py

# The diagrams in docs/diagrams and in the pages that show them (README.md, docs/), from the stacks (a test fails when they drift).
diagrams: $(INSTALLED)
	$(PY) -m tools.preview dev --diagram docs/diagrams > /dev/null
	$(PY) -m tools.preview prod --diagram docs/diagrams > /dev/null
	$(PY) -m tools.readme_diagrams

# Fails when a dated fact (lifecycle table, outbound endpoints, regions) was last checked against
# its source more than 60 days ago, naming the page to re-read (docs/lifecycle.md). Standard
# library only: no virtualenv needed. The weekly workflow .github/workflows/dates.yml runs it.
check-dates:
	$(PYTHON) -m tools.check_dates

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) $(LOWEST) .pytest_cache
