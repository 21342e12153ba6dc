"""End-to-end scoreboard: IMS device model + platform model against what the RTL did.

Plain Python (no cocotb import) so that its rules are unit-tested without a simulator
(tests/generic/test_scoreboard_unit.py). The monitors feed it typed transactions (tb/transactions.py)
stamped with the clock cycle; `observe(txn)` dispatches them to:

    reg_write_request   an AXI-Lite write reached the RTL (AW and W handshakes done)
    reg_write_response  its BVALID was first seen: from here on it must be in effect
    trigger             an s_irq handshake
    message             a completed m_axi write (AW and W handshakes), in emission order
    message_response    the BRESP the memory agent answered for it
    reset               rst asserted: everything in flight may be lost

How a trigger is judged (platform-models.md §5, ims-block.md §4):
  * the device model (models.ims_device.ImsDevice) decides the rule: SENT, PENDED or a drop;
  * a SENT trigger owes one message, in trigger order; a replay owes one message, anywhere
    (replays and direct messages alternate, so only direct messages are ordered);
  * every observed write must consume exactly one owed message, then go through the platform
    model (IR unit + APIC + Linux irq lookup) and land as the Linux irq bound to that slot on
    the CPU the IRTE names (or as the fault / posting the test declared for that slot);
  * at the end, leftover owed messages are lost messages, and the RTL's CNT_* and PENDING words
    must equal the model's.

Timing windows. The contract lets a trigger accepted between a register write's request and
its response see the old or the new value. Outside that window the checker is exact (the
model applies the write at the cycle BVALID is first seen, before that cycle's trigger). Inside
it the scoreboard keeps one "world" per possibility (write not yet applied / applied just
before this trigger) and lets the observations decide: a world that cannot explain an
observed write is dropped; at the end the counters and pending bits must match a surviving
world. Worlds with identical observable state are merged, so the count stays small (Linux
writes one register at a time and reads it back). A message may also carry any value a slot
DWORD held between its trigger and its emission (contract §4 "Ordering and integrity"), so an
owed message accepts every value written to its slot while it is owed.

Memory-resident entries (ims-block.md §7; on when built with mem_max_entries > 0). The
scoreboard learns what the block read from the fetch monitor (FetchTxn: AR cycle, last-beat
cycle, the four beats and their RRESP), so nothing is predicted that the bus shows:
  * A trigger to entry j passes rules 1-2 at acceptance (no fetch while ENABLE = 0). Then it
    either hits a copy the block may hold (the model's cached_copies(j): every image fetched
    since j was last invalidated) or waits for a fetch of j whose AR is at or after its
    acceptance; the RTL parks every trigger behind a miss so direct messages keep their order,
    and so does each world (World.parked). Where the two differ (memory rewritten since the
    copy, a copy of an entry whose reads now fail, or per-fetch error injection) both are kept
    as worlds; a world whose parked trigger never gets a fetch dies (AWAIT_GRACE_CYCLES, a
    direct message it cannot explain, a MEM_INVAL response that says every earlier trigger
    was decided, or the end of the test).
  * Freshness (§7 rule 3) falls out of the model: a MEM_INVAL applies at its response and
    drops the entry's copies, so a later trigger can only wait for a fetch (AR after it);
    inside the request-response window the usual two worlds (old copies / dropped) both stand.
  * A fetch error is the trigger's outcome (DROP_FETCH: no message, CNT_FETCH_ERR, nothing
    pended); a message explained only by such a trigger is reported as FETCH_ERROR_SENT, a
    stale image after the response as STALE_ENTRY.
  * Re-examinations (§7 rule 4) are decided by the fetch the RTL makes for them (a fetch of j
    with AR at or after the write's request): error -> counted, bit stays; MASK = 0 with the
    function open -> a replay owed; so a per-fetch injected error is judged by what the block
    read. Which waiting consumer (trigger or re-examination) a fetch served is a fork.
"""

from __future__ import annotations

import copy
import os
from collections import deque
from dataclasses import dataclass, field

from models.ims_device import EntryImage, Fetch, ImsDevice, Outcome
from models.memory import MemoryReadError
from tb.uvm.coverage import replay_causes
from tb.transactions import FetchTxn, MessageTxn, RegReadTxn, RegWriteRespTxn, RegWriteTxn, ResetTxn, \
    TriggerTxn

from models.regmap import COUNTERS, REG_CTRL, REG_ID, REG_NUM_SLOTS, REG_PENDING, REG_VERSION
from models.regmap import PENDING_BITS_PER_WORD, PENDING_STRIDE, SLOT_BYTES, SLOT_CTRL, SLOT_PENDING
from models.regmap import SLOT_MASK, SLOT_PASID_EN, SLOT_PASID_SHIFT
from models.regmap import ADDR_LO_RW_BITS, CTRL_ENABLE, SLOT_CTRL_RW_BITS
from models.regs import load as load_regs

_OUTCOME_NAMES = {o: o.name.lower() for o in Outcome}

# How long an observed write may stay unexplained waiting for the register response that
# explains it (a replay may leave before the unmask's BVALID is seen). After that it is an error.
UNEXPLAINED_GRACE_CYCLES = 64
MAX_WORLDS = 256
MAX_WORLDS_AFTER_FAILURE = 8
MAX_REPORTED = 20
# How long a world may assume a parked memory trigger still waits for its fetch (cycles after
# the trigger, or after the last fetch completion seen). The RTL issues a miss's AR within a
# few cycles unless its outstanding-fetch limit is reached; the env raises this with latency.
AWAIT_GRACE_CYCLES = 160
# An entry trigger (and any trigger parked behind it) is decided by the RTL some cycles after
# its acceptance or its fetch (cache line read, park queue): a register write answered within
# this many cycles may or may not be in effect for it, so both histories are kept (the
# contract binds only triggers accepted after a write's response).
DECIDE_SLACK_CYCLES = 8


class ScoreboardError(AssertionError):
    """Raised at the end of a test (or on demand) when any mismatch was recorded."""

    def __init__(self, mismatches: list["Mismatch"], header: str = "") -> None:
        self.mismatches = list(mismatches)
        lines = [header or f"scoreboard: {len(mismatches)} mismatch(es)"]
        lines += [m.format() for m in mismatches[:MAX_REPORTED]]
        if len(mismatches) > MAX_REPORTED:
            lines.append(f"... and {len(mismatches) - MAX_REPORTED} more")
        super().__init__("\n".join(lines))

    def kinds(self) -> set[str]:
        return {m.kind for m in self.mismatches}


@dataclass
class Mismatch:
    kind: str
    cycle: int
    text: str
    slot: int | None = None
    irq: int | None = None
    repro: str = ""

    def format(self) -> str:
        where = [f"cycle {self.cycle}"]
        if self.slot is not None:
            where.append(f"slot {self.slot}")
        if self.irq is not None:
            where.append(f"Linux irq {self.irq}")
        out = f"[{self.kind}] {', '.join(where)}: {self.text}"
        if self.repro:
            out += f"\n    reproduce: {self.repro}"
        return out


class Owed:
    """One message the DUT owes: a direct one (trigger) or a replay."""

    __slots__ = ("replay", "slot", "ref", "cycle", "addr", "data", "alts", "cause")

    def __init__(self, replay: bool, slot: int, ref: int, cycle: int, addr: int, data: int,
                 cause: tuple[str, ...] | None = None) -> None:
        self.replay = replay
        self.cause = cause      # replay: what the register write that made it owed did (coverage)
        self.slot = slot
        self.ref = ref          # trigger number or replay number
        self.cycle = cycle
        self.addr = addr
        self.data = data
        self.alts = None        # (set(addr_lo), set(addr_hi), set(data)) once the slot is rewritten

    def matches(self, addr: int, data: int) -> bool:
        if addr == self.addr and data == self.data:
            return True
        if self.alts is None:
            return False
        lo, hi, dd = self.alts
        return (addr & 0xFFFFFFFF) in lo and (addr >> 32) in hi and data in dd

    def widen(self, addr_lo: int, addr_hi: int, data: int) -> None:
        if self.alts is None:
            self.alts = ({self.addr & 0xFFFFFFFF}, {self.addr >> 32}, {self.data})
        self.alts[0].add(addr_lo)
        self.alts[1].add(addr_hi)
        self.alts[2].add(data)

    def describe(self) -> str:
        what = f"replay #{self.ref}" if self.replay else f"trigger #{self.ref}"
        return f"{what} (cycle {self.cycle}) owes {self.addr:#x} <- {self.data:#x}"


