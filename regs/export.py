"""`make regs`: the register description rendered for people, from regs/ims.rdl.

    sim_build/regs/ims_regs.h       C header for driver writers (peakrdl-cheader): offsets,
                                    field positions/masks, reset values, a struct overlay
    sim_build/regs/html/index.html  browsable register reference (peakrdl-html)

Usage: python regs/export.py [--out DIR] [--param NUM_SLOTS=n] [--param AXIL_ADDR_WIDTH=n]
                             [--param MEM_MAX_ENTRIES=n]
The parameters are the RTL's (defaults: the contract's NUM_SLOTS 2048, AXIL_ADDR_WIDTH 16, and
MEM_MAX_ENTRIES 0 as the RTL is built today, i.e. revision 1 without the §7 registers).

`make regs DUT=<profile> [PARAMS="NAME=v ..."]` ($IMS_DUT) renders that design's description
(the profile's design.rdl, rdl_top and parameter mapping; parameters: the profile's top
parameters) as sim_build/regs/<rdl_top>_regs.h and html/.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models.regs import DEFAULTS, RegsError, compile_rdl, rdl_path  # noqa: E402


def export(out: Path, params: dict[str, int], profile=None) -> tuple[Path, Path]:
    from peakrdl_cheader.exporter import CHeaderExporter
    from peakrdl_html import HTMLExporter

    if profile is None:
        root = compile_rdl(rdl_path(), params)
        header = out / "ims_regs.h"
    else:
        root = compile_rdl(profile.rdl, params, top=profile.rdl_top, rdl_names=profile.rdl_params)
        header = out / f"{profile.rdl_top}_regs.h"
    out.mkdir(parents=True, exist_ok=True)
    # Names from the instance path (IMS_TOP__CTRL__ENABLE_bm, ims_top_t), stable across parameter sets.
    CHeaderExporter().export(root, str(header), reuse_typedefs=False)
    html_dir = out / "html"
    HTMLExporter().export(root, str(html_dir), title="IMS block registers "
                          + ", ".join(f"{k}={v}" for k, v in params.items()))
    return header, html_dir / "index.html"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "sim_build" / "regs"))
    ap.add_argument("--param", action="append", default=[], help="NAME=VALUE, repeatable")
    args = ap.parse_args(argv)
    from tb import dut_profile
    try:
        profile = dut_profile.selected()
    except dut_profile.ProfileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not profile.is_bundled:
        return main_profile(profile, args)
    params = dict(DEFAULTS)
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep or name not in DEFAULTS:
            print(f"error: --param {item!r}: expected one of {', '.join(DEFAULTS)}=<integer>", file=sys.stderr)
            return 2
        try:
            params[name] = int(value, 0)
        except ValueError:
            print(f"error: --param {item!r}: {value!r} is not an integer", file=sys.stderr)
            return 2
    return report(Path(args.out), params, None)


def main_profile(profile, args) -> int:
    """DUT=<profile>: its description at its parameters (PARAMS= overrides, the profile's limits)."""
    from tb import dut_profile
    overrides = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        try:
            overrides[name] = int(value, 0)
        except ValueError:
            print(f"error: --param {item!r}: expected NAME=<integer>", file=sys.stderr)
            return 2
    try:
        profile.check_parameters(overrides)
    except dut_profile.ProfileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return report(Path(args.out), profile.merged(overrides), profile)


def report(out: Path, params: dict, profile) -> int:
    try:
        header, html = export(out, params, profile)
    except RegsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"C header:       {header}\nHTML reference: {html}\n  browsers refuse it as a file:// page; serve it: "
          f"python3 -m http.server -d {html.parent} 8000, then open http://localhost:8000/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
