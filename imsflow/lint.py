"""`make lint`: Verilator -Wall lint of rtl/ at several parameter sets, plus an Icarus parse.

Prints one line per configuration and exits non-zero on any warning, so a clean run is
silent apart from the `lint: ... clean` lines.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from imsflow import sim

# The contract's extremes: 2 and 32768 slots (the latter needs a 20-bit aperture, §1). A set
# without MEM_MAX_ENTRIES gets the contract's §7 default (models/contract_params.py): 2048 at
# 2 .. 16384 slots with IRQ_INDEX_WIDTH 16 (memory mode built), 0 at 32768 slots or when the
# index is too narrow; MEM_MAX_ENTRIES=0 is the revision-1 build.
DEFAULT_SETS = [{}, {"MEM_MAX_ENTRIES": 0}, {"NUM_SLOTS": 64}, {"NUM_SLOTS": 64, "MEM_MAX_ENTRIES": 0},
                {"NUM_SLOTS": 2, "MEM_MAX_ENTRIES": 0}, {"NUM_SLOTS": 32768, "AXIL_ADDR_WIDTH": 20},
                {"NUM_SLOTS": 64, "IRQ_INDEX_WIDTH": 4},
                # §7 memory mode built at other sizes
                {"NUM_SLOTS": 64, "MEM_MAX_ENTRIES": 64},
                {"NUM_SLOTS": 2, "MEM_MAX_ENTRIES": 2, "MEM_CACHE_ENTRIES": 2},
                {"NUM_SLOTS": 16, "IRQ_INDEX_WIDTH": 5, "MEM_CACHE_ENTRIES": 256}]


def profile_args(define_flag: str) -> list[str]:
    """Include dirs and defines of the selected DUT profile (and DEFINES=...)."""
    from tb import dut_profile

    defines = sim.PROFILE.all_defines(dut_profile.extra_defines())
    return ([f"-I{d}" for d in sim.PROFILE.include_dirs]
            + [f"{define_flag}{k}" if v is True or v == 1 else f"{define_flag}{k}={v}" for k, v in defines.items()])


def lint_verilator(params: dict) -> tuple[bool, str]:
    cmd = ["verilator", "--lint-only", "-Wall", "--top-module", sim.TOPLEVEL] + profile_args("-D")
    cmd += [f"-G{k}={v}" for k, v in params.items()]
    cmd += [str(p) for p in sim.rtl_sources()]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    # The PyPI build prints a statistics report ("- V e r i l a t i o n ..."); that is not a warning.
    lines = [l for l in (proc.stdout + proc.stderr).splitlines()
             if l.strip() and not l.startswith("- V")]
    return proc.returncode == 0 and not lines, "\n".join(lines)


def lint_icarus(params: dict) -> tuple[bool, str]:
    cmd = ["iverilog", "-g2012", "-Wall", "-o", "/dev/null", "-s", sim.TOPLEVEL] + profile_args("-D")
    cmd += [f"-P{sim.TOPLEVEL}.{k}={v}" for k, v in params.items()]
    cmd += [str(p) for p in sim.rtl_sources()]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    # Icarus -Wall warns about timescale inheritance; the runner passes one, so skip those.
    lines = [l for l in (proc.stdout + proc.stderr).splitlines()
             if l.strip() and "timescale" not in l.lower()]
    return proc.returncode == 0 and not lines, "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--param", action="append", default=[], help="NAME=VALUE (replaces the default sets)")
    args = ap.parse_args(argv)
    sim.setup_path()
    # Another design (DUT=<profile>): its defaults and its [parameters.sweep] sets.
    default_sets = DEFAULT_SETS if sim.PROFILE.is_bundled else [{}] + list(sim.PROFILE.sweep.values())
    sets = [sim.parse_params(args.param)] if args.param else default_sets
    failures = 0
    for params in sets:
        label = sim.param_tag(params)
        for tool, fn in (("verilator -Wall", lint_verilator), ("iverilog", lint_icarus)):
            ok, out = fn(params)
            print(f"lint {tool} {label}: {'clean' if ok else 'FAILED'}")
            if not ok:
                failures += 1
                print(out)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
