"""`make waves TEST=<name>`: rerun one cocotb test with waveform dumping and print the file.
`make run TEST=<name>` (--no-waves): the same run without waves. `make list-tests` (--list):
every test name these accept.

The seed is always printed; without SEED=n a random one is drawn, printed, and put in the
command that reproduces the run.

The test is found by name among the cocotb modules in tests/generic/hdl/ and tests/impl/hdl/ (the name printed in a
failure report). Icarus writes FST; Verilator writes FST when lz4.h is installed (Debian
liblz4-dev), VCD otherwise. Both open in GTKWave and Surfer.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
from pathlib import Path

from imsflow import sim

ROOT = Path(__file__).resolve().parent.parent
# cocotb modules: the generic suite (any DUT profile) and the bundled block's own tests.
GENERIC_HDL_DIR = ROOT / "tests" / "generic" / "hdl"
HDL_DIR = ROOT / "tests" / "impl" / "hdl"
HDL_DIRS = (GENERIC_HDL_DIR, HDL_DIR)


def _modules() -> list[Path]:
    return [p for d in HDL_DIRS for p in sorted(d.glob("*.py")) if p.stem != "__init__"]


def _dotted(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def find_test_module(test: str) -> str:
    """Dotted module name of the cocotb module that defines `test`."""
    base = test.split("/")[0].split("[")[0]
    # cocotb tests are functions; pyuvm tests are classes decorated with @pyuvm.test().
    pattern = re.compile(rf"^\s*((async\s+)?def|class)\s+{re.escape(base)}\s*[(:]", re.M)
    hits = [p for p in _modules() if pattern.search(p.read_text())]
    if not hits:
        known = sorted({m.group(2) for p in _modules()
                        for m in re.finditer(r"^@(cocotb|pyuvm)\.test[^\n]*\n(?:@[^\n]*\n)*\s*(?:(?:async\s+)?def|class)\s+(\w+)|", p.read_text(), re.M)
                        if m.group(2)})
        raise SystemExit(f"waves: no cocotb test named {base!r} in tests/*/hdl/. Known tests:\n  "
                         + "\n  ".join(known))
    if len(hits) > 1:
        raise SystemExit(f"waves: {base!r} is defined in several modules: {', '.join(p.name for p in hits)}")
    return _dotted(hits[0])


def list_tests() -> list[tuple[str, str, str]]:
    """(kind, name, how it runs) for every test `make run` / `make waves` accept."""
    from tb.ims_tb import TRAFFIC_PATTERNS
    out = []
    generic = (GENERIC_HDL_DIR / "generic_suite.py").read_text()
    for m in re.finditer(r"^@cocotb\.test\([^\n]*\n((?:@[^\n]*\n)*)async def (\w+)", generic, re.M):
        decorators, name = m.groups()
        names = [f"{name}/traffic={p}" for p in TRAFFIC_PATTERNS] if "traffic_cross" in decorators else [name]
        out += [("generic (any DUT profile)", n, "") for n in names]
    if not sim.PROFILE.is_bundled:      # the rest build the bundled ims_top
        return out
    from tests.impl import test_uvm
    for t in test_uvm.ALL_TESTS:
        kind = "pyuvm (injected fault: passes when caught)" if t in test_uvm.INJECTED_TESTS else "pyuvm"
        params = "NUM_SLOTS=2048" if t in test_uvm.SCALE_TESTS else "NUM_SLOTS=64 in make test/regress"
        out.append((kind, t, params))
    text = (HDL_DIR / "ims_directed.py").read_text()
    for m in re.finditer(r"^@cocotb\.test\([^\n]*\n((?:@[^\n]*\n)*)async def (\w+)", text, re.M):
        decorators, name = m.groups()
        if "traffic_cross" in decorators:
            out += [("directed", f"{name}/traffic={p}", "") for p in TRAFFIC_PATTERNS]
        else:
            out.append(("directed", name, ""))
    return out


def mutant_kwargs(name: str | None) -> dict:
    if not name:
        return {}
    from imsflow.regress import mutant_sources
    return mutant_sources(name)


MAKE_PARAM_NAMES = ("NUM_SLOTS", "IRQ_INDEX_WIDTH", "AXIL_ADDR_WIDTH", "AXI_ID_WIDTH")   # Makefile knobs


def make_params(params: dict) -> str:
    """Parameters as make arguments: the Makefile's own knobs, any other name in PARAMS=."""
    own = [f"{k}={v}" for k, v in sorted(params.items()) if k in MAKE_PARAM_NAMES]
    other = [f"{k}={v}" for k, v in sorted(params.items()) if k not in MAKE_PARAM_NAMES]
    return " ".join(own + ([f'PARAMS="{" ".join(other)}"'] if other else []))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--test")
    ap.add_argument("--sim", default="icarus", choices=sim.SIMULATORS)
    ap.add_argument("--param", action="append", default=[])
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--no-waves", action="store_true", help="run without waveform dumping (make run)")
    ap.add_argument("--mutant", default=None, help="a deliberately broken copy of rtl/ (tests/impl/test_mutants.py)")
    ap.add_argument("--list", action="store_true", help="print every test name and exit (make list-tests)")
    args = ap.parse_args(argv)
    if args.list:
        rows = list_tests()
        w = max(len(r[1]) for r in rows)
        for kind, name, note in rows:
            print(f"{name:<{w}}  {kind}{'; ' + note if note else ''}")
        dut = "" if sim.PROFILE.is_bundled else f" DUT={sim.PROFILE.display_path()}"
        print(f"{len(rows)} tests{' of the generic suite' if dut else ''}; run one: make run TEST=<name>{dut} [SEED=n] "
              f"[SIM=icarus|verilator] [{'PARAMS=...' if dut else 'NUM_SLOTS=n'}]; with waves: make waves TEST=<name>{dut}")
        return 0
    if not args.test:
        raise SystemExit("usage: make run|waves TEST=<name> (make list-tests prints the names)")
    module = find_test_module(args.test)
    if not sim.PROFILE.is_bundled and not module.startswith("tests.generic."):
        raise SystemExit(f"{'run' if args.no_waves else 'waves'}: {args.test} is a test of the bundled ims_top "
                         f"({module}); DUT={sim.PROFILE.display_path()} runs the generic suite (make list-tests DUT=...)")
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1, 1 << 31)
        seed_note = "random"
    else:
        seed_note = "given"
    params = sim.parse_params(args.param)
    target = "run" if args.no_waves else "waves"
    dut = "" if sim.PROFILE.is_bundled else f" DUT={sim.PROFILE.display_path()}"
    defines = os.environ.get("IMS_DEFINES", "").strip()
    dut += f" DEFINES='{defines}'" if defines else ""
    print(f"{target}: {args.test} on {args.sim}{dut} {make_params(params) or '(default parameters)'}, seed {args.seed} "
          f"({seed_note}); reproduce: make {target} TEST={args.test}{dut} SEED={args.seed} SIM={args.sim} "
          f"{make_params(params)}".rstrip() + (f" MUTANT={args.mutant}" if args.mutant else ""), flush=True)
    # A bare name runs every variant (e.g. each traffic pattern of a parametrized test);
    # a full name such as `drop_pasid/traffic=free`, as failure reports print it, runs one.
    name = args.test.split("[")[0]
    variants = "" if "/" in name else r"(/.*)?"
    res = sim.run(module, sim=args.sim, parameters=params, toplevel=sim.PROFILE.top,
                  test_filter=rf"\.{re.escape(name)}{variants}$", seed=args.seed, waves=not args.no_waves,
                  run_tag=re.sub(r"[^A-Za-z0-9_.=-]+", "_", f"{name}-seed{args.seed}"), check=False,
                  **mutant_kwargs(args.mutant))
    print(res.summary())
    print(f"{target}: seed {args.seed}")
    if args.no_waves:
        return 0 if res.ok else 1
    if res.waves is None:
        print("waves: the simulator wrote no waveform file", file=sys.stderr)
        return 1
    print(f"waves: open with `gtkwave {res.waves}` or `surfer {res.waves}`")
    return 0 if res.ok else 1


if __name__ == "__main__":
    sys.exit(main())
