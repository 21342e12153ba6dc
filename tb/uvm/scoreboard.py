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
"""

from __future__ import annotations

import copy
from collections import deque
from dataclasses import dataclass, field

from models.ims_device import ImsDevice, Outcome
from tb.uvm.coverage import replay_causes
from tb.transactions import MessageTxn, RegReadTxn, RegWriteRespTxn, RegWriteTxn, ResetTxn, TriggerTxn

from models.regmap import COUNTERS, REG_CTRL, REG_ID, REG_NUM_SLOTS, REG_PENDING, REG_VERSION
from models.regmap import PENDING_BITS_PER_WORD, PENDING_STRIDE, SLOT_BYTES, SLOT_CTRL, SLOT_PENDING
from models.regmap import SLOT_MASK, SLOT_PASID_EN, SLOT_PASID_SHIFT
from models.regs import load as load_regs

_OUTCOME_NAMES = {o: o.name.lower() for o in Outcome}

# How long an observed write may stay unexplained waiting for the register response that
# explains it (a replay may leave before the unmask's BVALID is seen). After that it is an error.
UNEXPLAINED_GRACE_CYCLES = 64
MAX_WORLDS = 256
MAX_REPORTED = 20


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


class World:
    """One consistent history of the device: the model plus the messages it still owes."""

    def __init__(self, dev: ImsDevice) -> None:
        self.dev = dev
        self.direct: deque[Owed] = deque()
        self.replays: list[Owed] = []
        self.applied: dict[int, int] = {}   # in-flight write id -> model response, applied early
        self.choices: list[str] = []        # how this world resolved windowed triggers
        self.slack: dict[int, tuple[int, int]] = {}   # counter offset -> allowed (lo, hi) delta

    def clone(self) -> "World":
        return copy.deepcopy(self)

    def counters(self) -> dict[int, int]:
        return {off: self.dev.read(off)[0] for off in COUNTERS.values()}

    def signature(self) -> tuple:
        """Everything that decides future behaviour. Counters are left out on purpose: worlds
        that differ only in counts are merged and the difference kept as slack (see merge)."""
        dev = self.dev
        pend = tuple(dev.read(REG_PENDING + PENDING_STRIDE * k)[0] for k in range(dev.pending_words))
        return (tuple(sorted(self.applied)), pend,
                tuple((o.slot, o.addr, o.data) for o in self.direct),
                tuple(sorted((o.slot, o.addr, o.data) for o in self.replays)))

    def merge(self, other: "World") -> None:
        """Absorb a world with the same signature: its counters become an allowed range.

        A trigger inside a window that may have pended or sent leaves the same future either
        way once its message (or replay) has been seen; only CNT_SENT/CNT_PENDED/... differ.
        Keeping both as separate worlds would multiply them at every window of a storm."""
        mine, theirs = self.counters(), other.counters()
        for off in COUNTERS.values():
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


class ImsScoreboard:
    """See the module docstring. `platform` is a models.platform.Platform (or None to check
    only the device side), `sid` the requester ID the device's writes carry."""

    def __init__(self, num_slots: int, platform=None, sid: int = 0x0300,
                 axil_addr_width: int = 16, irq_index_width: int = 16, repro: str = "",
                 log=None, check_reads: bool = True, mem_max_entries: int = 0) -> None:
        self.num_slots = num_slots
        self.mem_max_entries = mem_max_entries    # the build's (§6/§7: VERSION, §7 registers)
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

    _handlers = {TriggerTxn: _on_trigger, MessageTxn: _on_message, RegWriteTxn: _on_reg_write,
                 RegWriteRespTxn: _on_reg_write_resp, RegReadTxn: _on_reg_read, ResetTxn: _on_reset}

    # ------------------------------------------------------------------ state
    def _new_device(self) -> ImsDevice:
        return ImsDevice(num_slots=self.num_slots, axil_addr_width=self.axil_addr_width,
                         irq_index_width=self.irq_index_width, mem_max_entries=self.mem_max_entries)

    def _new_worlds(self) -> None:
        self.worlds: list[World] = [World(self._new_device())]
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
        return self._slot_of(offset) == index

    def reg_write_request(self, cycle: int, offset: int, value: int, strb: int = 0xF) -> int:
        wid = self._next_wid
        self._next_wid += 1
        self.inflight.append((wid, offset & ~3, value, strb, cycle))
        return wid

    def _apply(self, world: World, cycle: int, wid: int, offset: int, value: int, strb: int) -> int:
        dev = world.dev
        slot = self._slot_of(offset)
        old_ctrl = dev.ctrl
        old_sc = dev.slot_ctrl[slot] if slot is not None else None
        resp = dev.write(offset, value, strb)
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
        resps = set()
        for w in self.worlds:
            if wid in w.applied:
                resps.add(w.applied.pop(wid))
            else:
                resps.add(self._apply(w, cycle, wid, offset, value, strb))
        if bresp not in resps:
            self.error("REGISTER_RESPONSE", cycle,
                       f"write {offset:#06x} <- {value:#010x} (strb {strb:#x}, requested cycle {req_cycle}) "
                       f"answered BRESP={bresp}, model says {sorted(resps)}", slot=self._slot_of(offset))
        self._merge_worlds()
        self._retry_held(cycle)

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
        if inflight and any(self._affects(off, index) for _, off, _, _, _ in inflight):
            self._trigger_windowed(cycle, ref, index, pasid)
            return
        for w in self.worlds:
            self._trigger_in(w, cycle, ref, index, pasid)

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
                wid, off, val, strb, _ = pending[j]
                base.applied[wid] = self._apply(base, cycle, wid, off, val, strb)
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
        self._new_worlds()

    # -------------------------------------------------------------- end of test
    def final_check(self, cycle: int, rtl_counters: dict[str, int], rtl_pending: list[int]) -> None:
        """After the DUT went quiet: nothing owed, nothing held, counters and pending equal."""
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

    def _compare_end(self, w: World, counters: dict[str, int], pending: list[int]) -> list[tuple]:
        problems = []
        for o in list(w.direct) + w.replays:
            problems.append(("LOST_MESSAGE", f"{o.describe()} and it never came", o.slot))
        for name, off in COUNTERS.items():
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
        return self._outcome_counts.get(Outcome[name], 0)

    def raise_if_failed(self, header: str = "") -> None:
        if self.mismatches:
            raise ScoreboardError(self.mismatches, header)

    def summary(self) -> str:
        s = self.stats
        s.outcomes = {k.name: v for k, v in self._outcome_counts.items()}
        return (f"triggers {s.triggers} ({', '.join(f'{k} {v}' for k, v in sorted(s.outcomes.items()))}), "
                f"messages {s.messages} (replays {s.replays}), delivered {s.delivered}, faulted {s.faulted}, "
                f"posted {s.posted}, windowed triggers {s.windowed} (max {s.max_histories} histories), "
                f"lost by reset {s.lost_by_reset}, "
                f"mismatches {len(self.mismatches)}")
