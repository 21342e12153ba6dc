"""Unit tests of the regression tooling, no simulator: the Verilator coverage.dat reader and
merger (imsflow/coverage_report.py), the functional coverage model (tb/uvm/coverage.py) and the
regression's verdicts, table, JUnit file and last line (imsflow/regress.py)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from imsflow import coverage_report as cr
from imsflow import regress
from imsflow import sim
from tb.uvm import coverage as fcov

# Points name RTL files under the checkout, wherever it is cloned.
F = str(cr.ROOT / "rtl" / "ims_demo.v")


def key(**fields) -> str:
    """A coverage point key in Verilator's format: \\x01name\\x02value per field."""
    return "".join(f"\x01{k}\x02{v}" for k, v in fields.items())


def toggle(line: int, sig: str, edge: str, inst: str = "ims_top.u") -> str:
    return key(f=F, l=line, n=5, t="toggle", page="v_toggle/ims_demo", o=f"{sig}:{edge}", h=inst)


def linept(line: int, kind: str = "line") -> str:
    return key(f=F, l=line, n=3, t=kind, page=f"v_{kind}/ims_demo", o="block", S=line, h="ims_top.u")


def dat(points: dict[str, int]) -> str:
    return "# SystemC::Coverage-3\n" + "".join(f"C '{k}' {v}\n" for k, v in points.items())


# ------------------------------------------------------------------ coverage.dat
def test_parse_key_fields():
    f = cr.parse_key(toggle(12, "busy", "0->1"))
    assert f["f"] == F and f["l"] == "12" and f["o"] == "busy:0->1" and cr.point_type(f) == "toggle"
    # Without a t field the type comes from the page.
    assert cr.point_type(cr.parse_key(key(f=F, page="v_branch/x"))) == "branch"
    with pytest.raises(ValueError):
        cr.parse_key("\x01fnovalue")


def test_merge_sums_counts_and_summary(tmp_path):
    a = {toggle(10, "busy", "0->1"): 3, toggle(10, "busy", "1->0"): 0, linept(20): 5,
         linept(21, "branch"): 0}
    b = {toggle(10, "busy", "0->1"): 1, toggle(10, "busy", "1->0"): 2, linept(20): 0,
         linept(21, "branch"): 0, linept(30): 1}          # a point only this run has
    pa, pb = tmp_path / "a.dat", tmp_path / "b.dat"
    pa.write_text(dat(a))
    pb.write_text(dat(b))
    counts = cr.merge([pa, pb])
    assert counts[toggle(10, "busy", "0->1")] == 4
    assert counts[toggle(10, "busy", "1->0")] == 2
    assert counts[linept(20)] == 5 and counts[linept(21, "branch")] == 0 and counts[linept(30)] == 1
    cov = cr.summarise(counts)
    assert (cov.toggle.hit, cov.toggle.total) == (2, 2)
    assert (cov.line.hit, cov.line.total) == (2, 3)      # line 20 and 30 hit, branch 21 not
    per_file = cov.files["rtl/ims_demo.v"]
    assert (per_file["line"].hit, per_file["line"].total) == (2, 3)
    assert cov.missed and [m[0] for m in next(iter(cov.missed.values()))] == [21]
    # Only run a: one toggle direction never happened.
    single = cr.summarise(cr.read_dat(pa))
    assert (single.toggle.hit, single.line.hit) == (1, 1)
    # The merged file is readable again and gives the same counts.
    out = tmp_path / "m.dat"
    cr.write_dat(counts, out)
    assert cr.read_dat(out) == counts
    text = cr.format_summary(cov)
    assert "line 2/3 (66.7%)" in text and "toggle 2/2 (100.0%)" in text


def test_least_covered_file_listed_first():
    g = str(cr.ROOT / "rtl" / "ims_other.v")
    counts = {linept(1): 1, key(f=g, l=1, t="line", page="v_line/o", h="x"): 0,
              key(f=g, l=2, t="line", page="v_line/o", h="x"): 1}
    text = cr.format_summary(cr.summarise(counts)).splitlines()
    assert "ims_other.v" in text[2] and "ims_demo.v" in text[3]


def test_unreadable_files_are_refused(tmp_path):
    bad = tmp_path / "bad.dat"
    bad.write_text("hello\n")
    with pytest.raises(ValueError, match="not a Verilator coverage file"):
        cr.read_dat(bad)
    bad.write_text("# SystemC::Coverage-3\nC 'x' notanumber\n")
    with pytest.raises(ValueError, match="unreadable"):
        cr.read_dat(bad)


