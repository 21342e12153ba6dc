"""The register description (regs/ims.rdl) against the contract, its loader, its generated
pyuvm block and C header, and the register test sequences against the RTL.

THIS FILE TYPES REGISTER OFFSETS AND FIELD POSITIONS ON PURPOSE: the CONTRACT_* tables below are
transcribed from /work/shared/spec/ims-block.md (§2, §3, §7) so that the description can be
checked against the contract. Everywhere else the map comes from the description.

Simulator-free tests run in well under a second each; the cocotb entry points run the pyuvm
register tests (tests/impl/hdl/reg_tests.py) on both simulators at NUM_SLOTS=64, and once with a copy
of the description in which CTRL.FUNC_MASK moved from bit 1 to bit 2, which must fail.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from models.regs import RDL_PATH, RegsError, load
from imsflow import sim as sim_mod
from models.contract_params import mem_max_entries_default
from tests.conftest import parameter_override, seed_override, selected_sims, small_params
from imsflow.lint import DEFAULT_SETS as LINT_SETS

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------- the contract, transcribed
# name: (offset, access, reset or None for "= the NUM_SLOTS parameter")
CONTRACT_REGS_REV1 = {
    "ID": (0x000, "RO", 0x494D5331),
    "VERSION": (0x004, "RO", 0x00010000),
    "NUM_SLOTS": (0x008, "RO", None),
    "CTRL": (0x010, "RW", 0),
    "STATUS": (0x014, "RW1C", 0),
    "CNT_SENT": (0x020, "RO", 0),
    "CNT_PENDED": (0x024, "RO", 0),
    "CNT_DROP_RANGE": (0x028, "RO", 0),
    "CNT_DROP_PASID": (0x02C, "RO", 0),
    "CNT_DROP_DISABLED": (0x030, "RO", 0),
    "CNT_WR_ERR": (0x034, "RO", 0),
}
CONTRACT_REGS_REV2 = {                        # §7, present when MEM_MAX_ENTRIES > 0
    "CNT_FETCH_ERR": (0x038, "RO", 0),
    "MEM_BASE_LO": (0x040, "RW", 0),
    "MEM_BASE_HI": (0x044, "RW", 0),
    "MEM_ENTRIES": (0x048, "RW", 0),
    "MEM_INVAL": (0x04C, "WO", 0),
}
VERSION_REV2 = 0x00020000
# register: {field: (msb, lsb, kind)} with kind rw / w1c / ro / wo
CONTRACT_FIELDS = {
    "CTRL": {"ENABLE": (0, 0, "rw"), "FUNC_MASK": (1, 1, "rw")},
    "STATUS": {"RANGE_ERR": (0, 0, "w1c"), "PASID_ERR": (1, 1, "w1c"), "WRITE_ERR": (2, 2, "w1c"),
               "DISABLED_DROP": (3, 3, "w1c"), "BUSY": (31, 31, "ro")},
}
CONTRACT_FIELDS_REV2 = {
    "STATUS": {"FETCH_ERR": (4, 4, "w1c")},
    "MEM_BASE_LO": {"ADDR": (31, 6, "rw")},
    "MEM_INVAL": {"ENTRY": (15, 0, "wo"), "CLEAR_PENDING": (30, 30, "wo"), "ALL": (31, 31, "wo")},
}
CONTRACT_PENDING_BASE, CONTRACT_PENDING_STRIDE = 0x1000, 4
CONTRACT_SLOT_BYTES = 16
CONTRACT_SLOT = {   # §3: offset, reset, {field: (msb, lsb, kind)}; bits not listed read 0
    "ADDR_LO": (0x0, 0, {"ADDR": (31, 2, "rw")}),
    "ADDR_HI": (0x4, 0, {"ADDR": (31, 0, "rw")}),
    "DATA": (0x8, 0, {"DATA": (31, 0, "rw")}),
    "CTRL": (0xC, 0x00000001, {"MASK": (0, 0, "rw"), "PENDING": (1, 1, "w1c"),
                               "PASID_EN": (3, 3, "rw"), "PASID": (31, 12, "rw")}),
}


def contract_table_base(axil_addr_width: int) -> int:
    return 2 ** (axil_addr_width - 1)


def kind_of(f) -> str:
    if f.is_w1c:
        return "w1c"
    if f.is_rw:
        return "rw"
    if f.is_ro:
        return "ro"
    return "wo" if f.sw == "w" else f"?{f.sw}/{f.onwrite}"


def rdl_params(p: dict) -> dict:
    """A imsflow/sim.py or lint parameter set as the description's parameters (IRQ_INDEX_WIDTH
    and AXI_ID_WIDTH do not shape the register map)."""
    n = p.get("NUM_SLOTS", 2048)
    # absent MEM_MAX_ENTRIES: the RTL's default, the contract's §7 rule (models/contract_params.py)
    return {"NUM_SLOTS": n, "AXIL_ADDR_WIDTH": p.get("AXIL_ADDR_WIDTH", 16),
            "MEM_MAX_ENTRIES": p.get("MEM_MAX_ENTRIES", mem_max_entries_default(n, p.get("IRQ_INDEX_WIDTH", 16)))}


# Every parameter set the simulations and lint use, plus revision-2 builds (§7 present).
_SETS = [rdl_params(p) for p in list(sim_mod.PARAM_SETS.values()) + LINT_SETS]
_SETS += [{"NUM_SLOTS": 2048, "AXIL_ADDR_WIDTH": 16, "MEM_MAX_ENTRIES": 2048},
          {"NUM_SLOTS": 64, "AXIL_ADDR_WIDTH": 16, "MEM_MAX_ENTRIES": 64},
          {"NUM_SLOTS": 2, "AXIL_ADDR_WIDTH": 14, "MEM_MAX_ENTRIES": 2},
          {"NUM_SLOTS": 16384, "AXIL_ADDR_WIDTH": 20, "MEM_MAX_ENTRIES": 16384}]
PARAM_SETS = [dict(t) for t in sorted({tuple(sorted(p.items())) for p in _SETS})]
PARAM_IDS = ["-".join(f"{k}{v}" for k, v in p.items()) for p in PARAM_SETS]


@pytest.mark.parametrize("p", PARAM_SETS, ids=PARAM_IDS)
def test_description_matches_contract(p):
    regs = load(p["NUM_SLOTS"], p["AXIL_ADDR_WIDTH"], p["MEM_MAX_ENTRIES"])
    rev2 = p["MEM_MAX_ENTRIES"] > 0
    want = dict(CONTRACT_REGS_REV1, **(CONTRACT_REGS_REV2 if rev2 else {}))
    assert list(regs.registers) == sorted(want, key=lambda n: want[n][0]), "register names or order"
    for name, (offset, access, reset) in want.items():
        r = regs.registers[name]
        assert int(r) == offset, f"{name} offset"
        assert r.access == access, f"{name} access {r.access}, contract {access}"
        if name == "VERSION":
            reset = VERSION_REV2 if rev2 else reset
        assert r.reset == (p["NUM_SLOTS"] if reset is None else reset), f"{name} reset {r.reset:#x}"
        assert r.desc, f"{name} has no description"
    fields = {k: dict(v) for k, v in CONTRACT_FIELDS.items()}
    if rev2:
        for k, v in CONTRACT_FIELDS_REV2.items():
            fields.setdefault(k, {}).update(v)
    for reg, fdict in fields.items():
        got = {f.name: (f.msb, f.lsb, kind_of(f)) for f in regs.registers[reg].fields.values()}
        assert got == fdict, f"{reg} fields"
    if not rev2:
        assert "FETCH_ERR" not in regs.STATUS.fields
        assert not any(int(r) in (0x038, 0x040, 0x044, 0x048, 0x04C) for r in regs.registers.values())
    # PENDING words (§2; §7 with MEM_MAX_ENTRIES)
    bits = p["NUM_SLOTS"] + p["MEM_MAX_ENTRIES"]
    assert int(regs.PENDING) == CONTRACT_PENDING_BASE and regs.PENDING.stride == CONTRACT_PENDING_STRIDE
    assert regs.PENDING.count == -(-bits // 32)
    assert regs.PENDING.readable_mask == (1 << min(bits, 32)) - 1 and regs.PENDING.access == "RO"
    # The slot table (§3)
    assert regs.slot.base == contract_table_base(p["AXIL_ADDR_WIDTH"])
    assert regs.slot.stride == CONTRACT_SLOT_BYTES and regs.slot.count == p["NUM_SLOTS"]
    assert regs.slot.end <= 2 ** p["AXIL_ADDR_WIDTH"]
    assert list(regs.slot.registers) == list(CONTRACT_SLOT)
    for name, (offset, reset, fdict) in CONTRACT_SLOT.items():
        r = regs.slot.registers[name]
        assert int(r) == offset and r.reset == reset, name
        assert {f.name: (f.msb, f.lsb, kind_of(f)) for f in r.fields.values()} == fdict, f"slot {name} fields"
        assert all(f.desc for f in r.fields.values())
    # Every field has a one-line description.
    for r in regs.registers.values():
        for f in r.fields.values():
            assert f.desc and "\n" not in f.desc, f"{r.name}.{f.name} description"


def test_loader_api_reads_like_the_contract():
    regs = load(num_slots=64)
    assert regs.CTRL.ENABLE.put(1) == regs.CTRL.ENABLE and regs.slot.CTRL.PASID.get(0xABCDE000) == 0xABCDE
    assert regs.slot[5].CTRL == regs.slot.base + 5 * regs.slot.stride + int(regs.slot.CTRL)
    assert regs.PENDING[1] == int(regs.PENDING) + regs.PENDING.stride
    assert regs.decode(regs.slot[63].DATA + 2) == (regs.slot.DATA, 63)
    assert regs.decode(int(regs.STATUS)) == (regs.STATUS, None)
    assert regs.decode(regs.PENDING[1]) == (regs.PENDING, 1)
    assert not regs.is_listed(regs.PENDING[1] + regs.PENDING.stride)   # NUM_SLOTS 64: two words
    assert not regs.is_listed(regs.slot.end) and not regs.is_listed(int(regs.CNT_WR_ERR) + 4)
    assert regs.STATUS.w1c_mask == regs.STATUS.RANGE_ERR | regs.STATUS.PASID_ERR | \
        regs.STATUS.WRITE_ERR | regs.STATUS.DISABLED_DROP
    assert load(num_slots=64) is regs, "the compiled map is cached"
    with pytest.raises(AttributeError, match="no field 'ENABLED'"):
        regs.CTRL.ENABLED
    with pytest.raises(IndexError):
        regs.slot[64]


def test_regmap_names_follow_the_description():
    """models/regmap.py is derived, not typed: its constants equal the loader's."""
    import models.regmap as rm
    regs = load()
    assert rm.REGISTERS == {n: int(r) for n, r in regs.registers.items()}
    assert rm.SLOT_CTRL_RW_BITS == regs.slot.CTRL.rw_mask and rm.STATUS_W1C_BITS == regs.STATUS.w1c_mask
    assert rm.table_base(20) == load(num_slots=2, axil_addr_width=20).slot.base
    assert rm.pending_words(32768) == load(32768, 20).PENDING.count


