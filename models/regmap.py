"""The IMS block's register map and slot layout as flat constants, derived from regs/ims.rdl.

Nothing here is typed by hand: every value comes from the compiled SystemRDL description
(models/regs.py). New code should use `models.regs.regs` directly (`regs.CTRL.ENABLE`); these
names stay for the modules that import them.
"""

from __future__ import annotations

from .regs import load, regs

_S = regs.slot                       # slot layout (offsets inside a slot)

# §2 registers (byte offsets in the AXI-Lite aperture).
REG_ID, REG_VERSION, REG_NUM_SLOTS = int(regs.ID), int(regs.VERSION), int(regs.NUM_SLOTS)
REG_CTRL, REG_STATUS = int(regs.CTRL), int(regs.STATUS)
REG_CNT_SENT, REG_CNT_PENDED, REG_CNT_DROP_RANGE = int(regs.CNT_SENT), int(regs.CNT_PENDED), int(regs.CNT_DROP_RANGE)
REG_CNT_DROP_PASID, REG_CNT_DROP_DISABLED, REG_CNT_WR_ERR = (int(regs.CNT_DROP_PASID), int(regs.CNT_DROP_DISABLED),
                                                             int(regs.CNT_WR_ERR))
REG_PENDING = int(regs.PENDING)      # PENDING[k] at REG_PENDING + PENDING_STRIDE k
PENDING_STRIDE = regs.PENDING.stride

REGISTERS = {name: int(r) for name, r in regs.registers.items()}
COUNTER_NAMES = tuple(regs.counters)
COUNTERS = {name: REGISTERS[name] for name in COUNTER_NAMES}

ID_VALUE = regs.ID.reset
VERSION_VALUE = regs.VERSION.reset   # 0x00010000 while the RTL is built without §7 (MEM_MAX_ENTRIES 0)

CTRL_ENABLE, CTRL_FUNC_MASK = int(regs.CTRL.ENABLE), int(regs.CTRL.FUNC_MASK)
CTRL_RW_BITS = regs.CTRL.rw_mask

STATUS_RANGE_ERR, STATUS_PASID_ERR = int(regs.STATUS.RANGE_ERR), int(regs.STATUS.PASID_ERR)
STATUS_WRITE_ERR, STATUS_DISABLED_DROP = int(regs.STATUS.WRITE_ERR), int(regs.STATUS.DISABLED_DROP)
STATUS_BUSY = int(regs.STATUS.BUSY)
STATUS_W1C_BITS = regs.STATUS.w1c_mask

# §3 slot layout: slot i at table_base(aw) + SLOT_BYTES i.
SLOT_BYTES = _S.stride
SLOT_ADDR_LO, SLOT_ADDR_HI, SLOT_DATA, SLOT_CTRL = int(_S.ADDR_LO), int(_S.ADDR_HI), int(_S.DATA), int(_S.CTRL)
SLOT_FIELD = {name: int(r) for name, r in _S.registers.items()}
SLOT_MASK, SLOT_PENDING, SLOT_PASID_EN = int(_S.CTRL.MASK), int(_S.CTRL.PENDING), int(_S.CTRL.PASID_EN)
SLOT_PASID_SHIFT = _S.CTRL.PASID.lsb
SLOT_PASID_BITS = int(_S.CTRL.PASID)
SLOT_CTRL_RESET = _S.CTRL.reset
SLOT_CTRL_RW_BITS = _S.CTRL.rw_mask  # stored; PENDING lives apart
ADDR_LO_RW_BITS = _S.ADDR_LO.rw_mask


def table_base(axil_addr_width: int = 16) -> int:
    """TABLE_BASE = 2^(AXIL_ADDR_WIDTH-1), as the description places the slot table."""
    return load(axil_addr_width=axil_addr_width, num_slots=2).slot.base


def slot_offset(index: int, field: int = 0, axil_addr_width: int = 16) -> int:
    return table_base(axil_addr_width) + SLOT_BYTES * index + field


def pending_words(num_slots: int) -> int:
    return load(num_slots=num_slots, axil_addr_width=max(16, num_slots.bit_length() + 4)).PENDING.count


PENDING_BITS_PER_WORD = 8 * PENDING_STRIDE   # PENDING[k] bit j = slot 32 k + j
SLOT_PENDING_SHIFT = _S.CTRL.PENDING.lsb
STATUS_RW1C_BITS = STATUS_W1C_BITS