# ------------------------------------------------------------------ functional coverage
def bins(rep, point):
    return rep["coverpoints"][point]["bins"]


def test_functional_bins_follow_samples():
    c = fcov.ImsCoverage(64)
    c.on_trigger(10, 0, None, "sent", ctrl=1, slot_ctrl=0)
    c.on_trigger(11, 0, 0x101, "sent", ctrl=1, slot_ctrl=0)          # back-to-back, slot 0
    c.on_trigger(12, 0, 0x101, "sent", ctrl=1, slot_ctrl=0)          # run of 3
    c.on_trigger(20, 63, 0x101, "pended", ctrl=1, slot_ctrl=1 | 8 | 0x101 << 12)
    c.on_trigger(21, 32, 0x7, "drop_pasid", ctrl=1, slot_ctrl=8 | 0x101 << 12)
    c.on_trigger(30, 5000, None, "drop_range", ctrl=0, slot_ctrl=None)
    c.on_replay(("unmask",))
    c.on_replay(("func_mask_clear", "enable_set"))
    c.on_ir_fault(0x26)
    c.on_affinity_move(on_old_vector=True)
    c.on_backpressure(aw_stalled=0, aw_valid=10, w_stalled=9, w_valid=10)
    rep = c.report()
    s = bins(rep, "slot_index")
    assert s["0"] == 3 and s["last"] == 1 and s["[32,64)"] == 2 and s["mid"] == 1 and s["1"] == 0
    o = bins(rep, "outcome")
    assert (o["sent"], o["pended"], o["drop_pasid"], o["drop_range"], o["replay"], o["drop_disabled"]) == \
        (3, 1, 1, 1, 2, 0)
    x = bins(rep, "outcome_x_state")
    assert x["sent|mask=0|func=0|en=1"] == 3
    assert x["pended|mask=1|func=0|en=1"] == 1
    assert x["drop_range|mask=na|func=0|en=0"] == 1
    assert x["replay|mask=0|func=0|en=1"] == 2
    assert "sent|mask=1|func=0|en=1" not in x        # impossible by the contract: ignore bin
    assert bins(rep, "back_to_back") == {"2": 0, "3": 1, "4+": 0}
    assert bins(rep, "replay_cause") == {"unmask": 1, "func_mask_clear": 1, "enable_set": 1}
    assert bins(rep, "ir_fault_reason")["0x26"] == 1 and rep["coverpoints"]["ir_fault_reason"]["hit"] == 1
    assert bins(rep, "affinity_move") == {"old_vector_during_move": 1, "new_vector_during_move": 0}
    p = bins(rep, "pasid")
    assert (p["no_pasid_en_absent"], p["no_pasid_en_carried"], p["pasid_en_match"], p["pasid_en_mismatch"]) == \
        (1, 2, 1, 1)
    assert bins(rep, "backpressure.aw")["0%"] == 1 and bins(rep, "backpressure.w")["75-100%"] == 1
    assert rep["overall"]["hit"] == sum(p["hit"] for p in rep["coverpoints"].values())
    assert 0 < rep["overall"]["percent"] < 100


def test_cross_ignores_only_impossible_states():
    # 4 drop_range + 4 drop_disabled + 4 drop_pasid + 3 pended + sent + replay
    c = fcov.ImsCoverage(64)
    assert c.report()["coverpoints"]["outcome_x_state"]["total"] == 17
    assert fcov.legal_state("pended", "0", 1, 1) and not fcov.legal_state("pended", "0", 0, 1)
    assert not fcov.legal_state("drop_disabled", "0", 0, 1)


def test_back_to_back_needs_same_slot_and_next_cycle():
    c = fcov.ImsCoverage(64)
    for cyc, idx in ((1, 3), (2, 4), (4, 4), (5, 4), (6, 4), (7, 4)):   # gap at 3; 4 in a row after
        c.on_trigger(cyc, idx, None, "sent", 1, 0)
    c.on_reset()
    c.on_trigger(8, 4, None, "sent", 1, 0)     # after a reset: a new run
    assert bins(c.report(), "back_to_back") == {"2": 0, "3": 0, "4+": 1}