def moved_field_copy(tmp_path: Path) -> Path:
    """A copy of the description with CTRL.FUNC_MASK at bit 2 instead of bit 1."""
    text = RDL_PATH.read_text()
    pattern = r"\bFUNC_MASK\[1:1\]"
    assert len(re.findall(pattern, text)) == 1, "the description changed; update moved_field_copy"
    copy = tmp_path / "ims_moved_field.rdl"
    copy.write_text(re.sub(pattern, "FUNC_MASK[2:2]", text))
    return copy


def test_loader_follows_a_changed_description(tmp_path):
    copy = moved_field_copy(tmp_path)
    assert load(source=copy).CTRL.FUNC_MASK.lsb == 2 and load().CTRL.FUNC_MASK.lsb == 1
    bad = tmp_path / "bad.rdl"
    bad.write_text(RDL_PATH.read_text().replace("} CTRL @ 0x010;", "} CTRL @ 0x010"))
    with pytest.raises(RegsError, match="did not compile"):
        load(source=bad)


def test_no_hand_typed_map_outside_the_description():
    """The literal forms the map used to be typed in (TABLE_BASE, PENDING base, slot stride and
    CTRL offset, PASID shift) do not come back in models/, tb/ or the cocotb modules (tests/*/hdl/)."""
    forbidden = [r"1\s*<<\s*\(\s*[\w.]*axil_addr_width\s*-\s*1\s*\)", r"\b0x1000\b", r"\b0x8000\b",
                 r"\+\s*0xC\b", r"ctrl\s*>>\s*12\b", r"\+\s*31\)\s*//\s*32"]
    allowed = {ROOT / "models" / "regs.py", ROOT / "models" / "regmap.py"}
    hits = []
    for d in ("models", "tb", "tests/generic/hdl", "tests/impl/hdl"):
        for path in sorted((ROOT / d).rglob("*.py")):
            if path in allowed:
                continue
            for n, line in enumerate(path.read_text().splitlines(), 1):
                code = line.split("#", 1)[0]
                for pat in forbidden:
                    if re.search(pat, code):
                        hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not hits, "register map typed by hand (use models.regs):\n" + "\n".join(hits)


