"""The IMS block's register map and slot layout (ims-block.md §2 and §3), in one place.

Every user — the device model, the directed testbench, the pyuvm scoreboard and sequences —
imports these names, so a register moves in one line. Values are transcribed from the
contract text, never read back from the RTL.
"""

from __future__ import annotations

# §2 registers (byte offsets in the AXI-Lite aperture).
REG_ID, REG_VERSION, REG_NUM_SLOTS = 0x000, 0x004, 0x008
REG_CTRL, REG_STATUS = 0x010, 0x014
REG_CNT_SENT, REG_CNT_PENDED, REG_CNT_DROP_RANGE = 0x020, 0x024, 0x028
REG_CNT_DROP_PASID, REG_CNT_DROP_DISABLED, REG_CNT_WR_ERR = 0x02C, 0x030, 0x034
REG_PENDING = 0x1000                      # PENDING[k] at REG_PENDING + 4k

REGISTERS = {
    "ID": REG_ID, "VERSION": REG_VERSION, "NUM_SLOTS": REG_NUM_SLOTS,
    "CTRL": REG_CTRL, "STATUS": REG_STATUS,
    "CNT_SENT": REG_CNT_SENT, "CNT_PENDED": REG_CNT_PENDED,
    "CNT_DROP_RANGE": REG_CNT_DROP_RANGE, "CNT_DROP_PASID": REG_CNT_DROP_PASID,
    "CNT_DROP_DISABLED": REG_CNT_DROP_DISABLED, "CNT_WR_ERR": REG_CNT_WR_ERR,
}
COUNTER_NAMES = ("CNT_SENT", "CNT_PENDED", "CNT_DROP_RANGE", "CNT_DROP_PASID",
                 "CNT_DROP_DISABLED", "CNT_WR_ERR")
COUNTERS = {name: REGISTERS[name] for name in COUNTER_NAMES}

ID_VALUE = int.from_bytes(b"IMS1", "big")  # 0x494D5331: "IMS1" read as a big-endian word
VERSION_VALUE = (1 << 16) | 0              # contract revision 1.0: major[31:16].minor[15:0]

CTRL_ENABLE, CTRL_FUNC_MASK = 1 << 0, 1 << 1
CTRL_RW_BITS = CTRL_ENABLE | CTRL_FUNC_MASK

STATUS_RANGE_ERR, STATUS_PASID_ERR = 1 << 0, 1 << 1
STATUS_WRITE_ERR, STATUS_DISABLED_DROP = 1 << 2, 1 << 3
STATUS_BUSY = 1 << 31
STATUS_W1C_BITS = STATUS_RANGE_ERR | STATUS_PASID_ERR | STATUS_WRITE_ERR | STATUS_DISABLED_DROP

# §3 slot layout: slot i at table_base(aw) + 16 i.
SLOT_BYTES = 16
SLOT_ADDR_LO, SLOT_ADDR_HI, SLOT_DATA, SLOT_CTRL = 0x0, 0x4, 0x8, 0xC
SLOT_FIELD = {"ADDR_LO": SLOT_ADDR_LO, "ADDR_HI": SLOT_ADDR_HI, "DATA": SLOT_DATA, "CTRL": SLOT_CTRL}
SLOT_MASK, SLOT_PENDING, SLOT_PASID_EN = 1 << 0, 1 << 1, 1 << 3
SLOT_PASID_SHIFT = 12
SLOT_PASID_BITS = 0xFFFFF << SLOT_PASID_SHIFT
SLOT_CTRL_RESET = SLOT_MASK
SLOT_CTRL_RW_BITS = SLOT_MASK | SLOT_PASID_EN | SLOT_PASID_BITS  # stored; PENDING lives apart
ADDR_LO_RW_BITS = 0xFFFFFFFC


def table_base(axil_addr_width: int = 16) -> int:
    """TABLE_BASE = 2^(AXIL_ADDR_WIDTH-1): the table fills the upper half of the aperture."""
    return 1 << (axil_addr_width - 1)


def slot_offset(index: int, field: int = 0, axil_addr_width: int = 16) -> int:
    return table_base(axil_addr_width) + SLOT_BYTES * index + field


def pending_words(num_slots: int) -> int:
    return (num_slots + 31) // 32
