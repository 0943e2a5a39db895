# Two commands: `make preview` and `make test`. Both create .venv when it is missing or when
# requirements.txt changed since it was installed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-requirements.txt
STACK ?= dev

.PHONY: preview test bench clean

$(INSTALLED): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@cp requirements.txt $(INSTALLED)

preview: $(INSTALLED)
	$(PY) -m tools.preview $(STACK)

test: $(INSTALLED)
	$(PY) -m pytest -q

bench: $(INSTALLED)
	$(PY) bench/preview_overhead.py

clean:
	rm -rf $(VENV) .pytest_cache