# ---------------------------------------------------------------- generated artefacts
def test_pyuvm_block_from_peakrdl_pyuvm_matches_loader():
    """peakrdl-pyuvm's block builds under pyuvm 5 and agrees with the loader on every
    register address, access right and reset value."""
    from tb.uvm.reg_model import build_reg_block
    params = {"NUM_SLOTS": 64, "AXIL_ADDR_WIDTH": 16, "MEM_MAX_ENTRIES": 0}
    regs = load(64)
    block = build_reg_block(params, name="test_block")
    rmap = block.get_default_map()
    by_addr = {r.get_address(): r for r in block.get_registers()}
    want = {int(r): r for r in regs.all_registers()}
    assert sorted(by_addr) == sorted(want)
    for addr, layout in want.items():
        u = by_addr[addr]
        assert u.get_reset() == layout.reset, f"{layout.name} @{addr:#x}"
        assert rmap.get_reg_by_offset(addr) is u
        for f in layout.fields.values():
            uf = getattr(u, f.name)
            assert (uf.get_lsb_pos(), uf.get_n_bits()) == (f.lsb, f.width), f"{layout.name}.{f.name}"
            assert uf.get_access() == {"rw": "RW", "w1c": "W1C", "ro": "RO", "wo": "WO"}[kind_of(f)]


