"""Local APIC matching, lowest priority, IRR/ISR/TMR, PPR dispatch, EOI, coalescing."""
import pytest

from models.apic import Accept, ApicBus, LocalApic


def xapic_bus(n=4, cluster=False):
    return ApicBus([LocalApic(i, cluster=cluster) for i in range(n)])


def ids(apics):
    return [a.apic_id for a in apics]


def test_physical_and_broadcast_xapic():
    bus = xapic_bus()
    assert ids(bus.match(2, 0)) == [2]
    assert ids(bus.match(7, 0)) == []
    assert ids(bus.match(0xFF, 0)) == [0, 1, 2, 3]


def test_logical_flat():
    bus = xapic_bus()  # flat LDR[31:24] = 1 << id
    assert ids(bus.match(0b0101, 1)) == [0, 2]
    assert ids(bus.match(0x00, 1)) == []


def test_logical_cluster():
    # cluster LDR: [31:28] cluster = id >> 2, [27:24] = 1 << (id & 3)
    bus = ApicBus([LocalApic(i, cluster=True) for i in (0, 1, 4, 5)])
    assert ids(bus.match(0x03, 1)) == [0, 1]      # cluster 0, members 0 and 1
    assert ids(bus.match(0x12, 1)) == [5]         # cluster 1, member bit 1 -> id 5
    assert ids(bus.match(0x21, 1)) == []          # cluster 2 empty
    assert ids(bus.match(0xFF, 1)) == [0, 1, 4, 5]


def test_x2apic_physical_logical_broadcast():
    apics = [LocalApic(i, x2apic=True) for i in (0, 1, 16, 17)]
    bus = ApicBus(apics, x2apic=True)
    assert apics[2].ldr == (1 << 16) | 1  # (16>>4)<<16 | 1<<(16&15)
    assert ids(bus.match(17, 0)) == [17]
    assert ids(bus.match(0x0001_0002, 1)) == [17]  # cluster 1, bit 1
    assert ids(bus.match(0x0000_0003, 1)) == [0, 1]
    assert ids(bus.match(0xFFFFFFFF, 0)) == [0, 1, 16, 17]
    assert ids(bus.match(0xFFFFFFFF, 1)) == [0, 1, 16, 17]


def test_fixed_logical_hits_all_matched():
    bus = xapic_bus()
    res = bus.deliver(0b0110, 1, 0x40, 0, 1)
    assert res.accepted == [1, 2]
    assert bus.by_id[1].has_irr(0x40) and bus.by_id[1].has_tmr(0x40)


def test_lowest_priority_rule():
    bus = xapic_bus()
    bus.by_id[0].tpr = 0x20
    bus.by_id[1].tpr = 0x10
    bus.by_id[2].tpr = 0x10
    bus.by_id[3].tpr = 0x30
    # lowest PPR 0x10 on APICs 1 and 2: tie -> lowest ID 1
    assert bus.deliver(0xFF, 0, 0x50, 1).accepted == [1]
    # APIC 1 gets an in-service 0x60: PPR 0x60, so APIC 2 now wins
    bus.by_id[1].irr = 0
    bus.by_id[1].isr = 1 << 0x60
    assert bus.deliver(0xFF, 0, 0x51, 1).accepted == [2]


def test_illegal_vector_refused_and_counted():
    a = LocalApic(0)
    assert a.accept(15) is Accept.ILLEGAL
    assert a.irr == 0 and a.illegal_count == 1 and a.esr & 0x40
    assert a.accept(16) is Accept.ACCEPTED


def test_coalescing_counted():
    a = LocalApic(0)
    assert a.accept(0x40) is Accept.ACCEPTED
    assert a.accept(0x40) is Accept.COALESCED
    assert a.accept(0x40) is Accept.COALESCED
    assert a.coalesced[0x40] == 2 and a.accepted[0x40] == 1


def test_dispatch_eoi_ppr():
    a = LocalApic(0)
    for v in (0x31, 0x52, 0x55):
        a.accept(v)
    assert a.acknowledge() == 0x55   # highest IRR
    assert a.ppr == 0x50             # ISRV 0x55 class > TPR 0
    assert a.acknowledge() is None   # 0x52 is in the same class as PPR: blocked
    assert a.eoi() == 0x55
    assert a.acknowledge() == 0x52
    assert a.acknowledge() is None   # 0x31 class 3 < PPR class 5
    assert a.eoi() == 0x52
    a.tpr = 0x30
    assert a.acknowledge() is None   # 0x31 class 3 not above TPR class 3
    a.tpr = 0x2F
    assert a.ppr == 0x2F and a.acknowledge() == 0x31
    assert a.eoi() == 0x31 and a.eoi() is None


def test_ppr_uses_tpr_when_higher():
    a = LocalApic(0)
    a.isr = 1 << 0x41
    a.tpr = 0x45
    assert a.ppr == 0x45   # TPR[7:4] 4 >= ISRV[7:4] 4
    a.tpr = 0x35
    assert a.ppr == 0x40


def test_nmi_not_in_irr():
    bus = xapic_bus()
    res = bus.deliver(1, 0, 0x02, 4)
    assert res.results == [(1, Accept.OTHER)] and bus.by_id[1].irr == 0
    assert bus.by_id[1].other_events == {4: 1}
