"""IMS device reference model (ims-block.md §2-§4), usable as a scoreboard predictor and as a
RegisterAccess target for the Linux IMS domain model.

Timing is abstracted: a register write takes effect at once (its response), a message is
"emitted" (and counted in CNT_SENT) the moment its trigger or replay happens.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .errors import BusError, ConfigError, ModelError

OKAY, SLVERR = 0, 2

from .regmap import (  # noqa: E402  (the contract's names, shared with the testbenches)
    CTRL_ENABLE, CTRL_FUNC_MASK, ID_VALUE, REG_CNT_DROP_DISABLED, REG_CNT_DROP_PASID,
    REG_CNT_DROP_RANGE, REG_CNT_PENDED, REG_CNT_SENT, REG_CNT_WR_ERR, REG_CTRL, REG_ID,
    REG_NUM_SLOTS, REG_PENDING, REG_STATUS, REG_VERSION, SLOT_MASK, SLOT_PASID_EN, SLOT_PENDING,
    STATUS_BUSY, STATUS_DISABLED_DROP, STATUS_PASID_ERR, STATUS_RANGE_ERR, STATUS_WRITE_ERR,
    VERSION_VALUE,
)
from .regmap import (ADDR_LO_RW_BITS, PENDING_BITS_PER_WORD, PENDING_STRIDE, SLOT_ADDR_HI,  # noqa: E402
                     SLOT_ADDR_LO, SLOT_BYTES, SLOT_CTRL_RW_BITS, SLOT_DATA, SLOT_PASID_SHIFT,
                     SLOT_PENDING_SHIFT, STATUS_W1C_BITS)
from .regs import load as load_regs  # noqa: E402  (regs/ims.rdl, compiled per parameter set)

SLOT_CTRL_RW = SLOT_CTRL_RW_BITS  # stored bits (PENDING lives apart)
M32 = 0xFFFFFFFF

_COUNTERS = (REG_CNT_SENT, REG_CNT_PENDED, REG_CNT_DROP_RANGE, REG_CNT_DROP_PASID,
             REG_CNT_DROP_DISABLED, REG_CNT_WR_ERR)


class Outcome(Enum):
    SENT = "sent"
    PENDED = "pended"
    DROP_RANGE = "drop_range"
    DROP_DISABLED = "drop_disabled"
    DROP_PASID = "drop_pasid"


@dataclass(frozen=True, slots=True)
class Message:
    """One emitted memory write: `data` to 64-bit `addr`."""
    addr: int
    data: int
    slot: int
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
    def __init__(self, num_slots: int = 2048, axil_addr_width: int = 16,
                 irq_index_width: int = 16) -> None:
        if num_slots < 2 or num_slots > 32768 or num_slots & (num_slots - 1):
            raise ConfigError(f"NUM_SLOTS={num_slots} must be a power of two in 2..32768")
        if axil_addr_width < max(14, num_slots.bit_length() - 1 + 5):
            raise ConfigError(f"AXIL_ADDR_WIDTH={axil_addr_width} too small for {num_slots} slots")
        if irq_index_width < 1:
            raise ConfigError("IRQ_INDEX_WIDTH must be >= 1")
        self.num_slots = num_slots
        self.axil_addr_width = axil_addr_width
        self.irq_index_width = irq_index_width
        self.regmap = load_regs(num_slots, axil_addr_width)
        self.table_base = self.regmap.slot.base
        self.pending_words = self.regmap.PENDING.count
        self.reset()

    def reset(self) -> None:
        n = self.num_slots
        self.ctrl = self.regmap.CTRL.reset
        self.status = self.regmap.STATUS.reset
        self.counters = {off: 0 for off in _COUNTERS}
        self.addr_lo = [self.regmap.slot.ADDR_LO.reset] * n
        self.addr_hi = [self.regmap.slot.ADDR_HI.reset] * n
        self.data = [self.regmap.slot.DATA.reset] * n
        self.slot_ctrl = [self.regmap.slot.CTRL.reset & SLOT_CTRL_RW] * n
        self.pending = 0          # bitmap, bit i = slot i pending
        self.emitted: list[Message] = []
        self._replays: list[Message] = []
        self._seq = 0

    # -- helpers
    def _count(self, reg: int) -> None:
        self.counters[reg] = (self.counters[reg] + 1) & M32

    def _emit(self, slot: int, replay: bool) -> Message:
        m = Message(self.addr_hi[slot] << 32 | self.addr_lo[slot], self.data[slot], slot, replay,
                    self._seq)
        self._seq += 1
        self.emitted.append(m)
        self._count(REG_CNT_SENT)
        return m

    def _eligible(self, slot: int) -> bool:
        return (self.ctrl & (CTRL_ENABLE | CTRL_FUNC_MASK)) == CTRL_ENABLE and \
            not self.slot_ctrl[slot] & SLOT_MASK

    def _replay_eligible(self) -> None:
        """Emit one replay for every pending slot that became eligible, lowest slot first."""
        if not self.pending or (self.ctrl & (CTRL_ENABLE | CTRL_FUNC_MASK)) != CTRL_ENABLE:
            return
        p = self.pending
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
            return VERSION_VALUE, OKAY
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
            self.ctrl = ((self.ctrl & ~bm) | wv) & (CTRL_ENABLE | CTRL_FUNC_MASK)
            self._replay_eligible()
            return OKAY
        if off == REG_STATUS:
            self.status &= ~(wv & STATUS_W1C_BITS)
            return OKAY
        hit = self.regmap.decode(off)
        if hit is not None and not hit[0].writable:
            return OKAY  # RO in the description: ignored
        return SLVERR

    # -- trigger stream
    def trigger(self, index: int, pasid: int | None = None) -> TriggerResult:
        """One accepted trigger; the first applicable rule of §4 decides."""
        if not isinstance(index, int) or index < 0 or index >> self.irq_index_width:
            raise ModelError(f"trigger index {index!r} wider than IRQ_INDEX_WIDTH")
        if pasid is not None and not 0 <= pasid < (1 << 20):
            raise ModelError(f"pasid {pasid!r} wider than 20 bits")
        if index >= self.num_slots:
            self.status |= STATUS_RANGE_ERR
            self._count(REG_CNT_DROP_RANGE)
            return TriggerResult(Outcome.DROP_RANGE)
        if not self.ctrl & CTRL_ENABLE:
            self.status |= STATUS_DISABLED_DROP
            self._count(REG_CNT_DROP_DISABLED)
            return TriggerResult(Outcome.DROP_DISABLED)
        sc = self.slot_ctrl[index]
        if sc & SLOT_PASID_EN and (pasid is None or pasid != sc >> SLOT_PASID_SHIFT):
            self.status |= STATUS_PASID_ERR
            self._count(REG_CNT_DROP_PASID)
            return TriggerResult(Outcome.DROP_PASID)
        if sc & SLOT_MASK or self.ctrl & CTRL_FUNC_MASK:
            self.pending |= 1 << index
            self._count(REG_CNT_PENDED)
            return TriggerResult(Outcome.PENDED)
        return TriggerResult(Outcome.SENT, self._emit(index, False))

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
        return bool(self.pending >> i & 1)

    def counter(self, name: str) -> int:
        return self.counters[{"sent": REG_CNT_SENT, "pended": REG_CNT_PENDED,
                              "drop_range": REG_CNT_DROP_RANGE, "drop_pasid": REG_CNT_DROP_PASID,
                              "drop_disabled": REG_CNT_DROP_DISABLED,
                              "wr_err": REG_CNT_WR_ERR}[name]]

    # -- RegisterAccess (async), so the Linux IMS domain model can drive this device
    async def read32(self, offset: int) -> int:
        data, resp = self.read(offset)
        if resp != OKAY:
            raise BusError(f"read {offset:#x}: SLVERR")
        return data

    async def write32(self, offset: int, value: int) -> None:
        if self.write(offset, value) != OKAY:
            raise BusError(f"write {offset:#x}: SLVERR")
