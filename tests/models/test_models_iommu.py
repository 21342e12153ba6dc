"""IR unit: IRTE formats, check order, every fault reason, FPD, SVT/SQ, posted interrupts."""
import pytest

from models.errors import ConfigError
from models.iommu import (FaultReason, FaultRecord, IrDeliver, IrFault, IrPosted, IrUnit,
                          PostedDescriptor, PostedIrte, RemappedIrte, read_descriptor,
                          unpack_irte, write_descriptor)
from models.memory import HostMemory
from models.msi import ims_slot_message

BASE = 0x200000
SID = 0x0300


def remap_addr(idx):
    return ims_slot_message(idx)[0]


@pytest.fixture
def unit():
    mem = HostMemory()
    u = IrUnit(mem)
    u.set_table(BASE, 7)  # 2^(7+1) = 256 entries
    u.enable(cfi=False)
    return u


def put(u, idx, value):
    u.memory.write128(BASE + 16 * idx, value)


def test_irte_pack_known_xapic():
    e = RemappedIrte(present=1, fpd=0, dest_mode=0, redirection_hint=1, vector=0x31, dest=2,
                     sid=0x0300, sq=0, svt=1)
    # P bit0 =1, RH bit3 = 0x8 -> 0x9; vector 0x31<<16 = 0x310000; dest 2 at bit 40 = 0x200<<32
    # SID 0x300 << 64; SVT 1 << 82 -> high qword 0x0004_0300
    expect = 0x9 | 0x31 << 16 | 2 << 40 | (0x0300 | 1 << 18) << 64
    assert e.pack(eime=False) == expect
    assert e.pack(eime=False) == 0x0000_0000_0004_0300_0000_0200_0031_0009


def test_irte_pack_known_x2apic_dest():
    e = RemappedIrte(vector=0x40, dest=0x12345678)
    assert (e.pack(eime=True) >> 32) & 0xFFFFFFFF == 0x12345678


def test_irte_posted_known():
    e = PostedIrte(present=1, urgent=1, vector=0x50, pda=0x1_2345_6780, sid=0x10, svt=1)
    v = e.pack()
    # IM bit15 and URG bit14; PDA bits 31:6 at 63:38, bits 63:32 at 127:96
    assert v >> 15 & 1 == 1 and v >> 14 & 1 == 1
    assert (v >> 38) & 0x3FFFFFF == 0x23456780 >> 6
    assert v >> 96 == 0x1
    assert unpack_irte(v) == e


def test_compat_pass_when_cfi(unit):
    unit.cfi = True
    r = unit.translate(0xFEE02000, 0x45, SID)
    assert r == IrDeliver(dest=2, dest_mode=0, vector=0x45, delivery_mode=0, trigger_mode=0,
                          redirection_hint=0)


def test_fault_20_addr_hi(unit):
    r = unit.translate(1 << 32 | remap_addr(1), 0, SID)
    assert isinstance(r, IrFault) and r.reason == FaultReason.REQ_RESERVED == 0x20


def test_fault_20_data_hi_with_shv(unit):
    assert unit.translate(remap_addr(1), 0x10000, SID).reason == 0x20


def test_fault_21_index(unit):
    r = unit.translate(remap_addr(256), 0, SID)
    assert r.reason == 0x21 and unit.fault_log[-1] == FaultRecord(0x21, SID, 256)


def test_fault_22_not_present(unit):
    r = unit.translate(remap_addr(3), 0, SID)
    assert r.reason == 0x22 and r.recorded and unit.fault_log == [FaultRecord(0x22, SID, 3)]


def test_fault_23_read(unit):
    unit.memory.fail_reads(BASE + 16 * 4, 16)
    assert unit.translate(remap_addr(4), 0, SID).reason == 0x23


def test_fault_24_reserved(unit):
    put(unit, 5, RemappedIrte(vector=0x30).pack() | 1 << 12)  # bit 12 reserved
    assert unit.translate(remap_addr(5), 0, SID).reason == 0x24
    put(unit, 6, RemappedIrte(vector=0x30).pack() | 1 << 33)  # xAPIC: dest bits 39:32 reserved
    assert unit.translate(remap_addr(6), 0, SID).reason == 0x24


def test_fault_24_posted_unsupported(unit):
    put(unit, 7, PostedIrte(vector=0x30, pda=0x4000).pack())
    assert unit.translate(remap_addr(7), 0, SID).reason == 0x24


def test_fault_25_compat_blocked(unit):
    r = unit.translate(0xFEE00000, 0x30, SID)
    assert r.reason == 0x25 and unit.fault_log == [FaultRecord(0x25, SID, 0)]


def test_fault_25_eime_even_with_cfi():
    u = IrUnit(HostMemory())
    u.set_table(BASE, 3, eime=True)
    u.enable(cfi=True)
    assert u.translate(0xFEE00000, 0x30, SID).reason == 0x25


def test_fault_26_sid(unit):
    put(unit, 8, RemappedIrte(vector=0x30, sid=SID, svt=1).pack())
    assert unit.translate(remap_addr(8), 0, SID + 1).reason == 0x26
    assert isinstance(unit.translate(remap_addr(8), 0, SID), IrDeliver)


@pytest.fixture
def punit():
    u = IrUnit(HostMemory(), posted_supported=True)
    u.set_table(BASE, 7)
    u.enable()
    return u