def test_replay_causes_and_backpressure_buckets():
    assert fcov.replay_causes(0x800C, 0x1, 0x1, 0x1, 0x0) == ("unmask",)
    assert fcov.replay_causes(0x010, 0x3, 0x1, None, None) == ("func_mask_clear",)
    assert fcov.replay_causes(0x010, 0x0, 0x1, None, None) == ("enable_set",)
    assert fcov.replay_causes(0x010, 0x1, 0x3, None, None) == ()
    assert [fcov.backpressure_bin(s, 8) for s in (0, 1, 2, 4, 6, 8)] == \
        ["0%", "1-24%", "25-49%", "50-74%", "75-100%", "75-100%"]
    assert fcov.backpressure_bin(0, 0) is None


def test_reports_merge_by_bin(tmp_path):
    a, b = fcov.ImsCoverage(64), fcov.ImsCoverage(2048)
    a.on_trigger(1, 1, None, "sent", 1, 0)
    b.on_trigger(1, 1, None, "sent", 1, 0)
    b.on_trigger(5, 1500, None, "sent", 1, 0)
    pa = a.write_json(tmp_path, "A")
    pb = b.write_json(tmp_path, "B")
    m = fcov.merge_reports(fcov.load_reports([pa, pb]))
    s = m["coverpoints"]["slot_index"]
    assert s["bins"]["1"] == 2 and s["bins"]["[1024,2048)"] == 1
    assert s["total"] == len(fcov.slot_bins(2048))          # the union of both runs' bins
    assert m["runs"] == 2 and "overall" in fcov.format_summary(m)


def test_scoreboard_samples_the_model_judgement():
    """Through the scoreboard: a masked slot's trigger pends, the unmask replays it."""
    from models.ims_device import ImsDevice
    from tb.uvm.scoreboard import ImsScoreboard
    sb = ImsScoreboard(64, platform=None)
    sb.coverage = cov = fcov.ImsCoverage(64)
    tb = 1 << 15
    dut = ImsDevice(num_slots=64)
    cyc = 0
    for off, val in ((tb + 0, 0x1000), (tb + 8, 0x55), (0x010, 1)):
        cyc += 1
        sb.reg_write_request(cyc, off, val)
        sb.reg_write_response(cyc + 1, dut.write(off, val))
    assert dut.trigger(0).outcome.name == "PENDED"            # masked at reset: pends
    sb.trigger(10, 0, None)
    sb.reg_write_request(20, tb + 0xC, 0)
    sb.reg_write_response(21, dut.write(tb + 0xC, 0))        # unmask: replay owed
    (m,) = dut.take_replays()
    sb.message(25, m.addr, m.data)
    assert not sb.mismatches
    rep = cov.report()
    assert bins(rep, "outcome")["pended"] == 1 and bins(rep, "outcome")["replay"] == 1
    assert bins(rep, "replay_cause")["unmask"] == 1
    assert bins(rep, "outcome_x_state")["pended|mask=1|func=0|en=1"] == 1


# ------------------------------------------------------------------ regress reporting
def fake_result(tmp_path: Path, name: str, passed: list[str], failed: list[tuple[str, str]],
                line: dict | None) -> sim.SimResult:
    d = tmp_path / name
    d.mkdir()
    if line is not None:
        (d / "uvm_results.jsonl").write_text(json.dumps(line) + "\n")
    return sim.SimResult(results_xml=d / "results.xml", test_dir=d, sim="verilator",
                         passed=passed, failed=failed)


