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

# pytest-xdist's workers for `make test`. Many tests wait (on sshd, on
# deadlines, on subprocesses) rather than compute, so a worker more than
# the cores keeps them busy; on 2 cores 3 workers beat 2 and 4. Each worker
# is handed one test at a time (--maxschedchunk 1), the long ones first
# (tests/conftest.py): handed out in chunks, the long ones all went to the
# first worker, which then ran 40 s after the others had finished.
WORKERS ?= 3

# The type check, then the whole test suite (the scenarios included) on
# WORKERS workers. Python keeps the modules it compiles: each worker and
# each sim behind a test sshd would else compile all of jailkit again.
# Beside the type check, on the other core, one collection compiles the
# test modules once for all the workers (else each compiles them for
# itself: 4 to 7 s more on a fresh clone); the run reports what it finds.
test: export PYTHONDONTWRITEBYTECODE =
test: $(BIN)/pytest
	.ci/setup-host
	$(BIN)/pytest -q --collect-only > /dev/null 2>&1 & $(BIN)/mypy; status=$$?; wait; exit $$status
	$(BIN)/pytest -q -n $(WORKERS) --maxschedchunk 1

clean:
	rm -rf $(VENV) *.egg-info
