"""pyuvm end-to-end tests of the IMS block (run by tests/impl/test_uvm.py; see tests/testplan.md).

Every test: reset + configure through the Linux model (ImsBaseSequence), a test-specific
traffic sequence, drain, then the RTL's CNT_* and PENDING words against the model. The
scoreboard (tb/uvm/scoreboard.py) judges every trigger and every write as it happens.

Seeds come from cocotb (COCOTB_RANDOM_SEED / --seed); a failure prints
`make waves TEST=<test> SEED=<seed> SIM=<sim>` and the equivalent `python -m imsflow.sim` line.
Each test appends one JSON line to uvm_results.jsonl in its run directory.

The Uvm*Injected tests prove the scoreboard can fail: they inject a wrong behaviour on the
monitor or model side and pass only if the scoreboard reports that specific mismatch kind.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import cocotb
import pyuvm
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, Timer
from cocotb.utils import get_sim_time
from pyuvm import ConfigDB, uvm_test

from tb.transactions import MessageTxn
from tb.uvm.config import EnvConfig
from tb.uvm.env import ImsEnv
from tb.uvm import mem_sequences as mem_seqs
from tb.uvm import sequences as seqs

# During test collection cocotb.RANDOM_SEED is the regression seed (COCOTB_RANDOM_SEED, or the
# one cocotb picked); inside a test it is that test's derived seed. Keep the reproducible one.
REGRESSION_SEED = int(cocotb.RANDOM_SEED)


class ImsUvmTest(uvm_test):
    """Base test: builds the env from knobs, runs `sequence`, checks, writes the JSON line."""

    sequence = seqs.ImsBaseSequence
    knobs: dict = {}
    seq_knobs: dict = {}
    expect_kinds: set[str] = set()   # injected-fault tests: the scoreboard must report one of these
    min_slots = 2

    def build_phase(self):
        dut = cocotb.top
        self.cfg = EnvConfig.from_dut(dut, type(self).__name__, REGRESSION_SEED, **self.knobs)
        ConfigDB().set(None, "*", "cfg", self.cfg)
        ConfigDB().set(None, "*", "dut", dut)
        self.env = ImsEnv.create("env", self)

    def inject(self, seq) -> None:
        """Injected-fault tests override this (the sequence's post_config hook calls it)."""

    async def run_phase(self):
        self.raise_objection()
        cfg = self.cfg
        assert cfg.num_slots >= self.min_slots, (
            f"{cfg.test} needs NUM_SLOTS >= {self.min_slots}, run has {cfg.num_slots}")
        self.logger.info(f"{cfg.test}: seed {cfg.seed}, {cfg.sim}, NUM_SLOTS={cfg.num_slots}, "
                         f"{'lean' if cfg.lean else 'cocotbext-axi'} memory agent; reproduce: {cfg.repro()}")
        Clock(cocotb.top.clk, 10, unit="ns").start()
        self.wall0 = time.perf_counter()
        seq = self.sequence("seq", self.env, **self.seq_knobs)
        seq.add_hook("post_config", self.inject)
        await seq.start()     # a virtual sequence: it starts item sequences on the agents' sequencers
        self.wall = time.perf_counter() - self.wall0
        self.drop_objection()

    def check_phase(self):
        sb = self.env.sb
        wall = getattr(self, "wall", time.perf_counter() - self.wall0)
        msgs = sb.stats.messages
        tmsgs, twall = getattr(self.env, "traffic_rate", (0, 0.0))
        rate = tmsgs / twall if twall else 0.0
        tcpu = getattr(self.env, "traffic_cpu_s", 0.0)
        cpu_rate = tmsgs / tcpu if tcpu else 0.0
        self.logger.info(f"{self.cfg.test}: {sb.summary()}; {msgs} messages in {wall:.1f} s wall; "
                         f"traffic phase {tmsgs} messages in {twall:.2f} s = {rate:.0f} checked msg/s wall, "
                         f"{tcpu:.2f} CPU s = {cpu_rate:.0f} checked msg per CPU second")
        # Functional coverage of this test, next to its results line (make regress merges them).
        self.env.scoreboard.coverage.write_json(
            Path.cwd(), self.cfg.test, {"seed": self.cfg.seed, "sim": self.cfg.sim,
                                        "injected": bool(self.expect_kinds)})
        kinds = {m.kind for m in sb.mismatches}
        if self.expect_kinds:
            ok = bool(kinds & self.expect_kinds)
            self.cfg.write_result("pass" if ok else "fail", msgs, get_sim_time("ns"), wall,
                                  {"expected_kinds": sorted(self.expect_kinds), "reported": sorted(kinds)})
            assert ok, (f"{self.cfg.test}: injected fault not reported: expected one of "
                        f"{sorted(self.expect_kinds)}, scoreboard reported {sorted(kinds) or 'nothing'}; "
                        f"reproduce: {self.cfg.repro()}")
            return
        self.cfg.write_result("fail" if sb.mismatches else "pass", msgs, get_sim_time("ns"), wall,
                              {"stats": vars(sb.stats), "traffic_msgs_per_s": round(rate, 1),
                               "traffic_msgs_per_cpu_s": round(cpu_rate, 1)})
        sb.raise_if_failed(f"{self.cfg.test} (seed {self.cfg.seed}, {self.cfg.sim}): "
                           f"{len(sb.mismatches)} scoreboard mismatch(es)")
        assert sb.stats.messages > 0, f"{self.cfg.test}: no message was checked"


# ------------------------------------------------------------------------------- positive
@pyuvm.test()
class UvmSmoke(ImsUvmTest):
    sequence = seqs.SmokeSequence


@pyuvm.test()
class UvmRandomTraffic(ImsUvmTest):
    sequence = seqs.RandomTrafficSequence
    knobs = dict(aw_ready_pattern=[1, 1, 0, 1, 0, 0, 1], w_ready_pattern=[1, 0, 1, 1, 1, 0])


@pyuvm.test()
class UvmMaskStorm(ImsUvmTest):
    sequence = seqs.MaskStormSequence


@pyuvm.test()
class UvmFuncMaskStorm(ImsUvmTest):
    sequence = seqs.FuncMaskStormSequence


@pyuvm.test()
class UvmStateSweep(ImsUvmTest):
    sequence = seqs.StateSweepSequence
    # Heavy W stall (ready 1 cycle in 7) with a light AW stall: messages queue behind W.
    knobs = dict(aw_ready_pattern=[1, 1, 0], w_ready_pattern=[0, 0, 0, 0, 0, 0, 1])


@pyuvm.test()
class UvmAllocChurn(ImsUvmTest):
    sequence = seqs.AllocChurnSequence


@pyuvm.test()
class UvmAffinityChurn(ImsUvmTest):
    sequence = seqs.AffinityChurnSequence


@pyuvm.test()
class UvmAffinityInFlight(ImsUvmTest):
    sequence = seqs.AffinityInFlightSequence
    knobs = dict(auto_ack=False)


@pyuvm.test()
class UvmPasidAttack(ImsUvmTest):
    sequence = seqs.PasidAttackSequence


@pyuvm.test()
class UvmIrFaults(ImsUvmTest):
    sequence = seqs.IrFaultSequence
    knobs = dict(posted_supported=True)     # the posted-descriptor faults need posting support


@pyuvm.test()
class UvmBackpressureErrors(ImsUvmTest):
    sequence = seqs.BackpressureErrorSequence
    # AW ready 2 cycles in 12 (the heavy-AW-stall bin, 75-100 %), W 2 in 7: messages queue behind AW.
    knobs = dict(aw_ready_pattern=[0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0], w_ready_pattern=[0, 1, 0, 0, 0, 1, 0],
                 bresp_error_rate=0.2)


@pyuvm.test()
class UvmResetMidTraffic(ImsUvmTest):
    sequence = seqs.ResetMidTrafficSequence


@pyuvm.test()
class UvmGuestPosted(ImsUvmTest):
    sequence = seqs.GuestPostedSequence
    knobs = dict(posted_supported=True)


@pyuvm.test()
class UvmScale(ImsUvmTest):
    sequence = seqs.ScaleSequence
    min_slots = 512
    # One vector per slot: 16 CPUs x 204 allocatable vectors cover 2048 slots with margin for
    # the random single-CPU affinities.
    knobs = dict(num_cpus=16)


@pyuvm.test()
class UvmLeanStream(ImsUvmTest):
    """High-rate path: lean memory agent, back-to-back triggers, light backpressure + errors."""
    sequence = seqs.LeanStreamSequence
    knobs = dict(lean=True, aw_ready_pattern=[1] * 15 + [0], w_ready_pattern=[1] * 11 + [0],
                 bresp_error_rate=0.01)


@pyuvm.test()
class UvmLeanBackpressure(ImsUvmTest):
    """Lean agent with heavy backpressure and errors, mask storm on top."""
    sequence = seqs.MaskStormSequence
    knobs = dict(lean=True, aw_ready_pattern=[1, 0, 0, 1, 0], w_ready_pattern=[0, 1, 1, 0, 0, 0],
                 bresp_error_rate=0.1)


# -------------------------------------------------- memory-resident entries (contract §7)
# Built with MEM_MAX_ENTRIES > 0 (tests/impl/test_uvm.py: NUM_SLOTS=64, MEM_MAX_ENTRIES=64).
class MemUvmTest(ImsUvmTest):
    def check_phase(self):
        super().check_phase()
        seq_exercised = getattr(self, "exercised", None)
        self.logger.info(f"{self.cfg.test}: exercised {seq_exercised}")

    async def run_phase(self):
        self.raise_objection()
        try:
            await self._run_mem()
        finally:
            self.drop_objection()

    async def _run_mem(self):
        cfg = self.cfg
        assert cfg.mem_max_entries > 0, (f"{cfg.test} needs a build with MEM_MAX_ENTRIES > 0 "
                                         f"(IMS_PARAMS={cfg.params}); reproduce: {cfg.repro()}")
        self.logger.info(f"{cfg.test}: seed {cfg.seed}, {cfg.sim}, NUM_SLOTS={cfg.num_slots}, "
                         f"MEM_MAX_ENTRIES={cfg.mem_max_entries}, fetch latency {cfg.fetch_latency}; "
                         f"reproduce: {cfg.repro()}")
        # rst settles before the first edge: the read target's cocotbext-axi channels sample
        # the (still unreset, X under Icarus) read-master outputs at every edge out of reset
        cocotb.top.rst.value = 1
        await Timer(1, unit="ns")
        Clock(cocotb.top.clk, 10, unit="ns").start()
        self.wall0 = time.perf_counter()
        seq = self.sequence("seq", self.env, **self.seq_knobs)
        seq.add_hook("post_config", self.inject)
        if not self.expect_kinds:
            await seq.start()
            self.exercised = dict(seq.exercised)
        else:
            # A planted bug: once the scoreboard has said what it must, the rest of the run
            # (a diverged history) only costs time.
            task = cocotb.start_soon(seq.start())
            sb = self.env.sb
            while not task.done() and not ({m.kind for m in sb.mismatches} & self.expect_kinds):
                await ClockCycles(cocotb.top.clk, 64)
            if not task.done():
                task.cancel()
            self.exercised = dict(getattr(seq, "exercised", {}))
        self.wall = time.perf_counter() - self.wall0


@pyuvm.test()
class UvmMemMixed(MemUvmTest):
    """Slots and entries mixed, read latency 6, AR and R pauses, write-side stalls."""
    sequence = mem_seqs.MemMixedSequence
    knobs = dict(fetch_latency=6, ar_pause=[0, 1, 1, 0, 0], r_pause=[0, 0, 1, 0, 1, 0, 0],
                 aw_ready_pattern=[1, 1, 0, 1], w_ready_pattern=[1, 0, 1, 1, 1])


@pyuvm.test()
class UvmMemChurn(MemUvmTest):
    """Entry churn with invalidations (mask/unmask, free/realloc) under traffic."""
    sequence = mem_seqs.MemChurnSequence
    knobs = dict(fetch_latency=3, r_pause=[0, 0, 0, 1])


@pyuvm.test()
class UvmMemFetchErrors(MemUvmTest):
    """Per-entry failing memory and per-fetch injected RRESP errors."""
    sequence = mem_seqs.MemFetchErrorSequence
    knobs = dict(fetch_latency=4, fetch_error_rate=0.05, ar_pause=[0, 0, 1])


@pyuvm.test()
class UvmMemFuncMaskStorm(MemUvmTest):
    """FUNC_MASK storm with entries pending: re-examination by fetch at every clear."""
    sequence = mem_seqs.MemFuncMaskStormSequence
    knobs = dict(fetch_latency=5)


@pyuvm.test()
class UvmMemMutantCaught(MemUvmTest):
    """Run on an RTL with a planted §7 bug (tests/impl/test_uvm.py builds it from
    imsflow/mutants.py MEM_MUTANTS): passes only if the scoreboard reports one of the kinds
    that bug must produce (IMS_UVM_EXPECT_KINDS, set by the pytest wrapper per mutant)."""
    sequence = mem_seqs.MemFetchErrorSequence
    knobs = dict(fetch_latency=4)
    expect_kinds = set(filter(None, os.environ.get("IMS_UVM_EXPECT_KINDS", "NONE_GIVEN").split(",")))


# -------------------------------------------------------------------- injected faults
class InjectedTest(ImsUvmTest):
    """Passes only if the scoreboard reports the injected wrong behaviour."""
    sequence = seqs.RandomTrafficSequence
    seq_knobs = dict(total=300)

    def nth_message_tap(self, n: int, fn):
        count = [0]

        def tap(e):
            if type(e) is not MessageTxn:
                return e
            count[0] += 1
            return fn(e) if count[0] == n else e
        return tap


@pyuvm.test()
class UvmInjectedDroppedWrite(InjectedTest):
    expect_kinds = {"MISSING_MESSAGE", "LOST_MESSAGE"}

    def inject(self, seq):
        # The monitor "loses" the 20th message: the DUT looks as if it never sent it.
        self.env.scoreboard.tap = self.nth_message_tap(20, lambda e: None)


@pyuvm.test()
class UvmInjectedCorruptData(InjectedTest):
    expect_kinds = {"CORRUPTED_MESSAGE"}

    def inject(self, seq):
        self.env.scoreboard.tap = self.nth_message_tap(20, lambda e: replace(e, data=e.data ^ 0x1))


@pyuvm.test()
class UvmInjectedMaskedSlotWrite(InjectedTest):
    """The model believes a slot is masked that the RTL has unmasked: the RTL's writes for it
    must be reported as writes for a masked slot."""
    expect_kinds = {"UNEXPLAINED_WRITE"}

    def inject(self, seq):
        h = next(iter(seq.irqs.values()))
        sb = self.env.sb
        off = seq.slot_ctrl(h.slot)
        value = sb.model.slot(h.slot)[3] | 1
        sb.reg_write_request(0, off, value, 0xF)
        sb.reg_write_response(0, 0)


@pyuvm.test()
class UvmInjectedWrongVector(InjectedTest):
    """The platform's IRTE for one slot gets another vector: deliveries must be flagged."""
    expect_kinds = {"WRONG_DELIVERY"}

    def inject(self, seq):
        h = next(iter(seq.irqs.values()))
        plat = seq.platform
        ir = plat.ir_domain
        ir.patch_irte(plat.irq_info(h.irq).irte_index, lambda raw: raw ^ (0x5A << 16))


@pyuvm.test()
class UvmInjectedRhIgnored(InjectedTest):
    """The platform ignores RH (every matched CPU takes a logical RH = 1 message): the RH phase
    of the affinity churn must be reported (platform-models.md section 6)."""
    sequence = seqs.AffinityChurnSequence
    seq_knobs = dict(total=200)
    expect_kinds = {"MULTIPLE_DELIVERY"}

    def inject(self, seq):
        bus = seq.platform.bus
        deliver = bus.deliver
        bus.deliver = lambda *a, **kw: deliver(*a[:5])     # redirection_hint dropped


@pyuvm.test()
class UvmInjectedReservationMode(InjectedTest):
    """The platform treats IMS irqs as reservation mode (the MSI-X behaviour): free_irq gives
    the vector back, so request_irq does not get the same (CPU, vector); the churn's
    free_irq/request_irq check must say so (platform-models.md section 6)."""
    sequence = seqs.AllocChurnSequence
    seq_knobs = dict(churn=3)
    expect_kinds = {"VECTOR_NOT_KEPT"}

    def inject(self, seq):
        vd = seq.platform.vector_domain
        deactivate = vd.deactivate

        def reservation_mode_deactivate(irq):
            cd = vd.chip_data(irq)
            cd.can_reserve = cd.reservation_mode = True
            deactivate(irq)
        vd.deactivate = reservation_mode_deactivate