def test_fault_27_descriptor_read(punit):
    put(punit, 9, PostedIrte(vector=0x30, pda=0x4000).pack())
    punit.memory.fail_reads(0x4000, 64)
    assert punit.translate(remap_addr(9), 0, SID).reason == 0x27


def test_fault_28_descriptor_reserved(punit):
    put(punit, 9, PostedIrte(vector=0x30, pda=0x4000).pack())
    punit.memory.write_bytes(0x4000, (1 << 400).to_bytes(64, "little"))
    assert punit.translate(remap_addr(9), 0, SID).reason == 0x28


def test_check_order_present_before_reserved(unit):
    put(unit, 10, 1 << 12)  # P = 0 and a reserved bit: P is checked first
    assert unit.translate(remap_addr(10), 0, SID).reason == 0x22


def test_check_order_reserved_before_sid(unit):
    put(unit, 11, RemappedIrte(vector=0x30, sid=SID, svt=1).pack() | 1 << 100)
    assert unit.translate(remap_addr(11), 0, 0x9999).reason == 0x24


def test_fpd_suppresses_qualified_only(unit):
    put(unit, 12, 1 << 1)  # FPD = 1, P = 0
    r = unit.translate(remap_addr(12), 0, SID)
    assert r.reason == 0x22 and not r.recorded and unit.fault_log == []
    put(unit, 13, RemappedIrte(fpd=1, vector=0x30, sid=SID, svt=1).pack())
    assert unit.translate(remap_addr(13), 0, 0).recorded is False
    unit.translate(remap_addr(999 % 256 + 256), 0, SID)  # 0x21 not qualified
    assert [f.reason for f in unit.fault_log] == [0x21]


@pytest.mark.parametrize("sq,ok_sid,bad_sid", [
    (0, 0x0300, 0x0304),   # all 16 bits compared
    (1, 0x0304, 0x0302),   # bit 2 ignored
    (2, 0x0306, 0x0301),   # bits 2:1 ignored
    (3, 0x0307, 0x0308),   # bits 2:0 ignored
])
def test_svt1_sq(unit, sq, ok_sid, bad_sid):
    put(unit, 20, RemappedIrte(vector=0x30, sid=0x0300, sq=sq, svt=1).pack())
    assert isinstance(unit.translate(remap_addr(20), 0, ok_sid), IrDeliver)
    assert unit.translate(remap_addr(20), 0, bad_sid).reason == 0x26


def test_svt2_bus_range(unit):
    put(unit, 21, RemappedIrte(vector=0x30, sid=0x0305, svt=2).pack())  # buses 3..5
    for bus in (3, 4, 5):
        assert isinstance(unit.translate(remap_addr(21), 0, bus << 8 | 0x17), IrDeliver)
    for bus in (2, 6):
        assert unit.translate(remap_addr(21), 0, bus << 8).reason == 0x26


def test_svt0_and_svt3(unit):
    put(unit, 22, RemappedIrte(vector=0x30, sid=0x0300, svt=0).pack())
    assert isinstance(unit.translate(remap_addr(22), 0, 0xFFFF), IrDeliver)
    put(unit, 23, RemappedIrte(vector=0x30, sid=0x0300, svt=3).pack())
    assert unit.translate(remap_addr(23), 0, 0x0300).reason == 0x26


def test_cache_follows_memory(unit):
    put(unit, 30, RemappedIrte(vector=0x30, dest=1).pack())
    assert unit.translate(remap_addr(30), 0, SID).vector == 0x30
    put(unit, 30, RemappedIrte(vector=0x31, dest=1).pack())
    assert unit.translate(remap_addr(30), 0, SID).vector == 0x31


def test_posting_and_notification(punit):
    pd = PostedDescriptor(nv=0xF2, ndst=3 << 8)  # xAPIC: ID in bits 15:8
    write_descriptor(punit.memory, 0x4000, pd)
    put(punit, 9, PostedIrte(vector=0x45, pda=0x4000).pack())
    r = punit.translate(remap_addr(9), 0, SID)
    assert isinstance(r, IrPosted) and r.notified and r.notification.dest == 3
    assert r.notification.vector == 0xF2
    d = read_descriptor(punit.memory, 0x4000)
    assert d.pir == 1 << 0x45 and d.on == 1
    # ON already set: PIR gets the bit, no notification
    put(punit, 9, PostedIrte(vector=0x46, pda=0x4000).pack())
    r = punit.translate(remap_addr(9), 0, SID)
    assert not r.notified and read_descriptor(punit.memory, 0x4000).pir == 3 << 0x45


def test_posting_suppressed_unless_urgent(punit):
    write_descriptor(punit.memory, 0x4000, PostedDescriptor(sn=1, nv=0xF2))
    put(punit, 9, PostedIrte(vector=0x45, pda=0x4000).pack())
    assert not punit.translate(remap_addr(9), 0, SID).notified
    put(punit, 9, PostedIrte(vector=0x45, pda=0x4000, urgent=1).pack())
    assert punit.translate(remap_addr(9), 0, SID).notified


def test_table_register_validation():
    u = IrUnit(HostMemory())
    with pytest.raises(ConfigError):
        u.set_table(0x1001, 3)
    with pytest.raises(ConfigError):
        u.set_table(0x1000, 16)
    u.set_table(0x1000, 15)
    assert u.table_entries == 65536