def test_verdicts_table_junit_and_last_line(tmp_path):
    ok = regress.Case("UvmSmoke", 1, {"NUM_SLOTS": 64}, regress.UVM_MODULE)
    bad_line = regress.Case("UvmMaskStorm", 2, {"NUM_SLOTS": 64}, regress.UVM_MODULE)
    no_line = regress.Case("UvmScale", 3, {"NUM_SLOTS": 2048}, regress.UVM_MODULE)
    directed = regress.Case("ims_directed", 1, {"NUM_SLOTS": 64}, regress.DIRECTED_MODULE)
    outs = [
        regress.judge(ok, fake_result(tmp_path, "a", ["UvmSmoke"], [],
                                      {"result": "pass", "messages_checked": 104, "sim_time_ns": 5860.0}), 1.25),
        # The simulator says pass but the results line says fail: the run failed.
        regress.judge(bad_line, fake_result(tmp_path, "b", ["UvmMaskStorm"], [],
                                            {"result": "fail", "messages_checked": 900, "sim_time_ns": 1.0}), 2.0),
        regress.judge(no_line, fake_result(tmp_path, "c", ["UvmScale"], [], None), 3.0),
        regress.judge(directed, fake_result(tmp_path, "d", ["reg_identity/traffic=free"],
                                            [("drop_pasid/traffic=free", "assert 1 == 2")], None), 4.0),
    ]
    assert [o.passed for o in outs] == [True, False, False, False]
    assert outs[0].messages == 104 and outs[1].messages == 900
    assert regress.final_line(outs) == "regress: 1 passed, 3 failed, 1004 messages checked"
    table = regress.results_table(outs)
    assert table.splitlines()[0].split() == ["test", "seed", "result", "messages", "sim", "time", "wall"]
    row = next(r for r in table.splitlines() if r.startswith("UvmSmoke"))
    assert row.split() == ["UvmSmoke", "1", "PASS", "104", "5.9", "us", "1.2", "s"]
    fails = regress.failure_report(outs, "verilator")
    assert "make waves TEST=UvmMaskStorm SEED=2 SIM=verilator NUM_SLOTS=64" in fails
    assert "make waves TEST=drop_pasid/traffic=free SEED=1 SIM=verilator NUM_SLOTS=64" in fails
    assert "UvmSmoke" not in fails
    junit = tmp_path / "junit.xml"
    regress.write_junit(outs, junit, "verilator")
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite.get("tests") == "4" and suite.get("failures") == "3"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert cases["UvmSmoke[seed=1]"].find("failure") is None
    assert "make waves TEST=UvmScale SEED=3" in cases["UvmScale[seed=3]"].find("failure").text
    assert regress.progress_line(1, 40, outs[0]) == "[ 1/40] UvmSmoke seed 1: PASS 104 msgs 1.2 s"


def test_plan_seeds_and_parameters():
    cases, skipped = regress.plan(2, 5, {})
    names = {c.test for c in cases}
    assert {"UvmScale", "UvmSmoke", "ims_directed"} <= names
    assert {c.seed for c in cases} == {5, 6}
    assert next(c for c in cases if c.test == "UvmScale").params == {"NUM_SLOTS": 2048}
    assert next(c for c in cases if c.test == "UvmSmoke").params == {"NUM_SLOTS": 64}
    cases, skipped = regress.plan(1, 1, {"NUM_SLOTS": 128})
    assert "UvmScale" not in {c.test for c in cases} and skipped
    assert all(c.params == {"NUM_SLOTS": 128} for c in cases)


# ------------------------------------------------------------------ failures, shards, progress
SB_LOG = """\
   806.00ns ERROR    uvm_test_top.env.scoreboard  [UNEXPLAINED_WRITE] cycle 806, slot 5, Linux irq 29: write 0xfee000b8 <- 0x0 explained by no trigger
   900.00ns ERROR    uvm_test_top.env.scoreboard  [COUNTER_MISMATCH] cycle 950: CNT_SENT RTL 12 model 11
   901.00ns INFO     something else
   806.00ns ERROR    again [UNEXPLAINED_WRITE] cycle 806, slot 5, Linux irq 29: write 0xfee000b8 <- 0x0 explained by no trigger
"""


def test_parse_mismatches_keeps_rule_slot_cycle_irq_once():
    mm = regress.parse_mismatches(SB_LOG, ["CNT_SENT 0x3 != 0x4 [counter_wrap/traffic=free: slot 9, cycle 77, "
                                           "sim time 770 ns, seed 1, NUM_SLOTS=64, icarus; reproduce ...]"])
    assert [m["rule"] for m in mm] == ["UNEXPLAINED_WRITE", "COUNTER_MISMATCH", "counter_wrap/traffic=free"]
    assert (mm[0]["cycle"], mm[0]["slot"], mm[0]["irq"]) == (806, 5, 29)
    assert (mm[1]["slot"], mm[1]["irq"]) == (None, None) and mm[1]["text"] == "CNT_SENT RTL 12 model 11"
    assert (mm[2]["cycle"], mm[2]["slot"], mm[2]["text"]) == (77, 9, "CNT_SENT 0x3 != 0x4")
    assert regress.format_mismatch(mm[0]) == \
        "[UNEXPLAINED_WRITE] cycle 806, slot 5, Linux irq 29: write 0xfee000b8 <- 0x0 explained by no trigger"
    assert regress.parse_mismatches("no failure here") == []


