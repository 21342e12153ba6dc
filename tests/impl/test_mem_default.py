"""MEM_MAX_ENTRIES defaults to the contract's §7 rule (issue 12), everywhere the default is taken.

Contract §7 Parameters: "NUM_SLOTS + MEM_MAX_ENTRIES ≤ 2^IRQ_INDEX_WIDTH and ≤ 32768; default:
the largest power of two ≤ 2048 that keeps both limits, 0 if none, so 2048 for the default
NUM_SLOTS and IRQ_INDEX_WIDTH". models/contract_params.py is the one place the Python side
computes it; rtl/ims_top.v has its own constant function. These tests check the Python rule
against a literal reading of the sentence, the RTL's elaborated default against the Python rule
(Icarus, a few pairs), and that the DUT profile, the runner's checks and the register
description's users follow it.
"""

from __future__ import annotations

import subprocess

import pytest

from imsflow import sim as sim_mod
from models.contract_params import mem_max_entries_default
from models.regs import load as load_regs
from tb import dut_profile

# (NUM_SLOTS, IRQ_INDEX_WIDTH): the contract default, a small table, the 32768 edge (no room),
# 16384 (room for 2048 below 32768), narrow indices that leave 16, 1 or no entries.
PAIRS = [(2048, 16), (64, 16), (32768, 16), (16384, 16), (16, 5), (64, 7), (2, 1), (64, 6), (4096, 13)]


def contract_reading(num_slots: int, irq_index_width: int) -> int:
    """The sentence word by word: of the powers of two ≤ 2048, those keeping both limits; the
    largest of them, 0 if none."""
    keeps = [p for p in (1 << k for k in range(12))
             if num_slots + p <= 2 ** irq_index_width and num_slots + p <= 32768]
    return max(keeps, default=0)


def test_rule_matches_contract_sentence():
    for n in (1 << k for k in range(1, 16)):
        for iw in range(1, 33):
            assert mem_max_entries_default(n, iw) == contract_reading(n, iw), (n, iw)
    assert mem_max_entries_default(2048, 16) == 2048          # "so 2048 for the default ..."


def test_contract_reading_catches_wrong_rules():
    """The reading above separates the rule from near misses (a cap of 4096, a limit of < not ≤,
    ignoring the 32768 bound), so the comparison above can fail."""
    def cap_4096(n, iw):
        return max([p for p in (1 << k for k in range(13)) if n + p <= min(2 ** iw, 32768)], default=0)

    def strict(n, iw):
        return max([p for p in (1 << k for k in range(12)) if n + p < min(2 ** iw, 32768)], default=0)

    def no_32768(n, iw):
        return max([p for p in (1 << k for k in range(12)) if n + p <= 2 ** iw], default=0)

    for wrong in (cap_4096, strict, no_32768):
        assert any(wrong(n, iw) != contract_reading(n, iw) for n, iw in PAIRS + [(1024, 12)]), wrong.__name__


PROBE = """
module mem_default_probe;
    ims_top #(.NUM_SLOTS({n}), .IRQ_INDEX_WIDTH({iw}), .AXIL_ADDR_WIDTH({aw})) dut ();
    initial begin
        $display("MEM_MAX_ENTRIES=%0d", dut.MEM_MAX_ENTRIES);
        $finish;
    end
endmodule
"""


@pytest.mark.parametrize("n,iw", PAIRS, ids=[f"n{n}_iw{iw}" for n, iw in PAIRS])
def test_rtl_default_is_contract_rule(n, iw, tmp_path):
    """ims_top elaborated without MEM_MAX_ENTRIES (Icarus) has the rule's value."""
    aw = max(14, n.bit_length() - 1 + 5)
    probe = tmp_path / "probe.v"
    probe.write_text(PROBE.format(n=n, iw=iw, aw=aw))
    srcs = [str(p) for p in sim_mod.rtl_sources()]
    out = tmp_path / "probe.vvp"
    incs = sorted({f"-I{p.parent}" for p in sim_mod.rtl_sources()})      # `include "ims_defs.vh"
    comp = subprocess.run(["iverilog", "-g2012", "-s", "mem_default_probe", "-o", str(out)] + incs + [str(probe)] + srcs,
                          capture_output=True, text=True)
    assert comp.returncode == 0, comp.stderr
    run = subprocess.run(["vvp", "-n", str(out)], capture_output=True, text=True, timeout=120)
    got = [l for l in run.stdout.splitlines() if l.startswith("MEM_MAX_ENTRIES=")]
    assert got == [f"MEM_MAX_ENTRIES={mem_max_entries_default(n, iw)}"], (
        f"NUM_SLOTS={n} IRQ_INDEX_WIDTH={iw}: rtl/ims_top.v elaborates {got}, contract §7 rule gives "
        f"{mem_max_entries_default(n, iw)}; {run.stdout[-400:]} {run.stderr[-400:]}")


@pytest.mark.parametrize("n,iw", PAIRS, ids=[f"n{n}_iw{iw}" for n, iw in PAIRS])
def test_profile_and_runner_follow_rule(n, iw):
    """The bundled DUT profile's default (what the bench and the register map use) and the
    runner's parameter check take the same value as the RTL for a build that names neither."""
    prof = dut_profile.load(dut_profile.BUNDLED)
    aw = max(14, n.bit_length() - 1 + 5)
    overrides = {"NUM_SLOTS": n, "IRQ_INDEX_WIDTH": iw, "AXIL_ADDR_WIDTH": aw}
    m = mem_max_entries_default(n, iw)
    assert prof.merged(overrides)["MEM_MAX_ENTRIES"] == m
    sim_mod.check_parameters(overrides)                      # the default is always legal
    regs = prof.register_map(overrides)
    assert regs.VERSION.reset == (0x00020000 if m else 0x00010000)   # §7 / §6
    assert regs.PENDING.count == -(-(n + m) // 32)                    # §7 PENDING words
    # an explicit MEM_MAX_ENTRIES wins over the default
    assert prof.merged(dict(overrides, MEM_MAX_ENTRIES=0))["MEM_MAX_ENTRIES"] == 0


def test_rdl_default_follows_rule():
    """regs/ims.rdl compiled with RTL_NUM_SLOTS only (a driver writer running PeakRDL on it) has the
    default build's §7 registers: its RTL_MEM_MAX_ENTRIES default is the rule at IRQ_INDEX_WIDTH 16
    (the description has no index width)."""
    from models.regs import RDL_PATH, _build, compile_rdl

    for n in (2, 64, 2048, 16384, 32768):
        aw = max(16, n.bit_length() - 1 + 5)
        root = compile_rdl(RDL_PATH, {"NUM_SLOTS": n, "AXIL_ADDR_WIDTH": aw})
        m = mem_max_entries_default(n, 16)
        want = load_regs(n, aw, m)
        got = _build(root, {"NUM_SLOTS": n, "AXIL_ADDR_WIDTH": aw, "MEM_MAX_ENTRIES": m}, RDL_PATH)
        assert (got.VERSION.reset, got.PENDING.count, sorted(got.registers)) == \
            (want.VERSION.reset, want.PENDING.count, sorted(want.registers)), n
