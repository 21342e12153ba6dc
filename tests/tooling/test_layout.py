"""The repository layout (issue 11 point 3): the tooling behind the make targets lives in
imsflow/, tests/ holds tests only (tests/generic/ the suite any DUT profile runs, tests/impl/ the
bundled RTL's implementation tests, tests/tooling/ the tooling's tests, tests/models/ the models'),
and nothing refers to the old places any more.

After merging a branch made on the old layout, /work/relayout.sh (see the merge notes) moves the
files and rewrites the references; this test is its acceptance check. The generic suite naming
nothing of the bundled RTL is checked in tests/generic/test_generic_layout.py."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOLING = ("sim", "regress", "regress_dask", "regress_report", "regress_fake_runs", "vcd_wavedrom",
           "bench", "bench_rtl", "lint", "waves", "coverage_report", "main_sim", "mutants")
TEST_GROUPS = ("generic", "impl", "tooling", "models")
# Files allowed directly in tests/ and in each group directory besides test_*.py.
TESTS_TOP_ALLOWED = {"__init__.py", "conftest.py", "testplan.md"}
GROUP_ALLOWED = {"__init__.py", "conftest.py"}

_OLD = "|".join(TOOLING)
# Spelled so that this file does not match its own patterns (it is also skipped by name).
_T = "tes" + "ts"
STALE_PATTERNS = [
    (re.compile(rf"(?<![\w./]){_T}\.(?:hdl\b|(?:{_OLD})\b|test_\w+)"), "old dotted module"),
    (re.compile(rf"(?<![\w./]){_T}/(?:hdl\b|(?:{_OLD})\.py\b|test_\w+\.py\b)"), "old file path"),
    (re.compile(rf"^\s*from {_T} import [^\n]*\b(?:{_OLD}|test_\w+)\b", re.M), "old package import"),
    (re.compile(rf'"{_T}"\s*/\s*"hdl"'), "old pathlib path"),
]
SCANNED_SUFFIXES = {".py", ".toml", ".md", ".ini", ".sh", ".txt", ".yaml", ".yml", ".cfg", ".v", ".sv"}


def layout_problems(root: Path) -> list[str]:
    """Tooling or stray modules inside tests/, and the old tests/hdl/ directory."""
    tests = root / "tests"
    out = []
    for p in sorted(tests.iterdir()):
        if p.is_file() and p.name not in TESTS_TOP_ALLOWED:
            kind = "tooling module" if p.stem in TOOLING else "file"
            out.append(f"{p.relative_to(root)}: {kind} directly in tests/ (tooling -> imsflow/, "
                       f"tests -> tests/{{generic,impl,tooling}}/)")
        elif p.is_dir() and p.name not in TEST_GROUPS and p.name != "__pycache__":
            out.append(f"{p.relative_to(root)}/: not one of tests/{{{','.join(TEST_GROUPS)}}}/")
    for group in TEST_GROUPS:
        for p in sorted((tests / group).glob("*.py")):
            if p.name not in GROUP_ALLOWED and not p.name.startswith("test_"):
                out.append(f"{p.relative_to(root)}: not a test module (tooling belongs in imsflow/)")
    for name in TOOLING:
        if not (root / "imsflow" / f"{name}.py").is_file():
            out.append(f"imsflow/{name}.py missing")
    return out


def stale_references(root: Path, files: list[str]) -> list[str]:
    """file:line: text of every reference to an old module or path."""
    hits = []
    for f in files:
        p = root / f
        if p.resolve() == Path(__file__).resolve() or not p.is_file():
            continue
        if p.suffix not in SCANNED_SUFFIXES and p.name != "Makefile":
            continue
        try:
            text = p.read_text()
        except UnicodeDecodeError:
            continue
        for pat, what in STALE_PATTERNS:
            for m in pat.finditer(text):
                line_no = text.count("\n", 0, m.start()) + 1
                line = text.splitlines()[line_no - 1].strip()
                hits.append(f"{f}:{line_no}: {what}: {line}")
    return hits


def _tracked() -> list[str]:
    return subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.split()


def test_tests_holds_tests_only():
    problems = layout_problems(ROOT)
    assert not problems, ("layout (issue 11 point 3); after a merge run /work/relayout.sh:\n  "
                          + "\n  ".join(problems))


def test_no_reference_to_old_locations():
    hits = stale_references(ROOT, _tracked())
    assert not hits, ("references to the old layout (run /work/relayout.sh or fix by hand):\n  "
                      + "\n  ".join(hits))


def test_layout_checks_catch_the_old_layout(tmp_path):
    """Both checks fail on what a branch made on the old layout brings in."""
    for d in ("imsflow", "tests/generic", "tests/impl/hdl", "tests/tooling", "tests/models", "tests/hdl"):
        (tmp_path / d).mkdir(parents=True)
    for name in TOOLING:
        (tmp_path / "imsflow" / f"{name}.py").write_text("")
    (tmp_path / "tests" / "conftest.py").write_text("")
    (tmp_path / "tests" / "test_foo.py").write_text("")
    (tmp_path / "tests" / "bench.py").write_text("")
    (tmp_path / "tests" / "impl" / "helpers.py").write_text("")
    problems = layout_problems(tmp_path)
    assert any(p.startswith("tests/test_foo.py: file directly") for p in problems), problems
    assert any(p.startswith("tests/bench.py: tooling module directly") for p in problems), problems
    assert any(p.startswith("tests/hdl/: not one of") for p in problems), problems
    assert any(p.startswith("tests/impl/helpers.py: not a test module") for p in problems), problems

    old = {
        "a.py": f"from {_T} import sim as sim_mod\nfrom {_T} import regress, sim\n",
        "b.py": f'MODULE = "{_T}.hdl.foo_bench"\nHARNESS = ROOT / "{_T}" / "hdl" / "x.v"\n',
        "Makefile": f"run:\n\tpython -m {_T}.waves --list\n",
        "c.md": f"see `{_T}/hdl/foo_bench.py` and `{_T}/test_foo.py`\n",
        "ok.py": f'"{_T}/impl/hdl/x.py" "{_T}.impl.hdl.x" "{_T}/models/test_m.py" "{_T}.conftest"\n',
    }
    for name, text in old.items():
        (tmp_path / name).write_text(text)
    hits = stale_references(tmp_path, list(old))
    per_file = {f: sum(h.startswith(f + ":") for h in hits) for f in old}
    assert per_file == {"a.py": 2, "b.py": 2, "Makefile": 1, "c.md": 2, "ok.py": 0}, hits
