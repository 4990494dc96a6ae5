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
# the cores keeps them busy. On 2 cores shared with other runs, 2, 3 and 4
# workers took 111 s, 102 s and 106 s (means of 2 or 3 runs, each spread
# by 20 s or more); 2 use the least CPU. Set WORKERS=N to choose. Each worker
# is handed one test at a time (--maxschedchunk 1), the long ones first
# (tests/conftest.py): handed out in chunks, the long ones all went to the
# first worker, which then ran 40 s after the others had finished.
WORKERS ?= 3

# The whole test suite (the scenarios included) on WORKERS workers, and
# beside it the type check, whose verdict is printed after the tests'; the
# command fails if either does. Python keeps the modules it compiles: each
# worker and each sim behind a test sshd would else compile all of jailkit
# again. One collection first compiles the test modules once for all the
# workers (else each compiles them for itself: 4 to 7 s more on a fresh
# clone). On 2 cores the type check (about 4 s of one core on a fresh
# clone) ran first, beside that collection, and left a core idle for 3 s.
test: export PYTHONDONTWRITEBYTECODE =
test: $(BIN)/pytest
	.ci/setup-host
	typed=$$(mktemp); trap 'rm -f "$$typed"' EXIT; \
	$(BIN)/mypy > "$$typed" 2>&1 & mypy=$$!; \
	$(BIN)/pytest -q --collect-only > /dev/null 2>&1; \
	$(BIN)/pytest -q -n $(WORKERS) --maxschedchunk 1; tests=$$?; \
	wait $$mypy; types=$$?; cat "$$typed"; \
	[ $$tests -eq 0 ] && [ $$types -eq 0 ]

clean:
	rm -rf $(VENV) *.egg-info build