def test_make_regs_writes_header_and_html(tmp_path):
    from regs.export import main
    assert main(["--out", str(tmp_path), "--param", "NUM_SLOTS=64"]) == 0
    header, html = tmp_path / "ims_regs.h", tmp_path / "html" / "index.html"
    assert header.stat().st_size > 0 and html.stat().st_size > 0
    assert main(["--out", str(tmp_path), "--param", "NUM_SLOTZ=64"]) == 2
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler: the header's offsets were not checked")
    regs = load(64)
    probe = {"ID": "ID", "CTRL": "CTRL", "STATUS": "STATUS", "CNT_WR_ERR": "CNT_WR_ERR",
             "PENDING[1]": "PENDING[1]", "slot[63].CTRL": "slot[63].CTRL"}
    expect = {"ID": int(regs.ID), "CTRL": int(regs.CTRL), "STATUS": int(regs.STATUS),
              "CNT_WR_ERR": int(regs.CNT_WR_ERR), "PENDING[1]": regs.PENDING[1],
              "slot[63].CTRL": regs.slot[63].CTRL}
    src = tmp_path / "probe.c"
    src.write_text('#include <stdio.h>\n#include <stddef.h>\n#include "ims_regs.h"\nint main(void){\n'
                   + "".join(f'printf("{k} %zu\\n", offsetof(ims_top_t, {v}));\n' for k, v in probe.items())
                   + 'printf("FUNC_MASK_bm %u\\n", (unsigned)IMS_TOP__CTRL__FUNC_MASK_bm);\nreturn 0;}\n')
    exe = tmp_path / "probe"
    subprocess.run([cc, "-std=gnu11", "-I", str(tmp_path), str(src), "-o", str(exe)], check=True)
    out = dict(line.rsplit(" ", 1) for line in subprocess.run([str(exe)], capture_output=True, text=True,
                                                              check=True).stdout.splitlines())
    assert {k: int(out[k]) for k in expect} == expect
    assert int(out["FUNC_MASK_bm"]) == regs.CTRL.FUNC_MASK


