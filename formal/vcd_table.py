"""Print chosen signals of a SymbiYosys counterexample VCD as a table, one row per step.

Usage: python -m formal.vcd_table TRACE.vcd [signal-suffix ...]
A signal is chosen when its full hierarchical name ends with one of the suffixes (default: the
harness ports and the message channel). Values print in hex; 'x' where the trace leaves them open.
"""

from __future__ import annotations

import sys

DEFAULT = ["rst", "s_irq_valid", "s_irq_ready", "s_irq_index", "s_irq_pasid_valid", "s_irq_pasid",
           "s_axil_awvalid", "s_axil_awready", "s_axil_awaddr", "s_axil_wvalid", "s_axil_wready",
           "s_axil_wdata", "s_axil_wstrb", "s_axil_bvalid", "m_axi_awvalid", "m_axi_awready",
           "m_axi_awaddr", "m_axi_wvalid", "m_axi_wready", "m_axi_wdata"]


def parse(path: str):
    ids: dict[str, list[str]] = {}
    scope: list[str] = []
    changes: dict[int, dict[str, str]] = {}
    t = 0
    with open(path) as f:
        for line in f:
            tok = line.split()
            if not tok:
                continue
            if tok[0] == "$scope":
                scope.append(tok[2])
            elif tok[0] == "$upscope":
                scope.pop()
            elif tok[0] == "$var":
                ids.setdefault(tok[3], []).append(".".join(scope + [tok[4]]))
            elif tok[0].startswith("#"):
                t = int(tok[0][1:])
            elif tok[0][0] in "01xz" and len(tok) == 1:
                changes.setdefault(t, {})[tok[0][1:]] = tok[0][0]
            elif tok[0][0] == "b" and len(tok) == 2:
                changes.setdefault(t, {})[tok[1]] = tok[0][1:]
    return ids, changes


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    path, wanted = argv[0], argv[1:] or DEFAULT
    ids, changes = parse(path)
    cols = []
    for w in wanted:
        for i, names in ids.items():
            if any(n == w or n.endswith("." + w) for n in names):
                cols.append((w, i))
                break
    times = sorted(changes)
    # one row per clock step: SymbiYosys traces change inputs on even time stamps (10 per step)
    cur = {i: "x" for _, i in cols}
    rows = []
    for t in times:
        for i, v in changes[t].items():
            if i in cur:
                cur[i] = v
        rows.append((t, dict(cur)))
    def fmt(v: str) -> str:
        if "x" in v or "z" in v:
            return "x"
        return format(int(v, 2), "x")
    print("time  " + " ".join(w for w, _ in cols))
    last = None
    for t, vals in rows:
        line = " ".join(fmt(vals[i]).rjust(len(w)) for w, i in cols)
        if line != last:
            print(f"{t:5} {line}")
            last = line
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
