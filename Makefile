# Every target sets itself up on a fresh machine: a .venv with the package and its extras, and
# Graphviz's `dot` (apt-get or brew) when it is missing; `make test` also Debian's chromium, for the page tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMOS  := paths backprop graphs tour moons newton digits explore

.PHONY: test demo bench fuzz dot chromium venv clean

$(STAMP): setup.cfg pyproject.toml
	@echo "setting up $(VENV) (first run only; pip's output goes to $(VENV)/install.log)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@( $(BIN)/python -m pip install --upgrade pip && \
	   $(BIN)/python -m pip install -e '.[draw,demos,test,bench]' ) > $(VENV)/install.log 2>&1 \
	  || { tail -30 $(VENV)/install.log; echo "pip failed: see $(VENV)/install.log"; exit 1; }
	@touch $@

venv: $(STAMP)

dot:
	@command -v dot >/dev/null 2>&1 || sh scripts/install.sh dot graphviz graphviz

chromium:
	@[ -n "$$PATHGRAD_CHROMIUM" ] || command -v chromium >/dev/null 2>&1 || PATHGRAD_HINT="or set PATHGRAD_CHROMIUM to a Chromium executable" sh scripts/install.sh chromium chromium

test: venv dot chromium
	$(BIN)/python -m pytest -q tests

demo: venv dot
	@for d in $(DEMOS); do echo "== python -m demos.$$d"; $(BIN)/python -m demos.$$d || exit 1; done

bench: venv
	$(BIN)/python -m bench

# `make fuzz FUZZ_TESTS=tests/test_fuzz_cli.py` fuzzes one target; the statistics give cases per test.
FUZZ_TESTS ?= tests
fuzz: venv dot
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q --hypothesis-show-statistics $(FUZZ_TESTS)

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
