# The two commands of the README. Both build .venv from scratch when needed.
PYTHON ?= python3
VENV    = .venv
BIN     = $(VENV)/bin

.PHONY: run test clean

$(BIN)/pytest: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The howtos, step by step, on the embedded FreeBSD sim.
run: $(BIN)/pytest
	$(BIN)/pytest steps --steps --transcript -q

# The type check, then the whole test suite (the scenarios included).
test: $(BIN)/pytest
	.ci/setup-host
	$(BIN)/mypy
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) *.egg-info