# ---------------------------------------------------------------- against the RTL
MODULE = "tests.impl.hdl.reg_tests"
DEFAULT_SEED = 1


def _params() -> dict:
    return small_params()


@pytest.mark.parametrize("sim", selected_sims())
def test_register_sequences_on_rtl(sim):
    res = sim_mod.run(MODULE, sim=sim, parameters=_params(), seed=seed_override() or DEFAULT_SEED,
                      run_tag=f"reg_tests-{seed_override() or DEFAULT_SEED}")
    assert res.passed == ["UvmRegisters"], res.summary()


def test_moved_field_fails_on_rtl(tmp_path):
    """The single source is used: with CTRL.FUNC_MASK moved to bit 2 in a copy of the
    description, the same register test fails against the same RTL, naming the field."""
    sim = selected_sims()[-1]
    copy = moved_field_copy(tmp_path)
    res = sim_mod.run(MODULE, sim=sim, parameters=_params(), seed=DEFAULT_SEED, check=False,
                      extra_env={"IMS_REGS_RDL": str(copy)}, run_tag="reg_tests-moved-field")
    assert not res.ok and [n for n, _ in res.failed] == ["UvmRegisters"], res.summary()
    log = (res.test_dir / "sim.log").read_text()
    assert str(copy) in log, "the run did not load the changed description"
    assert re.search(r"BIT_BASH: CTRL @0x10 .*differs in [^)]*FUNC_MASK", log), \
        "the failure does not name CTRL.FUNC_MASK:\n" + "\n".join(log.splitlines()[-40:])


# Description edits that each break what one register rule checks; the RTL stays the same.
RULE_MUTATIONS = {
    "RESET_VALUE: slot[": (r"\bMASK\[0:0\] = 1;", "MASK[0:0] = 0;"),               # slot CTRL reset
    "BYTE_STROBE: slot[": (r"\bDATA\[31:0\] = 0;", "DATA[23:0] = 0;"),             # DATA narrowed
    "W1C_CLEAR: STATUS": (r"onwrite = woclr; hw = w; hwset; desc = \"a trigger was dropped while",
                          "hw = w; hwset; desc = \"a trigger was dropped while"),  # DISABLED_DROP plain RW
    "UNLISTED_READ: unlisted @0x1004": (r"\+ 31\) / 32\]", "+ 63) / 64]"),          # one PENDING word
}


def test_each_register_rule_can_fail(tmp_path):
    """Every rule of the register test reports a wrong description against the same RTL."""
    text = RDL_PATH.read_text()
    for pattern, repl in RULE_MUTATIONS.values():
        assert len(re.findall(pattern, text)) == 1, f"the description changed; update {pattern!r}"
        text = re.sub(pattern, repl, text)
    copy = tmp_path / "ims_rule_mutations.rdl"
    copy.write_text(text)
    sim = selected_sims()[-1]
    res = sim_mod.run(MODULE, sim=sim, parameters=_params(), seed=DEFAULT_SEED, check=False,
                      extra_env={"IMS_REGS_RDL": str(copy)}, run_tag="reg_tests-rule-mutations")
    assert not res.ok, res.summary()
    log = (res.test_dir / "sim.log").read_text()
    missing = [needle for needle in RULE_MUTATIONS if needle not in log]
    assert not missing, f"rules that did not report their mutation: {missing}; see {res.test_dir / 'sim.log'}"