def test_shards_partition_the_plan_deterministically():
    cases, _ = regress.plan(3, 1, {})
    shards = [regress.shard_cases(cases, (i, 4)) for i in range(1, 5)]
    ids = [c.run_id for s in shards for c in s]
    assert sorted(ids) == sorted(c.run_id for c in cases) and len(set(ids)) == len(cases)
    assert [c.run_id for c in regress.shard_cases(regress.plan(3, 1, {})[0], (2, 4))] == [c.run_id for c in shards[1]]
    assert regress.parse_shard("2/4") == (2, 4) and regress.parse_shard(None) is None
    for bad in ("0/4", "5/4", "x", "1/0"):
        with pytest.raises(SystemExit):
            regress.parse_shard(bad)


def test_defaults_line_names_seeds_simulator_and_slots():
    cases, _ = regress.plan(2, 1, {})
    line = regress.defaults_line(cases, "verilator", 2, 1, "local Dask cluster of 2 workers", 900, True, None,
                                 len(cases))
    assert line.startswith(f"regress: {len(cases)} runs on verilator, seeds 1..2 (2 per test)")
    assert "NUM_SLOTS=2048: 1 test (UvmScale)" in line and "NUM_SLOTS=64:" in line
    assert "local Dask cluster of 2 workers" in line and "900 s per run" in line


def test_repro_of_a_timeout_and_of_the_whole_directed_module():
    c = regress.Case("UvmSmoke", 3, {"NUM_SLOTS": 64}, regress.UVM_MODULE)
    o = regress.outcome_of(c, {"status": "timeout", "detail": "killed after the 5 s time limit", "sim": "icarus"})
    assert not o.passed and o.verdict == "TIMEOUT"
    assert o.detail.endswith("reproduce: make waves TEST=UvmSmoke SEED=3 SIM=icarus NUM_SLOTS=64")
    d = regress.Case("ims_directed", 2, {"NUM_SLOTS": 64}, regress.DIRECTED_MODULE)
    assert regress.repro(d, "verilator") == (".venv/bin/python -m imsflow.sim --module tests.impl.hdl.ims_directed "
                                             "--sim verilator --param NUM_SLOTS=64 --seed 2 --waves")


class _Tty:
    def __init__(self, tty: bool) -> None:
        self.buf, self._tty = [], tty

    def isatty(self) -> bool:
        return self._tty

    def write(self, s: str) -> None:
        self.buf.append(s)

    def flush(self) -> None:
        pass


def test_progress_bar_on_a_terminal_and_lines_otherwise():
    c = regress.Case("UvmSmoke", 1, {"NUM_SLOTS": 64}, regress.UVM_MODULE)
    ok = regress.Outcome(c, passed=True, messages=5, wall_s=1.0)
    bad = regress.Outcome(c, passed=False, messages=5, wall_s=1.0, status="fail")
    tty = _Tty(True)
    p = regress.Progress(4, stream=tty)
    p.t0 -= 10.0                                   # 10 s elapsed after 2 of 4 runs: ~10 s left
    p.update(ok)
    p.update(bad)
    out = "".join(tty.buf)
    assert "[FAIL" not in out and "UvmSmoke seed 1: FAIL" in out          # the failure stays visible
    bar = p.bar(now=p.t0 + 10.0)
    assert bar.startswith("[" + "#" * 15 + "." * 15 + "] 2/4 runs, 1 failed, 00:10 elapsed, ~00:10 left"), bar
    plain = _Tty(False)
    q = regress.Progress(40, stream=plain)
    q.update(ok)
    assert plain.buf == ["[ 1/40] UvmSmoke seed 1: PASS 5 msgs 1.0 s\n"]


# ------------------------------------------------------------------ waveform window
VCD = """$timescale 1ps $end
$scope module TOP $end
$var wire 1 ! clk $end
$var wire 1 " m_axi_awvalid $end
$var wire 8 # s_irq_index $end
$upscope $end
$scope module TOP $end
$scope module inner $end
$var wire 1 $ m_axi_awvalid $end
$upscope $end
$upscope $end
$enddefinitions $end
#0
$dumpvars
0!
0"
b0 #
1$
$end
"""