class SbDevice(ImsDevice):
    """The device model inside a scoreboard world. Re-examinations (§7 rule 4) do not read
    memory here: they are recorded (`reexam_wanted`) and decided by the fetch the RTL is seen
    to make for them (`finish_reexamine`), so the model judges what the block really read."""

    def reset(self) -> None:
        super().reset()
        self.reexam_wanted: list[int] = []

    def _reexamine(self, j: int) -> None:
        if self.pending >> (self.num_slots + j) & 1:
            self.reexam_wanted.append(j)

    def finish_reexamine(self, j: int, seen: Fetch) -> None:
        img = self._fetch(j, seen)
        bit = 1 << (self.num_slots + j)
        if img is None or img.masked or not self._function_open() or not self.pending & bit:
            return
        self.pending &= ~bit
        self._replays.append(self._emit(self.num_slots + j, True, img))


class Parked:
    """A trigger a world has not decided yet: a memory trigger waiting for its fetch, or any
    trigger behind one (the RTL decides them in acceptance order)."""

    __slots__ = ("ref", "cycle", "index", "pasid", "fetch", "ready_at")

    def __init__(self, ref: int, cycle: int, index: int, pasid: int | None, ready_at: int) -> None:
        self.ref, self.cycle, self.index, self.pasid = ref, cycle, index, pasid
        self.fetch: Fetch | None = None     # the fetch that served it, once seen
        self.ready_at = ready_at            # decided by the RTL by then (unless it waits for a fetch)

    def key(self) -> tuple:
        f = self.fetch
        return (self.ref, None if f is None else (f.error, f.image))


class World:
    """One consistent history of the device: the model plus the messages it still owes."""

    def __init__(self, dev: ImsDevice) -> None:
        self.dev = dev
        self.direct: deque[Owed] = deque()
        self.replays: list[Owed] = []
        self.applied: dict[int, int] = {}   # in-flight write id -> model response, applied early
        self.choices: list[str] = []        # how this world resolved windowed triggers
        self.slack: dict[int, tuple[int, int]] = {}   # counter offset -> allowed (lo, hi) delta
        # §7: undecided triggers (in order) and re-examinations waiting for their fetch
        self.parked: deque[Parked] = deque()
        self.reexams: list[tuple[int, int]] = []      # (entry, request cycle of the write)
        self.tally: dict[Outcome, int] = {}           # outcomes decided in this history
        self.last_fetch_cycle = -1

    def clone(self) -> "World":
        return copy.deepcopy(self)

    def counter_offsets(self):
        regs = getattr(self.dev, "_counter_regs", None)
        return regs.values() if regs else COUNTERS.values()

    def counters(self) -> dict[int, int]:
        return {off: self.dev.read(off)[0] for off in self.counter_offsets()}

    def signature(self) -> tuple:
        """Everything that decides future behaviour. Counters are left out on purpose: worlds
        that differ only in counts are merged and the difference kept as slack (see merge)."""
        dev = self.dev
        pend = tuple(dev.read(REG_PENDING + PENDING_STRIDE * k)[0] for k in range(dev.pending_words))
        sig = (tuple(sorted(self.applied)), pend,
               tuple((o.slot, o.addr, o.data) for o in self.direct),
               tuple(sorted((o.slot, o.addr, o.data) for o in self.replays)))
        if dev.mem_max_entries:
            sig += (dev.ctrl, tuple(p.key() for p in self.parked), tuple(self.reexams),
                    tuple(sorted((j, tuple(c)) for j, c in dev._copies.items())))
        return sig

    def merge(self, other: "World") -> None:
        """Absorb a world with the same signature: its counters become an allowed range.

        A trigger inside a window that may have pended or sent leaves the same future either
        way once its message (or replay) has been seen; only CNT_SENT/CNT_PENDED/... differ.
        Keeping both as separate worlds would multiply them at every window of a storm."""
        mine, theirs = self.counters(), other.counters()
        for off in self.counter_offsets():
            d = theirs[off] - mine[off]
            olo, ohi = other.slack.get(off, (0, 0))
            lo, hi = self.slack.get(off, (0, 0))
            self.slack[off] = (min(lo, d + olo), max(hi, d + ohi))


@dataclass
class SlotExpectation:
    """What the platform must do with a message from a slot, when not a plain delivery."""
    kind: str                   # "fault" or "posted"
    reason: int | None = None   # fault reason code
    recorded: bool | None = None
    vector: int | None = None   # posted vector


@dataclass
class Stats:
    triggers: int = 0
    messages: int = 0
    replays: int = 0
    delivered: int = 0
    faulted: int = 0
    posted: int = 0
    outcomes: dict = field(default_factory=dict)   # Outcome name -> count (world 0's view)
    windowed: int = 0
    forks: int = 0
    lost_by_reset: int = 0
    max_histories: int = 1
    coalesced: int = 0          # auto_ack=False platforms: an edge message merged into a set IRR bit
    # The end-of-test comparison, as it came out (make sim prints its verdict from these):
    end_checked: bool = False   # final_check ran (the RTL's CNT_* and PENDING were read and compared)
    counter_mismatches: list = field(default_factory=list)   # CNT_* names whose RTL value the model refutes
    pending_mismatches: int = 0  # pending bits that differ from the model
    # §7: messages explained per kind of index, and what the fetch monitor saw
    explained: dict = field(default_factory=lambda: {"slot": 0, "slot_replay": 0, "entry": 0,
                                                     "entry_replay": 0})
    fetches: int = 0
    fetch_errors: int = 0       # fetches answered RRESP != OKAY on some beat
    stale_windows: int = 0      # entry triggers inside a MEM_INVAL window that kept an old copy


