"""Register test sequences over the pyuvm register layer (tb/uvm/reg_model.py).

Every expected value comes from the register description (regs/ims.rdl): the uvm_reg_block's
mirror (generated from it by peakrdl-pyuvm, updated by auto-prediction on each frontdoor write)
and, for byte-strobe merges, the field access types the loader (models/regs.py) reads from it.
Nothing here types an offset or a bit position.

  RegResetSeq      every register reads its reset value (§2, §3: all slots at small NUM_SLOTS)
  RegBitBashSeq    walking 1 and walking 0 through every bit of the top registers, the PENDING
                   words and a few slots: RW bits store, RO bits and unlisted bits ignore writes
                   and read their value / 0, W1C bits are not set by software
  RegByteStrobeSeq partial WSTRB writes (every contiguous strobe) on RW, RW1C and RO registers:
                   unstrobed lanes keep their value
  RegW1cSeq        STATUS flags and a slot's PENDING bit raised by triggers, then cleared one at
                   a time by writing 1; writing 0 or unstrobed lanes leaves them; counters moved
  RegUnlistedSeq   addresses the description does not list answer SLVERR with data 0 on reads
                   and SLVERR on writes, and such writes change nothing

Mismatches are collected in `RegChecks.problems` (rule, register, address, cycle); the test
fails on any, with the seed and the command that reproduces it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from cocotb.triggers import ClockCycles
from pyuvm import uvm_predict_e, uvm_sequence, uvm_status_e

from models.regs import Register, RegisterMap, load
from tb.uvm.agents import TriggerItem
from tb.uvm.reg_model import AxiLiteItem

LOG = logging.getLogger("cocotb.regs")
M32 = 0xFFFFFFFF
OKAY, SLVERR = 0, 2
CONTIGUOUS_STROBES = (0x1, 0x2, 0x4, 0x8, 0x3, 0x6, 0xC, 0x7, 0xE)


def byte_mask(strb: int) -> int:
    return sum(0xFF << (8 * k) for k in range(4) if strb >> k & 1)


def written_value(layout: Register, old: int, value: int, strb: int = 0xF) -> int:
    """What a register reads after writing `value` with `strb` over `old`, by the description's
    field access types: RW stores, write-1-clears clears, RO keeps; gaps read 0; unstrobed byte
    lanes keep their old value."""
    new = 0
    for f in layout.fields.values():
        if f.is_rw:
            new |= value & f
        elif f.is_w1c:
            new |= old & f & ~value
        elif f.readable:
            new |= old & f
    bm = byte_mask(strb)
    return ((old & ~bm) | (new & bm)) & layout.readable_mask


@dataclass
class Problem:
    rule: str
    register: str
    address: int
    cycle: int
    text: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.register} @{self.address:#x} (cycle {self.cycle}): {self.text}"


class RegChecks:
    """Shared state of one register test: env, block, description, problems, counts."""

    def __init__(self, env) -> None:
        self.env = env
        self.block = env.reg_block
        self.map = self.block.get_default_map()
        p = env.reg_params
        self.regs: RegisterMap = load(p["NUM_SLOTS"], p["AXIL_ADDR_WIDTH"], p["MEM_MAX_ENTRIES"])
        # §7 with memory mode built: MEM_ENTRIES (M) resets to 0 and the sequences leave it there;
        # which PENDING words exist follows M ("ceil((NUM_SLOTS + M) / 32) words ... with M = 0
        # exactly the revision-1 words exist"): the description compiled with M in place of
        # MEM_MAX_ENTRIES lists them.
        self.mem_max_entries = p["MEM_MAX_ENTRIES"]
        self.mem_entries = 0
        self.rng = env.cfg.rng
        self.problems: list[Problem] = []
        self.checks = 0
        self.notes: list[str] = []

    # -- naming
    def layout(self, address: int) -> Register:
        hit = self.regs.decode(address)
        assert hit is not None, f"{address:#x} is not a register of the description"
        return hit[0]

    def name(self, ureg) -> str:
        addr = ureg.get_address()
        hit = self.regs.decode(addr)
        if hit is None:
            return ureg.get_full_name()
        layout, idx = hit
        if idx is None:
            return layout.name
        if addr >= self.regs.table_base:
            return f"slot[{idx}].{layout.name}"
        return f"{layout.name}[{idx}]"

    def fields_in(self, layout: Register, bits: int) -> str:
        names = [f.name for f in layout.fields.values() if bits & f]
        stray = bits & ~layout.readable_mask
        if stray:
            names.append(f"bits outside every field {stray:#x}")
        return ", ".join(names)

    LOGGED_PROBLEMS = 300   # every mismatch goes to sim.log as found, up to this many

    def problem(self, rule: str, register: str, address: int, text: str) -> None:
        p = Problem(rule, register, address, self.env.cycle, text)
        self.problems.append(p)
        if len(self.problems) <= self.LOGGED_PROBLEMS:
            LOG.error(str(p))

    def pending_words_now(self) -> int:
        if not self.mem_max_entries or self.mem_entries == self.mem_max_entries:
            return self.regs.PENDING.count
        return load(self.regs.num_slots, self.regs.params["AXIL_ADDR_WIDTH"], self.mem_entries).PENDING.count

    def exists_now(self, address: int) -> bool:
        """Listed by the description and, for a PENDING word, one that M makes exist."""
        hit = self.regs.decode(address)
        if hit is None:
            return False
        layout, idx = hit
        if layout.name == self.regs.PENDING.name and idx is not None and address < self.regs.table_base:
            return idx < self.pending_words_now()
        return True

    def value_limit(self, layout: Register) -> int | None:
        """§7: "MEM_ENTRIES ... a value above MEM_MAX_ENTRIES is answered SLVERR and changes
        nothing" (a rule on the value, which the description's access types cannot say)."""
        if self.mem_max_entries and layout.name == "MEM_ENTRIES":
            return self.mem_max_entries
        return None

    # -- the registers a sequence walks
    def sample_slots(self) -> list[int]:
        """Boundary slots and one seeded random slot (the same list for the whole test)."""
        if not hasattr(self, "_slots"):
            n = self.regs.num_slots
            self._slots = sorted({0, 1, n // 2, n - 1} | {self.rng.randrange(n)})
        return self._slots

    def top_registers(self) -> list:
        """Registers below TABLE_BASE (single registers and PENDING words), in address order."""
        regs = [r for r in self.block.get_registers()
                if r.get_address() < self.regs.table_base and self.exists_now(r.get_address())]
        return sorted(regs, key=lambda r: r.get_address())

    def slot_registers(self, slots) -> list:
        out = []
        for s in slots:
            for name in self.regs.slot.registers:
                out.append(self.map.get_reg_by_offset(self.regs.slot.addr(s, name)))
        return out


class RegSeqBase(uvm_sequence):
    """Helpers: raw bus accesses on the register sequencer, checked frontdoor reads."""

    def __init__(self, name: str, checks: RegChecks) -> None:
        super().__init__(name)
        self.c = checks

    async def bus(self, write: bool, addr: int, data: int = 0, strb: int = 0xF) -> AxiLiteItem:
        item = AxiLiteItem("raw", write=write, addr=addr, data=data, strb=strb)
        await self.start_item(item)
        await self.finish_item(item)
        return item

    async def write_reg(self, ureg, value: int, rule: str) -> None:
        """Frontdoor write (auto-predicted); a read-only register, which pyuvm's map refuses to
        write, gets a raw bus write and the description's prediction (the write is ignored)."""
        addr = ureg.get_address()
        layout = self.c.layout(addr)
        limit = self.c.value_limit(layout)
        if limit is not None and written_value(layout, ureg.get_mirrored_value(), value) > limit:
            item = await self.bus(True, addr, value)
            if item.resp != SLVERR:
                self.c.problem(rule, self.c.name(ureg), addr,
                               f"write {value:#010x} above {limit} answered resp {item.resp} (expected SLVERR, no change)")
            return
        write_only = any(not f.readable for f in layout.fields.values())
        if not layout.writable or write_only:
            # read-only: ignored; write-only fields (§7 MEM_INVAL) read 0, which pyuvm's
            # mirror does not know: the description's prediction instead
            old = ureg.get_mirrored_value()
            item = await self.bus(True, addr, value)
            ureg.predict(written_value(layout, old, value), kind=uvm_predict_e.UVM_PREDICT_DIRECT)
            if item.resp != OKAY:
                self.c.problem(rule, self.c.name(ureg), addr,
                               f"write {value:#010x} to a {'write-only' if layout.writable else 'read-only'} "
                               f"register answered resp {item.resp} (expected OKAY)")
            return
        status = await ureg.write(value, parent=self)
        if status != uvm_status_e.UVM_IS_OK:
            self.c.problem(rule, self.c.name(ureg), ureg.get_address(),
                           f"write {value:#010x} answered an error response (expected OKAY)")

    async def read_check(self, ureg, rule: str, what: str) -> int:
        """Frontdoor read; the value must equal the mirror (what the description predicts)."""
        c = self.c
        expected = ureg.get_mirrored_value()
        status, value = await ureg.read(parent=self)
        c.checks += 1
        addr = ureg.get_address()
        if status != uvm_status_e.UVM_IS_OK:
            c.problem(rule, c.name(ureg), addr, f"{what}: read answered an error response (expected OKAY)")
        elif value != expected:
            c.problem(rule, c.name(ureg), addr,
                      f"{what}: read {value:#010x}, expected {expected:#010x} "
                      f"(differs in {c.fields_in(c.layout(addr), value ^ expected)})")
        # Keep the expectation, not the (possibly wrong) read value, for the next check.
        ureg.predict(expected, kind=uvm_predict_e.UVM_PREDICT_DIRECT)
        return value


class RegResetSeq(RegSeqBase):
    """Reset values of every register (all slots while NUM_SLOTS <= 256, else a sample)."""

    async def body(self):
        c = self.c
        c.block.reset()
        n = c.regs.num_slots
        slots = range(n) if n <= 256 else c.sample_slots()
        for ureg in c.top_registers() + c.slot_registers(slots):
            await self.read_check(ureg, "RESET_VALUE", "after reset")


class RegBitBashSeq(RegSeqBase):
    """Walking 1 / walking 0 through all 32 bits of every register with a writable field (CTRL,
    STATUS, two slots); the mirror predicts each field's access type. Registers without a
    writable field (ID, VERSION, NUM_SLOTS, counters, PENDING) take all-ones, all-zeros and
    the two checkerboards, which must all be ignored."""

    RO_PATTERNS = (M32, 0, 0xAAAAAAAA, 0x55555555)

    async def body(self):
        c = self.c
        slots = c.sample_slots()
        for ureg in c.top_registers() + c.slot_registers([slots[0], slots[len(slots) // 2]]):
            reset = ureg.get_reset()
            if c.layout(ureg.get_address()).writable:
                patterns = [(v, f"bit {k}") for k in range(32) for v in (1 << k, M32 ^ (1 << k))]
            else:
                patterns = [(v, "read-only register") for v in self.RO_PATTERNS]
            for value, what in patterns:
                await self.write_reg(ureg, value, "BIT_BASH")
                await self.read_check(ureg, "BIT_BASH", f"after writing {value:#010x} ({what})")
            await self.write_reg(ureg, reset, "BIT_BASH")   # leave it as reset left it
            await self.read_check(ureg, "BIT_BASH", f"after writing back the reset value {reset:#010x}")


class RegByteStrobeSeq(RegSeqBase):
    """Partial-strobe writes: only the strobed lanes change, per field access type."""

    async def body(self):
        c = self.c
        targets = [r for r in c.top_registers() if r.get_address() < c.regs.PENDING]
        targets += c.slot_registers(c.sample_slots()[-2:])
        for ureg in targets:
            addr = ureg.get_address()
            layout = c.layout(addr)
            for strb in CONTIGUOUS_STROBES:
                value = c.rng.getrandbits(32)
                old = ureg.get_mirrored_value()
                limit = c.value_limit(layout)
                if limit is not None and written_value(layout, old, value, strb) > limit:
                    value &= ~byte_mask(strb) | limit      # keep M <= MEM_MAX_ENTRIES (§7)
                item = await self.bus(True, addr, value, strb)
                if item.resp != OKAY:
                    c.problem("BYTE_STROBE", c.name(ureg), addr,
                              f"write {value:#010x} strb {strb:#x} answered resp {item.resp} (expected OKAY)")
                ureg.predict(written_value(layout, old, value, strb), kind=uvm_predict_e.UVM_PREDICT_DIRECT)
                await self.read_check(ureg, "BYTE_STROBE", f"after writing {value:#010x} with WSTRB {strb:#x}")
            await self.write_reg(ureg, ureg.get_reset(), "BYTE_STROBE")


class _Fire(uvm_sequence):
    def __init__(self, triggers) -> None:
        super().__init__("fire")
        self.triggers = triggers

    async def body(self):
        item = TriggerItem(triggers=self.triggers)
        await self.start_item(item)
        await self.finish_item(item)


class RegW1cSeq(RegSeqBase):
    """STATUS flags and slot CTRL.PENDING: set by hardware events, cleared by writing 1 only."""

    SETTLE_CYCLES = 32

    async def fire(self, index: int, pasid: int | None = None) -> None:
        await _Fire([(index, pasid)]).start(self.c.env.trigger_agent.seqr)
        await ClockCycles(self.c.env.dut.clk, self.SETTLE_CYCLES)

    def bump(self, name: str) -> None:
        ureg = getattr(self.c.block, name)
        ureg.predict((ureg.get_mirrored_value() + 1) & M32, kind=uvm_predict_e.UVM_PREDICT_DIRECT)

    async def body(self):
        c, regs, blk = self.c, self.c.regs, self.c.block
        status, ctrl = blk.STATUS, blk.CTRL
        n, index_width = regs.num_slots, c.env.cfg.irq_index_width
        raised = []
        # Rule 2: a trigger while ENABLE = 0 (the reset state).
        await self.fire(0)
        status.DISABLED_DROP.predict(1)
        self.bump("CNT_DROP_DISABLED")
        raised.append("DISABLED_DROP")
        # Rule 1: an index at or above NUM_SLOTS, when the trigger port can carry one.
        if (1 << index_width) > n:
            await self.fire(n)
            status.RANGE_ERR.predict(1)
            self.bump("CNT_DROP_RANGE")
            raised.append("RANGE_ERR")
        else:
            c.notes.append(f"RANGE_ERR not raised: IRQ_INDEX_WIDTH {index_width} cannot carry an index >= {n}")
        # Rule 3 then rule 4 on a masked slot with PASID_EN.
        s = c.sample_slots()[-1]
        slot_ctrl = c.map.get_reg_by_offset(regs.slot.addr(s, "CTRL"))
        pasid = c.rng.randrange(1, 1 << regs.slot.CTRL.PASID.width)
        ctrl_word = regs.slot.CTRL.MASK | regs.slot.CTRL.PASID_EN | regs.slot.CTRL.PASID.put(pasid)
        await self.write_reg(ctrl, regs.CTRL.ENABLE, "W1C")
        await self.write_reg(slot_ctrl, ctrl_word, "W1C")
        await self.fire(s, pasid ^ 1)
        status.PASID_ERR.predict(1)
        self.bump("CNT_DROP_PASID")
        raised.append("PASID_ERR")
        await self.fire(s, pasid)
        slot_ctrl.PENDING.predict(1)
        self.bump("CNT_PENDED")
        bits_per_word = 8 * regs.PENDING.stride
        word = s // bits_per_word
        pend_word = c.map.get_reg_by_offset(regs.PENDING[word]) if word < regs.PENDING.count else None
        if pend_word is None:
            c.problem("W1C_SET", "PENDING", int(regs.PENDING),
                      f"slot {s}'s pending bit has no PENDING word in the description ({regs.PENDING.count} words)")
        else:
            pend_word.predict(pend_word.get_mirrored_value() | 1 << (s % bits_per_word),
                              kind=uvm_predict_e.UVM_PREDICT_DIRECT)
        c.notes.append("STATUS.WRITE_ERR's write-1-to-clear not exercised here (needs an error BRESP "
                       "on the message port); tests/impl/hdl/ims_directed.py reg_status_w1c covers it")

        for name in regs.counters:
            await self.read_check(getattr(blk, name), "W1C_EVENTS", "counter after the events")
        await self.read_check(status, "W1C_SET", f"after raising {', '.join(raised)}")
        await self.read_check(slot_ctrl, "W1C_SET", "slot CTRL after a masked trigger")
        if pend_word is not None:
            await self.read_check(pend_word, "W1C_SET", "PENDING word after a masked trigger")

        # Writing 0, and writing 1s on lanes that are not strobed, clears nothing.
        w1c = regs.STATUS.w1c_mask
        for value, strb in ((0, 0xF), (M32, 0xF & ~(1 << (regs.STATUS.RANGE_ERR.lsb // 8)))):
            old = status.get_mirrored_value()
            await self.bus(True, int(regs.STATUS), value, strb)
            status.predict(written_value(regs.STATUS, old, value, strb), kind=uvm_predict_e.UVM_PREDICT_DIRECT)
            await self.read_check(status, "W1C_HOLD", f"after writing {value:#010x} strb {strb:#x}")
        # Each flag clears alone when 1 is written to it.
        for name in raised:
            await self.write_reg(status, int(getattr(regs.STATUS, name)), "W1C_CLEAR")
            await self.read_check(status, "W1C_CLEAR", f"after writing 1 to STATUS.{name}")
        if status.get_mirrored_value() & w1c:
            c.problem("W1C_CLEAR", "STATUS", int(regs.STATUS), "flags left set after clearing each")
        # Slot PENDING: write 0 keeps it, write 1 clears it (MASK stays 1: no replay).
        await self.write_reg(slot_ctrl, ctrl_word, "W1C_HOLD")
        await self.read_check(slot_ctrl, "W1C_HOLD", "slot CTRL after writing PENDING = 0")
        await self.write_reg(slot_ctrl, ctrl_word | regs.slot.CTRL.PENDING, "W1C_CLEAR")
        await self.read_check(slot_ctrl, "W1C_CLEAR", "slot CTRL after writing PENDING = 1")
        if pend_word is not None:
            pend_word.predict(pend_word.get_mirrored_value() & ~(1 << (s % bits_per_word)),
                              kind=uvm_predict_e.UVM_PREDICT_DIRECT)
            await self.read_check(pend_word, "W1C_CLEAR", "PENDING word after clearing the slot's bit")
        await self.write_reg(ctrl, 0, "W1C")
        await self.write_reg(slot_ctrl, slot_ctrl.get_reset(), "W1C")


class RegUnlistedSeq(RegSeqBase):
    """Unlisted addresses answer SLVERR (data 0); writes there change no register."""

    def addresses(self) -> list[int]:
        c, regs = self.c, self.c.regs
        pend_end = int(regs.PENDING) + regs.PENDING.stride * regs.PENDING.count
        cands = set(range(0, 0x100, 4))                       # the control block and beyond
        pend_now_end = int(regs.PENDING) + regs.PENDING.stride * c.pending_words_now()   # §7: M = 0
        cands |= {int(regs.PENDING) - 4, pend_end, pend_end + 4, pend_now_end, regs.table_base - 4}
        cands |= {c.rng.randrange(pend_end, regs.table_base) & ~3 for _ in range(4)}
        if regs.slot.end < regs.aperture:
            cands |= {regs.slot.end + int(r) for r in regs.slot.registers.values()}
            cands |= {regs.aperture - 4}
        out = []
        for a in sorted(cands):
            if not 0 <= a < regs.aperture:
                continue
            listed_desc = regs.is_listed(a)
            listed_uvm = c.map.get_reg_by_offset(a) is not None
            if listed_desc != listed_uvm:
                c.problem("MODEL_VIEWS", "?", a, f"loader says listed={listed_desc}, uvm_reg_map says {listed_uvm}")
            if not listed_desc or not c.exists_now(a):     # PENDING words beyond M too (§7)
                out.append(a)
        return out

    async def body(self):
        c = self.c
        addrs = self.addresses()
        for a in addrs:
            item = await self.bus(False, a)
            c.checks += 1
            if item.resp != SLVERR or item.data != 0:
                c.problem("UNLISTED_READ", "unlisted", a,
                          f"read answered resp {item.resp} data {item.data:#010x}, expected SLVERR ({SLVERR}) data 0")
            item = await self.bus(True, a, M32)
            c.checks += 1
            if item.resp != SLVERR:
                c.problem("UNLISTED_WRITE", "unlisted", a, f"write answered resp {item.resp}, expected SLVERR ({SLVERR})")
        # Nothing moved: every top register and the sampled slots still read what they held.
        for ureg in c.top_registers() + c.slot_registers(c.sample_slots()):
            await self.read_check(ureg, "UNLISTED_WRITE", f"after writes to {len(addrs)} unlisted addresses")


ALL_SEQUENCES = (RegResetSeq, RegBitBashSeq, RegByteStrobeSeq, RegW1cSeq, RegUnlistedSeq)
