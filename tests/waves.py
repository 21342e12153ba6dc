"""`make waves TEST=<name>`: rerun one cocotb test with waveform dumping and print the file.

The test is found by name among the cocotb modules in tests/hdl/ (the name printed in a
failure report). Icarus writes FST; Verilator writes FST when lz4.h is installed (Debian
liblz4-dev), VCD otherwise. Both open in GTKWave and Surfer.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from tests import sim

HDL_DIR = Path(__file__).resolve().parent / "hdl"


def find_test_module(test: str) -> str:
    """Dotted module name of the cocotb module that defines `test`."""
    base = test.split("/")[0].split("[")[0]
    # cocotb tests are functions; pyuvm tests are classes decorated with @pyuvm.test().
    pattern = re.compile(rf"^\s*((async\s+)?def|class)\s+{re.escape(base)}\s*[(:]", re.M)
    hits = [p for p in sorted(HDL_DIR.glob("*.py")) if pattern.search(p.read_text())]
    if not hits:
        known = sorted({m.group(2) for p in HDL_DIR.glob("*.py")
                        for m in re.finditer(r"^@(cocotb|pyuvm)\.test[^\n]*\n(?:@[^\n]*\n)*\s*(?:(?:async\s+)?def|class)\s+(\w+)|", p.read_text(), re.M)
                        if m.group(2)})
        raise SystemExit(f"waves: no cocotb test named {base!r} in tests/hdl/. Known tests:\n  "
                         + "\n  ".join(known))
    if len(hits) > 1:
        raise SystemExit(f"waves: {base!r} is defined in several modules: {', '.join(p.name for p in hits)}")
    return f"tests.hdl.{hits[0].stem}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--test", required=True)
    ap.add_argument("--sim", default="icarus", choices=sim.SIMULATORS)
    ap.add_argument("--param", action="append", default=[])
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args(argv)
    module = find_test_module(args.test)
    # A bare name runs every variant (e.g. each traffic pattern of a parametrized test);
    # a full name such as `drop_pasid/traffic=free`, as failure reports print it, runs one.
    name = args.test.split("[")[0]
    variants = "" if "/" in name else r"(/.*)?"
    res = sim.run(module, sim=args.sim, parameters=sim.parse_params(args.param),
                  test_filter=rf"\.{re.escape(name)}{variants}$", seed=args.seed, waves=True,
                  run_tag=re.sub(r"[^A-Za-z0-9_.=-]+", "_", f"{name}-seed{args.seed}"), check=False)
    print(res.summary())
    if res.waves is None:
        print("waves: the simulator wrote no waveform file", file=sys.stderr)
        return 1
    print(f"waves: open with `gtkwave {res.waves}` or `surfer {res.waves}`")
    return 0 if res.ok else 1


if __name__ == "__main__":
    sys.exit(main())