def make_vcd(path: Path, edges: int = 12) -> Path:
    """clk period 10; m_axi_awvalid rises after edge 5 and falls after edge 6; s_irq_index
    = edge number after each edge; the deeper scope's same-named signal is ignored."""
    text = [VCD]
    for k in range(1, edges + 1):
        t = 10 * k
        text.append(f"#{t}\n1!\n" + ("1\"\n" if k == 5 else "0\"\n" if k == 6 else "") + f"b{k:b} #\n0$\n")
        text.append(f"#{t + 5}\n0!\n")
    path.write_text("".join(text))
    return path


def test_vcd_window_samples_what_each_edge_sees(tmp_path):
    from imsflow import vcd_wavedrom as vw
    p = make_vcd(tmp_path / "d.vcd")
    w = vw.read_window(p, 6, before=2, after=2)
    assert w.cycles == [4, 5, 6, 7, 8]
    # edge N samples the value set after edge N-1: awvalid is 1 only at edge 6; index = N-1
    assert w.values["m_axi_awvalid"] == ["0", "0", "1", "0", "0"]
    assert w.values["s_irq_index"] == ["3", "4", "5", "6", "7"]
    doc = vw.to_wavedrom(w, mark=6, title="t")
    assert doc["signal"][0] == {"name": "cycle 6", "wave": "0.10."}
    trig = next(g for g in doc["signal"] if isinstance(g, list) and g[0] == "trigger")
    assert trig[1] == {"name": "s_irq_index", "wave": "=====", "data": ["0x3", "0x4", "0x5", "0x6", "0x7"]}
    mem = next(g for g in doc["signal"] if isinstance(g, list) and g[0] == "memory write")
    assert mem[1] == {"name": "m_axi_awvalid", "wave": "0.10."}
    assert doc["head"]["tick"] == 4
    svg = vw.render_svg(doc)
    assert svg.startswith("<svg") and "m_axi_awvalid" in svg and "cycle 6" in svg
    with pytest.raises(vw.WaveError, match="not in the dump"):
        vw.read_window(p, 100)
    # a clock driven to 1 at time 0 (from x) is edge 1, as cocotb's RisingEdge counts it
    q = tmp_path / "hi.vcd"
    q.write_text(p.read_text().replace("$dumpvars\n0!", "$dumpvars\n1!")
                 .replace("#10\n1!", "#4\n0!\n#10\n1!"))
    w2 = vw.read_window(q, 6, before=2, after=2)
    assert w2.values["s_irq_index"] == ["2", "3", "4", "5", "6"]            # one edge earlier in time
    fst = tmp_path / "x.fst"
    fst.write_bytes(b"\x00\x01binary")
    with pytest.raises(vw.WaveError, match="not a VCD"):
        vw.read_window(fst, 3)


# ------------------------------------------------------------------ shard merge and report
def _shard(tmp_path: Path, i: int, n: int, cases, fail_seed: int | None, points: dict[str, int]) -> Path:
    from imsflow import regress_report
    d = tmp_path / f"shard-{i}-of-{n}"
    d.mkdir()
    outs = []
    for c in regress.shard_cases(cases, (i, n)):
        bad = c.seed == fail_seed
        outs.append(regress.Outcome(c, passed=not bad, messages=10, wall_s=2.0, status="fail" if bad else "pass",
                                    detail="boom" if bad else "",
                                    mismatches=[{"rule": "LOST_MESSAGE", "cycle": 5, "slot": 1, "irq": 9,
                                                 "text": "never came"}] if bad else []))
    regress.write_junit(outs, d / "junit.xml", "verilator")
    cov = fcov.ImsCoverage(64)
    cov.on_trigger(1, i - 1, None, "sent", 1, 0)          # slot 0 in shard 1, slot 1 in shard 2
    (d / "functional_coverage.json").write_text(json.dumps({**cov.report(), "runs": len(outs)}))
    (d / "coverage.dat").write_text(dat(points))
    regress_report.write_results(d, {"sim": "verilator", "seeds": 2, "seed_base": 1, "shard": [i, n],
                                     "planned": len(outs), "defaults": f"shard {i}", "where": "local",
                                     "interrupted": False, "not_run": [], "duplicates": 0, "wall_s": 3.0}, outs)
    return d