class ImsScoreboard:
    """See the module docstring. `platform` is a models.platform.Platform (or None to check
    only the device side), `sid` the requester ID the device's writes carry."""

    def __init__(self, num_slots: int, platform=None, sid: int = 0x0300,
                 axil_addr_width: int = 16, irq_index_width: int = 16, repro: str = "",
                 log=None, check_reads: bool = True, mem_max_entries: int = 0,
                 memory=None, fetch_errors_anywhere: bool = False) -> None:
        self.num_slots = num_slots
        self.mem_max_entries = mem_max_entries
        self.memory = memory
        # Per-fetch error injection is on: any fetch may fail whatever memory holds, so an
        # entry trigger with a valid copy may also have missed and failed (a fork).
        self.fetch_errors_anywhere = fetch_errors_anywhere
        self.await_grace = AWAIT_GRACE_CYCLES
        self.dirty: dict[int, int] = {}      # entry -> cycle its memory was last written by software
        self.stale: dict[int, set] = {}      # entry -> (addr, data) of copies invalidations dropped
        self.fetch_drops: deque = deque(maxlen=32)   # (cycle, entry) of DROP_FETCH decisions
        self.now = 0
        self.axil_addr_width = axil_addr_width
        self.irq_index_width = irq_index_width
        self.table_base = load_regs(num_slots, axil_addr_width).table_base
        self.platform = platform
        self.sid = sid
        self.repro = repro
        self.log = log
        self.check_reads = check_reads
        self.mismatches: list[Mismatch] = []
        self.stats = Stats()
        self._outcome_counts: dict[Outcome, int] = {}   # world 0's view; names in stats.outcomes
        self.slot_owner: dict[int, int] = {}          # slot -> Linux irq (from the driver side)
        self.slot_expect: dict[int, SlotExpectation] = {}
        self.expect_platform = platform is not None
        self.coverage = None    # tb.uvm.coverage.ImsCoverage, sampled when set
        # Platforms built with auto_ack=False: (cpu, vector) -> Linux irq of an interrupt the
        # APIC holds in IRR until the sequence runs that CPU (dispatch()).
        self.in_irr: dict[tuple[int, int], int] = {}
        self._new_worlds()

    # ------------------------------------------------------------- transactions
    def observe(self, t) -> None:
        """One typed transaction from a monitor (tb/transactions.py), in edge order."""
        handler = self._handlers.get(type(t))
        if handler is None:
            raise TypeError(f"scoreboard: no rule for {type(t).__name__} {t!r}")
        handler(self, t)

    def _on_trigger(self, t: TriggerTxn) -> None:
        self.trigger(t.cycle, t.index, t.pasid)

    def _on_message(self, t: MessageTxn) -> None:
        self.message(t.cycle, t.addr, t.data)
        if t.bresp is not None:
            self.message_response(t.cycle, t.bresp)

    def _on_reg_write(self, t: RegWriteTxn) -> None:
        self.reg_write_request(t.cycle, t.offset, t.data, t.strb)

    def _on_reg_write_resp(self, t: RegWriteRespTxn) -> None:
        self.reg_write_response(t.cycle, t.resp)

    def _on_reg_read(self, t: RegReadTxn) -> None:
        self.reg_read(t.cycle, t.offset, t.data, t.resp)

    def _on_reset(self, t: ResetTxn) -> None:
        self.reset(t.cycle)

    def _on_fetch(self, t: FetchTxn) -> None:
        self.fetch(t)

    _handlers = {TriggerTxn: _on_trigger, MessageTxn: _on_message, RegWriteTxn: _on_reg_write,
                 RegWriteRespTxn: _on_reg_write_resp, RegReadTxn: _on_reg_read, ResetTxn: _on_reset,
                 FetchTxn: _on_fetch}

    # ------------------------------------------------------------------ state
    def _new_device(self) -> ImsDevice:
        if self.mem_max_entries:
            return SbDevice(num_slots=self.num_slots, axil_addr_width=self.axil_addr_width,
                            irq_index_width=self.irq_index_width, mem_max_entries=self.mem_max_entries,
                            memory=self.memory)
        return ImsDevice(num_slots=self.num_slots, axil_addr_width=self.axil_addr_width,
                         irq_index_width=self.irq_index_width)

    def attach_memory(self, memory) -> None:
        """The host memory the block fetches entries from (the platform's). Software writes to
        it are noted per entry: until a MEM_INVAL naming the entry is answered, a trigger with
        a valid copy may still read the new image (a miss), so both are kept."""
        self.memory = memory
        for w in self.worlds:
            w.dev.memory = memory
        write_bytes = memory.write_bytes

        def noted_write(addr: int, data: bytes, _w=write_bytes) -> None:
            _w(addr, data)
            self._note_memory_write(addr, len(data))
        memory.write_bytes = noted_write

    def _note_memory_write(self, addr: int, length: int) -> None:
        dev = self.worlds[0].dev
        if not dev.mem_entries:
            return
        base = dev.mem_base
        first, last = (addr - base) // SLOT_BYTES, (addr + length - 1 - base) // SLOT_BYTES
        for j in range(max(first, 0), min(last, dev.mem_entries - 1) + 1):
            self.dirty[j] = self.now

    def entry_of(self, dev: ImsDevice, addr: int) -> int | None:
        off = addr - dev.mem_base
        if off < 0 or off % SLOT_BYTES:
            return None
        j = off // SLOT_BYTES
        return j if j < dev.mem_entries else None

    def _new_worlds(self) -> None:
        self.worlds: list[World] = [World(self._new_device())]
        self.dirty = {}
        self.inflight: deque[tuple[int, int, int, int, int]] = deque()  # (id, offset, value, strb, cycle)
        self._next_wid = 0
        self.held: list[tuple[int, int, int]] = []     # unexplained writes waiting: (cycle, addr, data)
        self.reported_missing: deque[Owed] = deque(maxlen=64)   # to recognise a late arrival
        self._next_trigger = 0
        self._next_replay = 0

    @property
    def model(self) -> ImsDevice:
        """The device model of the first surviving world (the only one outside windows)."""
        return self.worlds[0].dev

    def error(self, kind: str, cycle: int, text: str, slot: int | None = None,
              irq: int | None = None) -> None:
        m = Mismatch(kind, cycle, text, slot, irq, self.repro)
        self.mismatches.append(m)
        if self.log is not None and len(self.mismatches) <= MAX_REPORTED:
            self.log.error(m.format())

    # ------------------------------------------------------------- driver side
    def bind(self, slot: int, irq: int) -> None:
        self.slot_owner[slot] = irq

    def unbind(self, slot: int) -> None:
        self.slot_owner.pop(slot, None)
        self.slot_expect.pop(slot, None)

    def expect_fault(self, slot: int, reason: int, recorded: bool) -> None:
        self.slot_expect[slot] = SlotExpectation("fault", reason=int(reason), recorded=recorded)

    def expect_posted(self, slot: int, vector: int) -> None:
        self.slot_expect[slot] = SlotExpectation("posted", vector=vector)

    def expect_delivery(self, slot: int) -> None:
        self.slot_expect.pop(slot, None)

    # ---------------------------------------------------------- register side
    def _slot_of(self, offset: int) -> int | None:
        if offset < self.table_base:
            return None
        s = (offset - self.table_base) // SLOT_BYTES
        return s if s < self.num_slots else None

    def _affects(self, offset: int, index: int) -> bool:
        """Can a write at `offset` change what a trigger to `index` does?"""
        offset &= ~3
        if offset == REG_CTRL:
            return True
        if index >= self.num_slots and self.mem_max_entries and offset in self._mem_regs():
            return True     # MEM_INVAL / base / size: copies, pending bits, rule 1's M
        return self._slot_of(offset) == index

    def _mem_regs(self) -> tuple[int, ...]:
        d = self.worlds[0].dev
        return (d.reg_mem_base_lo, d.reg_mem_base_hi, d.reg_mem_entries, d.reg_mem_inval)

    def reg_write_request(self, cycle: int, offset: int, value: int, strb: int = 0xF) -> int:
        wid = self._next_wid
        self._next_wid += 1
        self.inflight.append((wid, offset & ~3, value, strb, cycle))
        return wid

    def _apply(self, world: World, cycle: int, wid: int, offset: int, value: int, strb: int,
               req_cycle: int | None = None) -> int:
        dev = world.dev
        slot = self._slot_of(offset)
        old_ctrl = dev.ctrl
        old_sc = dev.slot_ctrl[slot] if slot is not None else None
        if dev.mem_max_entries and offset in self._mem_regs():
            before = {j: list(c) for j, c in dev._copies.items()}
            resp = dev.write(offset, value, strb)
            for j, imgs in before.items():
                if j not in dev._copies:
                    self.stale.setdefault(j, set()).update((i.addr, i.data) for i in imgs)
        else:
            resp = dev.write(offset, value, strb)
        if dev.mem_max_entries:
            since = cycle if req_cycle is None else req_cycle
            world.reexams += [(j, since) for j in dev.reexam_wanted]
            dev.reexam_wanted.clear()
        if slot is not None and offset % SLOT_BYTES != SLOT_CTRL:
            lo, hi, data, _ = dev.slot(slot)
            for owed in world.direct:
                if owed.slot == slot:
                    owed.widen(lo, hi, data)
            for owed in world.replays:
                if owed.slot == slot:
                    owed.widen(lo, hi, data)
        causes = replay_causes(offset, old_ctrl, dev.ctrl, old_sc,
                               dev.slot_ctrl[slot] if slot is not None else None)
        self._collect_replays(world, cycle, causes)
        return resp

    def _collect_replays(self, world: World, cycle: int, causes: tuple[str, ...] | None = None) -> None:
        for msg in world.dev.take_replays():
            world.replays.append(Owed(True, msg.slot, self._next_replay, cycle, msg.addr, msg.data,
                                      causes))
            self._next_replay += 1
        world.dev.emitted.clear()  # the scoreboard keeps its own record; bound the model's

    def reg_write_response(self, cycle: int, bresp: int) -> None:
        if not self.inflight:
            self.error("BRESP_WITHOUT_WRITE", cycle, f"AXI-Lite write response {bresp} with no write outstanding")
            return
        wid, offset, value, strb, req_cycle = self.inflight.popleft()
        self.now = max(self.now, cycle)
        if self.mem_max_entries:
            self._before_register_effect(cycle, offset & ~3)
        resps = set()
        for w in self.worlds:
            if wid in w.applied:
                resps.add(w.applied.pop(wid))
            else:
                resps.add(self._apply(w, cycle, wid, offset, value, strb, req_cycle))
        if self.mem_max_entries and offset in self._mem_regs():
            self._mem_register_answered(cycle, offset, value, req_cycle)
        if bresp not in resps:
            self.error("REGISTER_RESPONSE", cycle,
                       f"write {offset:#06x} <- {value:#010x} (strb {strb:#x}, requested cycle {req_cycle}) "
                       f"answered BRESP={bresp}, model says {sorted(resps)}", slot=self._slot_of(offset))
        self._merge_worlds()
        self._retry_held(cycle)

    def _mem_register_answered(self, cycle: int, offset: int, value: int, req_cycle: int) -> None:
        """§7: the response of MEM_INVAL / MEM_BASE_* / MEM_ENTRIES. Software writes to the
        entries it names made before the request are now covered (freshness); and every
        trigger accepted before the request has been decided, so a world still holding one
        parked (waiting for a fetch) is not what happened."""
        dev = self.worlds[0].dev
        if offset == dev.reg_mem_inval and not value & dev._inval_all:
            named = [value & dev._inval_entry]
        else:
            named = list(self.dirty)
        for j in named:
            if j in self.dirty and self.dirty[j] < req_cycle:
                del self.dirty[j]
        keep = [w for w in self.worlds if not (w.parked and w.parked[0].cycle < req_cycle)]
        if keep:
            self.worlds = keep
        else:
            p = self.worlds[0].parked[0]
            self.error("MEM_INVAL_EARLY_RESPONSE", cycle,
                       f"write {offset:#x} <- {value:#x} (requested cycle {req_cycle}) answered while "
                       f"trigger #{p.ref} (cycle {p.cycle}, index {p.index}) accepted before it had no "
                       f"fetch result yet (§7: the response waits until every earlier trigger is decided)",
                       slot=p.index)

    def reg_read(self, cycle: int, offset: int, data: int, rresp: int) -> None:
        """Check a read answer where the value does not depend on timing."""
        if not self.check_reads or len(self.worlds) != 1:
            return
        offset &= ~3
        if any(off == offset for _, off, _, _, _ in self.inflight):
            return
        slot = self._slot_of(offset)
        timing_free = offset in (REG_ID, REG_VERSION, REG_NUM_SLOTS, REG_CTRL) or (slot is not None)
        if not timing_free and rresp == 0:
            return
        exp, exp_resp = self.model.read(offset)
        if slot is not None and offset % SLOT_BYTES == SLOT_CTRL:
            mask = ~SLOT_PENDING & 0xFFFFFFFF   # PENDING bit moves with triggers: checked at the end
            exp &= mask
            data &= mask
        if rresp != exp_resp or (rresp == 0 and data != exp):
            self.error("REGISTER_READ", cycle,
                       f"read {offset:#06x} returned {data:#010x} resp {rresp}, model {exp:#010x} resp {exp_resp}",
                       slot=slot)

    # ----------------------------------------------------------- trigger side
    def trigger(self, cycle: int, index: int, pasid: int | None) -> None:
        ref = self._next_trigger
        self._next_trigger += 1
        self.stats.triggers += 1
        inflight = self.inflight
        windowed = bool(inflight) and any(self._affects(off, index) for _, off, _, _, _ in inflight)
        if self.mem_max_entries:
            self._trigger_mem_build(cycle, ref, index, pasid, windowed)
            return
        if windowed:
            self._trigger_windowed(cycle, ref, index, pasid)
            return
        for w in self.worlds:
            self._trigger_in(w, cycle, ref, index, pasid)

    # --------------------------------------------------------- §7 trigger side
    def _trigger_mem_build(self, cycle: int, ref: int, index: int, pasid: int | None,
                           windowed: bool) -> None:
        """A build with memory entries: every trigger goes through World.parked (see the
        module doc), so slot triggers behind an entry miss keep their place too."""
        self.now = max(self.now, cycle)
        self._prune_waiting(cycle)
        self._ripen(cycle)
        if windowed:
            self.stats.windowed += 1
            bases = self._window_variants(cycle, ref)
        else:
            bases = self.worlds
        out: list[World] = []
        for w in bases:
            out += self._admit(w, cycle, ref, index, pasid)
        self._set_worlds(out, cycle, index)

    def _set_worlds(self, worlds: list[World], cycle: int, index: int | None) -> None:
        self.stats.forks += max(0, len(worlds) - len(self.worlds))
        self.worlds = worlds
        self._merge_worlds()
        if self.mismatches and len(self.worlds) > MAX_WORLDS_AFTER_FAILURE:
            # The run has failed already: what follows only has to end, not to be exact
            # (a diverged history multiplies the worlds and the run would crawl).
            self.worlds = self.worlds[:MAX_WORLDS_AFTER_FAILURE]
        self.stats.max_histories = max(self.stats.max_histories, len(self.worlds))
        if len(self.worlds) > MAX_WORLDS:
            self.error("CHECKER_AMBIGUITY", cycle,
                       f"{len(self.worlds)} possible histories: too many register writes or entry "
                       f"fetches overlap triggers to the same index; the sequence must leave gaps",
                       slot=index)
            self.worlds = self.worlds[:MAX_WORLDS]

    def _admit(self, w: World, cycle: int, ref: int, index: int, pasid: int | None) -> list[World]:
        dev = w.dev
        n = self.num_slots
        if index >= n and (index >= n + dev.mem_entries or not dev.ctrl & CTRL_ENABLE):
            # Rules 1-2 are checked at acceptance, before any fetch: no message, no order.
            self._decide(w, cycle, ref, index, pasid, None)
            return [w]
        if index < n and not w.parked:
            self._decide(w, cycle, ref, index, pasid, None)
            return [w]
        w.parked.append(Parked(ref, cycle, index, pasid, cycle + (DECIDE_SLACK_CYCLES if index >= n else 0)))
        return self._drain(w, cycle)

    def _decide(self, w: World, cycle: int, ref: int, index: int, pasid: int | None, use) -> Outcome:
        r = w.dev.trigger(index, pasid, use=use)
        w.tally[r.outcome] = w.tally.get(r.outcome, 0) + 1
        if r.outcome is Outcome.SENT:
            m = r.message
            w.direct.append(Owed(False, index, ref, cycle, m.addr, m.data))
            w.dev.emitted.clear()
        elif r.outcome is Outcome.DROP_FETCH:
            self.fetch_drops.append((cycle, index - self.num_slots))
        return r.outcome

    def _miss_may_differ(self, w: World, j: int, copies) -> bool:
        """Could a fetch now give this trigger another outcome than a hit on `copies`?"""
        if self.fetch_errors_anywhere or j in self.dirty:
            return True
        try:
            fresh = w.dev.read_entry(j)
        except MemoryReadError:
            return True
        return fresh not in copies

    def _drain(self, w: World, cycle: int, force: bool = False, upto: int | None = None) -> list[World]:
        """Decide a world's parked triggers in order as far as it can: slot triggers, entry
        triggers whose fetch was seen, and entry triggers that may hit a valid copy (a fork
        per copy, plus the world where it still waits when a miss could differ). Only those
        whose decision time has come (ready_at), unless `force` (an observation says the RTL
        has decided them)."""
        n = self.num_slots
        out: list[World] = []
        todo = [w]
        while todo:
            w = todo.pop()
            while w.parked:
                it = w.parked[0]
                if (not force and it.ready_at > cycle) or (upto is not None and it.ref > upto):
                    break
                if it.index < n or it.fetch is not None:
                    w.parked.popleft()
                    self._decide(w, it.cycle, it.ref, it.index, it.pasid, it.fetch)
                    continue
                j = it.index - n
                copies = w.dev.cached_copies(j)
                if not copies:
                    break
                wait = self._miss_may_differ(w, j, copies)
                if not wait and len(copies) == 1:
                    w.parked.popleft()
                    self._decide(w, it.cycle, it.ref, it.index, it.pasid, copies[0])
                    continue
                for c in copies:
                    v = w.clone()
                    v.parked.popleft()
                    self._decide(v, it.cycle, it.ref, it.index, it.pasid, c)
                    todo.append(v)
                if not wait:
                    w = None
                break
            if w is not None:
                out.append(w)
        return out

    def _prune_waiting(self, cycle: int) -> None:
        """Drop worlds that still wait for a fetch no one made (module doc)."""
        if not any(w.parked for w in self.worlds):
            return
        grace = self.await_grace

        def stuck(w: World) -> bool:
            if not w.parked:
                return False
            p = w.parked[0]
            return p.fetch is None and cycle - max(p.cycle, w.last_fetch_cycle) > grace

        keep = [w for w in self.worlds if not stuck(w)]
        if keep:
            self.worlds = keep
        elif not getattr(self, "_reported_stuck", False):
            self._reported_stuck = True
            p = self.worlds[0].parked[0]
            self.error("TRIGGER_UNDECIDED", cycle,
                       f"trigger #{p.ref} (cycle {p.cycle}) to index {p.index} (memory entry "
                       f"{p.index - self.num_slots}): no valid copy and no fetch of the entry within "
                       f"{grace} cycles, and no message explains it", slot=p.index)

    def advance(self, cycle: int) -> None:
        """Time passed without transactions (the env's drain loop): prune waiting worlds."""
        self.now = max(self.now, cycle)
        if self.mem_max_entries:
            self._prune_waiting(cycle)
            self._ripen(cycle)

    def _ripen(self, cycle: int) -> None:
        """Decide, in every world, the parked triggers whose decision time has passed."""
        if any(w.parked and w.parked[0].ready_at <= cycle for w in self.worlds):
            out: list[World] = []
            for w in self.worlds:
                out += self._drain(w, cycle) if w.parked else [w]
            self._set_worlds(out, cycle, None)

    def _before_register_effect(self, cycle: int, offset: int) -> None:
        """A register write is answered at `cycle`: parked triggers past their decision time
        are decided first; the others may have been decided before it or not (both kept),
        except for MEM_INVAL / base / size, whose response waits until every earlier trigger
        is decided (§7), so they are decided now. The RTL decides in acceptance order, so the
        histories are: the first k parked triggers decided before the write, k = 0..all."""
        self._ripen(cycle)
        must = offset in self._mem_regs()
        out: list[World] = []
        for w in self.worlds:
            if not w.parked:
                out.append(w)
            elif must:
                out += self._drain(w, cycle, force=True)
            else:
                refs = [p.ref for p in w.parked]
                for r in refs:
                    out += self._drain(w.clone(), cycle, force=True, upto=r)
                out.append(w)
        self._set_worlds(out, cycle, None)

    # ----------------------------------------------------------- §7 fetch side
    def fetch(self, t: FetchTxn) -> None:
        """One entry fetch seen on the read master (module doc): it serves the oldest parked
        trigger of its entry accepted by its AR, or a re-examination of the entry requested by
        then (a fork when both wait), or nobody (then it is a copy the block may hold)."""
        self.stats.fetches += 1
        self.now = max(self.now, t.cycle)
        if t.error:
            self.stats.fetch_errors += 1
            seen = Fetch(error=True)
        else:
            w0, w1, w2, w3 = t.words
            seen = Fetch(image=EntryImage(w0 & ADDR_LO_RW_BITS, w1, w2, w3 & SLOT_CTRL_RW_BITS))
        n = self.num_slots
        out: list[World] = []
        for w in self.worlds:
            w.last_fetch_cycle = t.cycle
            j = self.entry_of(w.dev, t.addr)
            if j is None:
                self.error("FETCH_OUTSIDE_TABLE", t.cycle,
                           f"fetch at {t.addr:#x} (AR cycle {t.ar_cycle}) is no entry of the table "
                           f"(MEM_BASE {w.dev.mem_base:#x}, M = {w.dev.mem_entries})")
                out.append(w)
                continue
            trig = next((p for p in w.parked if p.index == n + j and p.fetch is None
                         and p.cycle <= t.ar_cycle), None)
            rex = next((k for k, (e, since) in enumerate(w.reexams) if e == j and since <= t.ar_cycle), None)
            options = ([("trigger", trig)] if trig is not None else []) + \
                      ([("reexam", rex)] if rex is not None else [])
            if not options:
                w.dev._fetch(j, seen)           # nobody waits: a copy (or a counted error)
                out += self._drain(w, t.cycle)
                continue
            for k, (kind, what) in enumerate(options):
                v = w if k == len(options) - 1 else w.clone()
                if kind == "trigger":
                    p = next(p for p in v.parked if p.ref == what.ref)
                    p.fetch = seen
                    p.ready_at = max(p.ready_at, t.cycle + DECIDE_SLACK_CYCLES)
                    out += self._drain(v, t.cycle)
                else:
                    e, _ = v.reexams.pop(what)
                    v.dev.finish_reexamine(e, seen)
                    self._collect_replays(v, t.cycle, None)
                    out.append(v)
        self._set_worlds(out, t.cycle, None)

    def _trigger_in(self, w: World, cycle: int, ref: int, index: int, pasid: int | None) -> Outcome:
        r = w.dev.trigger(index, pasid)
        if r.outcome is Outcome.SENT:
            m = r.message
            w.direct.append(Owed(False, index, ref, cycle, m.addr, m.data))
            w.dev.emitted.clear()
        if w is self.worlds[0]:
            counts = self._outcome_counts
            counts[r.outcome] = counts.get(r.outcome, 0) + 1
            cov = self.coverage
            if cov is not None:
                dev = w.dev
                cov.on_trigger(cycle, index, pasid, _OUTCOME_NAMES[r.outcome], dev.ctrl,
                               dev.slot_ctrl[index] if index < dev.num_slots else None)
        return r.outcome

    def _window_variants(self, cycle: int, ref: int) -> list[World]:
        """Every world once per number of in-flight writes already in effect (in order)."""
        new_worlds: list[World] = []
        for w in self.worlds:
            pending = [item for item in self.inflight if item[0] not in w.applied]
            new_worlds.append(w)
            if not pending:
                continue
            # The RTL decides parked triggers in acceptance order, each before or after the
            # write takes effect (the contract binds only triggers accepted after its
            # response): so the write may find the first k parked triggers decided already,
            # k = 0..all. Without these prefixes a trigger parked behind a cache hit could
            # only be judged with the write in effect (seed 2 of UvmMemFuncMaskStorm: an
            # entry hit sent under the old CTRL, the slot trigger behind it pended by the new).
            starts = [w.clone()]
            for r in [p.ref for p in w.parked]:
                starts += self._drain(w.clone(), cycle, force=True, upto=r)
            for base in starts:
                for j in range(len(pending)):
                    base = base.clone()
                    wid, off, val, strb, req_cycle = pending[j]
                    base.applied[wid] = self._apply(base, cycle, wid, off, val, strb, req_cycle)
                    base.choices.append(f"trigger #{ref} saw write {off:#x}<-{val:#x}")
                    new_worlds.append(base)
        return new_worlds

    def _trigger_windowed(self, cycle: int, ref: int, index: int, pasid: int | None) -> None:
        # The RTL applies writes in order, so the possibilities are: the first j in-flight
        # writes (not yet applied in that world) are already in effect, j = 0..n.
        self.stats.windowed += 1
        new_worlds: list[World] = []
        for w in self.worlds:
            pending = [item for item in self.inflight if item[0] not in w.applied]
            variants = [w]
            base = w
            for j in range(len(pending)):
                base = base.clone()
                wid, off, val, strb, req_cycle = pending[j]
                base.applied[wid] = self._apply(base, cycle, wid, off, val, strb, req_cycle)
                base.choices.append(f"trigger #{ref} saw write {off:#x}<-{val:#x}")
                variants.append(base)
            for v in variants:
                self._trigger_in(v, cycle, ref, index, pasid)
            new_worlds.extend(variants)
        self.stats.forks += len(new_worlds) - len(self.worlds)
        self.worlds = new_worlds
        self._merge_worlds()
        self.stats.max_histories = max(self.stats.max_histories, len(self.worlds))
        if len(self.worlds) > MAX_WORLDS:
            self.error("CHECKER_AMBIGUITY", cycle,
                       f"{len(self.worlds)} possible histories: too many register writes overlap "
                       f"triggers to the same slots; the sequence must leave gaps", slot=index)
            self.worlds = self.worlds[:MAX_WORLDS]

    def _merge_worlds(self) -> None:
        if len(self.worlds) < 2:
            return
        seen: dict[tuple, World] = {}
        for w in self.worlds:
            sig = w.signature()
            if sig in seen:
                seen[sig].merge(w)
            else:
                seen[sig] = w
        self.worlds = list(seen.values())

    # ----------------------------------------------------------- message side
    def message(self, cycle: int, addr: int, data: int) -> None:
        """One completed write on m_axi (AW and W handshakes), in emission order."""
        self.stats.messages += 1
        if self.mem_max_entries:
            self.now = max(self.now, cycle)
            self._prune_waiting(cycle)
            self._ripen(cycle)
            self._message_mem(cycle, addr, data)
            return
        if len(self.worlds) == 1:
            w = self.worlds[0]
            head = w.direct[0] if w.direct else None
            if head is not None and head.addr == addr and head.data == data:
                owed = w.direct.popleft()       # the common case, without the general search
            else:
                owed = self._consume(w, addr, data)
            if owed is None:
                if not self.inflight:
                    # With no register write in flight no replay can be on its way early, so
                    # judge now: holding would let a later identical message of the same slot
                    # take this one's place and smear one error over many triggers.
                    self._report_unexplained(cycle, addr, data)
                    return
                self.held.append((cycle, addr, data))
                self._check_held_age(cycle)
                return
        else:
            survivors = []
            owed = None
            for w in self.worlds:
                o = self._consume(w, addr, data)
                if o is not None:
                    survivors.append(w)
                    owed = owed or o
            if not survivors:
                self.held.append((cycle, addr, data))
                self._check_held_age(cycle)
                return
            self.worlds = survivors
            self._merge_worlds()
        self._deliver(cycle, owed, addr, data)

    def _message_mem(self, cycle: int, addr: int, data: int) -> None:
        """message() with memory entries: a world that cannot explain the write as it stands
        may have parked triggers the RTL has decided already (the write shows it): decide them
        (on a copy, so the world is unchanged if that does not explain it either)."""
        survivors: list[World] = []
        owed = None
        for w in self.worlds:
            # The write may also be the direct message of a parked trigger the RTL has decided
            # (when it equals an owed replay of the same entry, both histories stand).
            # Only the shortest prefix of parked triggers that explains it is decided: the rest
            # may still be decided after a write answered later (their forks come then).
            if w.parked:
                for r in [p.ref for p in w.parked]:
                    found = False
                    for v in self._drain(w.clone(), cycle, force=True, upto=r):
                        o = self._consume(v, addr, data)
                        if o is not None and not o.replay:
                            survivors.append(v)
                            owed = owed or o
                            found = True
                    if found:
                        break
            o = self._consume(w, addr, data)
            if o is not None:
                survivors.append(w)
                owed = owed or o
        if (not survivors or os.environ.get("IMS_SB_DEBUG") == "all") and os.environ.get("IMS_SB_DEBUG"):
            for w in self.worlds:
                (self.log.info if self.log is not None else print)(f"IMS_SB_DEBUG cycle {cycle} msg {addr:#x}: parked {[(p.ref, p.cycle, p.index, p.fetch is not None) for p in w.parked]} "
                      f"direct {[(o.ref, o.slot) for o in w.direct]} replays {[(o.ref, o.slot) for o in w.replays]} "
                      f"reexams {w.reexams} ctrl {w.dev.ctrl} pend {w.dev.pending:#x} choices {w.choices[-3:]}")
        if not survivors:
            if not self.inflight and len(self.worlds) == 1:
                self._report_unexplained(cycle, addr, data)
                return
            self.held.append((cycle, addr, data))
            self._check_held_age(cycle)
            return
        self._set_worlds(survivors, cycle, None)
        self._deliver(cycle, owed, addr, data)

    def _consume(self, w: World, addr: int, data: int) -> Owed | None:
        if w.direct and w.direct[0].matches(addr, data):
            return w.direct.popleft()
        for i, o in enumerate(w.replays):
            if o.matches(addr, data):
                return w.replays.pop(i)
        return None

    def _retry_held(self, cycle: int) -> None:
        if not self.held:
            return
        held, self.held = self.held, []
        for c, addr, data in held:
            self.stats.messages -= 1
            self.message(c, addr, data)

    def _check_held_age(self, cycle: int) -> None:
        while self.held and (cycle - self.held[0][0] > UNEXPLAINED_GRACE_CYCLES or len(self.held) > 8):
            c, addr, data = self.held.pop(0)
            self._report_unexplained(c, addr, data)

    def _report_unexplained(self, cycle: int, addr: int, data: int) -> None:
        """No owed message matches: say as precisely as possible what went wrong."""
        w = self.worlds[0]
        if w.parked:
            # the write says the RTL decided what world 0 still holds parked: judge it decided
            w = self.worlds[0] = self._drain(w, cycle, force=True)[0]
        # The late message of a trigger already reported missing: it came out of order.
        for k, o in enumerate(self.reported_missing):
            if o.matches(addr, data):
                del self.reported_missing[k]
                self.error("OUT_OF_ORDER", cycle, f"{o.describe()}: arrived after later triggers' messages",
                           slot=o.slot, irq=self.slot_owner.get(o.slot))
                self._deliver(cycle, o, addr, data)
                return
        # A later trigger's message overtook (or replaced) the head of the ordered queue?
        for k, o in enumerate(w.direct):
            if o.matches(addr, data):
                lost = [w.direct.popleft() for _ in range(k)]
                w.direct.popleft()
                for x in lost:
                    self.error("MISSING_MESSAGE", cycle,
                               f"{x.describe()}, but a later message ({o.describe()}) arrived first",
                               slot=x.slot, irq=self.slot_owner.get(x.slot))
                    self.reported_missing.append(x)
                self._deliver(cycle, o, addr, data)
                return
        if self.mem_max_entries and self._report_entry_write(w, cycle, addr, data):
            return
        # Half of an owed message (address right and data wrong, or the reverse) and no slot
        # holds what arrived: corruption. (Under IR every data DWORD is 0, so an address-only
        # difference that names another slot is a wrong-slot write, reported below.)
        slot_hit = self._explain_slot(w, addr, data)[0]
        for o in (list(w.direct)[:1] + w.replays) if slot_hit is None else ():
            if (o.addr == addr) != (o.data == data):
                self.error("CORRUPTED_MESSAGE", cycle,
                           f"got {addr:#x} <- {data:#x}; {o.describe()}", slot=o.slot,
                           irq=self.slot_owner.get(o.slot))
                (w.direct.popleft() if (w.direct and w.direct[0] is o) else w.replays.remove(o))
                return
        slot, why = self._explain_slot(w, addr, data)
        self.error("UNEXPLAINED_WRITE", cycle,
                   f"write {addr:#x} <- {data:#x} explained by no trigger or replay{why}",
                   slot=slot, irq=self.slot_owner.get(slot) if slot is not None else None)

    def _report_entry_write(self, w: World, cycle: int, addr: int, data: int) -> bool:
        """§7 explanations of a write no history accepts: an image an invalidation dropped
        (freshness), or a trigger whose fetch failed. True when reported."""
        n = self.num_slots
        for j, imgs in self.stale.items():
            if (addr, data) not in imgs:
                continue
            legal = [i for i in w.dev.cached_copies(j)]
            try:
                legal.append(w.dev.read_entry(j))
            except MemoryReadError:
                pass
            if any((i.addr, i.data) == (addr, data) for i in legal):
                continue
            waiting = [p for p in w.parked if p.index == n + j]
            self.error("STALE_ENTRY", cycle,
                       f"write {addr:#x} <- {data:#x} is memory entry {j}'s image from before a "
                       f"MEM_INVAL that has been answered (§7 rule 3 freshness: a trigger accepted "
                       f"after the response uses values read after the MEM_INVAL was accepted); "
                       f"{len(waiting)} trigger(s) of the entry wait for a fresh fetch",
                       slot=n + j, irq=self.slot_owner.get(n + j))
            return True
        recent = [(c, j) for c, j in self.fetch_drops if cycle - c <= 4 * self.await_grace]
        if recent:
            c, j = recent[-1]
            self.error("FETCH_ERROR_SENT", cycle,
                       f"write {addr:#x} <- {data:#x} explained by no trigger; the trigger of "
                       f"memory entry {j} at cycle {c} had its fetch answered RRESP != OKAY, which "
                       f"drops it (§7 rule 2: no message, CNT_FETCH_ERR + 1)",
                       slot=n + j, irq=self.slot_owner.get(n + j))
            return True
        return False

    def _explain_slot(self, w: World, addr: int, data: int) -> tuple[int | None, str]:
        dev = w.dev
        for s in range(self.num_slots):
            lo, hi, d, ctrl = dev.slot(s)
            if (hi << 32 | lo) == addr and d == data:
                state = []
                if ctrl & SLOT_MASK:
                    state.append("masked")
                if ctrl & SLOT_PENDING:
                    state.append("pending")
                if ctrl & SLOT_PASID_EN:
                    state.append(f"PASID_EN pasid={ctrl >> SLOT_PASID_SHIFT:#x}")
                return s, f" (it is slot {s}'s message; slot state: {', '.join(state) or 'unmasked, nothing owed'})"
        return None, " (no slot holds this message)"

    def _deliver(self, cycle: int, owed: Owed, addr: int, data: int) -> None:
        kind = "entry" if owed.slot >= self.num_slots else "slot"
        self.stats.explained[kind + "_replay" if owed.replay else kind] += 1
        cov = self.coverage
        if owed.replay:
            self.stats.replays += 1
            if cov is not None:
                cov.on_replay(owed.cause)
        if not self.expect_platform:
            return
        slot = owed.slot
        irq = self.slot_owner.get(slot)
        expect = self.slot_expect.get(slot)
        plat = self.platform
        cpus = None
        if irq is not None and expect is None:
            info = plat.irq_info(irq)
            cpus = {info.cpu} | ({info.prev_cpu} if info.prev_cpu is not None else set())
        d = plat.receive_write(addr, data, self.sid)
        if cov is not None:
            if d.outcome == "faulted":
                cov.on_ir_fault(int(d.reason))
            elif cpus is not None and info.prev_vector is not None and d.outcome == "delivered":
                # A vector move was open when this interrupt arrived (platform-models.md §4).
                cov.on_affinity_move((d.cpu, d.vector) == (info.prev_cpu, info.prev_vector))
        if expect is None and irq is not None and len(d.cpus) > 1:
            # One message, one handler: a fixed logical request with RH = 1 goes to one CPU
            # (platform-models.md section 6); several APICs taking it means the platform's
            # delivery is wrong for this slot.
            self.error("MULTIPLE_DELIVERY", cycle,
                       f"{owed.describe()}: the vector {d.vector:#x} was taken by CPUs {d.cpus}, "
                       f"expected one CPU for Linux irq {irq}", slot=slot, irq=irq)
        if expect is None:
            if irq is None:
                self.error("WRITE_FOR_FREE_SLOT", cycle,
                           f"{owed.describe()} but slot {slot} has no Linux irq (freed or never requested); "
                           f"platform: {d.outcome}", slot=slot)
            elif d.outcome in ("accepted", "coalesced") and not plat.auto_ack:
                self._held_in_irr(cycle, owed, d, irq, cpus)
            elif d.outcome != "delivered" or d.linux_irq != irq:
                self.error("WRONG_DELIVERY", cycle,
                           f"{owed.describe()}: platform says {d.outcome}"
                           f"{' irq ' + str(getattr(d, 'linux_irq', None)) if d.outcome == 'delivered' else ''}"
                           f"{' reason ' + hex(d.reason) if d.outcome == 'faulted' else ''}, expected Linux irq {irq}",
                           slot=slot, irq=irq)
            elif d.cpu not in cpus:
                self.error("WRONG_CPU", cycle,
                           f"{owed.describe()}: Linux irq {irq} ran on CPU {d.cpu}, its affinity says {sorted(cpus)}",
                           slot=slot, irq=irq)
            else:
                self.stats.delivered += 1
        elif expect.kind == "fault":
            if d.outcome != "faulted" or int(d.reason) != expect.reason or bool(d.recorded) != expect.recorded:
                self.error("WRONG_FAULT", cycle,
                           f"{owed.describe()}: platform says {d.outcome} "
                           f"{getattr(d, 'reason', '')!s} recorded={getattr(d, 'recorded', None)}; expected fault "
                           f"{expect.reason:#x} recorded={expect.recorded}", slot=slot, irq=irq)
            else:
                self.stats.faulted += 1
        elif expect.kind == "posted":
            if d.outcome != "posted" or d.vector != expect.vector:
                self.error("WRONG_POSTING", cycle,
                           f"{owed.describe()}: platform says {d.outcome} vector {getattr(d, 'vector', None)}; "
                           f"expected posted vector {expect.vector:#x}", slot=slot, irq=irq)
            else:
                self.stats.posted += 1

    def _held_in_irr(self, cycle: int, owed: Owed, d, irq: int, cpus: set) -> None:
        """The APIC took the vector into IRR (the CPU runs later, see dispatch()): it must be a
        vector of this irq on a CPU of its affinity (old or new while a move is open)."""
        plat = self.platform
        if d.cpu not in cpus or plat.irq_for(d.cpu, d.vector) != irq:
            self.error("WRONG_DELIVERY", cycle,
                       f"{owed.describe()}: APIC of CPU {d.cpu} took vector {d.vector:#x} (Linux irq "
                       f"{plat.irq_for(d.cpu, d.vector)}), expected Linux irq {irq} on CPU {sorted(cpus)}",
                       slot=owed.slot, irq=irq)
            return
        if d.outcome == "coalesced":
            self.stats.coalesced += 1
        self.in_irr[(d.cpu, d.vector)] = irq
        self.stats.delivered += 1

    def dispatch(self, cycle: int, cpu: int) -> list[tuple[int, int | None]]:
        """Run `cpu` of a platform built with auto_ack=False (the sequence decides when): every
        vector its APIC dispatches must be one the scoreboard saw accepted there, and must run
        the Linux irq it was accepted for; one that ran on the vector a move is leaving is the
        affinity_move "old vector" case (platform-models.md §4/§6: the old vector stays until its
        IRR bit is clear)."""
        plat = self.platform
        before = {}
        for (c, v), irq in self.in_irr.items():
            if c == cpu:
                info = plat.irq_info(irq)
                before[v] = (irq, info.prev_cpu, info.prev_vector)
        ran = plat.dispatch(cpu)
        for v, got in ran:
            if v not in before:
                self.error("SPURIOUS_DISPATCH", cycle,
                           f"CPU {cpu} dispatched vector {v:#x} (Linux irq {got}) that no checked message put in IRR",
                           irq=got)
                continue
            del self.in_irr[(cpu, v)]
            want, prev_cpu, prev_vector = before[v]
            if got != want:
                self.error("WRONG_DELIVERY", cycle,
                           f"CPU {cpu} vector {v:#x} ran Linux irq {got}, accepted for Linux irq {want}", irq=want)
            elif prev_vector is not None and self.coverage is not None:
                self.coverage.on_affinity_move((cpu, v) == (prev_cpu, prev_vector))
        return ran

    def message_response(self, cycle: int, bresp: int) -> None:
        """The memory agent answered a message with BRESP (counted in CNT_WR_ERR when != 0)."""
        for w in self.worlds:
            w.dev.write_response(bresp)

    # ------------------------------------------------------------------ reset
    def reset(self, cycle: int) -> None:
        """rst asserted: what the DUT owed may be lost; the device starts over."""
        w = self.worlds[0]
        self.stats.lost_by_reset += len(w.direct) + len(w.replays)
        if self.log is not None:
            self.log.info(f"reset at cycle {cycle}: {len(w.direct)} direct and {len(w.replays)} replay "
                          f"messages owed may be lost; {len(self.held)} unexplained writes held")
        for c, addr, data in self.held:
            self._report_unexplained(c, addr, data)
        if self.coverage is not None:
            self.coverage.on_reset()
        self.stale.clear()
        self.fetch_drops.clear()
        self._new_worlds()

    # -------------------------------------------------------------- end of test
    def final_check(self, cycle: int, rtl_counters: dict[str, int], rtl_pending: list[int]) -> None:
        """After the DUT went quiet: nothing owed, nothing held, counters and pending equal."""
        if self.mem_max_entries:
            # the DUT went quiet: whatever it could decide, it has
            out: list[World] = []
            for w in self.worlds:
                out += self._drain(w, cycle, force=True) if w.parked else [w]
            self._set_worlds(out, cycle, None)
        for c, addr, data in self.held:
            self._report_unexplained(c, addr, data)
        self.held = []
        for (cpu, v), irq in sorted(self.in_irr.items()):
            self.error("UNDISPATCHED", cycle, f"Linux irq {irq}: vector {v:#x} still in CPU {cpu}'s IRR "
                       f"at the end (the sequence never ran that CPU)", irq=irq)
        best = None
        for w in self.worlds:
            problems = self._compare_end(w, rtl_counters, rtl_pending)
            if not problems:
                best = None
                self.worlds = [w]
                break
            if best is None or len(problems) < len(best[1]):
                best = (w, problems)
        self.stats.end_checked = True
        if best is not None:
            w, problems = best
            self.stats.counter_mismatches = [text.split()[0] for kind, text, _ in problems
                                             if kind == "COUNTER_MISMATCH"]
            self.stats.pending_mismatches = sum(1 for kind, _, _ in problems if kind == "PENDING_MISMATCH")
            for kind, text, slot in problems:
                self.error(kind, cycle, text + (f" [history: {'; '.join(w.choices)}]" if w.choices else ""),
                           slot=slot, irq=self.slot_owner.get(slot) if slot is not None else None)

    def counter_map(self) -> dict[str, int]:
        """CNT_* register name -> offset in this build (CNT_FETCH_ERR with §7)."""
        regs = getattr(self.worlds[0].dev, "_counter_regs", None)
        return dict(regs) if regs else dict(COUNTERS)

    def _compare_end(self, w: World, counters: dict[str, int], pending: list[int]) -> list[tuple]:
        problems = []
        for o in list(w.direct) + w.replays:
            problems.append(("LOST_MESSAGE", f"{o.describe()} and it never came", o.slot))
        for p in w.parked:
            problems.append(("TRIGGER_UNDECIDED", f"trigger #{p.ref} (cycle {p.cycle}) to index {p.index} "
                             f"never got the fetch of its memory entry", p.index))
        for j, since in w.reexams:
            problems.append(("REEXAMINATION_MISSING", f"memory entry {j} was pending when a write "
                             f"(requested cycle {since}) asked for its re-examination (§7 rule 4), and "
                             f"no fetch of it followed", self.num_slots + j))
        for name, off in self.counter_map().items():
            exp = w.dev.read(off)[0]
            lo, hi = w.slack.get(off, (0, 0))
            if name in counters and not lo <= ((counters[name] - exp + (1 << 31)) & 0xFFFFFFFF) - (1 << 31) <= hi:
                allowed = f"model {exp}" if lo == hi == 0 else f"model {exp + lo}..{exp + hi} (timing windows)"
                problems.append(("COUNTER_MISMATCH", f"{name} RTL {counters[name]} {allowed}", None))
        for k, word in enumerate(pending):
            exp = w.dev.read(REG_PENDING + PENDING_STRIDE * k)[0]
            if word != exp:
                diff = word ^ exp
                for j in range(PENDING_BITS_PER_WORD):
                    if diff >> j & 1:
                        s = PENDING_BITS_PER_WORD * k + j
                        problems.append(("PENDING_MISMATCH",
                                         f"pending bit RTL {word >> j & 1} model {exp >> j & 1}", s))
        return problems

    def outcome_count(self, name: str) -> int:
        """How many triggers the model judged `name` (an Outcome name), in world 0."""
        counts = self.worlds[0].tally if self.mem_max_entries else self._outcome_counts
        return counts.get(Outcome[name], 0)

    def raise_if_failed(self, header: str = "") -> None:
        if self.mismatches:
            raise ScoreboardError(self.mismatches, header)

    def summary(self) -> str:
        s = self.stats
        counts = self.worlds[0].tally if self.mem_max_entries else self._outcome_counts
        s.outcomes = {k.name: v for k, v in counts.items()}
        mem = (f"explained {s.explained}, fetches {s.fetches} (errors {s.fetch_errors}), "
               if self.mem_max_entries else "")
        return (mem + f"triggers {s.triggers} ({', '.join(f'{k} {v}' for k, v in sorted(s.outcomes.items()))}), "
                f"messages {s.messages} (replays {s.replays}), delivered {s.delivered}, faulted {s.faulted}, "
                f"posted {s.posted}, windowed triggers {s.windowed} (max {s.max_histories} histories), "
                f"lost by reset {s.lost_by_reset}, "
                f"mismatches {len(self.mismatches)}")
