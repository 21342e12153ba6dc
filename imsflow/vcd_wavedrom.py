"""Waveform window of a failing run: read a VCD, keep the interface signals around one clock
cycle, and draw them with WaveDrom (the `wavedrom` package renders SVG without a browser).

Cycles are counted the way the pyuvm monitor counts them (tb/edge_sampler.py EdgeSampler): the Nth
rising edge of `clk` is cycle N (the clock driven to 1 at time 0 is edge 1, as cocotb's
RisingEdge sees it), and a signal's value at cycle N is the value the edge samples, i.e. the
value just before the edge. Checked on a real failure: the write the scoreboard reports at
cycle C has its AW and W handshakes in column C. So a scoreboard line "[LOST_MESSAGE] cycle 44166, slot 7"
and column 44166 of the drawing talk about the same edge.

Only VCD is read (Verilator without lz4.h writes dump.vcd; the regression asks Verilator for
its waves). An FST file (Icarus, Verilator with lz4) is refused with one clear line: there is no
maintained pure-Python FST reader in our pinned toolchain.

    python -m imsflow.vcd_wavedrom dump.vcd --cycle 1234 [--window 12] [--svg out.svg]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

# Signal groups drawn for a failure: trigger, register (AXI-Lite) and memory-write (AXI4) sides.
GROUPS: dict[str, list[str]] = {
    "trigger": ["rst", "s_irq_valid", "s_irq_ready", "s_irq_index", "s_irq_pasid_valid", "s_irq_pasid"],
    "register": ["s_axil_awvalid", "s_axil_awready", "s_axil_awaddr", "s_axil_wvalid", "s_axil_wdata",
                 "s_axil_bvalid", "s_axil_bresp"],
    "memory write": ["m_axi_awvalid", "m_axi_awready", "m_axi_awaddr", "m_axi_wvalid", "m_axi_wready",
                     "m_axi_wdata", "m_axi_bvalid", "m_axi_bresp"],
}
CLOCK = "clk"


class WaveError(ValueError):
    """A file we cannot draw from (not a VCD, no clock, cycle outside the dump)."""


@dataclass
class Window:
    first: int                                   # first cycle (rising-edge number) drawn
    cycles: list[int] = field(default_factory=list)
    values: dict[str, list[str]] = field(default_factory=dict)   # signal -> value per cycle ('x' unknown)
    widths: dict[str, int] = field(default_factory=dict)
    total_edges: int = 0


def _norm_name(ref: str) -> str:
    return ref.split("[")[0].strip()


def read_window(path: Path | str, cycle: int, before: int = 12, after: int = 12,
                signals: list[str] | None = None) -> Window:
    """The sampled values of `signals` (default: every signal of GROUPS) at cycles
    cycle-before .. cycle+after, from the shallowest VCD scope that has a `clk`."""
    path = Path(path)
    with open(path, "rb") as fb:
        magic = fb.read(4)
    if magic[:1] not in (b"$", b" ", b"\n", b"\t", b"\r"):
        raise WaveError(f"{path.name}: not a VCD file (FST or binary?); the drawing needs VCD")
    wanted = set(signals or [s for g in GROUPS.values() for s in g]) | {CLOCK}
    lo, hi = max(1, cycle - before), cycle + after
    # header: scope depth of every wanted name; keep the shallowest occurrence
    ids: dict[str, tuple[int, str, int]] = {}     # name -> (depth, id, width)
    depth = 0
    f = open(path, "r", errors="replace")
    try:
        tokens: list[str] = []
        for line in f:
            tokens = line.split()
            if not tokens:
                continue
            if tokens[0] == "$scope":
                depth += 1
            elif tokens[0] == "$upscope":
                depth -= 1
            elif tokens[0] == "$var" and len(tokens) >= 5:
                width, code, name = int(tokens[2]), tokens[3], _norm_name(tokens[4])
                if name in wanted and (name not in ids or depth < ids[name][0]):
                    ids[name] = (depth, code, width)
            elif tokens[0] == "$enddefinitions":
                break
        if CLOCK not in ids:
            raise WaveError(f"{path.name}: no `{CLOCK}` signal in the VCD header")
        # signals of the same scope as the clock only (ports of the top level)
        clk_depth = ids[CLOCK][0]
        by_code: dict[str, list[str]] = {}
        win = Window(first=lo)
        for name, (d, code, width) in ids.items():
            if d == clk_depth:
                by_code.setdefault(code, []).append(name)
                win.widths[name] = width
        clk_code = ids[CLOCK][1]
        cur = {name: "x" for name in win.widths}
        for name in win.widths:
            win.values[name] = []
        edges = 0
        clk_val = "x"
        pending: dict[str, str] = {}             # changes at the current timestamp

        def commit() -> None:
            nonlocal edges, clk_val
            new_clk = pending.pop(CLOCK, None)
            # Any change to 1 is a rising edge, as for cocotb's RisingEdge: the clock driven to
            # 1 at time 0 (from x) is edge 1 for the monitor, so it is for us.
            if new_clk is not None and clk_val != "1" and new_clk == "1":
                edges += 1
                if lo <= edges <= hi:
                    # sampled at the edge: the values before this timestamp's changes
                    win.cycles.append(edges)
                    for name in win.values:
                        win.values[name].append(cur[name])
            if new_clk is not None:
                clk_val = new_clk
                cur[CLOCK] = new_clk
            cur.update(pending)
            pending.clear()

        for line in f:
            if not line or line[0] in "$\n":
                continue
            c = line[0]
            if c == "#":
                commit()
                if edges > hi:
                    break
                continue
            if c in "01xXzZ":
                code = line[1:].strip()
                for name in by_code.get(code, ()):
                    pending[name] = c.lower() if c in "xXzZ" else c
            elif c in "bB":
                bits, _, code = line[1:].strip().partition(" ")
                for name in by_code.get(code, ()):
                    pending[name] = "x" if any(ch in "xXzZ" for ch in bits) else format(int(bits, 2), "x")
            elif c in "rR":
                continue
        else:
            commit()
        win.total_edges = edges
    finally:
        f.close()
    if not win.cycles:
        raise WaveError(f"{path.name}: cycle {cycle} is not in the dump ({edges} clock edges seen)")
    return win


def to_wavedrom(win: Window, mark: int | None = None, title: str = "") -> dict:
    """WaveDrom JSON: a marker row, then one group per interface side."""
    signal: list = []
    n = len(win.cycles)
    if mark is not None:
        bits = ["1" if c == mark else "0" for c in win.cycles]
        signal.append({"name": f"cycle {mark}",
                       "wave": "".join("." if k and b == bits[k - 1] else b for k, b in enumerate(bits))})
    for group, names in GROUPS.items():
        rows: list = [group]
        for name in names:
            if name not in win.values:
                continue
            vals = win.values[name]
            if win.widths.get(name, 1) == 1:
                wave, prev = [], None
                for v in vals:
                    ch = v if v in ("0", "1") else "x"
                    wave.append("." if ch == prev else ch)
                    prev = ch
                rows.append({"name": name, "wave": "".join(wave)})
            else:
                wave, data, prev = [], [], None
                for v in vals:
                    if v == prev:
                        wave.append(".")
                    elif v == "x":
                        wave.append("x")
                    else:
                        wave.append("=")
                        data.append(f"0x{v}")
                    prev = v
                rows.append({"name": name, "wave": "".join(wave), "data": data})
        if len(rows) > 1:
            signal.append(rows)
    doc: dict = {"signal": signal, "head": {"text": title or f"cycles {win.cycles[0]}..{win.cycles[-1]}",
                                            "tick": win.cycles[0]},
                 "config": {"hscale": 2}}   # two units per cycle: a 32-bit address fits its label
    assert all(len(r["wave"]) == n for r in signal if isinstance(r, dict))
    return doc


def render_svg(doc: dict) -> str:
    import wavedrom
    return wavedrom.render(json.dumps(doc)).tostring()


def failure_drawing(path: Path | str, cycle: int, title: str = "", before: int = 8,
                    after: int = 8) -> tuple[dict, str]:
    """(WaveDrom JSON, SVG text) of the window around `cycle`."""
    win = read_window(path, cycle, before, after)
    doc = to_wavedrom(win, mark=cycle, title=title)
    return doc, render_svg(doc)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("vcd")
    ap.add_argument("--cycle", type=int, required=True)
    ap.add_argument("--window", type=int, default=8)
    ap.add_argument("--svg", help="write the drawing here (default: print WaveDrom JSON)")
    args = ap.parse_args(argv)
    try:
        doc, svg = failure_drawing(args.vcd, args.cycle, before=args.window, after=args.window)
    except (WaveError, OSError) as exc:
        print(f"vcd_wavedrom: {exc}", file=sys.stderr)
        return 1
    if args.svg:
        Path(args.svg).write_text(svg)
        print(f"vcd_wavedrom: {args.svg}")
    else:
        print(json.dumps(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