def test_merge_of_shards_junit_coverage_report(tmp_path):
    from imsflow import regress_report
    cases, _ = regress.plan(2, 1, {}, ["UvmSmoke", "UvmMaskStorm"], False)
    a = _shard(tmp_path, 1, 2, cases, None, {linept(20): 1, linept(21): 0})
    b = _shard(tmp_path, 2, 2, cases, 2, {linept(20): 0, linept(21): 3})
    out = tmp_path / "merged"
    report, problems = regress_report.merge([a, b], out)
    assert problems == []
    doc = json.loads((out / "results.json").read_text())
    assert sorted(o["run_id"] for o in doc["outcomes"]) == sorted(c.run_id for c in cases)
    suites = ET.parse(out / "junit.xml").getroot().findall("testsuite")
    assert len(suites) == 2 and sum(int(s.get("tests")) for s in suites) == 4
    assert sum(int(s.get("failures")) for s in suites) == 2           # seed 2 of both tests (shard 2)
    counts = cr.read_dat(out / "coverage.dat")
    assert counts[linept(20)] == 1 and counts[linept(21)] == 3            # summed across shards
    merged = json.loads((out / "functional_coverage.json").read_text())
    assert merged["runs"] == 4 and merged["coverpoints"]["slot_index"]["bins"]["0"] == 1
    assert merged["coverpoints"]["slot_index"]["bins"]["1"] == 1
    html = report.read_text()
    # failures first in the table, the failure block with its mismatch and repro
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr ")[1:]
    assert [r.split("'")[1] for r in rows] == ["FAIL", "FAIL", "PASS", "PASS"]
    assert "LOST_MESSAGE" in html and "make waves TEST=UvmSmoke SEED=2 SIM=verilator NUM_SLOTS=64" in html
    assert "make waves TEST=UvmMaskStorm SEED=2 SIM=verilator NUM_SLOTS=64" in html
    assert "rtl/ims_demo.v" in html                                    # code coverage per RTL file
    # a missing shard is named and the merge is not clean
    _, problems = regress_report.merge([a], tmp_path / "half")
    assert problems == ["missing shard(s) 2/2: the merge is incomplete"]


# ------------------------------------------------------------------ make sim's verdict, test list
def test_main_sim_end_verdict_is_what_the_scoreboard_compared():
    from imsflow import main_sim
    ok = {"stats": {"end_checked": True, "counter_mismatches": [], "pending_mismatches": 0}}
    assert main_sim.end_verdict(ok) == "counters and pending bits match the model"
    bad = {"stats": {"end_checked": True, "counter_mismatches": ["CNT_SENT"], "pending_mismatches": 2}}
    assert main_sim.end_verdict(bad) == "counter CNT_SENT differ from the model; 2 pending bits differ from the model"
    assert "NOT compared" in main_sim.end_verdict({"stats": {}})
    assert main_sim.repro("UvmMaskStorm", 7, "icarus", {"NUM_SLOTS": 2048}) == \
        "make waves TEST=UvmMaskStorm SEED=7 SIM=icarus NUM_SLOTS=2048"


def test_scoreboard_records_the_counter_verdict():
    """The scoreboard's end check fills Stats from the same comparison it reports."""
    from models.ims_device import ImsDevice
    from models.regmap import COUNTERS
    from tb.uvm.scoreboard import ImsScoreboard
    sb = ImsScoreboard(64, platform=None)
    dev = ImsDevice(num_slots=64)
    counters = {name: dev.read(off)[0] for name, off in COUNTERS.items()}
    sb.final_check(100, dict(counters), [0, 0])
    assert sb.stats.end_checked and sb.stats.counter_mismatches == [] and not sb.mismatches
    sb2 = ImsScoreboard(64, platform=None)
    wrong = dict(counters, CNT_SENT=counters["CNT_SENT"] + 1)
    sb2.final_check(100, wrong, [0, 1 << 3])
    assert sb2.stats.counter_mismatches == ["CNT_SENT"] and sb2.stats.pending_mismatches == 1
    assert {m.kind for m in sb2.mismatches} == {"COUNTER_MISMATCH", "PENDING_MISMATCH"}


def test_list_tests_names_every_runnable_test():
    from tests.impl import test_uvm
    from imsflow import waves
    names = [n for _, n, _ in waves.list_tests()]
    assert set(test_uvm.ALL_TESTS) <= set(names)
    assert "drop_pasid/traffic=free" in names and "drop_pasid/traffic=throttled" in names
    assert "generic_registers" in names and "generic_send_in_order/traffic=throttled" in names
    for n in names:
        assert waves.find_test_module(n) in ("tests.impl.hdl.uvm_tests", "tests.impl.hdl.ims_directed",
                                             "tests.generic.hdl.generic_suite")
    assert waves.find_test_module("generic_registers") == "tests.generic.hdl.generic_suite"
