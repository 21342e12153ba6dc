"""IMS device reference model (ims-block.md §2-§4, and §7 when built with mem_max_entries > 0),
usable as a scoreboard predictor and as a RegisterAccess target for the Linux IMS domain models.

Timing is abstracted: a register write takes effect at once (its response), a message is
"emitted" (and counted in CNT_SENT) the moment its trigger or replay happens, and an entry
fetch reads host memory the moment it happens.

§7 entry cache. Its size and organisation are the implementation's (MEM_CACHE_ENTRIES, any
replacement), so the model does not pick one. It keeps, per memory entry, every image fetched
since the entry was last invalidated ("copies the block may hold": rule 2 says a cached copy
stays valid until MEM_INVAL names the entry or ALL, a base/size write, reset). A trigger to an
entry may legally use any of those copies (a hit) or memory as read at its fetch (a miss;
possibly a fetch error). `trigger(..., use=...)` lets a caller (the scoreboard) say which one
the block used and refuses one the rules forbid; the default is a hit on the newest copy,
else a fetch (an unbounded cache). `cached_copies(j)` and `read_entry(j)` list the choices.
Re-examinations (rule 4) always fetch afresh; what they read may be held as a copy afterwards.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from enum import Enum

from .errors import BusError, ConfigError, ModelError
from .memory import HostMemory, MemoryReadError

OKAY, SLVERR = 0, 2

from .regmap import (  # noqa: E402  (the contract's names, shared with the testbenches)
    CTRL_ENABLE, CTRL_FUNC_MASK, ID_VALUE, REG_CNT_DROP_DISABLED, REG_CNT_DROP_PASID,
    REG_CNT_DROP_RANGE, REG_CNT_PENDED, REG_CNT_SENT, REG_CNT_WR_ERR, REG_CTRL, REG_ID,
    REG_NUM_SLOTS, REG_PENDING, REG_STATUS, REG_VERSION, SLOT_MASK, SLOT_PASID_EN, SLOT_PENDING,
    STATUS_BUSY, STATUS_DISABLED_DROP, STATUS_PASID_ERR, STATUS_RANGE_ERR, STATUS_WRITE_ERR,
)
from .regmap import (ADDR_LO_RW_BITS, PENDING_BITS_PER_WORD, PENDING_STRIDE, SLOT_ADDR_HI,  # noqa: E402
                     SLOT_ADDR_LO, SLOT_BYTES, SLOT_CTRL, SLOT_CTRL_RW_BITS, SLOT_DATA, SLOT_PASID_SHIFT,
                     SLOT_PENDING_SHIFT)
from .regs import load as load_regs  # noqa: E402  (regs/ims.rdl, compiled per parameter set)

SLOT_CTRL_RW = SLOT_CTRL_RW_BITS  # stored bits (PENDING lives apart)
M32 = 0xFFFFFFFF


class Outcome(Enum):
    SENT = "sent"
    PENDED = "pended"
    DROP_RANGE = "drop_range"
    DROP_DISABLED = "drop_disabled"
    DROP_PASID = "drop_pasid"
    DROP_FETCH = "drop_fetch"   # §7 rule 2: the entry fetch was answered with an error


@dataclass(frozen=True, slots=True)
class EntryImage:
    """A memory entry as the block sees it after a fetch (§7: the §3 layout; ADDR_LO bits 1:0,
    CTRL bit1 and the reserved CTRL bits in memory are ignored, so they are dropped here)."""
    addr_lo: int
    addr_hi: int
    data: int
    ctrl: int

    @property
    def addr(self) -> int:
        return self.addr_hi << 32 | self.addr_lo

    @property
    def masked(self) -> bool:
        return bool(self.ctrl & SLOT_MASK)


@dataclass(frozen=True, slots=True)
class Fetch:
    """trigger(use=Fetch(...)): the block fetched the entry (a miss). By default the fetch reads
    host memory now; a testbench that saw the read's data (memory may change between a trigger
    and its R beats) passes it as `image`, or `error=True` when a beat had RRESP != OKAY."""
    image: EntryImage | None = None
    error: bool = False


FETCH = Fetch()   # a miss that reads memory now


@dataclass(frozen=True, slots=True)
class Message:
    """One emitted memory write: `data` to 64-bit `addr`."""
    addr: int
    data: int
    slot: int      # trigger index: a slot, or NUM_SLOTS + j for memory entry j
    replay: bool
    seq: int  # emission order over the device's lifetime


@dataclass(frozen=True, slots=True)
class TriggerResult:
    outcome: Outcome
    message: Message | None = None


def _byte_mask(strb: int) -> int:
    return ((0xFF if strb & 1 else 0) | (0xFF00 if strb & 2 else 0)
            | (0xFF0000 if strb & 4 else 0) | (0xFF000000 if strb & 8 else 0))


class ImsDevice:
    """The block. `mem_max_entries` is the MEM_MAX_ENTRIES parameter (0: revision 1 exactly, no
    §7 registers); `memory` is the host memory entries are fetched from (a fresh HostMemory
    when omitted; pass the platform's so that the driver model and the device share it)."""

    def __init__(self, num_slots: int = 2048, axil_addr_width: int = 16,
                 irq_index_width: int = 16, mem_max_entries: int = 0,
                 memory: HostMemory | None = None) -> None:
        if num_slots < 2 or num_slots > 32768 or num_slots & (num_slots - 1):
            raise ConfigError(f"NUM_SLOTS={num_slots} must be a power of two in 2..32768")
        if axil_addr_width < max(14, num_slots.bit_length() - 1 + 5):
            raise ConfigError(f"AXIL_ADDR_WIDTH={axil_addr_width} too small for {num_slots} slots")
        if irq_index_width < 1:
            raise ConfigError("IRQ_INDEX_WIDTH must be >= 1")
        if not isinstance(mem_max_entries, int) or mem_max_entries < 0 or \
                mem_max_entries & (mem_max_entries - 1):
            raise ConfigError(f"MEM_MAX_ENTRIES={mem_max_entries!r} must be 0 or a power of two")
        if mem_max_entries and (num_slots + mem_max_entries > min(1 << irq_index_width, 32768)):
            # §7 Parameters: NUM_SLOTS + MEM_MAX_ENTRIES <= 2^IRQ_INDEX_WIDTH and <= 32768
            raise ConfigError(f"NUM_SLOTS + MEM_MAX_ENTRIES = {num_slots + mem_max_entries} exceeds "
                              f"min(2^IRQ_INDEX_WIDTH, 32768)")
        self.num_slots = num_slots
        self.axil_addr_width = axil_addr_width
        self.irq_index_width = irq_index_width
        self.mem_max_entries = mem_max_entries
        self.memory = memory if memory is not None or not mem_max_entries else HostMemory()
        self.regmap = rm = load_regs(num_slots, axil_addr_width, mem_max_entries)
        self.table_base = rm.slot.base
        self.version = rm.VERSION.reset          # 0x00020000 with §7, else 0x00010000 (§6)
        self._status_w1c = rm.STATUS.w1c_mask
        self._counter_regs = {name: int(r) for name, r in rm.counters.items()}
        if mem_max_entries:
            self.reg_mem_base_lo, self.reg_mem_base_hi = int(rm.MEM_BASE_LO), int(rm.MEM_BASE_HI)
            self.reg_mem_entries, self.reg_mem_inval = int(rm.MEM_ENTRIES), int(rm.MEM_INVAL)
            self._mem_base_lo_rw = rm.MEM_BASE_LO.rw_mask
            self._inval_entry = int(rm.MEM_INVAL.ENTRY)
            self._inval_all = int(rm.MEM_INVAL.ALL)
            self._inval_clear = int(rm.MEM_INVAL.CLEAR_PENDING)
            self.status_fetch_err = int(rm.STATUS.FETCH_ERR)
            self.reg_cnt_fetch_err = int(rm.CNT_FETCH_ERR)
        self.reset()

    def reset(self) -> None:
        n = self.num_slots
        self.ctrl = self.regmap.CTRL.reset
        self.status = self.regmap.STATUS.reset
        self.counters = {off: 0 for off in self._counter_regs.values()}
        self.addr_lo = [self.regmap.slot.ADDR_LO.reset] * n
        self.addr_hi = [self.regmap.slot.ADDR_HI.reset] * n
        self.data = [self.regmap.slot.DATA.reset] * n
        self.slot_ctrl = [self.regmap.slot.CTRL.reset & SLOT_CTRL_RW] * n
        self.pending = 0          # bitmap, bit i = trigger index i pending (slots, then entries)
        self.mem_base_lo = self.mem_base_hi = self.mem_entries = 0
        self._copies: dict[int, list[EntryImage]] = {}   # entry j -> copies the block may hold
        self.emitted: list[Message] = []
        self._replays: list[Message] = []
        self._seq = 0

    def __deepcopy__(self, memo):
        # Host memory is outside the device: a copied model (a scoreboard world) shares it.
        if self.memory is not None:
            memo[id(self.memory)] = self.memory
        new = self.__class__.__new__(self.__class__)
        memo[id(self)] = new
        for k, v in self.__dict__.items():
            setattr(new, k, copy.deepcopy(v, memo))
        return new

    @property
    def pending_words(self) -> int:
        """PENDING words that exist now: ceil((NUM_SLOTS + M) / 32) (§2, §7)."""
        bits = self.num_slots + self.mem_entries
        return -(-bits // PENDING_BITS_PER_WORD)

    # -- helpers
    def _count(self, reg: int) -> None:
        self.counters[reg] = (self.counters[reg] + 1) & M32

    def _emit(self, index: int, replay: bool, image: EntryImage | None = None) -> Message:
        if image is None:
            addr, data = self.addr_hi[index] << 32 | self.addr_lo[index], self.data[index]
        else:
            addr, data = image.addr, image.data
        m = Message(addr, data, index, replay, self._seq)
        self._seq += 1
        self.emitted.append(m)
        self._count(REG_CNT_SENT)
        return m

    def _function_open(self) -> bool:
        return (self.ctrl & (CTRL_ENABLE | CTRL_FUNC_MASK)) == CTRL_ENABLE

    def _eligible(self, slot: int) -> bool:
        return self._function_open() and not self.slot_ctrl[slot] & SLOT_MASK

    def _replay_eligible(self) -> None:
        """Emit one replay for every pending slot that became eligible, lowest slot first.
        (Memory entries are not replayed here: §7 rule 4 re-examines them only at named moments.)"""
        p = self.pending & ((1 << self.num_slots) - 1)
        if not p or not self._function_open():
            return
        while p:
            low = p & -p
            slot = low.bit_length() - 1
            p ^= low
            if not self.slot_ctrl[slot] & SLOT_MASK:
                self.pending &= ~low
                self._replays.append(self._emit(slot, True))

    def _decode(self, offset: int) -> int:
        if not isinstance(offset, int) or offset < 0 or offset >> self.axil_addr_width:
            raise ModelError(f"offset {offset!r} outside the {self.axil_addr_width}-bit aperture")
        return offset & ~3  # lanes come from WSTRB; low address bits ignored

    # -- §7 memory entries
    @property
    def mem_base(self) -> int:
        return self.mem_base_hi << 32 | self.mem_base_lo

    def entry_address(self, j: int) -> int:
        """Host address of memory entry j: MEM_BASE + 16 j (§7 Entries)."""
        return (self.mem_base + SLOT_BYTES * j) & ((1 << 64) - 1)

    def read_entry(self, j: int) -> EntryImage:
        """Entry j as a fetch now would see it (no side effect). Raises MemoryReadError when the
        read fails (the block would see RRESP != OKAY)."""
        if self.memory is None:
            raise ModelError("no host memory: the model was built with mem_max_entries=0")
        raw = self.memory.read_bytes(self.entry_address(j), SLOT_BYTES)
        word = [int.from_bytes(raw[k:k + 4], "little") for k in range(0, SLOT_BYTES, 4)]
        return EntryImage(word[SLOT_ADDR_LO // 4] & ADDR_LO_RW_BITS, word[SLOT_ADDR_HI // 4],
                          word[SLOT_DATA // 4], word[SLOT_CTRL // 4] & SLOT_CTRL_RW)

    def cached_copies(self, j: int) -> tuple[EntryImage, ...]:
        """Every copy of entry j the block may hold now (fetched since its last invalidation),
        oldest first. A trigger may use any of them, or fetch afresh."""
        return tuple(self._copies.get(j, ()))

    def legal_images(self, j: int) -> tuple[EntryImage | None, ...]:
        """What a trigger to entry j, accepted and fetched now, may legally use (§7 rules 2-3):
        every valid copy (a hit), then memory as a fetch now reads it (a miss); None stands for
        that fetch failing (DROP_FETCH). No side effect."""
        try:
            fresh = self.read_entry(j)
        except MemoryReadError:
            fresh = None
        copies = self.cached_copies(j)
        return copies + ((fresh,) if fresh not in copies else ())

    def _fetch_error(self) -> None:
        self.status |= self.status_fetch_err
        self._count(self.reg_cnt_fetch_err)

    def _fetch(self, j: int, seen: Fetch = FETCH) -> EntryImage | None:
        """One fetch of entry j: the image (now a copy the block may hold) or None after a
        fetch error (STATUS.FETCH_ERR, CNT_FETCH_ERR + 1, nothing cached). `seen` may carry
        what the read returned instead of reading memory now."""
        try:
            if seen.error:
                raise MemoryReadError(f"entry {j}: the fetch was answered with an error")
            img = seen.image if seen.image is not None else self.read_entry(j)
        except MemoryReadError:
            self._fetch_error()
            return None
        copies = self._copies.setdefault(j, [])
        if img in copies:
            copies.remove(img)
        copies.append(img)   # newest last
        return img

    def _drop_copies(self, entries) -> None:
        for j in entries:
            self._copies.pop(j, None)

    def _reexamine(self, j: int) -> None:
        """§7 rule 4: a pending entry is fetched afresh; MASK = 0 with ENABLE = 1 and
        FUNC_MASK = 0 emits one message and clears the bit; a fetch error leaves the bit."""
        bit = 1 << (self.num_slots + j)
        if not self.pending & bit:
            return
        img = self._fetch(j)
        if img is None or img.masked or not self._function_open():
            return
        self.pending &= ~bit
        self._replays.append(self._emit(self.num_slots + j, True, img))

    def _reexamine_all_pending(self) -> None:
        p = self.pending >> self.num_slots
        while p:
            low = p & -p
            p ^= low
            self._reexamine(low.bit_length() - 1)

    def _write_mem_register(self, off: int, bm: int, wv: int) -> int:
        if off == self.reg_mem_base_lo:
            self.mem_base_lo = ((self.mem_base_lo & ~bm) | wv) & self._mem_base_lo_rw
            self._copies.clear()
        elif off == self.reg_mem_base_hi:
            self.mem_base_hi = (self.mem_base_hi & ~bm) | wv
            self._copies.clear()
        elif off == self.reg_mem_entries:
            m = (self.mem_entries & ~bm) | wv
            if m > self.mem_max_entries:
                return SLVERR                   # "answered SLVERR and changes nothing"
            self.mem_entries = m
            self._copies.clear()
            self.pending &= (1 << (self.num_slots + m)) - 1   # entries >= new M lose their bits
        else:  # MEM_INVAL (write-only: unwritten byte lanes are 0)
            m = self.mem_entries
            if wv & self._inval_all:
                named = range(m)
            else:
                j = wv & self._inval_entry
                named = range(j, j + 1) if j < m else range(0)   # j >= M ignored (OKAY)
            if wv & self._inval_clear:
                for j in named:
                    self.pending &= ~(1 << (self.num_slots + j))
            self._drop_copies(named)
            for j in named:                     # rule 4, lowest entry first
                self._reexamine(j)
        return OKAY

    # -- AXI-Lite view
    def read(self, offset: int) -> tuple[int, int]:
        """Returns (data, resp): resp 0 OKAY, 2 SLVERR (data 0)."""
        off = self._decode(offset)
        if off >= self.table_base:
            slot, field = divmod(off - self.table_base, SLOT_BYTES)
            if slot >= self.num_slots:
                return 0, SLVERR
            if field == SLOT_ADDR_LO:
                return self.addr_lo[slot], OKAY
            if field == SLOT_ADDR_HI:
                return self.addr_hi[slot], OKAY
            if field == SLOT_DATA:
                return self.data[slot], OKAY
            return self.slot_ctrl[slot] | ((self.pending >> slot) & 1) << SLOT_PENDING_SHIFT, OKAY
        if off == REG_ID:
            return ID_VALUE, OKAY
        if off == REG_VERSION:
            return self.version, OKAY
        if off == REG_NUM_SLOTS:
            return self.num_slots, OKAY
        if off == REG_CTRL:
            return self.ctrl, OKAY
        if off == REG_STATUS:
            return self.status, OKAY  # BUSY (bit31) is always 0 in the model
        if off in self.counters:
            return self.counters[off], OKAY
        if REG_PENDING <= off < REG_PENDING + PENDING_STRIDE * self.pending_words:
            k = (off - REG_PENDING) // PENDING_STRIDE
            return (self.pending >> (PENDING_BITS_PER_WORD * k)) & M32, OKAY
        if self.mem_max_entries:
            if off == self.reg_mem_base_lo:
                return self.mem_base_lo, OKAY
            if off == self.reg_mem_base_hi:
                return self.mem_base_hi, OKAY
            if off == self.reg_mem_entries:
                return self.mem_entries, OKAY
            if off == self.reg_mem_inval:
                return 0, OKAY                  # WO, reads 0
        return 0, SLVERR

    def write(self, offset: int, value: int, strb: int = 0xF) -> int:
        """Returns the write response (0 OKAY, 2 SLVERR). Replays it causes go to take_replays()."""
        off = self._decode(offset)
        if not 0 <= value <= M32 or not 0 <= strb <= 0xF:
            raise ModelError(f"bad write value {value!r} / strobe {strb!r}")
        bm = _byte_mask(strb)
        wv = value & bm
        if off >= self.table_base:
            slot, field = divmod(off - self.table_base, SLOT_BYTES)
            if slot >= self.num_slots:
                return SLVERR
            if field == SLOT_ADDR_LO:
                self.addr_lo[slot] = ((self.addr_lo[slot] & ~bm) | wv) & ADDR_LO_RW_BITS
            elif field == SLOT_ADDR_HI:
                self.addr_hi[slot] = (self.addr_hi[slot] & ~bm) | wv
            elif field == SLOT_DATA:
                self.data[slot] = (self.data[slot] & ~bm) | wv
            else:
                self.slot_ctrl[slot] = ((self.slot_ctrl[slot] & ~bm) | wv) & SLOT_CTRL_RW
                if wv & SLOT_PENDING:  # write 1 clears; the clear applies before any replay
                    self.pending &= ~(1 << slot)
                if self.pending >> slot & 1 and self._eligible(slot):
                    self.pending &= ~(1 << slot)
                    self._replays.append(self._emit(slot, True))
            return OKAY
        if off == REG_CTRL:
            old = self.ctrl
            self.ctrl = ((self.ctrl & ~bm) | wv) & (CTRL_ENABLE | CTRL_FUNC_MASK)
            self._replay_eligible()
            # §7 rule 4: memory entries are re-examined after a CTRL write that changes
            # FUNC_MASK from 1 to 0 or ENABLE from 0 to 1, and at no other CTRL write.
            if (old & CTRL_FUNC_MASK and not self.ctrl & CTRL_FUNC_MASK) or \
                    (not old & CTRL_ENABLE and self.ctrl & CTRL_ENABLE):
                self._reexamine_all_pending()
            return OKAY
        if off == REG_STATUS:
            self.status &= ~(wv & self._status_w1c)
            return OKAY
        if off >= REG_PENDING + PENDING_STRIDE * self.pending_words and \
                off < REG_PENDING + PENDING_STRIDE * self.regmap.PENDING.count:
            return SLVERR   # a PENDING word beyond ceil((NUM_SLOTS + M) / 32) does not exist now
        if self.mem_max_entries and off in (self.reg_mem_base_lo, self.reg_mem_base_hi,
                                            self.reg_mem_entries, self.reg_mem_inval):
            return self._write_mem_register(off, bm, wv)
        hit = self.regmap.decode(off)
        if hit is not None and not hit[0].writable:
            return OKAY  # RO in the description: ignored
        return SLVERR

    # -- trigger stream
    def trigger(self, index: int, pasid: int | None = None, use=None) -> TriggerResult:
        """One accepted trigger; the first applicable rule of §4 (§7 for a memory index) decides.

        For a memory index, `use` says which entry image the block used: None (default: the
        newest valid cached copy, else a fetch), FETCH (a miss: memory as read now, which may
        fail) or Fetch(image) / Fetch(error=True) (a miss whose read returned that), or an
        EntryImage that must be one of cached_copies(j) (a hit); anything else
        breaks §7 rules 2-3 and raises ModelError."""
        if not isinstance(index, int) or index < 0 or index >> self.irq_index_width:
            raise ModelError(f"trigger index {index!r} wider than IRQ_INDEX_WIDTH")
        if pasid is not None and not 0 <= pasid < (1 << 20):
            raise ModelError(f"pasid {pasid!r} wider than 20 bits")
        if index >= self.num_slots + self.mem_entries:      # §7 rule 1: i >= NUM_SLOTS + M
            self.status |= STATUS_RANGE_ERR
            self._count(REG_CNT_DROP_RANGE)
            return TriggerResult(Outcome.DROP_RANGE)
        if use is not None and index < self.num_slots:
            raise ModelError(f"use= applies to memory entries only (index {index} is a slot)")
        if not self.ctrl & CTRL_ENABLE:                     # checked before any fetch
            self.status |= STATUS_DISABLED_DROP
            self._count(REG_CNT_DROP_DISABLED)
            return TriggerResult(Outcome.DROP_DISABLED)
        image = None
        if index < self.num_slots:
            sc = self.slot_ctrl[index]
        else:
            j = index - self.num_slots
            if use is None:
                copies = self._copies.get(j)
                image = copies[-1] if copies else self._fetch(j)
            elif isinstance(use, Fetch):
                image = self._fetch(j, use)
            elif isinstance(use, EntryImage):
                if use not in self._copies.get(j, ()):
                    raise ModelError(
                        f"§7 rules 2-3: entry {j} (index {index}) holds no valid copy {use}; a "
                        f"trigger now may use {list(self.cached_copies(j))} or a fetch")
                image = use
            else:
                raise ModelError(f"use={use!r}: expected None, a Fetch or an EntryImage")
            if image is None:
                return TriggerResult(Outcome.DROP_FETCH)
            sc = image.ctrl
        if sc & SLOT_PASID_EN and (pasid is None or pasid != sc >> SLOT_PASID_SHIFT):
            self.status |= STATUS_PASID_ERR
            self._count(REG_CNT_DROP_PASID)
            return TriggerResult(Outcome.DROP_PASID)
        if sc & SLOT_MASK or self.ctrl & CTRL_FUNC_MASK:
            self.pending |= 1 << index
            self._count(REG_CNT_PENDED)
            return TriggerResult(Outcome.PENDED)
        return TriggerResult(Outcome.SENT, self._emit(index, False, image))

    def take_replays(self) -> list[Message]:
        """Replays caused by register writes since the last call, in emission order."""
        r, self._replays = self._replays, []
        return r

    def write_response(self, bresp: int) -> None:
        """A message's write response arrived on the master port."""
        if not 0 <= bresp <= 3:
            raise ModelError(f"bad BRESP {bresp!r}")
        if bresp:
            self.status |= STATUS_WRITE_ERR
            self._count(REG_CNT_WR_ERR)

    # -- convenience views
    def slot(self, i: int) -> tuple[int, int, int, int]:
        """(addr_lo, addr_hi, data, ctrl as read over AXI-Lite)."""
        return (self.addr_lo[i], self.addr_hi[i], self.data[i],
                self.slot_ctrl[i] | ((self.pending >> i) & 1) << SLOT_PENDING_SHIFT)

    def is_pending(self, i: int) -> bool:
        """Pending bit of trigger index i (a slot, or NUM_SLOTS + j for memory entry j)."""
        return bool(self.pending >> i & 1)

    def counter(self, name: str) -> int:
        """name: sent, pended, drop_range, drop_pasid, drop_disabled, wr_err, fetch_err (§7)."""
        reg = "CNT_" + name.upper()
        if reg not in self._counter_regs:
            raise ModelError(f"no counter {name!r} in this build")
        return self.counters[self._counter_regs[reg]]

    # -- RegisterAccess (async), so the Linux IMS domain model can drive this device
    async def read32(self, offset: int) -> int:
        data, resp = self.read(offset)
        if resp != OKAY:
            raise BusError(f"read {offset:#x}: SLVERR")
        return data

    async def write32(self, offset: int, value: int) -> None:
        if self.write(offset, value) != OKAY:
            raise BusError(f"write {offset:#x}: SLVERR")
