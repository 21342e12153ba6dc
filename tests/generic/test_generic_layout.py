"""The generic suite's design view without a simulator: slot layouts from both profiles,
not-applicable records, and the rule that no generic test names anything of the bundled RTL."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from tb.dut_profile import (BUNDLED, FEATURES, OPTIONAL_REGISTER_KEYS, REGISTER_KEYS, SLOT_KEYS,
                            SLOT_OPTIONAL, load)
from tb.generic import NA_FILE, NotApplicable, SlotLayout, format_not_applicable, read_not_applicable

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "dsa_ims" / "dsa_ims.toml"
SUITE = ROOT / "tests" / "generic" / "hdl" / "generic_suite.py"
# Every cocotb module of the generic suite is held to the rule, not only generic_suite.py.
GENERIC_MODULES = sorted(p for p in SUITE.parent.glob("*.py") if p.stem != "__init__")


def test_bundled_layout_is_the_contract_slot():
    p = load(BUNDLED)
    m = p.register_map({"NUM_SLOTS": 64})
    lay = SlotLayout(p, m)
    # Contract §3: ADDR_LO +0, ADDR_HI +4, DATA +8, CTRL +C with MASK bit 0, PASID_EN bit 3, PASID 31:12.
    assert (lay["addr_lo"].offset, lay["addr_hi"].offset, lay["data"].offset, lay["mask"].offset) == (0, 4, 8, 0xC)
    w = lay.words(0x1234_5678_FEE0_0ABC, 0xCAFE, mask=False, pasid_en=True, pasid=0xABCDE)
    assert w == {"ADDR_LO": 0xFEE00ABC & ~3, "ADDR_HI": 0x12345678, "DATA": 0xCAFE,
                 "CTRL": (0xABCDE << 12) | (1 << 3)}
    assert lay.message(0x1234_5678_FEE0_0ABF, 0xCAFE) == (0x1234_5678_FEE0_0ABC, 0xCAFE)


def test_example_layout_follows_its_description():
    p = load(EXAMPLE)
    lay = SlotLayout(p, p.register_map())
    # dsa_ims.rdl: ECTRL +0 {MSK 0, PND 1, PASID 27:8, PASID_EN 31}, MDATA +4, MADDR_LO +8, MADDR_HI +C.
    w = lay.words(0xAABBCCDD_11223344, 0x55, mask=True, pasid_en=True, pasid=0x80001)
    assert w == {"ECTRL": 1 | (0x80001 << 8) | (1 << 31), "MDATA": 0x55, "MADDR_LO": 0x11223344,
                 "MADDR_HI": 0xAABBCCDD}
    assert lay.control_register() == "ECTRL" and lay.pasid_width == 20


def test_not_applicable_is_recorded_and_listed(tmp_path):
    p = load(EXAMPLE)
    na = NotApplicable(p, "t1", out_dir=tmp_path)
    assert na.when("enable", "rule 2") is True
    assert na.when("counters", "rule 5: counter deltas") is False
    na.skip("rule 1: range", reason="index width 6 reaches no index >= 64")
    items = read_not_applicable(tmp_path)
    assert [i["check"] for i in items] == ["rule 5: counter deltas", "rule 1: range"]
    assert items[0]["feature"] == "counters" and "features.counters = false" in items[0]["reason"]
    text = format_not_applicable(items)
    assert text.count("\n") == 1 and "[t1]" in text
    assert json.loads((tmp_path / NA_FILE).read_text().splitlines()[1])["feature"] is None


def _suite_names(path: Path | None = None) -> set[str]:
    """Identifiers, attributes and whole string constants of the generic suite (docstrings
    excluded; words inside a failure message are prose, a whole string is a lookup), minus the
    profile format's own key names ("ctrl_enable", "status_range_err", ...), which are the
    same for every design."""
    tree = ast.parse((path or SUITE).read_text())
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    out = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Name):
            out.add(n.id)
        elif isinstance(n, ast.Attribute):
            out.add(n.attr)
        elif isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings:
            out.add(n.value)
    schema = set(FEATURES) | set(SLOT_KEYS) | set(SLOT_OPTIONAL) | OPTIONAL_REGISTER_KEYS
    schema |= {k for keys in REGISTER_KEYS.values() for k in keys}
    return out - schema


def test_generic_suite_names_nothing_of_the_bundled_rtl(tmp_path, monkeypatch):
    rtl_ids = set()
    for v in (ROOT / "rtl").glob("*.v"):
        text = re.sub(r"//.*", "", v.read_text())
        rtl_ids |= {t for t in re.findall(r"\b[A-Za-z_]\w*\b", text) if "_" in t and len(t) > 3}
    m = load(BUNDLED).register_map()
    reg_names = set(m.registers) | set(m.arrays) | set(m.slot.registers)
    reg_names |= {f for r in list(m.registers.values()) + list(m.slot.registers.values()) for f in r.fields}
    assert SUITE in GENERIC_MODULES
    for mod in GENERIC_MODULES:
        used = _suite_names(mod)
        where = mod.relative_to(ROOT)
        assert not (used & rtl_ids), f"{where} names bundled RTL identifiers: {sorted(used & rtl_ids)}"
        assert not (used & reg_names), f"{where} names bundled registers/fields: {sorted(used & reg_names)}"

    # The check can fail: a suite that reaches into the bundled RTL is caught.
    bad = tmp_path / "suite.py"
    bad.write_text(SUITE.read_text() + "\nX = dut.regs_inst.cnt_sent_reg\nY = tb.read(\"CTRL\")\n")
    monkeypatch.setitem(globals(), "SUITE", bad)
    used = _suite_names()
    assert {"regs_inst", "CTRL"} <= (used & rtl_ids) | (used & reg_names)
