"""Directed-test bench for `ims_top`: one TB object per test, owning clock, reset and BFMs.

Layout (verilog-axi style): the AXI4-Lite register port is driven by cocotbext-axi's
AxiLiteMaster; the message port (m_axi_*) is answered by the shared MemoryTarget (its
AxiSlaveWrite's write responses a test can turn into SLVERR/DECERR per target address) and
watched by the shared MessageMonitor (tb/axi_message.py); the trigger stream uses the shared
TriggerSource/TriggerMonitor (tb/trigger_stream.py), the same components the pyuvm environment
uses. One EdgeSampler (tb/edge_sampler.py) runs on every rising edge, counts cycles and steps
every monitor, so all timestamps in a test come from the same counter (edge numbers).

Sampling convention: values read right after `RisingEdge(clk)` are the values that were
stable before that edge, i.e. what the flops of the DUT sampled. "Accepted at edge N" and
"AWVALID high at edge M" below both use that convention, which is the one the contract's
latency rule (§5: accept at N -> AWVALID at N+3) is written in.

Register map, field layout and expected constants come from ../shared/spec/ims-block.md.

The bench binds from the run's DUT profile (tb/dut_profile.py, $IMS_DUT): clock and reset
names and polarity, the AXI-Lite and AXI prefixes, the trigger stream's signal names, and the
register map compiled from the profile's SystemRDL description (`tb.map`). With the bundled
profile every name is the contract's, so the directed tests below run unchanged.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import random
from typing import Iterator

import cocotb
from cocotb.simtime import get_sim_time
from cocotb.triggers import FallingEdge, RisingEdge, Timer
from cocotbext.axi import AxiLiteBus, AxiLiteMaster

# The message port's rules and components, and the stream's, are shared (re-exported here for
# the directed tests and tests/impl/test_directed.py).
from tb.axi_message import (  # noqa: F401
    int_or_minus1,
    DECERR, MSG_AWBURST_INCR, MSG_AWLEN, MSG_AWSIZE, MSG_WSTRB, OKAY, SLVERR, MemoryTarget,
    MessageMonitor, aw_beat_problems, hold_problems, w_beat_problems,
)
from tb.edge_sampler import EdgeSampler
from tb.transactions import AwBeat, MessageTxn as Message, Trigger, TriggerTxn as AcceptedTrigger, WBeat  # noqa: F401
from tb.trigger_stream import TriggerBus, TriggerPort

# --------------------------------------------------------------------------------------------
# Contract constants (§2, §3).  Values are taken from the contract text, not from the RTL.
# --------------------------------------------------------------------------------------------

from models.regmap import (  # noqa: E402  (one register map, transcribed from the contract)
    ADDR_LO_RW_BITS, COUNTER_NAMES as COUNTERS, CTRL_ENABLE, CTRL_FUNC_MASK, CTRL_RW_BITS,
    ID_VALUE, REG_PENDING as PENDING_BASE, REGISTERS as REG, SLOT_BYTES, SLOT_CTRL_RESET,
    SLOT_CTRL_RW_BITS, SLOT_FIELD, SLOT_MASK, SLOT_PASID_BITS, SLOT_PASID_EN, SLOT_PASID_SHIFT,
    SLOT_PENDING, STATUS_BUSY, STATUS_DISABLED_DROP, STATUS_PASID_ERR, STATUS_RANGE_ERR,
    STATUS_W1C_BITS, STATUS_WRITE_ERR, VERSION_VALUE,
)
from models.regmap import PENDING_STRIDE, pending_words, table_base  # noqa: E402
from models.regs import regs  # noqa: E402
from tb import dut_profile  # noqa: E402
from tb.clock import start_clock

RO_REGS = tuple(name for name, r in regs.registers.items() if r.access == "RO")  # ID ... CNT_*, from the description


def slot_ctrl(mask: bool = False, pasid_en: bool = False, pasid: int = 0, clear_pending: bool = False) -> int:
    """Slot CTRL dword for the given fields."""
    return ((SLOT_MASK if mask else 0) | (SLOT_PENDING if clear_pending else 0)
            | (SLOT_PASID_EN if pasid_en else 0) | ((pasid << SLOT_PASID_SHIFT) & SLOT_PASID_BITS))


def regression_seed(fullname: str) -> int:
    """The COCOTB_RANDOM_SEED of this run (what `SEED=` / `--seed` takes).

    cocotb 2.1 seeds each test with regression seed + sha1(test full name) and exposes only
    that sum as cocotb.RANDOM_SEED; subtracting the hash recovers the reproducible part."""
    return cocotb.RANDOM_SEED - int(hashlib.sha1(fullname.encode()).hexdigest(), 16)


# --------------------------------------------------------------------------------------------
# Traffic patterns crossed with every directed test (verilog-axi idiom).
# --------------------------------------------------------------------------------------------

def _pattern(bits: str) -> Iterator[int]:
    return itertools.cycle(int(c) for c in bits)


TRAFFIC_PATTERNS = ("free", "throttled")


# --------------------------------------------------------------------------------------------
# The bench.
# --------------------------------------------------------------------------------------------

class ImsTB:
    """Clock, reset, BFMs, monitors and register helpers for one directed test."""

    READY_OUTPUTS = ("s_axil_awready", "s_axil_wready", "s_axil_arready", "s_irq_ready", "m_axi_bready")

    def __init__(self, dut, test_name: str = "?", module: str = "tests.impl.hdl.ims_directed",
                 profile: "dut_profile.Profile | None" = None):
        self.dut = dut
        self.profile = profile or dut_profile.selected()
        p = self.profile
        self.clk = getattr(dut, p.clock)
        self.rst = getattr(dut, p.reset)
        self._rst_on, self._rst_off = (0, 1) if p.reset_active_low else (1, 0)
        if not p.is_bundled:
            self.READY_OUTPUTS = (f"{p.regs_prefix}_awready", f"{p.regs_prefix}_wready",
                                  f"{p.regs_prefix}_arready", p.trigger["ready"], f"{p.msg_prefix}_bready")
        self.test_name = test_name
        self.module = module
        self.seed = regression_seed(f"{module}.{test_name}")
        self.rng = random.Random(cocotb.RANDOM_SEED)
        self.sim = os.environ.get("IMS_SIM", "icarus")
        self.log = logging.getLogger(f"cocotb.tb.{test_name}")

        self.axil_addr_width = len(getattr(dut, f"{p.regs_prefix}_awaddr"))
        self.irq_index_width = len(getattr(dut, p.trigger["index"]))
        self.num_slots = self._num_slots_parameter()
        # The register map of this build, from the profile's description and parameters.
        self.params = self._run_parameters()
        self.map = p.register_map(self.params)
        self.table_base = self.map.slot.base
        # §7: which PENDING words exist follows MEM_ENTRIES (M), not only the build: "PENDING
        # then has ceil((NUM_SLOTS + M) / 32) words ... (with M = 0 exactly the revision-1 words
        # exist)". M resets to 0; a test that writes MEM_ENTRIES sets tb.mem_entries.
        self.mem_entries = 0

        self.reset_cycles: list[int] = []
        self.reset_violations: list[str] = []
        self._rst_edges = 0

        self.rst.value = self._rst_on
        self.clock = start_clock(self.clk, p.clock_period_ns)
        active = not p.reset_active_low
        self.axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, p.regs_prefix), self.clk, self.rst,
                                  reset_active_level=active)
        # The memory side: BRESP per address (tests choose), pacing by the traffic pattern.
        self.sink = MemoryTarget()
        self.mem = self.sink.attach(dut, p.msg_prefix, self.clk, self.rst, reset_active_level=active)
        self.axil.write_if.log.setLevel(logging.WARNING)
        self.axil.read_if.log.setLevel(logging.WARNING)
        self.triggers = TriggerPort(TriggerBus.from_profile(dut, p))
        self.monitor = MessageMonitor(dut, p.msg_prefix, target=self.sink)
        # Per edge: reset rule, message port, trigger stream (sample, then offer the next).
        self.sampler = EdgeSampler(self.clk, self.in_reset)
        self.sampler.add(self._check_reset_edge)
        self.sampler.add(self.monitor.sample)
        self.sampler.add(self.triggers.edge)
        self.sampler.start()

    # -- parameters --------------------------------------------------------------------------

    def _num_slots_parameter(self) -> int:
        """The slot count from the DUT parameter handle (the profile names the parameter), else
        from the runner's IMS_PARAMS, else the profile's default."""
        name = self.profile.slot_count_param
        try:
            return int(getattr(self.dut, name).value)
        except (AttributeError, ValueError, TypeError):
            pass
        return self._run_parameters()[name]

    def _run_parameters(self) -> dict:
        """This build's top-level parameters: the runner's IMS_PARAMS over the profile's defaults
        (a derived default, the bundled block's MEM_MAX_ENTRIES, follows the overrides as the
        RTL's own default does)."""
        overrides = {}
        for item in os.environ.get("IMS_PARAMS", "").split(","):
            name, _, value = item.partition("=")
            if name.strip() and value:
                overrides[name.strip()] = int(value, 0)
        return self.profile.merged(overrides)

    def in_reset(self) -> bool:
        return int_or_minus1(self.rst) != self._rst_off

    @property
    def mem_max_entries(self) -> int:
        """MEM_MAX_ENTRIES of this build (0: revision 1, or a design without §7)."""
        return int(self.params.get("MEM_MAX_ENTRIES", 0))

    @property
    def version(self) -> int:
        """VERSION's reset value for this build, from the description compiled with its
        parameters (§6/§7: 0x00020000 when MEM_MAX_ENTRIES > 0, else 0x00010000)."""
        return self.map.VERSION.reset

    @property
    def ro_regs(self) -> tuple[str, ...]:
        """Registers of this build whose access is RO (the §7 CNT_FETCH_ERR in a memory build)."""
        return tuple(name for name, r in self.map.registers.items() if r.access == "RO")

    @property
    def pending_key(self) -> str:
        """The description's name of the PENDING words (the profile may rename it)."""
        return self.profile.registers.get("pending", "PENDING")

    @property
    def pending_words(self) -> int:
        """PENDING words that exist now: the build's description compiled with M = MEM_ENTRIES in
        place of MEM_MAX_ENTRIES gives ceil((NUM_SLOTS + M) / 32) (§2, §7)."""
        key = self.pending_key
        if "MEM_MAX_ENTRIES" not in self.profile.rdl_params or self.mem_entries == self.mem_max_entries:
            return getattr(self.map, key).count
        return getattr(self.profile.register_map(dict(self.params, MEM_MAX_ENTRIES=self.mem_entries)), key).count

    @property
    def value_limited(self) -> dict[str, int]:
        """RW registers whose writes are refused above a value, a rule the description's access
        types cannot state: §7 "MEM_ENTRIES ... a value above MEM_MAX_ENTRIES is answered SLVERR
        and changes nothing" (memory builds only). Register walks with arbitrary values leave
        them to the tests of that rule (tests/impl/hdl/mem_directed.py mem_registers)."""
        if self.mem_max_entries and "MEM_ENTRIES" in self.map.registers:
            return {"MEM_ENTRIES": self.mem_max_entries}
        return {}

    def is_listed_now(self, addr: int) -> bool:
        """Whether `addr` is a register, slot or PENDING word that exists now (the build's map,
        with the PENDING words limited to those MEM_ENTRIES makes exist)."""
        pend = getattr(self.map, self.pending_key)
        word_span = pend.stride * pend.count
        if int(pend) <= addr < int(pend) + word_span:
            return (addr - int(pend)) // pend.stride < self.pending_words
        return self.map.is_listed(addr)

    # -- context for failure messages --------------------------------------------------------

    def reproduce(self) -> str:
        params = os.environ.get("IMS_PARAMS", "").replace(",", " ")
        if params and not self.profile.is_bundled:
            # Another design's parameters are not make variables: they travel in PARAMS.
            params = f'PARAMS="{params}"' if " " in params else f"PARAMS={params}"
        dut = "" if self.profile.is_bundled else f" DUT={self.profile.display_path()}"
        defines = os.environ.get(dut_profile.ENV_DEFINES, "").strip()
        defines = f" DEFINES={defines.replace(' ', ',')}" if defines else ""
        return (f"make waves TEST={self.test_name}{dut}{defines} SIM={self.sim} {params} "
                f"SEED={self.seed}").replace("  ", " ")

    def ctx(self, slot: int | None = None) -> str:
        where = f"slot {slot}, " if slot is not None else ""
        return (f"[{self.test_name}: {where}cycle {self.cycle}, sim time {get_sim_time('ns')} ns, "
                f"seed {self.seed}, {self.profile.slot_count_param}={self.num_slots}, {self.sim}; reproduce with waves: "
                f"{self.reproduce()}]")

    def fail(self, what: str, slot: int | None = None):
        raise AssertionError(f"{what} {self.ctx(slot)}")

    def check(self, cond: bool, what: str, slot: int | None = None) -> None:
        if not cond:
            self.fail(what, slot)

    def check_eq(self, got, expected, what: str, slot: int | None = None) -> None:
        if got != expected:
            g = f"0x{got:x}" if isinstance(got, int) else repr(got)
            e = f"0x{expected:x}" if isinstance(expected, int) else repr(expected)
            self.fail(f"{what}: expected {e}, got {g}", slot)

    # -- the per-edge loop -------------------------------------------------------------------

    @property
    def cycle(self) -> int:
        return self.sampler.cycle

    def _check_reset_edge(self, cycle: int, in_reset: bool) -> None:
        if in_reset:
            self._rst_edges += 1
            # Synchronous reset: from the second edge inside reset every ready output has
            # been through one reset edge and must read 0 (contract §4, reset rule).
            if self._rst_edges >= 2:
                for name in self.READY_OUTPUTS:
                    if int_or_minus1(getattr(self.dut, name)) != 0:
                        self.reset_violations.append(f"cycle {cycle}: {name} not low while rst is high")
        else:
            self._rst_edges = 0

    async def cycles(self, n: int) -> None:
        for _ in range(n):
            await RisingEdge(self.clk)

    async def wait_until(self, cond, timeout: int, what: str, slot: int | None = None) -> None:
        """Wait edge by edge until cond() holds; fail with `what` after `timeout` edges."""
        for _ in range(timeout):
            if cond():
                return
            await RisingEdge(self.clk)
        if not cond():
            self.fail(f"timeout after {timeout} cycles waiting for {what}", slot)

    # -- traffic patterns --------------------------------------------------------------------

    def set_idle_generator(self, generator_factory=None) -> None:
        """Insert idle cycles on every source the TB drives (AXI-Lite AW/W/AR, triggers)."""
        w, r = self.axil.write_if, self.axil.read_if
        if generator_factory is None:
            for ch in (w.aw_channel, w.w_channel, r.ar_channel):
                ch.clear_pause_generator()
            self.triggers.idle_generator = None
            return
        w.aw_channel.set_pause_generator(generator_factory(0))
        w.w_channel.set_pause_generator(generator_factory(1))
        r.ar_channel.set_pause_generator(generator_factory(2))
        self.triggers.idle_generator = generator_factory(3)

    def set_backpressure_generator(self, generator_factory=None) -> None:
        """Deassert ready on every sink the TB models (m_axi AW/W, AXI-Lite B/R); m_axi B
        is a source here, so its valid is delayed by the same pattern."""
        self.sink.set_backpressure(None if generator_factory is None else
                                   [generator_factory(k) for k in range(3)])
        for k, ch in enumerate((self.axil.write_if.b_channel, self.axil.read_if.r_channel), start=3):
            if generator_factory is None:
                ch.clear_pause_generator()
            else:
                ch.set_pause_generator(generator_factory(k))

    def apply_traffic(self, traffic: str) -> None:
        """'free': every ready/valid the TB controls is always willing.
        'throttled': idle cycles on the TB's sources and backpressure on its sinks, with
        different co-prime periods per channel so that AW and W decouple."""
        if traffic == "free":
            self.set_idle_generator(None)
            self.set_backpressure_generator(None)
        elif traffic == "throttled":
            idle = ("0010", "00101", "0100110", "0001")
            stall = ("0110", "10100", "0011100", "011", "00101")
            self.set_idle_generator(lambda k: _pattern(idle[k]))
            self.set_backpressure_generator(lambda k: _pattern(stall[k]))
        else:
            raise ValueError(f"unknown traffic pattern {traffic!r}; choose from {TRAFFIC_PATTERNS}")

    # -- reset -------------------------------------------------------------------------------

    async def reset(self, cycles: int = 5, busy_timeout: int | None = None) -> None:
        """Hold rst for `cycles` edges, release, and wait for STATUS.BUSY to clear."""
        self.rst.value = self._rst_on
        self.triggers.flush()
        # Contract §4: "While rst is high all ready outputs are low" - also before the next
        # clock edge, so readies must be gated by rst, not merely cleared at a reset edge.
        await Timer(2, unit="ns")
        for name in self.READY_OUTPUTS:
            if int_or_minus1(getattr(self.dut, name)) != 0:
                self.reset_violations.append(
                    f"cycle {self.cycle} (+2 ns): {name} still high 2 ns after rst rose, before any clock edge")
        await self.cycles(cycles)
        self.rst.value = self._rst_off
        self.reset_cycles.append(self.cycle)
        await RisingEdge(self.clk)
        self.monitor.clear()
        self.triggers.accepted.clear()
        # Post-reset initialisation may sweep the table and every pending bit the build has
        # (§7: memory entries' bits too, PENDING bits up to NUM_SLOTS + MEM_MAX_ENTRIES); allow a
        # generous bound per bit of the description's PENDING words.
        pend = getattr(self.map, self.pending_key)
        timeout = busy_timeout or (max(self.num_slots, 8 * pend.stride * pend.count) * 4 + 1000)
        start = self.cycle
        busy = self.profile.reg("status_busy") if self.profile.has("busy") else None
        while busy is not None:
            status = await self.read(self.profile.registers["status_busy"].partition(".")[0])
            if not status & busy:
                break
            if self.cycle - start > timeout:
                self.fail(f"STATUS.BUSY still set {self.cycle - start} cycles after reset release")
        self.busy_cycles = self.cycle - start
        self.check_reset_violations()

    def check_reset_violations(self) -> None:
        if self.reset_violations:
            self.fail("ready outputs must be low while rst is high (§4): "
                      + "; ".join(self.reset_violations[:5]))

    # -- AXI-Lite access ---------------------------------------------------------------------

    def addr_of(self, reg) -> int:
        return int(self.map.registers[reg]) if isinstance(reg, str) else int(reg)

    def slot_addr(self, slot: int, fld: str = "ADDR_LO") -> int:
        """Address of slot register `fld` (a register name of the description's slot)."""
        return self.map.slot.addr(slot, fld)

    def pending_addr(self, word: int) -> int:
        pend = getattr(self.map, self.pending_key)
        return int(pend) + pend.stride * word

    async def read_resp(self, reg, lane_offset: int = 0, length: int = 4) -> tuple[int, int]:
        """(data, resp) of one read; lane_offset/length select bytes of the addressed dword."""
        addr = self.addr_of(reg) + lane_offset
        r = await self.axil.read(addr, length)
        return int.from_bytes(r.data, "little"), int(r.resp)

    async def read(self, reg, slot: int | None = None) -> int:
        """Read a register that must answer OKAY."""
        data, resp = await self.read_resp(reg)
        self.check_eq(resp, OKAY, f"RRESP of read at 0x{self.addr_of(reg):x} ({reg})", slot)
        return data

    async def write_resp(self, reg, value: int, strb: int = 0xF) -> int:
        """One write with contiguous byte strobes `strb`; returns BRESP.

        AxiLiteMaster derives WSTRB from address and length, so lanes k..m are written by
        addressing byte k; this also exercises the rule that address bits 1:0 are ignored."""
        if strb == 0 or strb > 0xF:
            raise ValueError("strb must be a non-zero 4-bit mask")
        lanes = [k for k in range(4) if strb >> k & 1]
        first, last = lanes[0], lanes[-1]
        if lanes != list(range(first, last + 1)):
            raise ValueError(f"strb 0x{strb:x} is not contiguous; AxiLiteMaster cannot issue it")
        data = value.to_bytes(4, "little")[first:last + 1]
        r = await self.axil.write(self.addr_of(reg) + first, data)
        return int(r.resp)

    async def write(self, reg, value: int, strb: int = 0xF, slot: int | None = None) -> None:
        """Write a register that must answer OKAY."""
        resp = await self.write_resp(reg, value, strb)
        self.check_eq(resp, OKAY, f"BRESP of write at 0x{self.addr_of(reg):x} ({reg})", slot)

    async def set_ctrl(self, enable: bool = True, func_mask: bool = False) -> None:
        await self.write("CTRL", (CTRL_ENABLE if enable else 0) | (CTRL_FUNC_MASK if func_mask else 0))

    async def counters(self) -> dict[str, int]:
        return {name: await self.read(name) for name in COUNTERS}

    async def check_counters(self, before: dict[str, int], slot: int | None = None, **deltas: int) -> dict:
        """Every counter moved by exactly the given delta (0 for counters not named)."""
        unknown = set(deltas) - set(COUNTERS)
        if unknown:
            raise ValueError(f"unknown counters {unknown}")
        after = await self.counters()
        wrong = []
        for name in COUNTERS:
            exp = (before[name] + deltas.get(name, 0)) & 0xFFFFFFFF
            if after[name] != exp:
                wrong.append(f"{name} expected {exp} (delta {deltas.get(name, 0)}), got {after[name]}")
        if wrong:
            self.fail("counters: " + "; ".join(wrong), slot)
        return after

    async def check_status(self, expected: int, what: str = "STATUS", slot: int | None = None) -> None:
        self.check_eq(await self.read("STATUS"), expected, what, slot)

    # -- slots -------------------------------------------------------------------------------

    async def write_slot(self, slot: int, addr: int | None = None, data: int | None = None,
                         ctrl: int | None = None) -> None:
        if addr is not None:
            await self.write(self.slot_addr(slot, "ADDR_LO"), addr & 0xFFFFFFFF, slot=slot)
            await self.write(self.slot_addr(slot, "ADDR_HI"), addr >> 32, slot=slot)
        if data is not None:
            await self.write(self.slot_addr(slot, "DATA"), data, slot=slot)
        if ctrl is not None:
            await self.write(self.slot_addr(slot, "CTRL"), ctrl, slot=slot)

    async def read_slot(self, slot: int) -> tuple[int, int, int, int]:
        return tuple([await self.read(self.slot_addr(slot, f), slot=slot)
                      for f in ("ADDR_LO", "ADDR_HI", "DATA", "CTRL")])

    def message_for(self, slot: int, salt: int = 0) -> tuple[int, int]:
        """A distinct (64-bit dword-aligned address, data) for `slot`, so any mix-up of slots,
        of ADDR_HI/ADDR_LO or of address/data shows as a wrong message."""
        r = random.Random(f"{self.seed}-{self.test_name}-{slot}-{salt}")
        addr = (r.getrandbits(32) << 32 | (0xFEE00000 + (slot << 4)) ^ (r.getrandbits(12) << 18)) & ~3
        data = (slot << 16) ^ r.getrandbits(32) ^ (salt << 8)
        return addr & 0xFFFFFFFFFFFFFFFC, data & 0xFFFFFFFF

    async def program_slot(self, slot: int, mask: bool = False, pasid_en: bool = False, pasid: int = 0,
                           salt: int = 0) -> tuple[int, int]:
        """Write address and data (while masked, as drivers do), then CTRL. Returns (addr, data)."""
        addr, data = self.message_for(slot, salt)
        await self.write_slot(slot, ctrl=slot_ctrl(mask=True, pasid_en=pasid_en, pasid=pasid))
        await self.write_slot(slot, addr=addr, data=data)
        await self.write_slot(slot, ctrl=slot_ctrl(mask=mask, pasid_en=pasid_en, pasid=pasid))
        return addr, data

    async def pending_bitmap(self) -> int:
        bits = 0
        for k in range(self.pending_words):
            bits |= await self.read(self.pending_addr(k)) << (32 * k)
        return bits

    def sample_slots(self, count: int = 6) -> list[int]:
        """Boundary slots plus a few seeded random ones, sorted, unique."""
        n = self.num_slots
        fixed = {0, 1, min(31, n - 1), min(32, n - 1), n // 2, n - 2, n - 1}
        extra = {self.rng.randrange(n) for _ in range(count)}
        return sorted(s for s in fixed | extra if 0 <= s < n)

    def free_slot(self, taken) -> int:
        """A seeded random slot not in `taken` (tests give each slot one role)."""
        taken = set(taken)
        choices = [s for s in range(self.num_slots) if s not in taken]
        return self.rng.choice(choices)

    # -- triggers and messages ---------------------------------------------------------------

    def trigger(self, index: int, pasid: int | None = None, pasid_bits: int = 0) -> None:
        # pasid_bits 0 by default: the bus carries zeros when pasid_valid is low
        self.triggers.send(Trigger(index, pasid, pasid_bits))

    async def wait_triggers_accepted(self, timeout: int = 5000) -> None:
        await self.wait_until(self.triggers.idle, timeout, "every queued trigger to be accepted")

    def quiet_cycles(self) -> int:
        """Edges with no new message after which the block is taken to be idle: a full replay
        scan at the contract's slowest rate (32 slots per cycle) plus pipeline slack."""
        return self.num_slots // 32 + 64

    async def settle(self) -> None:
        """Wait for all triggers to be accepted and the message port to go quiet."""
        await self.wait_triggers_accepted()
        quiet = self.quiet_cycles()
        last = (len(self.monitor.aws), len(self.monitor.ws), len(self.monitor.bresps))
        still = 0
        for _ in range(20000):
            await RisingEdge(self.clk)
            now = (len(self.monitor.aws), len(self.monitor.ws), len(self.monitor.bresps))
            if now != last:
                last, still = now, 0
            else:
                still += 1
                if still >= quiet and len(self.monitor.bresps) >= len(self.monitor.messages):
                    return
        self.fail("message port never went quiet")

    def check_protocol(self) -> None:
        if self.monitor.violations:
            self.fail("m_axi protocol rules broken (§1): " + "; ".join(self.monitor.violations[:6]))
        self.check_reset_violations()
        if len(self.monitor.aws) != len(self.monitor.ws):
            self.fail(f"{len(self.monitor.aws)} AW handshakes but {len(self.monitor.ws)} W handshakes "
                      "(every message is one AW and one W)")

    def check_messages(self, expected: list[tuple[int, int]], what: str, start: int = 0,
                       slots: list[int] | None = None) -> None:
        """Messages from index `start` on are exactly `expected` (addr, data), in order."""
        got = [(m.addr, m.data) for m in self.monitor.messages[start:]]
        for k, exp in enumerate(expected):
            slot = slots[k] if slots else None
            if k >= len(got):
                self.fail(f"{what}: message {k} (addr 0x{exp[0]:x} data 0x{exp[1]:x}) never sent; "
                          f"{len(got)} of {len(expected)} seen", slot)
            if got[k] != exp:
                m = self.monitor.messages[start + k]
                self.fail(f"{what}: message {k} (AW at cycle {m.aw_cycle}) is addr 0x{got[k][0]:x} "
                          f"data 0x{got[k][1]:x}, expected addr 0x{exp[0]:x} data 0x{exp[1]:x}; "
                          f"{self._neighbourhood(expected, got, k, slots)}", slot)
        if len(got) > len(expected):
            m = self.monitor.messages[start + len(expected)]
            self.fail(f"{what}: {len(got) - len(expected)} unexpected extra message(s), first addr "
                      f"0x{m.addr:x} data 0x{m.data:x} at cycle {m.aw_cycle}")

    @staticmethod
    def _neighbourhood(expected, got, k, slots) -> str:
        """Slots of the messages around a mismatch, expected vs got (by address and data)."""
        if not slots:
            return ""
        who = {e: s for e, s in zip(expected, slots)}
        lo, hi = max(0, k - 3), k + 4
        exp_s = [str(s) for s in slots[lo:hi]]
        got_s = [str(who.get(g, "?")) for g in got[lo:hi]]
        return f"slots of messages {lo}..: expected [{' '.join(exp_s)}], got [{' '.join(got_s)}]"

    def check_message_multiset(self, expected: list[tuple[int, int]], what: str, start: int = 0) -> None:
        """Same messages as `expected` in any order (for replays, whose order is not fixed)."""
        got = sorted((m.addr, m.data) for m in self.monitor.messages[start:])
        exp = sorted(expected)
        if got != exp:
            missing = [e for e in exp if e not in got]
            extra = [g for g in got if g not in exp]
            fmt = lambda xs: ", ".join(f"(0x{a:x}, 0x{d:x})" for a, d in xs[:4])
            self.fail(f"{what}: {len(got)} messages, expected {len(exp)}; missing [{fmt(missing)}], "
                      f"unexpected [{fmt(extra)}]")

    # -- edge-exact trigger (for the write-response ordering rule) ---------------------------

    async def trigger_when_axil_bvalid(self, trig: Trigger, timeout: int = 2000) -> int:
        """Present `trig` in the very cycle s_axil_bvalid first goes high, so that (with the
        DUT ready) it is accepted at the first edge after BVALID was issued. Returns the edge
        number at which BVALID was issued (the trigger's accept edge is that + 1)."""
        d = self.dut
        if not self.triggers.idle():
            raise RuntimeError("trigger_when_axil_bvalid needs the trigger driver idle")
        for _ in range(timeout):
            await FallingEdge(self.clk)
            if int_or_minus1(getattr(d, f"{self.profile.regs_prefix}_bvalid")) == 1:
                issued = self.cycle      # last rising edge, where BVALID was registered high
                self.triggers.present(trig)
                return issued
        self.fail("s_axil_bvalid never rose")
